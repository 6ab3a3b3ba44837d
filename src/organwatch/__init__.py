"""OrganWatch: an evidence workbench for investigating forced organ harvesting and transplant abuse.

>>> import organwatch
>>> # case = organwatch.init_case("mycase"); case.add(["report.pdf"]); case.verify().ok
"""

from __future__ import annotations

from organwatch.archive.captures import AddResult, AddSummary, CaptureMetadata
from organwatch.case import Case, init_case, open_case
from organwatch.errors import CaseError, OrganWatchError, UnknownCaptureError
from organwatch.model import Capture, Document, Observation
from organwatch.version import __version__

__all__ = [
    "AddResult",
    "AddSummary",
    "Capture",
    "CaptureMetadata",
    "Case",
    "CaseError",
    "Document",
    "Observation",
    "OrganWatchError",
    "UnknownCaptureError",
    "__version__",
    "init_case",
    "open_case",
]

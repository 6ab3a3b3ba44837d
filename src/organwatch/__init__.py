"""OrganWatch: an evidence workbench for investigating forced organ harvesting and transplant abuse.

>>> import organwatch
>>> # case = organwatch.init_case("mycase"); case.add(["report.pdf"]); case.verify().ok
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from organwatch.version import __version__

if TYPE_CHECKING:
    from organwatch.archive.captures import AddResult, AddSummary, CaptureMetadata
    from organwatch.case import Case, init_case, open_case
    from organwatch.errors import CaseError, OrganWatchError, UnknownCaptureError
    from organwatch.model import Capture, Document, Observation

# Loaded on first use, so that ``organwatch --help`` and light tools do not pay for the whole library.
_LAZY = {
    "AddResult": "organwatch.archive.captures", "AddSummary": "organwatch.archive.captures",
    "CaptureMetadata": "organwatch.archive.captures",
    "Case": "organwatch.case", "init_case": "organwatch.case", "open_case": "organwatch.case",
    "CaseError": "organwatch.errors", "OrganWatchError": "organwatch.errors",
    "UnknownCaptureError": "organwatch.errors",
    "Capture": "organwatch.model", "Document": "organwatch.model", "Observation": "organwatch.model",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'organwatch' has no attribute {name!r}")


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

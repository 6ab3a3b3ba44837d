"""Check that the case references cited by an analysis's inputs exist in a case.

Inputs cite ``capture:<sha256>`` or ``capture:<sha256>#<start>-<end>`` (see :mod:`.sources`). Given the
case, every such reference must name a capture that is there, and a span must fall inside the text of
one of that capture's documents; otherwise the analysis would rest on evidence nobody can check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from organwatch.errors import UnknownCaptureError

if TYPE_CHECKING:
    from organwatch.case import Case


def _capture_refs(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("kind") == "capture" and isinstance(value.get("sha256"), str):
            yield value
        for item in value.values():
            yield from _capture_refs(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _capture_refs(item)


def check_case_sources(result: dict[str, Any], case: Case) -> list[str]:
    """Problems with the capture references in a result's inputs (an empty list when all hold)."""
    problems: list[str] = []
    seen: set[tuple[str, Any]] = set()
    for ref in _capture_refs(result):
        key = (ref["sha256"], tuple(ref["span"]) if ref.get("span") else None)
        if key in seen:
            continue
        seen.add(key)
        try:
            capture = case.capture(ref["sha256"])
        except UnknownCaptureError:
            problems.append(f"{ref['text']}: no such capture in case {case.name!r}")
            continue
        if ref.get("span"):
            start, end = ref["span"]
            lengths = [len(d.text or "") for d in case.documents(capture.id) if d.status == "ok"]
            if not any(end <= n for n in lengths):
                problems.append(f"{ref['text']}: span {start}-{end} is outside the text of capture "
                                f"{capture.id[:12]} (longest document text: {max(lengths, default=0)} characters)")
    return problems

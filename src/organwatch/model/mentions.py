"""Mentions and quotes as a case stores them: the extraction results of :mod:`.extraction`, plus the
document they belong to, their row id and the extractor version that made them.

Pure data: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredMention:
    """A mention kept in a case: ``text == document.text[start:end]`` (code points)."""

    id: int
    document_id: int
    type: str
    text: str
    start: int
    end: int
    canonical: str | None
    value: Any
    unit: str | None
    low: float | None
    high: float | None
    role: str | None
    prefix: str | None
    suffix: str | None
    method: str | None
    extractor: str
    extractor_version: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``start_char``/``end_char`` as in the case database and earlier output)."""
        data = dict(self.__dict__)
        data["start_char"] = data.pop("start")
        data["end_char"] = data.pop("end")
        return data


@dataclass(frozen=True)
class StoredQuote:
    """A quote or attributed statement kept in a case, with its speaker's span when the text names one."""

    id: int
    document_id: int
    speaker: str
    text: str
    start: int
    end: int
    kind: str
    speaker_start: int | None
    speaker_end: int | None
    method: str | None
    extractor: str
    extractor_version: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``start_char``/``end_char`` as in the case database and earlier output)."""
        data = dict(self.__dict__)
        data["start_char"] = data.pop("start")
        data["end_char"] = data.pop("end")
        return data

"""Document records: the text read from a capture (a file, or one record of a web archive) and the
links between documents (exact and near duplicates, repeated paragraphs).

Pure data: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

DocumentStatus = Literal["ok", "failed"]
LinkKind = Literal["duplicate", "near-duplicate", "paragraph"]


@dataclass(frozen=True)
class Document:
    """One document read from a capture: its text, where in the capture it is, and its metadata.

    ``paragraphs`` are ``(start, end, language)`` and ``pages`` ``(page, start, end)``, in code points of
    ``text``. A ``failed`` document keeps the reason in ``error`` and no text.
    """

    id: int
    capture_id: str
    locator: str
    status: str
    error: str | None
    media_type: str | None
    title: str | None
    author: str | None
    outlet: str | None
    published: str | None
    canonical_url: str | None
    source_url: str | None
    captured_at: str | None
    encoding: str | None
    encoding_method: str | None
    language: str | None
    mixed_language: bool
    text: str | None
    paragraphs: tuple[tuple[int, int, str], ...]
    pages: tuple[tuple[int, int, int], ...]
    warnings: tuple[str, ...]
    extractor: str | None
    extractor_version: str | None
    pipeline_version: str | None
    processed_at: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: (list(map(list, v)) if k in ("paragraphs", "pages") else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class DocumentLink:
    """Two documents that repeat each other: wholly (``duplicate``, ``near-duplicate``) or one paragraph.

    For ``paragraph`` links the spans of the repeated paragraph in each document are given.
    """

    id: int
    kind: str
    a: int
    b: int
    similarity: float
    a_start: int | None
    a_end: int | None
    b_start: int | None
    b_end: int | None
    method: str

    def other(self, document_id: int) -> int:
        """The document at the other end of the link.

        >>> DocumentLink(1, "duplicate", 3, 7, 1.0, None, None, None, None, "sha256").other(3)
        7
        """
        return self.b if document_id == self.a else self.a

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)

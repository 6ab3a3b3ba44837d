"""Bibliographic records and the problems met while importing them.

A record is what a screen reads: an id (PMID, RIS id, a CSV id or a full-text file name), the
bibliographic fields, and optionally the full text. Every record remembers which capture of the case
archive its fields came from (and, separately, which capture holds its full text), so every decision
can be traced back to the exact bytes that were screened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Field = Literal["title", "abstract", "text", "affiliations", "journal", "authors"]
FIELDS: tuple[Field, ...] = ("title", "abstract", "text", "affiliations", "journal", "authors")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x9b]")


def clean_id(raw: str) -> str:
    """An id as stored: whitespace trimmed, control characters (terminal escapes) removed."""
    return _CONTROL.sub("", raw).strip()


def id_key(record_id: str) -> str:
    """The key ids are matched by: numeric ids compare as numbers (``0039`` matches ``39``).

    >>> id_key("0039") == id_key("39")
    True
    """
    stripped = record_id.strip()
    if stripped.isdigit():
        return str(int(stripped))
    return stripped.casefold()


def printable(text: str, limit: int = 120) -> str:
    """Text safe to print in a one-line message: control characters shown as ``?``, shortened."""
    shown = _CONTROL.sub("?", text).replace("\n", " ").replace("\r", " ")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@dataclass(frozen=True)
class Record:
    """One paper: bibliographic fields, optional full text, and where each came from."""

    id: str
    title: str = ""
    abstract: str = ""
    text: str = ""
    year: int | None = None
    journal: str = ""
    authors: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()
    language: str | None = None
    source_format: str = ""
    capture_id: str | None = None
    locator: str = ""
    fulltext_capture_id: str | None = None
    fulltext_locator: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def field_text(self, name: str) -> str:
        """The text of one field; list fields are joined one item per line."""
        if name == "authors":
            return "\n".join(self.authors)
        if name == "affiliations":
            return "\n".join(self.affiliations)
        value = getattr(self, name, None)
        if value is None:
            raise ValueError(f"unknown record field {name!r}: use one of {', '.join(FIELDS)}")
        return str(value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the full text is summarised by its length)."""
        return {"id": self.id, "title": self.title, "abstract": self.abstract, "text_chars": len(self.text),
                "year": self.year, "journal": self.journal, "authors": list(self.authors),
                "affiliations": list(self.affiliations), "language": self.language,
                "source_format": self.source_format, "capture_id": self.capture_id, "locator": self.locator,
                "fulltext_capture_id": self.fulltext_capture_id, "fulltext_locator": self.fulltext_locator}


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ImportIssue:
    """Something wrong with one record (or one file) of an import: the record is skipped on error."""

    source: str
    locator: str
    reason: str
    severity: Severity = "error"
    record_id: str | None = None
    kind: str = "invalid"  # invalid | duplicate | unmatched | unreadable

    def line(self) -> str:
        """The one-line message shown to the user."""
        where = f"{self.source}: {self.locator}" if self.locator else self.source
        ident = f" (id {printable(self.record_id, 40)})" if self.record_id else ""
        return f"{printable(where, 160)}{ident}: {self.severity}: {printable(self.reason, 240)}"


@dataclass
class ParsedBatch:
    """Records read from one file, and the issues met on the way."""

    records: list[Record] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)


def parse_year(raw: str | None) -> int | None:
    """The first plausible four-digit year in ``raw`` (1800–2199), else None.

    >>> parse_year("2004 Jan-Feb"), parse_year("n.d.")
    (2004, None)
    """
    if not raw:
        return None
    match = re.search(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)", raw)
    return int(match.group(1)) if match else None

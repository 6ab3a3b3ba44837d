"""Result types of the extraction stage: frozen, JSON-ready, every item with provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EXTRACTOR = "organwatch.extract"
EXTRACTOR_VERSION = "0.1.0"

MentionType = Literal["person", "organization", "place", "date", "quantity"]
SELECTOR_CONTEXT = 32  # characters of prefix/suffix in a text-quote selector: enough to re-anchor, cheap to store


@dataclass(frozen=True)
class Mention:
    """One mention: ``text == document_text[start:end]`` (Unicode code points).

    ``canonical`` is the name resolved within the document ("Wang" → "Wang Lijun"), an ISO 8601 value
    for dates, a number (or "low–high") for quantities. ``method`` says which rule produced it, so a
    reviewer can see why.
    """

    type: MentionType
    text: str
    start: int
    end: int
    canonical: str
    value: str | float | int | None = None
    unit: str | None = None
    low: float | int | None = None
    high: float | int | None = None
    role: str | None = None
    entity_id: str | None = None
    method: str = ""

    def to_dict(self, document: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "canonical": self.canonical,
            "value": self.value,
        }
        if self.type == "quantity":
            data["unit"] = self.unit
            if self.low is not None or self.high is not None:
                data["low"], data["high"] = self.low, self.high
        if self.role:
            data["role"] = self.role
        if self.entity_id:
            data["entity_id"] = self.entity_id
        if document is not None:
            data["selector"] = text_quote_selector(document, self.start, self.end)
        data["extractor"] = f"{EXTRACTOR}.{self.method.split(':', 1)[0] or self.type}/{EXTRACTOR_VERSION}"
        data["method"] = self.method
        data["component"] = self.component
        return data

    @property
    def component(self) -> str:
        """Which part found it: ``model`` (a pretrained NER model), ``gazetteer`` (a shipped list) or ``rule``."""
        how = self.method.split(":", 1)[1] if ":" in self.method else ""
        return how if how in {"model", "gazetteer"} else "rule"


@dataclass(frozen=True)
class Quote:
    """Direct or reported speech: ``text`` is what was said, ``speaker`` the canonical speaker."""

    speaker: str
    text: str
    start: int
    end: int
    kind: Literal["direct", "reported"] = "direct"
    speaker_start: int | None = None
    speaker_end: int | None = None
    method: str = ""

    def to_dict(self, document: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "speaker": self.speaker,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "speaker_start": self.speaker_start,
            "speaker_end": self.speaker_end,
        }
        if document is not None:
            data["selector"] = text_quote_selector(document, self.start, self.end)
        data["extractor"] = f"{EXTRACTOR}.quotes/{EXTRACTOR_VERSION}"
        data["method"] = self.method
        return data


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document text."""

    language: str
    mentions: tuple[Mention, ...]
    quotes: tuple[Quote, ...]
    doc_date: str | None = None
    warnings: tuple[str, ...] = field(default=())
    text: str = field(default="", repr=False, compare=False)

    def to_dict(self, *, selectors: bool = True) -> dict[str, Any]:
        """The JSON object of one extracted document, minus ``path``/``sha256`` which belong to the caller."""
        document = self.text if selectors else None
        return {
            "language": self.language,
            "doc_date": self.doc_date,
            "extractor": {"name": EXTRACTOR, "version": EXTRACTOR_VERSION},
            "mentions": [m.to_dict(document) for m in self.mentions],
            "quotes": [q.to_dict(document) for q in self.quotes],
            "warnings": list(self.warnings),
        }


def text_quote_selector(text: str, start: int, end: int) -> dict[str, str]:
    """W3C Web Annotation TextQuoteSelector for ``text[start:end]``."""
    return {
        "type": "TextQuoteSelector",
        "exact": text[start:end],
        "prefix": text[max(0, start - SELECTOR_CONTEXT) : start],
        "suffix": text[end : end + SELECTOR_CONTEXT],
    }

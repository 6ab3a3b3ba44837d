"""What a search takes and gives back: filters, hits with exact spans, pages. Plain frozen dataclasses.

Spans are ``(document_id, start, end)`` in Unicode code points of ``documents.text``,
with the W3C text-quote selector (``quote``, ``prefix``, ``suffix``) so a citation re-anchors after the
text is re-extracted.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from organwatch.search.errors import SearchQueryError

Mode = Literal["fts", "semantic", "hybrid"]
MODES: tuple[Mode, ...] = ("fts", "semantic", "hybrid")
_ISO_PREFIX = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")


@dataclass(frozen=True)
class SearchFilters:
    """Which documents may match. ``date_from``/``date_to`` are ISO dates at any precision
    (``2006``, ``2006-09``, ``2012-02-06``) and keep documents whose published date overlaps the range,
    so ``date_to="2012"`` includes 2012-12-31 and a document dated only ``2006`` is kept by
    ``date_from="2006-05"``. Documents without a published date are left out when a date is given.
    ``language`` is ``en``, ``zh`` (zh-Hans and zh-Hant), or an exact code; ``outlet`` matches without
    regard to case; ``media_type`` is exact (``text/html``) or a family (``text/*``).

    >>> SearchFilters(date_from="2006", date_to="2012", language="zh").date_to
    '2012'
    """

    date_from: str | None = None
    date_to: str | None = None
    language: str | None = None
    outlet: str | None = None
    media_type: str | None = None
    #: The reader's restriction principals (``user:alice``, ``role:investigator``): documents restricted to
    #: others never match. None: no restriction applies (the command line, an admin).
    visible_to: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not _ISO_PREFIX.fullmatch(value):
                raise SearchQueryError(f"{name.replace('_', ' ')} {value!r} is not a date: write 2006, 2006-09 "
                                       "or 2006-09-30")
        if self.date_from and self.date_to and self.date_from[:len(self.date_to)] > self.date_to:
            raise SearchQueryError(f"the date range is empty: {self.date_from} comes after {self.date_to}")

    @property
    def active(self) -> bool:
        """True if any filter is set."""
        return any(value is not None for value in asdict(self).values())


@dataclass(frozen=True)
class Hit:
    """One result: a document (one per duplicate cluster) and the span that matched best.

    ``field`` says where ``start``/``end`` point: ``text`` (``documents.text``, nearly always) or ``title``
    when only the title matched. ``located`` is False in the rare case the index matched but the
    words could not be found again in the text (then the span is empty, at 0). ``highlights`` are the
    spans of every matched term inside the snippet, in document offsets. ``duplicates`` are the other
    matching documents linked to this one as duplicates or near-duplicates ("also in N documents").

    Every hit names where it comes from, so a reader can cite it without another look-up: ``capture_id``
    (the SHA-256 of the archived bytes), ``locator`` (where in the capture: a WARC record, an entry),
    ``source_url`` and ``original_name`` (the URL it was captured from, the file name it was added as;
    either may be None), and ``captured_at``.
    """

    document_id: int
    rank: int
    score: float
    field: Literal["text", "title"]
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    snippet: str
    snippet_start: int
    snippet_end: int
    highlights: tuple[tuple[int, int], ...]
    located: bool
    matched_by: tuple[str, ...]
    duplicates: tuple[int, ...] = ()
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    language: str | None = None
    capture_id: str = ""
    locator: str = ""
    source_url: str | None = None
    original_name: str | None = None
    captured_at: str | None = None

    @property
    def source(self) -> str:
        """The URL the document was captured from, else the file name it was added as, else its capture id."""
        return self.source_url or self.original_name or self.capture_id[:12]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data = asdict(self)
        data["highlights"] = [list(pair) for pair in self.highlights]
        data["matched_by"] = list(self.matched_by)
        data["duplicates"] = list(self.duplicates)
        data["source"] = self.source
        return data


@dataclass(frozen=True)
class SearchPage:
    """One page of hits. ``total`` counts matching documents before duplicates are collapsed; in
    semantic and hybrid modes it counts the documents ranked (nearest neighbours have no natural end).
    ``truncated``: the query matched too many documents to rank them all; the newest were ranked
    (narrow the query, filter, or ask to rank all). ``total_exact`` False: counting stopped early, and
    at least ``total`` documents match."""

    query: str
    mode: Mode
    filters: SearchFilters
    limit: int
    offset: int
    total: int
    hits: tuple[Hit, ...] = field(default_factory=tuple)
    has_more: bool = False
    #: True when so many documents matched that only the newest candidates were ranked (full text).
    truncated: bool = False
    #: False when counting stopped early: at least ``total`` documents match.
    total_exact: bool = True

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"query": self.query, "mode": self.mode, "filters": asdict(self.filters), "limit": self.limit,
                "offset": self.offset, "total": self.total, "has_more": self.has_more, "truncated": self.truncated,
                "total_exact": self.total_exact,
                "hits": [hit.to_dict() for hit in self.hits]}

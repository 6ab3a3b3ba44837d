"""The records every part of OrganWatch passes around: pure data, no I/O, importable from anywhere.

- :mod:`.archive`: :class:`Capture` (exact bytes named by their SHA-256) and :class:`Observation` (a sighting).
- :mod:`.documents`: :class:`Document` (text read from a capture) and :class:`DocumentLink` (duplicates).
- :mod:`.extraction`: :class:`Mention`, :class:`Quote`, :class:`Extraction` as the extractor returns them,
  and the W3C text-quote selector.
- :mod:`.mentions`: :class:`StoredMention`, :class:`StoredQuote` as a case keeps them.
- :mod:`.refs`: ``capture:``/``document:``/``claim:`` references and their one parser.
"""

from __future__ import annotations

from organwatch.model.archive import Capture, Observation
from organwatch.model.documents import Document, DocumentLink
from organwatch.model.extraction import Extraction, Mention, Quote, text_quote_selector
from organwatch.model.mentions import StoredMention, StoredQuote
from organwatch.model.refs import SourceRef, format_ref, parse_source

__all__ = [
    "Capture",
    "Document",
    "DocumentLink",
    "Extraction",
    "Mention",
    "Observation",
    "Quote",
    "SourceRef",
    "StoredMention",
    "StoredQuote",
    "format_ref",
    "parse_source",
    "text_quote_selector",
]

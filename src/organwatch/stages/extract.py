"""The extract stage of a case: documents → mentions and quotes, stored with their spans.

Runs :func:`organwatch.extract.extract` on the stored text of each document, with the document's own
publication date as the anchor for relative dates ("last week", 去年三月), and replaces what an
earlier run stored for that document. Offsets are code points of ``documents.text``; each mention also
keeps its text-quote selector context so a citation can be re-anchored if the text is re-extracted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from organwatch.archive.log import utc_now
from organwatch.model import Document, StoredMention, StoredQuote
from organwatch.store import Store
from organwatch.store.records import ExtractRun


@dataclass(frozen=True)
class ExtractResult:
    """What the extract stage found in one document."""

    document_id: int
    mentions: int
    quotes: int
    warnings: tuple[str, ...] = ()


@dataclass
class ExtractSummary:
    """Counts of one run of the extract stage."""

    documents: int = 0
    mentions: int = 0
    quotes: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


def _doc_date(published: str | None, captured_at: str | None) -> str | None:
    """The date relative expressions are resolved against: publication, else capture (day precision)."""
    for value in (published, captured_at):
        if value and len(value) >= 10 and value[4] == "-" and value[7] == "-":
            return value[:10]
    return None


def extract_documents(store: Store, document_ids: Iterable[int] | None = None,
                      on_result: Callable[[ExtractResult], None] | None = None) -> ExtractSummary:
    """Extract mentions and quotes from documents (all ``ok`` ones by default) and store them."""
    summary = ExtractSummary()
    if document_ids is None:
        with store.view() as view:
            document_ids = view.documents.ids(status="ok")
    for document_id in document_ids:
        with store.view() as view:
            document = view.documents.get(document_id)
        found = extract_document(document_id, document)
        if found is None:
            continue
        mentions, quotes, run = found
        with store.writer() as writer:
            writer.mentions.replace(document_id, mentions, quotes, run)
        summary.documents += 1
        summary.mentions += len(mentions)
        summary.quotes += len(quotes)
        for mention in mentions:
            summary.by_type[mention.type] = summary.by_type.get(mention.type, 0) + 1
        if on_result is not None:
            on_result(ExtractResult(document_id, len(mentions), len(quotes), run.warnings))
    return summary


def extract_document(document_id: int, document: Document | None
                     ) -> tuple[list[StoredMention], list[StoredQuote], ExtractRun] | None:
    """Mentions, quotes and the run record of one document (None when it has no text to read).

    Reads nothing from the store, so it can run anywhere (a worker process) and be retried.
    """
    from organwatch.extract import EXTRACTOR, EXTRACTOR_VERSION, extract

    if document is None or document.status != "ok" or not document.text:
        return None
    language = document.language if document.language in ("en", "zh-Hans", "zh-Hant") else None
    result = extract(document.text, language=language, doc_date=_doc_date(document.published, document.captured_at))
    data = result.to_dict(selectors=True)
    mentions = [_mention(document_id, m, EXTRACTOR, EXTRACTOR_VERSION) for m in data["mentions"]]
    quotes = [_quote(document_id, q, EXTRACTOR, EXTRACTOR_VERSION) for q in data["quotes"]]
    run = ExtractRun(document_id, EXTRACTOR_VERSION, data.get("doc_date"), tuple(data.get("warnings", ())),
                     utc_now())
    return mentions, quotes, run


def _mention(document_id: int, m: dict[str, Any], extractor: str, version: str) -> StoredMention:
    selector = m.get("selector") or {}
    return StoredMention(0, document_id, m["type"], m["text"], m["start"], m["end"], m.get("canonical"),
                         m.get("value"), m.get("unit"), m.get("low"), m.get("high"), m.get("role"),
                         selector.get("prefix"), selector.get("suffix"), m.get("method"),
                         m.get("extractor", extractor), version)


def _quote(document_id: int, q: dict[str, Any], extractor: str, version: str) -> StoredQuote:
    return StoredQuote(0, document_id, q["speaker"], q["text"], q["start"], q["end"], q.get("kind", "direct"),
                       q.get("speaker_start"), q.get("speaker_end"), q.get("method"), q.get("extractor", extractor),
                       version)

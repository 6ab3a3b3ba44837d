"""The extract stage of a case: documents → mentions and quotes, stored with their spans.

Runs :func:`organwatch.extract.extract` on the stored text of each document, with the document's own
publication date as the anchor for relative dates ("last week", 去年三月), and replaces what an
earlier run stored for that document. Offsets are code points of ``documents.text``; each mention also
keeps its text-quote selector context so a citation can be re-anchored if the text is re-extracted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from organwatch.archive.log import utc_now
from organwatch.model import StoredMention, StoredQuote
from organwatch.store import Store, Writer
from organwatch.store.records import ExtractRun


@dataclass(frozen=True)
class ExtractResult:
    """What the extract stage found in one document."""

    document_id: int
    mentions: int
    quotes: int
    warnings: tuple[str, ...] = ()
    failed: bool = False


@dataclass
class ExtractSummary:
    """Counts of one run of the extract stage."""

    documents: int = 0
    mentions: int = 0
    quotes: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    failed: int = 0


def _doc_date(published: str | None, captured_at: str | None) -> str | None:
    """The date relative expressions are resolved against: publication, else capture (day precision)."""
    for value in (published, captured_at):
        if value and len(value) >= 10 and value[4] == "-" and value[7] == "-":
            return value[:10]
    return None


@dataclass(frozen=True)
class Extraction:
    """What extraction found in one text, before it is stored (computed in a worker process, stored by
    the one writer). Mentions and quotes carry document id 0 until :func:`store_extraction` sets it."""

    mentions: tuple[StoredMention, ...]
    quotes: tuple[StoredQuote, ...]
    doc_date: str | None
    warnings: tuple[str, ...]
    failure: str | None = None


def compute_extraction(text: str, language: str | None, published: str | None,
                       captured_at: str | None) -> Extraction:
    """Extract mentions and quotes from one text; a failure is returned as ``failure``, never raised."""
    from organwatch.extract import EXTRACTOR, EXTRACTOR_VERSION, extract

    language = language if language in ("en", "zh-Hans", "zh-Hant") else None
    try:
        result = extract(text, language=language, doc_date=_doc_date(published, captured_at))
        data = result.to_dict(selectors=True)
        mentions = tuple(_mention(0, _exact_quantity(m), EXTRACTOR, EXTRACTOR_VERSION) for m in data["mentions"])
        quotes = tuple(_quote(0, q, EXTRACTOR, EXTRACTOR_VERSION) for q in data["quotes"])
        return Extraction(mentions, quotes, data.get("doc_date"), tuple(data.get("warnings", ())))
    except Exception as exc:  # one document's failure must not stop the others: record it and go on
        reason = f"extraction failed ({type(exc).__name__}: {str(exc)[:200]})"
        return Extraction((), (), None, (reason,), failure=reason)


def store_extraction(writer: Writer, document_id: int, extraction: Extraction) -> ExtractResult:
    """Replace what an earlier run stored for the document; the document is no longer pending extraction."""
    from organwatch.extract import EXTRACTOR_VERSION

    mentions = [replace(m, document_id=document_id) for m in extraction.mentions]
    quotes = [replace(q, document_id=document_id) for q in extraction.quotes]
    run = ExtractRun(document_id, EXTRACTOR_VERSION, extraction.doc_date, extraction.warnings, utc_now())
    writer.mentions.replace(document_id, mentions, quotes, run)
    writer.pending.done("extract", [str(document_id)])
    return ExtractResult(document_id, len(mentions), len(quotes), extraction.warnings,
                         failed=extraction.failure is not None)


def count(summary: ExtractSummary, result: ExtractResult, extraction: Extraction) -> None:
    """Add one document's result to a summary."""
    if result.failed:
        summary.failed += 1
        return
    summary.documents += 1
    summary.mentions += result.mentions
    summary.quotes += result.quotes
    for mention in extraction.mentions:
        summary.by_type[mention.type] = summary.by_type.get(mention.type, 0) + 1


def _extract_one(item: tuple[int, str, str | None, str | None, str | None]) -> tuple[int, Extraction]:
    document_id, text, language, published, captured_at = item
    return document_id, compute_extraction(text, language, published, captured_at)


def extract_documents(store: Store, document_ids: Iterable[int] | None = None,
                      on_result: Callable[[ExtractResult], None] | None = None,
                      jobs: int | None = None) -> ExtractSummary:
    """Extract mentions and quotes from documents (all ``ok`` ones by default) and store them.

    Extraction runs over ``jobs`` worker processes (default: ``ORGANWATCH_JOBS`` or the number of
    cores); this process alone writes.
    """
    from organwatch.stages.pool import ordered_map

    summary = ExtractSummary()
    if document_ids is None:
        with store.view() as view:
            document_ids = view.documents.ids(status="ok")

    def items() -> Iterator[tuple[int, str, str | None, str | None, str | None]]:
        for document_id in document_ids:
            with store.view() as view:
                document = view.documents.get(document_id)
            if document is None or document.status != "ok" or not document.text:
                with store.writer() as writer:
                    writer.pending.done("extract", [str(document_id)])
                continue
            yield document_id, document.text, document.language, document.published, document.captured_at

    for document_id, extraction in ordered_map(_extract_one, items(), jobs):
        with store.writer() as writer:
            result = store_extraction(writer, document_id, extraction)
        count(summary, result, extraction)
        if on_result is not None:
            on_result(result)
    return summary


def _mention(document_id: int, m: dict[str, Any], extractor: str, version: str) -> StoredMention:
    selector = m.get("selector") or {}
    return StoredMention(0, document_id, m["type"], m["text"], m["start"], m["end"], m.get("canonical"),
                         m.get("value"), m.get("unit"), m.get("low"), m.get("high"), m.get("role"),
                         selector.get("prefix"), selector.get("suffix"), m.get("method"),
                         m.get("extractor", extractor), version)


_PLAIN_NUMBERS = re.compile(r"\s*(\d[\d,]*)\s*(?:(?:-|–|—|~|～|至|到|to)\s*(\d[\d,]*))?\s*\S*")
_FLOAT_EXACT = 1 << 53


def _exact_quantity(mention: dict[str, Any]) -> dict[str, Any]:
    """Put back the exact digits of a quantity too large for a float (the extractor counts in floats).

    Only when the mention's own text holds the number(s) as plain digits and the extracted values are
    those digits rounded; anything else is left as extracted.
    """
    if mention.get("type") != "quantity":
        return mention
    numbers = [mention.get(k) for k in ("value", "low", "high")]
    if not any(isinstance(n, int) and abs(n) >= _FLOAT_EXACT for n in numbers):
        return mention
    match = _PLAIN_NUMBERS.fullmatch(str(mention.get("text", "")))
    if not match:
        return mention
    digits = [int(g.replace(",", "")) for g in match.groups() if g]
    fields = ["value"] if len(digits) == 1 else ["low", "high"]
    exact = dict(mention)
    for name, number in zip(fields, digits, strict=False):
        extracted = mention.get(name)
        if not isinstance(extracted, int | float) or float(number) != float(extracted):
            return mention  # the extractor read something else (a scale word, a unit): keep its reading
        exact[name] = number
    exact["canonical"] = str(digits[0]) if len(digits) == 1 else f"{digits[0]}–{digits[1]}"
    return exact


def _quote(document_id: int, q: dict[str, Any], extractor: str, version: str) -> StoredQuote:
    return StoredQuote(0, document_id, q["speaker"], q["text"], q["start"], q["end"], q.get("kind", "direct"),
                       q.get("speaker_start"), q.get("speaker_end"), q.get("method"), q.get("extractor", extractor),
                       version)

"""The extract stage of a case: documents → mentions and quotes, stored with their spans.

Runs :func:`organwatch.extract.extract` on the stored text of each document, with the document's own
publication date as the anchor for relative dates ("last week", 去年三月), and replaces what an
earlier run stored for that document. Offsets are code points of ``documents.text``; each mention also
keeps its text-quote selector context so a citation can be re-anchored if the text is re-extracted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from organwatch.archive.log import utc_now

if TYPE_CHECKING:
    from organwatch.case import Case


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


def extract_documents(case: Case, document_ids: Iterable[int] | None = None,
                      on_result: Callable[[ExtractResult], None] | None = None) -> ExtractSummary:
    """Extract mentions and quotes from documents (all ``ok`` ones by default) and store them."""
    from organwatch.extract import EXTRACTOR, EXTRACTOR_VERSION, extract

    summary = ExtractSummary()
    if document_ids is None:
        with case.store.view() as conn:
            document_ids = [r[0] for r in conn.execute("SELECT id FROM documents WHERE status = 'ok' ORDER BY id")]
    for document_id in document_ids:
        with case.store.view() as conn:
            row = conn.execute("SELECT id, text, language, published, captured_at FROM documents "
                               "WHERE id = ? AND status = 'ok'", (document_id,)).fetchone()
        if row is None or not row["text"]:
            continue
        language = row["language"] if row["language"] in ("en", "zh-Hans", "zh-Hant") else None
        try:
            result = extract(row["text"], language=language, doc_date=_doc_date(row["published"], row["captured_at"]))
            data = result.to_dict(selectors=True)
            with case.store.writer() as conn:
                _store(conn, document_id, data, EXTRACTOR, EXTRACTOR_VERSION)
        except Exception as exc:  # one document's failure must not stop the others: record it and go on
            reason = f"extraction failed ({type(exc).__name__}: {str(exc)[:200]})"
            with case.store.writer() as conn:
                _store_failure(conn, document_id, reason, EXTRACTOR_VERSION)
            summary.failed += 1
            if on_result is not None:
                on_result(ExtractResult(document_id, 0, 0, (reason,), failed=True))
            continue
        summary.documents += 1
        summary.mentions += len(data["mentions"])
        summary.quotes += len(data["quotes"])
        for mention in data["mentions"]:
            summary.by_type[mention["type"]] = summary.by_type.get(mention["type"], 0) + 1
        if on_result is not None:
            on_result(ExtractResult(document_id, len(data["mentions"]), len(data["quotes"]),
                                    tuple(data.get("warnings", ()))))
    return summary


#: SQLite integers are signed 64-bit; a larger quantity (a port range up to 2**64-1) goes in as REAL.
_SQLITE_INT = range(-(1 << 63), 1 << 63)


def _sql_number(value: Any) -> Any:
    """A number SQLite can bind: ints beyond 64 bits become floats (their exact digits stay in ``value``)."""
    if isinstance(value, int) and not isinstance(value, bool) and value not in _SQLITE_INT:
        return float(value) if abs(value) < 1e308 else (float("inf") if value > 0 else float("-inf"))
    return value


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


def _store_failure(conn: Any, document_id: int, reason: str, version: str) -> None:
    """Drop a document's earlier mentions and record why extraction failed (kept for a retry)."""
    for table in ("mentions", "quotes", "extract_runs"):
        conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (document_id,))
    conn.execute("INSERT INTO extract_runs VALUES (?, ?, ?, ?, ?)",
                 (document_id, version, None, json.dumps([reason]), utc_now()))


def _store(conn: Any, document_id: int, data: dict[str, Any], extractor: str, version: str) -> None:
    for table in ("mentions", "quotes", "extract_runs"):
        conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (document_id,))
    conn.executemany(
        "INSERT INTO mentions (document_id, type, text, start_char, end_char, canonical, value, unit, low, high, "
        "role, prefix, suffix, method, extractor, extractor_version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(document_id, m["type"], m["text"], m["start"], m["end"], m.get("canonical"),
          json.dumps(m.get("value"), ensure_ascii=False), m.get("unit"), _sql_number(m.get("low")),
          _sql_number(m.get("high")), m.get("role"),
          (m.get("selector") or {}).get("prefix"), (m.get("selector") or {}).get("suffix"), m.get("method"),
          m.get("extractor", extractor), version) for m in map(_exact_quantity, data["mentions"])])
    conn.executemany(
        "INSERT INTO quotes (document_id, speaker, text, start_char, end_char, kind, speaker_start, speaker_end, "
        "method, extractor, extractor_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(document_id, q["speaker"], q["text"], q["start"], q["end"], q.get("kind", "direct"), q.get("speaker_start"),
          q.get("speaker_end"), q.get("method"), q.get("extractor", extractor), version) for q in data["quotes"]])
    conn.execute("INSERT INTO extract_runs VALUES (?, ?, ?, ?, ?)",
                 (document_id, version, data.get("doc_date"), json.dumps(data.get("warnings", [])), utc_now()))


def mentions_of(case: Case, document_id: int, mention_type: str | None = None) -> list[dict[str, Any]]:
    """The stored mentions of one document (of one type), in text order."""
    with case.store.view() as conn:
        query = "SELECT * FROM mentions WHERE document_id = ?"
        params: tuple[Any, ...] = (document_id,)
        if mention_type:
            query += " AND type = ?"
            params += (mention_type,)
        rows = conn.execute(query + " ORDER BY start_char, end_char", params).fetchall()
    out = []
    for row in rows:
        item = dict(row)
        item["value"] = json.loads(item["value"]) if item["value"] is not None else None
        out.append(item)
    return out


def quotes_of(case: Case, document_id: int) -> list[dict[str, Any]]:
    """The stored quotes of one document, in text order."""
    with case.store.view() as conn:
        rows = conn.execute("SELECT * FROM quotes WHERE document_id = ? ORDER BY start_char", (document_id,))
        return [dict(r) for r in rows]

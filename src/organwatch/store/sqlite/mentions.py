"""Mentions and quotes in SQLite: ``mentions``, ``quotes``, ``extract_runs``.

A mention's ``value`` (an ISO date, a number, or nothing) is stored as JSON text; ``warnings`` of a
run as a JSON list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from organwatch.model import StoredMention, StoredQuote
from organwatch.store.base import MentionsWriter
from organwatch.store.records import ExtractRun

Connection = Any  # sqlean.Connection


def _mention(row: Any) -> StoredMention:
    return StoredMention(row["id"], row["document_id"], row["type"], row["text"], row["start_char"], row["end_char"],
                         row["canonical"], None if row["value"] is None else json.loads(row["value"]), row["unit"],
                         row["low"], row["high"], row["role"], row["prefix"], row["suffix"], row["method"],
                         row["extractor"], row["extractor_version"])


def _quote(row: Any) -> StoredQuote:
    return StoredQuote(row["id"], row["document_id"], row["speaker"], row["text"], row["start_char"], row["end_char"],
                       row["kind"], row["speaker_start"], row["speaker_end"], row["method"], row["extractor"],
                       row["extractor_version"])


#: SQLite integers are signed 64-bit; a larger quantity (a port range up to 2**64-1) goes in as REAL, its
#: exact digits staying in the JSON ``value``.
_SQLITE_INT = range(-(1 << 63), 1 << 63)


def _sql_number(value: Any) -> Any:
    """A number SQLite can bind: ints beyond 64 bits become floats."""
    if isinstance(value, int) and not isinstance(value, bool) and value not in _SQLITE_INT:
        return float(value) if abs(value) < 1e308 else (float("inf") if value > 0 else float("-inf"))
    return value


class SQLiteMentions(MentionsWriter):
    """Mentions and quotes over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def documents_naming(self, mention_type: str, name: str, limit: int = 50) -> list[int]:
        rows = self.conn.execute("SELECT DISTINCT document_id FROM mentions WHERE type = ? AND (text = ? OR "
                                 "canonical = ?) ORDER BY document_id LIMIT ?", (mention_type, name, name, limit))
        return [int(r[0]) for r in rows]

    def mentions(self, document_id: int, mention_type: str | None = None) -> list[StoredMention]:
        query = "SELECT * FROM mentions WHERE document_id = ?"
        params: tuple[Any, ...] = (document_id,)
        if mention_type:
            query += " AND type = ?"
            params += (mention_type,)
        return [_mention(r) for r in self.conn.execute(query + " ORDER BY start_char, end_char, id", params)]

    def quotes(self, document_id: int) -> list[StoredQuote]:
        return [_quote(r) for r in self.conn.execute(
            "SELECT * FROM quotes WHERE document_id = ? ORDER BY start_char, id", (document_id,))]

    def extract_run(self, document_id: int) -> ExtractRun | None:
        row = self.conn.execute("SELECT * FROM extract_runs WHERE document_id = ?", (document_id,)).fetchone()
        if row is None:
            return None
        return ExtractRun(row["document_id"], row["extractor_version"], row["doc_date"],
                          tuple(json.loads(row["warnings"])), row["processed_at"])

    def replace(self, document_id: int, mentions: Sequence[StoredMention], quotes: Sequence[StoredQuote],
                run: ExtractRun) -> None:
        for table in ("mentions", "quotes", "extract_runs"):
            self.conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (document_id,))
        self.conn.executemany(
            "INSERT INTO mentions (document_id, type, text, start_char, end_char, canonical, value, unit, low, high, "
            "role, prefix, suffix, method, extractor, extractor_version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(document_id, m.type, m.text, m.start, m.end, m.canonical, json.dumps(m.value, ensure_ascii=False),
              m.unit, _sql_number(m.low), _sql_number(m.high), m.role, m.prefix, m.suffix, m.method, m.extractor,
              m.extractor_version)
             for m in mentions])
        self.conn.executemany(
            "INSERT INTO quotes (document_id, speaker, text, start_char, end_char, kind, speaker_start, speaker_end, "
            "method, extractor, extractor_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(document_id, q.speaker, q.text, q.start, q.end, q.kind, q.speaker_start, q.speaker_end, q.method,
              q.extractor, q.extractor_version) for q in quotes])
        self.conn.execute("INSERT INTO extract_runs (document_id, extractor_version, doc_date, warnings, processed_at) "
                          "VALUES (?, ?, ?, ?, ?)",
                          (document_id, run.extractor_version, run.doc_date, json.dumps(list(run.warnings)),
                           run.processed_at))

"""Mentions and quotes on PostgreSQL: ``mentions``, ``quotes``, ``extract_runs`` (JSON as text, as on SQLite)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from organwatch.model import StoredMention, StoredQuote
from organwatch.store.base import MentionsWriter
from organwatch.store.records import ExtractRun
from organwatch.store.sqlite.mentions import _mention, _quote

Connection = Any  # psycopg.Connection[Row]


class PostgresMentions(MentionsWriter):
    """Mentions and quotes over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def documents_naming(self, mention_type: str, name: str, limit: int = 50) -> list[int]:
        rows = self.conn.execute("SELECT DISTINCT document_id FROM mentions WHERE type = %s AND (text = %s OR "
                                 "canonical = %s) ORDER BY document_id LIMIT %s", (mention_type, name, name, limit))
        return [int(r[0]) for r in rows]

    def mentions(self, document_id: int, mention_type: str | None = None) -> list[StoredMention]:
        query = "SELECT * FROM mentions WHERE document_id = %s"
        params: tuple[Any, ...] = (document_id,)
        if mention_type:
            query += " AND type = %s"
            params += (mention_type,)
        return [_mention(r) for r in self.conn.execute(query + " ORDER BY start_char, end_char, id", params)]

    def quotes(self, document_id: int) -> list[StoredQuote]:
        return [_quote(r) for r in self.conn.execute(
            "SELECT * FROM quotes WHERE document_id = %s ORDER BY start_char, id", (document_id,))]

    def extract_run(self, document_id: int) -> ExtractRun | None:
        row = self.conn.execute("SELECT * FROM extract_runs WHERE document_id = %s", (document_id,)).fetchone()
        if row is None:
            return None
        return ExtractRun(int(row["document_id"]), row["extractor_version"], row["doc_date"],
                          tuple(json.loads(row["warnings"])), row["processed_at"])

    def replace(self, document_id: int, mentions: Sequence[StoredMention], quotes: Sequence[StoredQuote],
                run: ExtractRun) -> None:
        for table in ("mentions", "quotes", "extract_runs"):
            self.conn.execute(f"DELETE FROM {table} WHERE document_id = %s", (document_id,))
        with self.conn.cursor() as cursor:
            if mentions:
                cursor.executemany(
                    "INSERT INTO mentions (document_id, type, text, start_char, end_char, canonical, value, unit, "
                    "low, high, role, prefix, suffix, method, extractor, extractor_version) "
                    "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    [(document_id, m.type, m.text, m.start, m.end, m.canonical,
                      json.dumps(m.value, ensure_ascii=False), m.unit, m.low, m.high, m.role, m.prefix, m.suffix,
                      m.method, m.extractor, m.extractor_version) for m in mentions])
            if quotes:
                cursor.executemany(
                    "INSERT INTO quotes (document_id, speaker, text, start_char, end_char, kind, speaker_start, "
                    "speaker_end, method, extractor, extractor_version) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    [(document_id, q.speaker, q.text, q.start, q.end, q.kind, q.speaker_start, q.speaker_end,
                      q.method, q.extractor, q.extractor_version) for q in quotes])
        self.conn.execute("INSERT INTO extract_runs (document_id, extractor_version, doc_date, warnings, "
                          "processed_at) VALUES (%s, %s, %s, %s, %s)",
                          (document_id, run.extractor_version, run.doc_date, json.dumps(list(run.warnings)),
                           run.processed_at))

"""The literature-screening repository on PostgreSQL: bibliographic records, protocols as run, decisions and
human coding (tables of the ``papers`` area's migrations)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from organwatch.model.clock import utc_now
from organwatch.papers.protocols import Protocol
from organwatch.papers.records import ImportIssue, Record, id_key
from organwatch.papers.screen import Reason, ScreenResult
from organwatch.store.base import PapersWriter

Connection = Any


def _record(row: Any) -> Record:
    return Record(row["id"], row["title"], row["abstract"], row["text"], row["year"], row["journal"],
                  tuple(json.loads(row["authors"])), tuple(json.loads(row["affiliations"])), row["language"],
                  row["source_format"], row["capture_id"], row["locator"], row["fulltext_capture_id"],
                  row["fulltext_locator"])


class PostgresPapers(PapersWriter):
    """Papers, runs, decisions and reviews over one PostgreSQL connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(sql, rows)

    def record_origin(self, record_id: str) -> tuple[str | None, str | None] | None:
        row = self.conn.execute("SELECT capture_id, locator FROM paper_records WHERE id = %s", (record_id,)).fetchone()
        return None if row is None else (row["capture_id"], row["locator"])

    def import_issues(self, limit: int = 500) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT source, locator, severity, reason FROM paper_import_issues ORDER BY id "
                                 "LIMIT %s", (limit,))
        return [dict(r) for r in rows]

    def find_record(self, record_id: str) -> Record | None:
        """The stored record with this id, or else the only one with the same matching key."""
        row = self.conn.execute("SELECT * FROM paper_records WHERE id = %s", (record_id,)).fetchone()
        if row is None:
            rows = self.conn.execute("SELECT * FROM paper_records WHERE id_key = %s LIMIT 2",
                                     (id_key(record_id),)).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return _record(row) if row is not None else None

    def records(self) -> Iterator[Record]:
        """Every stored record, in import order."""
        for row in self.conn.execute("SELECT * FROM paper_records ORDER BY seq"):
            yield _record(row)

    def count_records(self) -> dict[str, int]:
        """Records by source format."""
        return {row[0]: int(row[1]) for row in self.conn.execute(
            "SELECT source_format, count(*) FROM paper_records GROUP BY source_format ORDER BY source_format")}

    def issue_counts(self) -> dict[str, int]:
        """Import errors by kind (warnings are not counted)."""
        return {row[0]: int(row[1]) for row in self.conn.execute(
            "SELECT kind, count(*) FROM paper_import_issues WHERE severity = 'error' GROUP BY kind ORDER BY kind")}

    def latest_run(self, protocol_name: str | None = None) -> dict[str, Any] | None:
        """The newest finished run (of one protocol, if named), with its protocol."""
        query = ("SELECT r.*, p.name, p.version, p.yaml FROM paper_runs r JOIN paper_protocols p "
                 "ON p.sha256 = r.protocol_sha256 WHERE r.finished_at IS NOT NULL")
        params: tuple[Any, ...] = ()
        if protocol_name:
            query += " AND p.name = %s"
            params = (protocol_name,)
        row = self.conn.execute(query + " ORDER BY r.id DESC LIMIT 1", params).fetchone()
        return dict(row) if row is not None else None

    def run_by_id(self, run_id: int) -> dict[str, Any] | None:
        """One run with its protocol."""
        row = self.conn.execute("SELECT r.*, p.name, p.version, p.yaml FROM paper_runs r JOIN paper_protocols p "
                           "ON p.sha256 = r.protocol_sha256 WHERE r.id = %s", (run_id,)).fetchone()
        return dict(row) if row is not None else None

    def results(self, run_id: int) -> list[ScreenResult]:
        """Stored decisions of a run, in record import order."""
        out = []
        for row in self.conn.execute("SELECT d.* FROM paper_decisions d JOIN paper_records r ON r.id = d.record_id "
                                "WHERE d.run_id = %s ORDER BY r.seq", (run_id,)):
            reasons = [Reason(**item) for item in json.loads(row["reasons"])]
            out.append(ScreenResult(row["record_id"], row["decision"], row["stage"], row["score"],
                                    json.loads(row["flags"]), reasons))
        return out

    def reviews(self, run_id: int) -> dict[str, dict[str, Any]]:
        """The latest human coding of each record of a run."""
        latest: dict[str, dict[str, Any]] = {}
        for row in self.conn.execute("SELECT * FROM paper_reviews WHERE run_id = %s ORDER BY id", (run_id,)):
            latest[row["record_id"]] = dict(row)
        return latest

    def insert_record(self, record: Record) -> None:
        """Store a new record (the caller has checked that its id is new)."""
        self.conn.execute(
            "INSERT INTO paper_records (id, id_key, title, abstract, text, year, journal, authors, affiliations, "
            "language, source_format, capture_id, locator, fulltext_capture_id, fulltext_locator, imported_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (record.id, id_key(record.id), record.title, record.abstract, record.text, record.year, record.journal,
             json.dumps(list(record.authors), ensure_ascii=False),
             json.dumps(list(record.affiliations), ensure_ascii=False), record.language, record.source_format,
             record.capture_id, record.locator, record.fulltext_capture_id, record.fulltext_locator, utc_now()))

    def attach_fulltext(self, record_id: str, text: str, capture_id: str, locator: str) -> None:
        """Give a record its full text (only if it has none: stored text is never replaced)."""
        self.conn.execute("UPDATE paper_records SET text = %s, fulltext_capture_id = %s, fulltext_locator = %s "
                     "WHERE id = %s AND fulltext_capture_id IS NULL", (text, capture_id, locator, record_id))

    def insert_issues(self, issues: Iterable[ImportIssue], capture_id: str | None) -> None:
        """Keep import problems, for the user and for the PRISMA counts (duplicates removed)."""
        now = utc_now()
        self._executemany(
            "INSERT INTO paper_import_issues (capture_id, source, locator, record_id, severity, kind, reason, "
            "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(capture_id, i.source, i.locator, i.record_id, i.severity, i.kind, i.reason, now) for i in issues])

    def start_run(self, protocol: Protocol, tool_version: str) -> int:
        """Store the protocol text (once) and open a run; return its id."""
        self.conn.execute("INSERT INTO paper_protocols (sha256, name, version, yaml, stored_at) "
                          "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                          (protocol.sha256, protocol.name, protocol.version, protocol.source, utc_now()))
        row = self.conn.execute("INSERT INTO paper_runs (protocol_sha256, started_at, tool_version) "
                                "VALUES (%s, %s, %s) RETURNING id",
                                (protocol.sha256, utc_now(), tool_version)).fetchone()
        return int(row[0])

    def save_results(self, run_id: int, results: list[ScreenResult]) -> None:
        """Store the decisions of a run and close it."""
        self._executemany(
            "INSERT INTO paper_decisions (run_id, record_id, decision, stage, score, flags, reasons) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(run_id, r.record_id, r.decision, r.stage, r.score, json.dumps(r.flags),
              json.dumps([x.to_dict() for x in r.reasons], ensure_ascii=False)) for r in results])
        self.conn.execute("UPDATE paper_runs SET finished_at = %s, records = %s WHERE id = %s",
                          (utc_now(), len(results), run_id))

    def add_review(self, run_id: int, record_id: str, score: int, note: str | None, reviewer: str,
                   log_seq: int) -> None:
        """Store one human coding decision (already logged as an evidence event)."""
        self.conn.execute("INSERT INTO paper_reviews (run_id, record_id, score, note, reviewer, log_seq, decided_at) "
                          "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                          (run_id, record_id, score, note, reviewer, log_seq, utc_now()))

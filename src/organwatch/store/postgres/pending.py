"""Unfinished work on PostgreSQL (the ``pending_work`` table): what an interrupted run leaves to resume."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from organwatch.store.base import PendingWriter
from organwatch.store.records import PendingWork

Connection = Any  # psycopg.Connection[Row]


class PostgresPending(PendingWriter):
    """Pending work items over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT kind, count(*) FROM pending_work GROUP BY kind ORDER BY kind")
        return {str(kind): int(n) for kind, n in rows}

    def items(self, kind: str, limit: int | None = None) -> list[PendingWork]:
        rows = self.conn.execute("SELECT kind, ref, detail, since FROM pending_work WHERE kind = %s "
                                 "ORDER BY since, added LIMIT %s", (kind, limit))
        return [PendingWork(*tuple(row)) for row in rows]

    def add(self, kind: str, refs: Sequence[str], detail: str | None = None) -> None:
        if not refs:
            return
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self.conn.cursor() as cursor:
            cursor.executemany("INSERT INTO pending_work (kind, ref, detail, since) VALUES (%s, %s, %s, %s) "
                               "ON CONFLICT (kind, ref) DO NOTHING", [(kind, ref, detail, now) for ref in refs])

    def done(self, kind: str, refs: Sequence[str]) -> None:
        if refs:
            self.conn.execute("DELETE FROM pending_work WHERE kind = %s AND ref = ANY(%s)", (kind, list(refs)))

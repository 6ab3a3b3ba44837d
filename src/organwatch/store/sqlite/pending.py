"""The pending area on SQLite: one row per unfinished piece of work (see :class:`PendingView`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from organwatch.store.base import PendingWriter
from organwatch.store.records import PendingWork

Connection = Any  # sqlean.Connection: the package ships no type hints


class SQLitePending(PendingWriter):
    """Rows of ``pending_work``; a read session's connection refuses the writes."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT kind, count(*) FROM pending_work GROUP BY kind ORDER BY kind")
        return {kind: int(n) for kind, n in rows}

    def items(self, kind: str, limit: int | None = None) -> list[PendingWork]:
        rows = self.conn.execute("SELECT kind, ref, detail, since FROM pending_work WHERE kind = ? "
                                 "ORDER BY since, rowid LIMIT ?", (kind, -1 if limit is None else limit))
        return [PendingWork(*row) for row in rows]

    def add(self, kind: str, refs: Sequence[str], detail: str | None = None) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.conn.executemany("INSERT OR IGNORE INTO pending_work (kind, ref, detail, since) VALUES (?, ?, ?, ?)",
                              [(kind, ref, detail, now) for ref in refs])

    def done(self, kind: str, refs: Sequence[str]) -> None:
        self.conn.executemany("DELETE FROM pending_work WHERE kind = ? AND ref = ?", [(kind, ref) for ref in refs])

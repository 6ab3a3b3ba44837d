"""The case database: SQLite (through ``sqlean.py``, SQLite 3.50) in WAL mode.

Readers get their own connections (WAL lets them read while a write goes on). All writes in a
process go through one writer connection guarded by a lock, as datasette funnels writes through
one writer; between processes, the case lock (see ``organwatch.archive.commit``) serialises them.
The schema is versioned with ``PRAGMA user_version`` and migrated forward on open.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import sqlean

from organwatch.errors import CaseError

Connection = Any  # sqlean.Connection: the package ships no type hints


def migrations() -> list[tuple[int, str]]:
    """``(version, sql)`` for every file in ``store/schema``, in order."""
    found = []
    for item in resources.files("organwatch.store").joinpath("schema").iterdir():
        if item.name.endswith(".sql"):
            found.append((int(item.name.split("_", 1)[0]), item.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = migrations()[-1][0]


class SQLiteStore:
    """One SQLite file with a single writer per process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.Lock()
        self._writer: Connection | None = None

    def _connect(self) -> Connection:
        conn = sqlean.connect(str(self.path), timeout=60.0, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlean.Row
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def migrate(self) -> int:
        """Bring the schema to the newest version; return the version now in force."""
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise CaseError(f"{self.path}: schema version {version} is newer than this OrganWatch "
                                f"understands ({SCHEMA_VERSION}); upgrade OrganWatch")
            for number, sql in migrations():
                if number <= version:
                    continue
                conn.execute("BEGIN IMMEDIATE")
                try:
                    # Re-check inside the transaction: another process may have migrated meanwhile.
                    if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                        conn.execute("ROLLBACK")
                        continue
                    for statement in _statements(sql):
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {number}")
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()

    @contextmanager
    def view(self) -> Iterator[Connection]:
        """A read connection (a consistent snapshot for each statement or transaction)."""
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def writer(self) -> Iterator[Connection]:
        """The process's one write connection, inside a transaction committed on success."""
        with self._write_lock:
            if self._writer is None:
                self._writer = self._connect()
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close the writer connection, if open."""
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements (our files hold no semicolons inside literals)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]

"""The SQLite store: one file (through ``sqlean.py``, SQLite 3.50) in WAL mode.

Readers get their own connections, opened ``query_only`` so a read session cannot write (WAL lets them
read while a write goes on). A new connection parses the whole schema on its first statement (2–3 ms for
the full-text tables), so each thread keeps its read connection open and reuses it for the next session;
it holds no transaction between statements, so every statement still sees the latest committed data.
All writes in a process go through one writer connection guarded by a lock, as datasette funnels writes
through one writer; between processes, SQLite's own lock (and, for evidence, the case lock of
:mod:`organwatch.archive.commit`) serialises them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import sqlean

from organwatch.store.base import Store, View, Writer
from organwatch.store.records import AppliedMigration
from organwatch.store.sqlite import migrations
from organwatch.store.sqlite.accounts import SQLiteAccounts
from organwatch.store.sqlite.archive import SQLiteArchiveIndex
from organwatch.store.sqlite.claims import SQLiteClaims
from organwatch.store.sqlite.documents import SQLiteDocuments
from organwatch.store.sqlite.embeddings import SQLiteEmbeddings
from organwatch.store.sqlite.entities import SQLiteEntities
from organwatch.store.sqlite.mentions import SQLiteMentions
from organwatch.store.sqlite.papers import SQLitePapers
from organwatch.store.sqlite.pending import SQLitePending
from organwatch.store.sqlite.search import SQLiteSearchIndex

Connection = Any  # sqlean.Connection: the package ships no type hints


@dataclass(frozen=True)
class SQLiteView(View):
    """A read session over one ``query_only`` connection."""

    connection: Connection = None


def _repositories(conn: Connection) -> dict[str, Any]:
    return {"archive": SQLiteArchiveIndex(conn), "documents": SQLiteDocuments(conn),
            "mentions": SQLiteMentions(conn), "search": SQLiteSearchIndex(conn), "embeddings": SQLiteEmbeddings(conn),
            "papers": SQLitePapers(conn), "accounts": SQLiteAccounts(conn),
            "entities": SQLiteEntities(conn), "claims": SQLiteClaims(conn), "pending": SQLitePending(conn)}


class SQLiteStore(Store):
    """One SQLite file with a single writer per process."""

    backend: ClassVar[str] = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.Lock()
        self._writer: Connection | None = None
        self._readers = threading.local()
        self._all_readers: list[Connection] = []

    def _connect(self, *, read_only: bool = False) -> Connection:
        conn = sqlean.connect(str(self.path), timeout=60.0, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlean.Row
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        return conn

    def migrate(self) -> list[AppliedMigration]:
        """Bring every area's schema up to date (see :mod:`.migrations`)."""
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return migrations.migrate(conn, str(self.path))
        finally:
            conn.close()

    def migrations(self) -> list[AppliedMigration]:
        """Every migration applied, in the order applied."""
        conn = self._connect(read_only=True)
        try:
            return migrations.applied(conn)
        finally:
            conn.close()

    def _reader(self) -> Connection:
        """This thread's read connection (opened on first use; a forked child opens its own)."""
        found = getattr(self._readers, "conn", None)
        if found is not None and self._readers.pid == os.getpid():
            return found
        conn = self._connect(read_only=True)
        self._readers.conn, self._readers.pid = conn, os.getpid()
        with self._write_lock:
            self._all_readers.append(conn)
        return conn

    @contextmanager
    def view(self) -> Iterator[SQLiteView]:
        """A read session on this thread's read connection (each statement sees a consistent snapshot)."""
        conn = self._reader()
        if conn.in_transaction:  # a session left a statement's transaction open: never read stale data
            conn.execute("ROLLBACK")
        yield SQLiteView(**_repositories(conn), connection=conn)

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """The process's one write connection, inside a transaction committed on success."""
        with self._write_lock:
            if self._writer is None:
                self._writer = self._connect()
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield Writer(**_repositories(conn))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close the writer connection and every thread's read connection."""
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            readers, self._all_readers = self._all_readers, []
            self._readers = threading.local()
        for conn in readers:
            conn.close()

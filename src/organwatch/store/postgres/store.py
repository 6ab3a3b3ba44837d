"""The PostgreSQL store: a case's index and derived data on a server shared by a team.

Read sessions borrow a pooled read-only connection; each statement sees a consistent snapshot, as
on SQLite. All writes of a process go through one writer connection, one transaction per
session, as on SQLite. Between processes and machines the server's own locking orders writes, and the
evidence log's appends are serialised by :meth:`PostgresStore.append_lock`, an advisory lock held from
reading the log position to indexing the new entries, so two machines can never extend the Merkle
tree from the same position.

A server restarted or unreachable: new connections are retried for ``ORGANWATCH_DATABASE_WAIT``
seconds; a transaction cut off mid-way is rolled back by the server and reported as one line (the
evidence log's recovery indexes whatever was signed but not yet indexed on the next run).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import psycopg

from organwatch import settings
from organwatch.errors import CaseError
from organwatch.store.base import Store, View, Writer
from organwatch.store.postgres import migrations
from organwatch.store.postgres.accounts import PostgresAccounts
from organwatch.store.postgres.archive import PostgresArchiveIndex
from organwatch.store.postgres.claims import PostgresClaims
from organwatch.store.postgres.connection import Row, connect, explain, where
from organwatch.store.postgres.documents import PostgresDocuments
from organwatch.store.postgres.embeddings import PostgresEmbeddings
from organwatch.store.postgres.entities import PostgresEntities
from organwatch.store.postgres.mentions import PostgresMentions
from organwatch.store.postgres.papers import PostgresPapers
from organwatch.store.postgres.pending import PostgresPending
from organwatch.store.postgres.search import PostgresSearchIndex
from organwatch.store.records import AppliedMigration

Connection = psycopg.Connection[Row]
APPEND_LOCK = 0x6F77_6C67  # advisory lock key of the evidence log's appends ("owlg")
_POOL_SIZE = 4
_RETRYABLE = ("connection refused", "the database system is starting up", "the database system is shutting down",
              "the database system is in recovery mode", "terminating connection", "server closed the connection")


@dataclass(frozen=True)
class PostgresView(View):
    """A read session over one read-only connection."""

    connection: Any = None


def _repositories(conn: Connection) -> dict[str, Any]:
    return {"archive": PostgresArchiveIndex(conn), "documents": PostgresDocuments(conn),
            "mentions": PostgresMentions(conn), "search": PostgresSearchIndex(conn),
            "embeddings": PostgresEmbeddings(conn), "papers": PostgresPapers(conn), "accounts": PostgresAccounts(conn),
            "entities": PostgresEntities(conn), "claims": PostgresClaims(conn), "pending": PostgresPending(conn)}


class PostgresStore(Store):
    """One PostgreSQL database with a single writer connection per process."""

    backend: ClassVar[str] = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = where(url)
        self._lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._writer: Connection | None = None
        self._idle: list[Connection] = []
        self._pid = os.getpid()

    # -- connections ---------------------------------------------------------------------------------

    def _connect(self, *, read_only: bool = False) -> Connection:
        """A new connection, waiting out a server that is restarting (``ORGANWATCH_DATABASE_WAIT``)."""
        deadline = time.monotonic() + float(settings.get("ORGANWATCH_DATABASE_WAIT"))
        delay = 0.2
        while True:
            try:
                return connect(self.url, read_only=read_only)
            except Exception as exc:
                text = str(exc).lower()
                if time.monotonic() >= deadline or not any(marker in text for marker in _RETRYABLE):
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _fork_check(self) -> None:
        """After a fork (a worker process), forget the parent's connections: they are not ours to use."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._idle = []
            self._writer = None
            self._lock = threading.Lock()
            self._write_lock = threading.RLock()

    def _borrow(self) -> Connection:
        self._fork_check()
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                if not conn.closed and not conn.broken:
                    return conn
        return self._connect(read_only=True)

    def _give_back(self, conn: Connection) -> None:
        with self._lock:
            if len(self._idle) < _POOL_SIZE and not conn.broken:
                self._idle.append(conn)
                return
        conn.close()

    # -- the store -------------------------------------------------------------------------------------

    def migrate(self) -> list[AppliedMigration]:
        """Bring every area's schema up to date (see :mod:`.migrations`)."""
        conn = self._connect()
        try:
            conn.autocommit = True
            return migrations.migrate(conn, self.where)
        except psycopg.OperationalError as exc:
            raise explain(self.url, exc) from None
        finally:
            conn.close()

    def migrations(self) -> list[AppliedMigration]:
        """Every migration applied, in the order applied."""
        with self._session() as conn:
            return migrations.applied(conn)

    @contextmanager
    def _session(self) -> Iterator[Connection]:
        conn = self._borrow()
        try:
            yield conn
        except psycopg.OperationalError as exc:
            conn.close()
            raise explain(self.url, exc) from None
        finally:
            if not conn.closed:
                self._give_back(conn)

    @contextmanager
    def view(self) -> Iterator[PostgresView]:
        """A read session on a pooled read-only connection (each statement sees a consistent snapshot)."""
        with self._session() as conn:
            yield PostgresView(**_repositories(conn), connection=conn)

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """The process's one write connection, inside a transaction committed on success."""
        self._fork_check()
        with self._write_lock:
            if self._writer is None or self._writer.closed or self._writer.broken:
                self._writer = self._connect()
            conn = self._writer
            try:
                with conn.transaction():
                    yield Writer(**_repositories(conn))
            except psycopg.OperationalError as exc:
                conn.close()
                self._writer = None
                raise explain(self.url, exc) from None

    @contextmanager
    def append_lock(self) -> Iterator[None]:
        """Hold the database's advisory lock on evidence-log appends (blocks until no other machine holds it).

        A session-level lock on a connection of its own, so the writer's transactions inside the block
        commit independently; the lock goes with the connection if this process dies.
        """
        self._fork_check()
        conn = self._connect()
        try:
            conn.autocommit = True
            conn.execute("SELECT pg_advisory_lock(%s)", (APPEND_LOCK,))
            yield
        except psycopg.OperationalError as exc:
            raise explain(self.url, exc) from None
        finally:
            conn.close()  # releases the lock, even when the server already dropped it

    def close(self) -> None:
        """Close the writer connection and the pooled readers."""
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        with self._lock:
            for conn in self._idle:
                conn.close()
            self._idle = []


def check_empty(url: str) -> None:
    """Refuse a database that already indexes a case (a new case needs an empty database of its own)."""
    conn = connect(url)
    try:
        row = conn.execute("SELECT to_regclass('log_state') IS NOT NULL").fetchone()
        if row is not None and row[0]:
            size = conn.execute("SELECT size FROM log_state").fetchone()
            if size is not None and int(size[0]) > 0:
                raise CaseError(f"PostgreSQL at {where(url)} already holds the index of a case "
                                f"({int(size[0])} log entries); create an empty database for the new case")
    finally:
        conn.close()

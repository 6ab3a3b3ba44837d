"""Chunk vectors on PostgreSQL: ``search_chunks.embedding`` (float16 copies, bytea), ``search_embedder``,
and ``search_vectors`` (packed binary codes) for the coarse nearest-neighbour pass.

pgvector is not packaged for Debian 12, so the Hamming distances are computed here with numpy over the
codes read a batch at a time (memory bounded by the batch and ``k``, not by the case): a linear scan,
about what sqlite-vec's ``vec0`` does for binary vectors on the embedded store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from organwatch.store.base import EmbeddingsWriter
from organwatch.store.errors import StoreError
from organwatch.store.postgres.connection import stream
from organwatch.store.postgres.search import filter_sql
from organwatch.store.records import ChunkVector, DocumentFilters, EmbeddedChunk, EmbedderRecord, PendingChunk

Connection = Any  # psycopg.Connection[Row]
_PENDING = ("SELECT c.id, c.document_id, c.start_char, c.end_char, d.text, d.title, "
            "(SELECT min(f.id) FROM search_chunks f WHERE f.document_id = c.document_id) "
            "FROM search_chunks c JOIN documents d ON d.id = c.document_id WHERE c.embedding IS NULL ")
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint16)
_SCAN_BATCH = 20_000


class PostgresEmbeddings(EmbeddingsWriter):
    """Chunk vectors over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def embedder(self) -> EmbedderRecord | None:
        row = self.conn.execute("SELECT name, version, dimension, centre FROM search_embedder WHERE id = 1").fetchone()
        return None if row is None else EmbedderRecord(str(row[0]), str(row[1]), int(row[2]), bytes(row[3]))

    def pending_count(self, document_ids: Sequence[int] | None = None) -> int:
        if document_ids is None:
            return int(self.conn.execute("SELECT count(*) FROM search_chunks WHERE embedding IS NULL").fetchone()[0])
        return int(self.conn.execute("SELECT count(*) FROM search_chunks WHERE embedding IS NULL AND "
                                     "document_id = ANY(%s)", ([int(i) for i in document_ids],)).fetchone()[0])

    def pending(self, after: int, limit: int, document_ids: Sequence[int] | None = None) -> list[PendingChunk]:
        if document_ids is None:
            rows = self.conn.execute(_PENDING + "AND c.id > %s ORDER BY c.id LIMIT %s", (after, limit)).fetchall()
        else:
            ids = [int(i) for i in list(document_ids)[:500]]
            rows = self.conn.execute(_PENDING + "AND c.document_id = ANY(%s) AND c.id > %s ORDER BY c.id LIMIT %s",
                                     (ids, after, limit)).fetchall()
        return [PendingChunk(int(r[0]), int(r[1]), int(r[2]), int(r[3]), r[4], r[5], int(r[6])) for r in rows]

    def embedded_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM search_chunks WHERE embedding IS NOT NULL").fetchone()[0])

    def vector_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM search_vectors").fetchone()[0])

    def embedded(self, filters: DocumentFilters, chunk_ids: Sequence[int] | None = None) -> list[EmbeddedChunk]:
        where, params = filter_sql(filters, "d")
        select = ("SELECT c.id, c.document_id, c.start_char, c.end_char, c.embedding FROM search_chunks c "
                  "JOIN documents d ON d.id = c.document_id WHERE c.embedding IS NOT NULL")
        if chunk_ids is None:
            rows = self.conn.execute(f"{select} AND {where} ORDER BY c.id", params)
        else:
            ids = [int(i) for i in list(chunk_ids)[:500]]
            rows = self.conn.execute(f"{select} AND c.id = ANY(%s) AND {where} ORDER BY c.id", (ids, *params))
        return [EmbeddedChunk(int(r[0]), int(r[1]), int(r[2]), int(r[3]), bytes(r[4])) for r in rows]

    def nearest(self, code: bytes, k: int) -> list[int]:
        if k <= 0:
            return []
        query = np.frombuffer(code, dtype=np.uint8)
        best_ids = np.empty(0, dtype=np.int64)
        best_dist = np.empty(0, dtype=np.int64)
        ids: list[int] = []
        codes: list[bytes] = []

        def scan() -> None:
            nonlocal best_ids, best_dist
            if not ids:
                return
            matrix = np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(len(codes), -1)
            if matrix.shape[1] != query.shape[0]:
                raise StoreError(f"a stored binary code has {matrix.shape[1]} bytes, the query {query.shape[0]}: "
                                 "run `organwatch embed` to rebuild the vectors")
            dist = _POPCOUNT[np.bitwise_xor(matrix, query)].sum(axis=1).astype(np.int64)
            all_ids = np.concatenate([best_ids, np.array(ids, dtype=np.int64)])
            all_dist = np.concatenate([best_dist, dist])
            order = np.lexsort((all_ids, all_dist))[:k]
            best_ids, best_dist = all_ids[order], all_dist[order]
            ids.clear()
            codes.clear()

        for row in stream(self.conn, "SELECT chunk_id, code FROM search_vectors"):
            ids.append(int(row[0]))
            codes.append(bytes(row[1]))
            if len(ids) >= _SCAN_BATCH:
                scan()
        scan()
        return [int(i) for i in best_ids]

    # -- writes -------------------------------------------------------------------------------------

    def reset(self, embedder: EmbedderRecord) -> None:
        if embedder.dimension % 8:
            raise StoreError(f"{embedder.name}: dimension {embedder.dimension} is not a multiple of 8")
        self.conn.execute("DELETE FROM search_vectors")
        self.conn.execute("UPDATE search_chunks SET embedding = NULL WHERE embedding IS NOT NULL")
        self.conn.execute("INSERT INTO search_embedder (id, name, version, dimension, centre) "
                          "VALUES (1, %s, %s, %s, %s) "
                          "ON CONFLICT (id) DO UPDATE SET name = excluded.name, version = excluded.version, "
                          "dimension = excluded.dimension, centre = excluded.centre",
                          (embedder.name, embedder.version, embedder.dimension, embedder.centre))

    def purge_stale(self) -> None:
        self.conn.execute("DELETE FROM search_vectors v WHERE NOT EXISTS (SELECT 1 FROM search_chunks c "
                          "WHERE c.id = v.chunk_id AND c.embedding IS NOT NULL)")

    def put(self, vectors: Sequence[ChunkVector]) -> None:
        if not vectors:
            return
        with self.conn.cursor() as cursor:
            cursor.executemany("UPDATE search_chunks SET embedding = %s WHERE id = %s",
                               [(v.embedding, v.chunk_id) for v in vectors])
            cursor.executemany("INSERT INTO search_vectors (chunk_id, code) VALUES (%s, %s)",
                               [(v.chunk_id, v.code) for v in vectors])

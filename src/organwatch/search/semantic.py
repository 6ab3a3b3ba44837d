"""Semantic search: document chunks embedded once, found again by meaning (sqlite-vec).

Embedding is slow (a few to tens of chunks a second on two cores), so it is its own step,
:func:`embed_documents`, run in batches with a progress callback after the text stage has indexed.

Search is two-stage, because sqlite-vec's brute-force float search costs ~85 ms per 100,000 chunks
on this hardware even for 20 neighbours, while its binary (hamming) search takes ~13 ms:

1. a ``vec0`` table of *binary* vectors (the sign of each dimension after subtracting a centre, since
   e5 vectors all lean the same way and raw signs would carry little information) gives a few
   hundred candidates;
2. their float16 copies (in ``search_chunks.embedding``) are re-ranked exactly by cosine similarity.

A small case is scored exactly over all its chunks. With filters, the binary search asks for more
candidates and the filters are applied to them: a very narrow filter on a large case can therefore
return fewer semantic hits than asked for (sqlite-vec metadata columns would fix that; not yet used).
sqlite-vec's top-k costs grow with k (O(n·k)), which is why k stays in the hundreds. The ``vec0`` table needs the
extension at creation, so it is created here, lazily, not in the migration.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from organwatch.search.embedder import INSTALL_HINT, Embedder
from organwatch.search.errors import SearchIndexError
from organwatch.search.results import SearchFilters

Connection = Any  # sqlean.Connection
VECTOR_TABLE = "search_vectors"
EXACT_LIMIT = 2_000  # embedded chunks: up to this many, score every one exactly (no candidate cut)
COARSE_MIN = 200
FILTERED_FACTOR = 8
COARSE_MAX = 4096  # sqlite-vec's largest k
TITLE_CHARS = 200

# Varied passages in both languages: their mean vector is the centre the binary codes are taken around.
CALIBRATION = (
    "The hospital advertised liver transplants with waiting times of one to two weeks.",
    "据报道，该医院声称肝脏移植的等待时间只需一到两周。",
    "The former police chief entered the consulate and stayed for more than a day.",
    "前公安局长进入领事馆，停留了一天多。",
    "Annual reports list the number of beds, surgeons and operations performed.",
    "年度报告列出了床位数、外科医生人数和手术台数。",
    "A tribunal heard witnesses describe blood tests in detention.",
    "法庭听取了证人关于在拘留期间验血的陈述。",
    "Rain is expected across the region tomorrow afternoon.",
    "明天下午全区将有降雨。",
    "The company reported higher quarterly profits from exports.",
    "公司公布出口带来的季度利润增长。",
    "Researchers published a statistical analysis of official donation data.",
    "研究人员发表了对官方捐献数据的统计分析。",
    "The football team won the championship after extra time.",
    "足球队在加时赛后赢得了冠军。",
)


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
        raise SearchIndexError(INSTALL_HINT) from exc
    conn.enable_load_extension(True)
    try:
        sqlite_vec.load(conn)
    finally:
        conn.enable_load_extension(False)


@contextmanager
def _transaction(conn: Connection) -> Iterator[None]:
    """Commit each batch on its own when the caller holds no transaction, so a long embedding run
    never blocks the text stage for its whole length; inside the caller's transaction, do nothing."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _stored_embedder(conn: Connection) -> tuple[str, str, int, npt.NDArray[np.float32]] | None:
    row = conn.execute("SELECT name, version, dimension, centre FROM search_embedder WHERE id = 1").fetchone()
    if row is None:
        return None
    return str(row[0]), str(row[1]), int(row[2]), np.frombuffer(row[3], dtype="<f4").astype(np.float32)


def _prepare(conn: Connection, embedder: Embedder, replace: bool) -> npt.NDArray[np.float32]:
    """Make sure the case's vectors are this embedder's (or start over when ``replace``); return the centre."""
    stored = _stored_embedder(conn)
    if stored is not None and (stored[0], stored[1], stored[2]) == (embedder.name, embedder.version,
                                                                      embedder.dimension):
        return stored[3]
    if stored is not None and not replace:
        raise SearchIndexError(f"this case's vectors were made by {stored[0]} ({stored[1]}), not {embedder.name} "
                               f"({embedder.version}): embed again with replace=True to start over")
    if embedder.dimension % 8:
        raise SearchIndexError(f"{embedder.name}: dimension {embedder.dimension} is not a multiple of 8")
    centre: npt.NDArray[np.float32] = embedder.embed(list(CALIBRATION)).mean(axis=0).astype(np.float32)
    with _transaction(conn):
        conn.execute(f"DROP TABLE IF EXISTS {VECTOR_TABLE}")
        conn.execute("UPDATE search_chunks SET embedding = NULL WHERE embedding IS NOT NULL")
        conn.execute("INSERT OR REPLACE INTO search_embedder (id, name, version, dimension, centre) "
                     "VALUES (1, ?, ?, ?, ?)",
                     (embedder.name, embedder.version, embedder.dimension, centre.astype("<f4").tobytes()))
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {VECTOR_TABLE} USING vec0 ("
                     f"chunk_id INTEGER PRIMARY KEY, embedding bit[{embedder.dimension}])")
    return centre


def binary_codes(vectors: npt.NDArray[np.float32], centre: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """Sign bits of ``vectors - centre``, packed (the vec0 ``bit[]`` layout)."""
    packed: npt.NDArray[np.uint8] = np.packbits(vectors - centre > 0, axis=1)
    return packed


def pending_chunks(conn: Connection, ids: Sequence[int] | None = None) -> int:
    """How many chunks still need embedding (of the given documents, or of all)."""
    if ids is None:
        return int(conn.execute("SELECT count(*) FROM search_chunks WHERE embedding IS NULL").fetchone()[0])
    total = 0
    for begin in range(0, len(ids), 500):
        batch = list(ids[begin:begin + 500])
        total += int(conn.execute(f"SELECT count(*) FROM search_chunks WHERE embedding IS NULL AND document_id IN "
                                  f"({','.join('?' * len(batch))})", batch).fetchone()[0])
    return total


def embed_documents(conn: Connection, embedder: Embedder, ids: Sequence[int] | None = None, *,
                    batch_size: int = 32, progress: Callable[[int, int], None] | None = None,
                    replace: bool = False) -> int:
    """Embed the chunks not embedded yet (of ``ids``, or of every document); return how many were embedded.

    Give a connection outside any transaction (e.g. a second connection to the case): each batch
    then commits on its own, so an interrupted run keeps its work and other writers are not held
    up. ``progress(done, total)`` is called after each batch. A case holds one embedder's vectors:
    another embedder raises :class:`SearchIndexError` unless ``replace=True``, which discards the old ones.
    """
    load_vector_extension(conn)
    centre = _prepare(conn, embedder, replace)
    with _transaction(conn):  # vectors of chunks that were re-indexed or deleted since
        conn.execute(f"DELETE FROM {VECTOR_TABLE} WHERE chunk_id NOT IN "
                     "(SELECT id FROM search_chunks WHERE embedding IS NOT NULL)")
    total = pending_chunks(conn, ids)
    done = 0
    for rows in _pending_batches(conn, ids, batch_size):
        texts = []
        for chunk_id, _doc, start, end, text, title, first in rows:
            piece = (text or "")[start:end]
            texts.append(f"{title[:TITLE_CHARS]}\n{piece}" if title and chunk_id == first else piece)
        vectors = embedder.embed(texts)
        codes = binary_codes(vectors, centre)
        with _transaction(conn):
            conn.executemany("UPDATE search_chunks SET embedding = ? WHERE id = ?",
                             [(vector.astype("<f2").tobytes(), row[0]) for vector, row in zip(vectors, rows,
                                                                                               strict=True)])
            conn.executemany(f"INSERT INTO {VECTOR_TABLE} (chunk_id, embedding) VALUES (?, vec_bit(?))",
                             [(row[0], code.tobytes()) for code, row in zip(codes, rows, strict=True)])
        done += len(rows)
        if progress is not None:
            progress(done, total)
    return done


_PENDING = ("SELECT c.id, c.document_id, c.start_char, c.end_char, d.text, d.title, "
            "(SELECT min(f.id) FROM search_chunks f WHERE f.document_id = c.document_id) "
            "FROM search_chunks c JOIN documents d ON d.id = c.document_id WHERE c.embedding IS NULL ")


def _pending_batches(conn: Connection, ids: Sequence[int] | None, batch_size: int) -> Iterator[list[Any]]:
    """Chunks to embed, ``batch_size`` at a time, with their document's text and title and the id of
    the document's first chunk (which is embedded with the title in front)."""
    if ids is None:
        last_id = 0
        while rows := conn.execute(_PENDING + "AND c.id > ? ORDER BY c.id LIMIT ?", (last_id, batch_size)).fetchall():
            last_id = int(rows[-1][0])
            yield rows
        return
    for begin in range(0, len(ids), 100):
        group = list(ids[begin:begin + 100])
        rows = conn.execute(_PENDING + f"AND c.document_id IN ({','.join('?' * len(group))}) ORDER BY c.id",
                            group).fetchall()
        for start in range(0, len(rows), batch_size):
            yield rows[start:start + batch_size]


@dataclass(frozen=True)
class ChunkHit:
    """The best chunk of a document for a semantic query."""

    document_id: int
    similarity: float
    chunk_id: int
    start: int
    end: int


def _best_per_document(rows: list[tuple[int, int, int, int, bytes]], query: npt.NDArray[np.float32],
                       want: int) -> list[ChunkHit]:
    if not rows:
        return []
    matrix = np.frombuffer(b"".join(row[4] for row in rows), dtype="<f2").reshape(len(rows), -1)
    scores = matrix.astype(np.float32) @ query
    best: dict[int, ChunkHit] = {}
    for row, score in zip(rows, scores.tolist(), strict=True):
        chunk_id, document_id, start, end, _blob = row
        if document_id not in best or score > best[document_id].similarity:
            best[document_id] = ChunkHit(document_id, float(score), chunk_id, start, end)
    ranked = sorted(best.values(), key=lambda hit: (-hit.similarity, hit.document_id))
    return ranked[:want]


def semantic_candidates(conn: Connection, embedder: Embedder, query: str, filters: SearchFilters,
                        want: int) -> list[ChunkHit]:
    """Up to ``want`` documents nearest to ``query`` in meaning, each with its best chunk, best first."""
    stored = _stored_embedder(conn)
    if stored is None:
        raise SearchIndexError("this case has no embeddings yet: run the embedding step "
                               "(organwatch.search.embed_documents) before semantic or hybrid search")
    if (stored[0], stored[1], stored[2]) != (embedder.name, embedder.version, embedder.dimension):
        raise SearchIndexError(f"this case's vectors were made by {stored[0]} ({stored[1]}); search with "
                               f"that embedder, or embed again with replace=True")
    vector = embedder.embed([query], query=True)[0]
    where, params = filters.sql("d")
    select = "SELECT c.id, c.document_id, c.start_char, c.end_char, c.embedding FROM search_chunks c"
    embedded = int(conn.execute("SELECT count(*) FROM search_chunks WHERE embedding IS NOT NULL").fetchone()[0])
    if embedded <= EXACT_LIMIT:
        rows = conn.execute(f"{select} JOIN documents d ON d.id = c.document_id "
                            f"WHERE c.embedding IS NOT NULL AND {where}", params).fetchall()
        return _best_per_document([tuple(row) for row in rows], vector, want)
    load_vector_extension(conn)
    # A filter drops candidates after the binary search: ask for more of them when one is set.
    k = min(COARSE_MAX, max(COARSE_MIN, want * (FILTERED_FACTOR if filters.active else 2)))
    code = binary_codes(vector[None, :], stored[3])[0].tobytes()
    near = [int(row[0]) for row in conn.execute(
        f"SELECT chunk_id FROM {VECTOR_TABLE} WHERE embedding MATCH vec_bit(?) AND k = ?", (code, k))]
    rows = []
    for begin in range(0, len(near), 500):
        batch = near[begin:begin + 500]
        rows.extend(tuple(row) for row in conn.execute(
            f"{select} JOIN documents d ON d.id = c.document_id WHERE c.id IN ({','.join('?' * len(batch))}) "
            f"AND c.embedding IS NOT NULL AND {where}", (*batch, *params)))
    return _best_per_document(rows, vector, want)

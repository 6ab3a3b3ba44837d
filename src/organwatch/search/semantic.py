"""Semantic search: document chunks embedded once, found again by meaning (sqlite-vec).

Embedding is slow (a few to tens of chunks a second on two cores), so it is its own step,
:func:`embed_documents`, run in batches with a progress callback after the text stage has indexed.

Search is two-stage, because sqlite-vec's brute-force float search costs ~85 ms per 100,000 chunks
on this hardware even for 20 neighbours, while its binary (hamming) search takes ~13 ms:

1. a ``vec0`` table of *binary* vectors (the sign of each dimension after subtracting a centre, since
   e5 vectors all lean the same way and raw signs would carry little information) gives a few
   hundred candidates;
2. their float16 copies are re-ranked exactly by cosine similarity.

A small case is scored exactly over all its chunks. With filters, the binary search asks for more
candidates and the filters are applied to them: a very narrow filter on a large case can therefore
return fewer semantic hits than asked for (sqlite-vec metadata columns would fix that; not yet used).
sqlite-vec's top-k costs grow with k (O(n·k)), which is why k stays in the hundreds. The vectors and
codes live in the store (:class:`~organwatch.store.base.EmbeddingsView`); the maths is here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from organwatch.search.embedder import Embedder
from organwatch.search.errors import SearchIndexError
from organwatch.search.results import SearchFilters
from organwatch.store import Session, Store
from organwatch.store.records import ChunkVector, EmbeddedChunk, EmbedderRecord, PendingChunk

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


def _prepare(store: Store, embedder: Embedder, replace: bool) -> npt.NDArray[np.float32]:
    """Make sure the case's vectors are this embedder's (or start over when ``replace``); return the centre."""
    with store.view() as view:
        stored = view.embeddings.embedder()
    if stored is not None and (stored.name, stored.version, stored.dimension) == (embedder.name, embedder.version,
                                                                                   embedder.dimension):
        return _centre(stored)
    if stored is not None and not replace:
        raise SearchIndexError(f"this case's vectors were made by {stored.name} ({stored.version}), not "
                               f"{embedder.name} ({embedder.version}): embed again with replace=True to start over")
    if embedder.dimension % 8:
        raise SearchIndexError(f"{embedder.name}: dimension {embedder.dimension} is not a multiple of 8")
    centre: npt.NDArray[np.float32] = embedder.embed(list(CALIBRATION)).mean(axis=0).astype(np.float32)
    with store.writer() as writer:
        writer.embeddings.reset(EmbedderRecord(embedder.name, embedder.version, embedder.dimension,
                                               centre.astype("<f4").tobytes()))
    return centre


def _centre(record: EmbedderRecord) -> npt.NDArray[np.float32]:
    return np.frombuffer(record.centre, dtype="<f4").astype(np.float32)


def binary_codes(vectors: npt.NDArray[np.float32], centre: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """Sign bits of ``vectors - centre``, packed (the vec0 ``bit[]`` layout)."""
    packed: npt.NDArray[np.uint8] = np.packbits(vectors - centre > 0, axis=1)
    return packed


def pending_chunks(session: Session, ids: Sequence[int] | None = None) -> int:
    """How many chunks still need embedding (of the given documents, or of all)."""
    return session.embeddings.pending_count(ids)


def embed_documents(store: Store, embedder: Embedder, ids: Sequence[int] | None = None, *,
                    batch_size: int = 32, progress: Callable[[int, int], None] | None = None,
                    replace: bool = False) -> int:
    """Embed the chunks not embedded yet (of ``ids``, or of every document); return how many were embedded.

    Each batch is read in a read session, embedded outside any transaction (the slow part) and written
    in its own short write, so an interrupted run keeps its work and the text stage is never held up for
    long. ``progress(done, total)`` is called after each batch. A case holds one embedder's vectors:
    another embedder raises :class:`SearchIndexError` unless ``replace=True``, which discards the old ones.
    """
    centre = _prepare(store, embedder, replace)
    with store.writer() as writer:  # vectors of chunks that were re-indexed or deleted since
        writer.embeddings.purge_stale()
    with store.view() as view:
        total = view.embeddings.pending_count(ids)
    done = 0
    for chunks in _pending_batches(store, ids, batch_size):
        texts = []
        for chunk in chunks:
            piece = (chunk.text or "")[chunk.start:chunk.end]
            title = chunk.title if chunk.chunk_id == chunk.first_chunk_id else None  # the first chunk carries it
            texts.append(f"{title[:TITLE_CHARS]}\n{piece}" if title else piece)
        vectors = embedder.embed(texts)
        codes = binary_codes(vectors, centre)
        with store.writer() as writer:
            writer.embeddings.put([ChunkVector(chunk.chunk_id, vector.astype("<f2").tobytes(), code.tobytes())
                                   for chunk, vector, code in zip(chunks, vectors, codes, strict=True)])
        done += len(chunks)
        if progress is not None:
            progress(done, total)
    return done


def _pending_batches(store: Store, ids: Sequence[int] | None, batch_size: int) -> Iterator[list[PendingChunk]]:
    """Chunks to embed, ``batch_size`` at a time, each read in its own short read session."""
    groups: list[list[int] | None] = [None] if ids is None else [list(ids[b:b + 500]) for b in range(0, len(ids), 500)]
    for group in groups:
        after = 0
        while True:
            with store.view() as view:
                chunks = view.embeddings.pending(after, batch_size, group)
            if not chunks:
                break
            after = chunks[-1].chunk_id
            yield chunks


@dataclass(frozen=True)
class ChunkHit:
    """The best chunk of a document for a semantic query."""

    document_id: int
    similarity: float
    chunk_id: int
    start: int
    end: int


def _best_per_document(chunks: list[EmbeddedChunk], query: npt.NDArray[np.float32], want: int) -> list[ChunkHit]:
    if not chunks:
        return []
    matrix = np.frombuffer(b"".join(chunk.embedding for chunk in chunks), dtype="<f2").reshape(len(chunks), -1)
    scores = matrix.astype(np.float32) @ query
    best: dict[int, ChunkHit] = {}
    for chunk, score in zip(chunks, scores.tolist(), strict=True):
        document_id = chunk.document_id
        if document_id not in best or score > best[document_id].similarity:
            best[document_id] = ChunkHit(document_id, float(score), chunk.chunk_id, chunk.start, chunk.end)
    ranked = sorted(best.values(), key=lambda hit: (-hit.similarity, hit.document_id))
    return ranked[:want]


def semantic_candidates(view: Session, embedder: Embedder, query: str, filters: SearchFilters,
                        want: int) -> list[ChunkHit]:
    """Up to ``want`` documents nearest to ``query`` in meaning, each with its best chunk, best first."""
    stored = view.embeddings.embedder()
    if stored is None:
        raise SearchIndexError("this case has no embeddings yet: run `organwatch embed --case <case>` once "
                               "(later `organwatch add` embeds new documents itself)")
    if (stored.name, stored.version, stored.dimension) != (embedder.name, embedder.version, embedder.dimension):
        raise SearchIndexError(f"this case's vectors were made by {stored.name} ({stored.version}); search with "
                               f"that embedder, or embed again with replace=True")
    vector = embedder.embed([query], query=True)[0]
    if view.embeddings.embedded_count() <= EXACT_LIMIT:
        return _best_per_document(view.embeddings.embedded(filters), vector, want)
    # A filter drops candidates after the binary search: ask for more of them when one is set.
    k = min(COARSE_MAX, max(COARSE_MIN, want * (FILTERED_FACTOR if filters.active else 2)))
    code = binary_codes(vector[None, :], _centre(stored))[0].tobytes()
    near = view.embeddings.nearest(code, k)
    chunks: list[EmbeddedChunk] = []
    for begin in range(0, len(near), 500):
        chunks.extend(view.embeddings.embedded(filters, near[begin:begin + 500]))
    return _best_per_document(chunks, vector, want)

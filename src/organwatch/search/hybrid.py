"""Reciprocal rank fusion: one ranking from the full-text and the semantic rankings.

RRF (Cormack, Clarke & Büttcher 2009) adds ``1 / (k + rank)`` over the lists a document appears in.
It needs no calibration between BM25 scores and cosine similarities, which live on unrelated
scales, and ``k = 60`` is the value from the paper that most systems keep.

>>> [doc for doc, _score in fuse([[1, 2, 3], [3, 1]])]
[1, 3, 2]
"""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60


def fuse(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """``(document_id, score)`` best first; ties broken by the smaller id, so results are stable."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for position, document_id in enumerate(ranking, 1):
            scores[document_id] = scores.get(document_id, 0.0) + 1.0 / (k + position)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

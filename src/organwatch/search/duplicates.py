"""One hit per cluster of duplicates: syndicated copies are shown once, "also in N documents".

Clusters are the connected components of ``document_links`` of kind ``duplicate`` or
``near-duplicate`` (paragraph links do not make two documents the same). They are found at query
time, only for the hits a page needs, by expanding each hit's links breadth-first, so nothing has
to be kept up to date when the text stage adds links.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from organwatch.store.base import DocumentsView

_BATCH = 400  # ids per IN (...) list; well under SQLite's parameter limit


def clusters(documents: DocumentsView, ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """The duplicate cluster (itself included) of each id."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    wanted = list(dict.fromkeys(ids))
    seen: set[int] = set(wanted)
    frontier = list(wanted)
    while frontier:
        batch, frontier = frontier[:_BATCH], frontier[_BATCH:]
        for a, b in documents.duplicate_pairs(batch):
            parent[find(int(a))] = find(int(b))
            for node in (int(a), int(b)):
                if node not in seen:
                    seen.add(node)
                    frontier.append(node)
    groups: dict[int, set[int]] = {}
    for node in seen:
        groups.setdefault(find(node), set()).add(node)
    return {x: frozenset(groups[find(x)]) for x in wanted}


def collapse(documents: DocumentsView, ranked: Sequence[int], offset: int,
             limit: int) -> tuple[list[tuple[int, frozenset[int]]], bool]:
    """Walk ``ranked`` keeping the first document of each cluster; return the page
    ``[(document_id, its cluster)]`` and whether another hit follows it within ``ranked``."""
    kept: list[tuple[int, frozenset[int]]] = []
    represented: set[int] = set()
    want = offset + limit + 1  # one more than the page, to know whether another page exists
    for begin in range(0, len(ranked), _BATCH):
        batch = ranked[begin:begin + _BATCH]
        found = clusters(documents, batch)
        for document_id in batch:
            if document_id in represented:
                continue
            members = found[document_id]
            represented.update(members)
            kept.append((document_id, members))
            if len(kept) >= want:
                return kept[offset:offset + limit], True
    return kept[offset:offset + limit], False

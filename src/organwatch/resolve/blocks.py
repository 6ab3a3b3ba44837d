"""Deciding a block of local entities, apart from storing it: what can run anywhere (on a cluster worker).

:func:`plan_block` is the pure half of resolving a block: from its loaded local entities and the reviewers'
decisions it finds the clusters, drafts one entity per cluster and scores the near misses for review. What
needs the store stays with the one writer: making entity ids unique against the entities already stored,
writing the block, and the review neighbourhoods.

A large block (an incremental run resolves everything connected to the new documents as one block) is
split by :func:`split_block` into the parts nothing can join: parts connected neither by an exact name key,
a stated rename nor a reviewer's merge. Each part is planned alone and :func:`merge_plans` puts the parts
back in the order the whole block would list them, so the result is the same as planning it whole.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from organwatch.resolve.merge import (
    Entity,
    LocalEntity,
    ScoredMiss,
    cluster,
    draft_entity,
    exact_keys,
    score_misses,
)

Cannot = dict[str, set[str]]
Must = list[tuple[str, str]]


@dataclass
class BlockPlan:
    """What a block resolves to: clusters (indexes into the block, ascending, in order of their first member),
    one drafted entity per cluster (id not yet made unique), and the scored near misses in index order."""

    groups: list[list[int]]
    drafts: list[Entity]
    scored: list[ScoredMiss]


@dataclass
class Part:
    """A part of a block nothing outside it can join: its indexes in the block and the decisions that bear on it."""

    indexes: list[int]
    cannot: Cannot
    must: Must


def plan_block(locals_: list[LocalEntity], cannot: Cannot, must: Must) -> BlockPlan:
    """Clusters, drafted entities and scored near misses of one block (pure: no store, safe to run again)."""
    _, groups, misses = cluster(locals_, cannot, must)
    members = list(groups.values())
    drafts = [draft_entity([locals_[i] for i in group]) for group in members]
    return BlockPlan(members, drafts, score_misses(locals_, misses, cannot))


def split_block(locals_: list[LocalEntity], cannot: Cannot, must: Must) -> list[Part]:
    """The independent parts of a block, each with the decisions restricted to its names.

    Parts are joined exactly where :func:`~organwatch.resolve.merge.cluster` may union: a shared exact key,
    a stated rename inside a document, or a reviewer's merge between the first local entities of two names.
    A merge is handed only to the part holding those first local entities, as the whole block would apply it.
    """
    parent = list(range(len(locals_)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first_of_key: dict[str, int] = {}
    first_of_identity: dict[str, int] = {}
    by_local: dict[tuple[int, str], int] = {}
    for i, loc in enumerate(locals_):
        for key in exact_keys(loc):
            union(first_of_key.setdefault(key, i), i)
        first_of_identity.setdefault(loc.identity, i)
        first_of_identity.setdefault(loc.document_identity, i)
        by_local.setdefault((loc.document_id, loc.name), i)
    for i, loc in enumerate(locals_):
        for other in loc.renamed:
            partner = by_local.get((loc.document_id, other))
            if partner is not None:
                union(i, partner)
    must_of_root: dict[int, Must] = defaultdict(list)
    for a, b in must:
        if a in first_of_identity and b in first_of_identity:
            union(first_of_identity[a], first_of_identity[b])
    for a, b in must:
        if a in first_of_identity:  # the part where the whole block would apply it (or find no partner)
            must_of_root[find(first_of_identity[a])].append((a, b))
    parts: dict[int, list[int]] = defaultdict(list)
    for i in range(len(locals_)):
        parts[find(i)].append(i)
    found = []
    for root, indexes in parts.items():
        names = {key for i in indexes for key in (locals_[i].identity, locals_[i].document_identity)}
        restricted = {key: cannot[key] & names for key in names if key in cannot and cannot[key] & names}
        found.append(Part(indexes, restricted, must_of_root.get(root, [])))
    return found


def merge_plans(parts: list[Part], plans: list[BlockPlan], locals_: list[LocalEntity]) -> BlockPlan:
    """The plan of the whole block from the plans of its parts (indexes mapped back, whole-block order).

    Drafts coming back from a worker may carry no local entities (to spare the transfer): they get the
    block's own objects again.
    """
    groups: list[tuple[list[int], Entity]] = []
    scored: list[ScoredMiss] = []
    for part, plan in zip(parts, plans, strict=True):
        index = part.indexes
        for group, draft in zip(plan.groups, plan.drafts, strict=True):
            members = [index[i] for i in group]
            draft.locals = [locals_[i] for i in members]
            groups.append((members, draft))
        scored.extend((index[i], index[j], score, features) for i, j, score, features in plan.scored)
    groups.sort(key=lambda item: item[0][0])
    scored.sort(key=lambda item: (item[0], item[1]))
    return BlockPlan([g for g, _ in groups], [d for _, d in groups], scored)

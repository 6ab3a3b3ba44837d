"""The resolve stage of a case: extracted mentions → entities across documents, after the extract stage.

Per document (streamed, a batch per transaction) the stage groups mentions into local entities and reads
their relations and events, and stores them with their name keys. Then it resolves *blocks*: the local
entities connected by exact name keys, by current entities and by reviewers' merges. New documents only
re-resolve the blocks their keys touch; a full run (first run, another resolver version, or
``reprocess --stage resolve``) walks every block once, holding one batch of blocks in memory. Review
suggestions are recomputed for the neighbourhoods the resolved blocks sit in (in a full run, every
neighbourhood once all blocks are written, so they do not depend on how blocks fall into batches).
Reviewer decisions are read on every run (they are keyed on names), so they survive any re-run.

With a planner (:mod:`organwatch.distributed.resolve`) documents are read and blocks decided on a
cluster; this process still loads and writes them in the same order and transactions, so the result is
the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from organwatch.archive.log import utc_now
from organwatch.resolve.blocks import BlockPlan, plan_block
from organwatch.resolve.merge import (
    AUTO_MERGE,
    NEIGHBOURHOOD,
    RESOLVER_VERSION,
    REVIEW,
    DocumentIn,
    Entity,
    LocalEntity,
    Suggestion,
    decision_pairs,
    local_entities,
    mention_in,
    score_pair,
    suggestions_of,
    unique_entity,
)
from organwatch.resolve.relations import Relation, read_relations
from organwatch.resolve.timeline import EventReport, read_events
from organwatch.store import Store
from organwatch.store.base import EntitiesWriter

DOCUMENT_BATCH = 50  # documents per write transaction
BLOCK_BATCH = 5000  # local entities per write transaction when resolving blocks
SUGGEST_BATCH = 20_000  # review neighbourhoods per write transaction after a full run's blocks


@dataclass
class ResolveSummary:
    """Counts of one run of the resolve stage."""

    documents: int = 0
    locals: int = 0
    blocks: int = 0
    resolved: int = 0  # local entities whose block was resolved (all of them in a full run)
    entities: int = 0
    suggestions: int = 0
    full: bool = False


def _document_in(view: Any, document_id: int) -> DocumentIn | None:
    document = view.documents.get(document_id)
    if document is None or document.status != "ok" or not document.text:
        return None
    mentions = [mention_in(m) for m in view.mentions.mentions(document_id)]
    return DocumentIn(document.id, document.text, mentions, document.language,
                      (document.published or "")[:10] or None, document.title)


@dataclass
class DocumentReading:
    """What the stage reads from one document before storing it: local entities, relations and events
    (their actors named ``@i``, the i-th local entity, until the local ids are known)."""

    document_id: int
    locals: list[LocalEntity]
    relations: list[Relation]
    events: list[EventReport]


def read_document(doc: DocumentIn) -> DocumentReading:
    """The pure half of storing a document (runs anywhere, a cluster worker too; safe to run again)."""
    locals_ = local_entities(doc)
    relations = read_relations(doc, locals_)
    # Events name local entities for now; the block write maps them to entities.
    provisional = {loc.name: f"@{i}" for i, loc in enumerate(locals_) if loc.type in ("person", "organization")}
    return DocumentReading(doc.id, locals_, relations, read_events(doc, locals_, provisional))


def store_readings(writer: EntitiesWriter, readings: Iterable[DocumentReading]) -> tuple[set[int], set[str], int, int]:
    """Store documents' readings; return the seeds of re-resolution (new local ids, former entities) and how
    many documents and local entities were stored."""
    seeds: set[int] = set()
    former: set[str] = set()
    count = locals_count = 0
    at = utc_now()
    for reading in readings:
        ids, old = writer.replace_document(reading.document_id, reading.locals, reading.relations,
                                           RESOLVER_VERSION, at)
        by_index = {f"@{i}": str(local_id) for i, local_id in enumerate(ids)}
        for event in reading.events:
            event.actors = [by_index[a] for a in event.actors]
        if reading.events:
            writer.add_events(reading.document_id, reading.events)
        seeds.update(ids)
        former |= old
        count += 1
        locals_count += len(ids)
    return seeds, former, count, locals_count


def store_documents(writer: EntitiesWriter, documents: Iterable[DocumentIn]) -> tuple[set[int], set[str], int, int]:
    """Store the local entities, relations and events of documents; return the seeds of re-resolution
    (new local ids, former entities) and how many documents and local entities were stored."""
    return store_readings(writer, (read_document(doc) for doc in documents))


def resolve_documents(store: Store, document_ids: Iterable[int] | None = None, *, full: bool = False,
                      identities: Iterable[str] = (),
                      progress: Callable[[str, int], None] | None = None,
                      planner: Planner | None = None) -> ResolveSummary:
    """Run the stage: over ``document_ids`` (incremental), the documents not resolved by this resolver version
    (``None``), or every document again (``full``). ``identities`` names decision keys whose blocks must be
    resolved again (after a reviewer's merge or split). ``planner`` reads the documents and decides the
    blocks elsewhere (on a cluster, see :mod:`organwatch.distributed.resolve`); this process still loads and
    writes them, in the same order and transactions, so the result is the same."""
    summary = ResolveSummary(full=full)
    with store.writer() as writer:
        if full:
            writer.entities.reset_resolution()
        if document_ids is None or full:
            document_ids = writer.entities.unresolved_documents(RESOLVER_VERSION)
        decisions = writer.entities.decisions()
    cannot, must = decision_pairs(decisions)
    seeds: set[int] = set()
    former: set[str] = set()

    def stored(new: set[int], old: set[str], count: int, locals_count: int) -> None:
        if not full:
            seeds.update(new)
            former.update(old)
        summary.documents += count
        summary.locals += locals_count
        if progress:
            progress("documents", summary.documents)

    def loaded(batch: list[int]) -> list[DocumentIn]:
        with store.view() as view:
            return [d for d in (_document_in(view, i) for i in batch) if d is not None]

    if planner is None:
        for batch in _document_batches(document_ids):
            docs = loaded(batch)
            with store.writer() as writer:
                stored(*store_documents(writer.entities, docs))
    else:
        for readings in planner.documents(loaded(batch) for batch in _document_batches(document_ids)):
            with store.writer() as writer:
                stored(*store_readings(writer.entities, readings))
    identities = set(identities)
    if full:
        with store.view() as view:
            _resolve_blocks(store, view.entities.components(), cannot, must, summary, progress,
                            planner=planner)
    else:
        with store.writer() as writer:
            if identities:
                seeds.update(writer.entities.local_ids_of({i.split("@")[0] for i in identities}))
            closure = writer.entities.block_closure(seeds, former, must) if seeds or former else []
        if closure or former:
            _resolve_blocks(store, iter([closure]), cannot, must, summary, progress, former, planner)
    return summary


LoadedBlock = list[tuple[int, LocalEntity, str | None]]  # (local id, local entity, its entity last time)


class Planner(Protocol):
    """Does the stage's pure work elsewhere (a cluster), batch by batch, answering in order."""

    def documents(self, batches: Iterator[list[DocumentIn]]) -> Iterator[list[DocumentReading]]:
        """Each batch of loaded documents (pulled lazily, in order) read with :func:`read_document`."""

    def blocks(self, batches: Iterator[list[LoadedBlock]], cannot: dict[str, set[str]],
               must: list[tuple[str, str]]) -> Iterator[tuple[list[LoadedBlock], list[BlockPlan]]]:
        """Each batch of loaded blocks (pulled lazily, in order) with one plan per block."""


def _document_batches(document_ids: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for document_id in document_ids:
        batch.append(document_id)
        if len(batch) >= DOCUMENT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _batches(blocks: Iterator[list[int]], former: set[str]) -> Iterator[list[list[int]]]:
    """Blocks in write batches of about ``BLOCK_BATCH`` local entities (one empty batch if only former
    entities are left to drop)."""
    pending: list[list[int]] = []
    size = 0
    for block in blocks:
        pending.append(block)
        size += len(block)
        if size >= BLOCK_BATCH:
            yield pending
            pending, size = [], 0
    if pending or former:
        yield pending


def _resolve_blocks(store: Store, blocks: Iterator[list[int]], cannot: dict[str, set[str]],
                    must: list[tuple[str, str]], summary: ResolveSummary,
                    progress: Callable[[str, int], None] | None, former: set[str] | None = None,
                    planner: Planner | None = None) -> None:
    fuzzy_done: set[str] = set()
    former = set(former or ())

    def write(entities: EntitiesWriter, loaded: LoadedBlock, plan: BlockPlan) -> None:
        old = {entity for _, _, entity in loaded if entity} | former
        former.clear()
        made: set[str] = set()

        def taken(e: str, made: set[str] = made, old: set[str] = old) -> bool:
            return e in made or (e not in old and entities.entity_exists(e))

        members: list[tuple[int, LocalEntity, Entity]] = []
        entity_at: dict[int, str] = {}
        for group, draft in zip(plan.groups, plan.drafts, strict=True):
            entity = unique_entity(draft, taken)
            made.add(entity.id)
            for i in group:
                members.append((loaded[i][0], loaded[i][1], entity))
                entity_at[i] = entity.id
        entities.write_block(members, old, RESOLVER_VERSION)
        near = suggestions_of(plan.scored, entity_at.__getitem__)
        entities.write_suggestions(near)
        summary.suggestions += len(near)
        summary.blocks += 1
        summary.resolved += len(loaded)
        summary.entities += len(made)

    def finish(entities: EntitiesWriter, touched: list[int]) -> None:
        if summary.full:  # after every block: a neighbourhood spans blocks of any batch
            return
        keys = [k for k in entities.fuzzy_keys_of(touched) if k not in fuzzy_done]
        fuzzy_done.update(keys)
        summary.suggestions += _suggest(entities, keys, cannot)

    def finish_full() -> None:
        """A full run's review neighbourhoods, once every block is written. Done per batch, a neighbourhood
        met in an early batch would miss the names of later ones, not yet resolved. Keys are few (surname
        and initial, organisation words, place prefixes), so listing them all costs little."""
        if not summary.full:
            return
        with store.writer() as writer:
            keys = list(writer.entities.all_fuzzy_keys())
        for begin in range(0, len(keys), SUGGEST_BATCH):
            with store.writer() as writer:
                summary.suggestions += _suggest(writer.entities, keys[begin:begin + SUGGEST_BATCH], cannot)

    if planner is None:
        for batch in _batches(blocks, former):
            with store.writer() as writer:
                entities = writer.entities
                touched: list[int] = []
                for block in batch:
                    loaded = entities.load_locals(block)
                    write(entities, loaded, plan_block([loc for _, loc, _ in loaded], cannot, must))
                    touched.extend(block)
                finish(entities, touched)
            if progress:
                progress("blocks", summary.blocks)
        finish_full()
        return

    def loaded_batches() -> Iterator[list[LoadedBlock]]:
        for batch in _batches(blocks, former):
            with store.writer() as writer:  # a read: the writer's connection sees every block written so far
                loaded = [writer.entities.load_locals(block) for block in batch]
            yield loaded

    for loaded_batch, plans in planner.blocks(loaded_batches(), cannot, must):
        with store.writer() as writer:
            touched = []
            for loaded, plan in zip(loaded_batch, plans, strict=True):
                write(writer.entities, loaded, plan)
                touched.extend(local_id for local_id, _, _ in loaded)
            finish(writer.entities, touched)
        if progress:
            progress("blocks", summary.blocks)
    finish_full()


def _suggest(entities: EntitiesWriter, keys: list[str], cannot: dict[str, set[str]]) -> int:
    """Review candidates in the given neighbourhoods: each name against the next few in name order."""
    cache: dict[int, LocalEntity] = {}
    identities: dict[str, set[str]] = {}
    found: dict[tuple[str, str], Suggestion] = {}

    def local(local_id: int) -> LocalEntity:
        if local_id not in cache:
            cache[local_id] = entities.load_locals([local_id])[0][1]
        return cache[local_id]

    def apart(a: str, b: str) -> bool:
        for e in (a, b):
            if e not in identities:
                identities[e] = entities.identities_in(e)
        return any(cannot.get(x, set()) & identities[b] for x in identities[a])

    for key in keys:
        members = entities.fuzzy_block(key)
        for pos, (_, i, entity_i) in enumerate(members):
            for _, j, entity_j in members[pos + 1 : pos + 1 + NEIGHBOURHOOD]:
                if entity_i == entity_j:
                    continue
                a, b = sorted((entity_i, entity_j))
                li, lj = local(i), local(j)
                score, features = score_pair(li, lj)
                if score < REVIEW or (score >= AUTO_MERGE and not (li.partial or lj.partial)):
                    continue
                if apart(a, b):
                    continue
                if (a, b) not in found or found[(a, b)].score < score:
                    found[(a, b)] = Suggestion(a, b, score, features)
        if len(cache) > 20_000:
            cache.clear()
    entities.write_suggestions(list(found.values()))
    return len(found)

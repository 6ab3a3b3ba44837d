"""The resolve stage on a Dask cluster: documents read and blocks decided by workers.

Workers do the stage's pure work: reading each document's local entities, relations and events
(:func:`~organwatch.stages.resolve.read_document`, most of the stage's time) and deciding blocks
(:func:`~organwatch.resolve.blocks.plan_block`: clusters, drafted entities, scored near misses). This process
stays the one reader and writer: it loads each batch of documents or blocks, sends it out (documents in tasks
of ``DOCUMENTS_PER_TASK``; blocks split into the parts nothing can join, packed into tasks of about
``PARTITION_LOCALS`` local entities) and writes the answers back in order, in the same transactions as the
embedded run. A task reads and writes nothing, so a task lost with its worker is simply
run again (Dask reschedules it; ordinary failures are retried ``RETRIES`` times) and the result is the same
as the embedded run's.

While this process writes one batch, the workers already work on the next ``LOOKAHEAD`` batches (loading ahead
is safe: documents are read from tables the stage does not write, a full run's blocks are disjoint, an
incremental run has one block).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from organwatch.distributed.stages import RETRIES
from organwatch.resolve.blocks import BlockPlan, Part, merge_plans, plan_block, split_block
from organwatch.resolve.merge import DocumentIn, LocalEntity

if TYPE_CHECKING:
    from organwatch.stages.resolve import DocumentReading, LoadedBlock, ResolveSummary
    from organwatch.store import Store

PARTITION_LOCALS = 1000  # local entities per task: many small blocks share a task, a large one is split
DOCUMENTS_PER_TASK = 10  # documents per task: a write batch is spread over several workers
LOOKAHEAD = 2  # batches worked on ahead of the one being written (bounds memory on this side)
DOCUMENTS_LOOKAHEAD = 8  # the same for document batches (smaller: a few dozen documents each)

Task = list[tuple[list[LocalEntity], dict[str, set[str]], list[tuple[str, str]]]]


def read_documents(documents: list[DocumentIn]) -> list[DocumentReading]:
    """Read a partition of documents (runs on a worker; pure, so safe to retry)."""
    from organwatch.stages.resolve import read_document

    return [read_document(doc) for doc in documents]


def plan_parts(task: Task) -> list[BlockPlan]:
    """Plan each part of a task (runs on a worker; pure, so safe to retry). Drafts go back without their
    local entities: the writer has them."""
    plans = []
    for locals_, cannot, must in task:
        plan = plan_block(locals_, cannot, must)
        for draft in plan.drafts:
            draft.locals = []
        plans.append(plan)
    return plans


@dataclass
class ClusterPlanner:
    """A :class:`~organwatch.stages.resolve.Planner` that reads documents and decides blocks on a Dask cluster."""

    client: Any
    partition: int = PARTITION_LOCALS
    lookahead: int = LOOKAHEAD
    documents_per_task: int = DOCUMENTS_PER_TASK
    documents_lookahead: int = DOCUMENTS_LOOKAHEAD
    tasks: int = 0  # tasks submitted, for the caller's figures
    waiting_seconds: float = 0.0  # time this process waited for workers
    _window: deque[tuple[list[LoadedBlock], list[list[Part]], list[tuple[int, int, int]], list[Any]]] = field(
        default_factory=deque)

    def documents(self, batches: Iterator[list[DocumentIn]]) -> Iterator[list[DocumentReading]]:
        window: deque[list[Any]] = deque()

        def gather() -> list[DocumentReading]:
            futures = window.popleft()
            started = time.perf_counter()
            readings = [reading for future in futures for reading in future.result()]
            self.waiting_seconds += time.perf_counter() - started
            return readings

        for batch in batches:
            parts = [batch[i:i + self.documents_per_task] for i in range(0, len(batch), self.documents_per_task)]
            window.append([self.client.submit(read_documents, part, retries=RETRIES, pure=False) for part in parts])
            self.tasks += len(parts)
            if len(window) > self.documents_lookahead:
                yield gather()
        while window:
            yield gather()

    def blocks(self, batches: Iterator[list[LoadedBlock]], cannot: dict[str, set[str]],
               must: list[tuple[str, str]]) -> Iterator[tuple[list[LoadedBlock], list[BlockPlan]]]:
        for loaded_batch in batches:
            self._submit(loaded_batch, cannot, must)
            if len(self._window) > self.lookahead:
                yield self._gather()
        while self._window:
            yield self._gather()

    def _submit(self, loaded_batch: list[LoadedBlock], cannot: dict[str, set[str]],
                must: list[tuple[str, str]]) -> None:
        splits: list[list[Part]] = []
        where: list[tuple[int, int, int]] = []  # per part, in block order: (block, task, position in task)
        tasks: list[Task] = []
        task: Task = []
        size = 0
        for block_index, loaded in enumerate(loaded_batch):
            locals_ = [loc for _, loc, _ in loaded]
            parts = split_block(locals_, cannot, must)
            splits.append(parts)
            for part in parts:
                if task and size + len(part.indexes) > self.partition:
                    tasks.append(task)
                    task, size = [], 0
                where.append((block_index, len(tasks), len(task)))
                task.append(([locals_[i] for i in part.indexes], part.cannot, part.must))
                size += len(part.indexes)
        if task:
            tasks.append(task)
        futures = [self.client.submit(plan_parts, t, retries=RETRIES, pure=False) for t in tasks]
        self.tasks += len(futures)
        self._window.append((loaded_batch, splits, where, futures))

    def _gather(self) -> tuple[list[LoadedBlock], list[BlockPlan]]:
        loaded_batch, splits, where, futures = self._window.popleft()
        started = time.perf_counter()
        results = [future.result() for future in futures]
        self.waiting_seconds += time.perf_counter() - started
        part_plans: list[list[BlockPlan]] = [[] for _ in loaded_batch]
        for block_index, task_index, position in where:
            part_plans[block_index].append(results[task_index][position])
        plans = [merge_plans(parts, part_plans[b], [loc for _, loc, _ in loaded_batch[b]])
                 for b, parts in enumerate(splits)]
        return loaded_batch, plans


def resolve_on_cluster(store: Store, client: Any, document_ids: Iterable[int] | None = None, *,
                       full: bool = False, partition: int = PARTITION_LOCALS) -> ResolveSummary:
    """The resolve stage with its blocks decided on the cluster (arguments as
    :func:`~organwatch.stages.resolve.resolve_documents`)."""
    from organwatch.stages.resolve import resolve_documents

    return resolve_documents(store, document_ids, full=full, planner=ClusterPlanner(client, partition))

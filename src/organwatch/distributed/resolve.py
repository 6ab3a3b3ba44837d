"""The resolve stage's blocking on a Dask cluster.

Workers decide blocks (:func:`~organwatch.resolve.blocks.plan_block`: clusters, drafted entities, scored near
misses), which is where resolution spends its time comparing names. This process stays the one reader and
writer: it loads each batch of blocks, splits every block into the parts nothing can join, packs parts into
tasks of about ``PARTITION_LOCALS`` local entities, and writes the plans back in block order, in the same
transactions as the embedded run. A task reads and writes nothing, so a task lost with its worker is simply
run again (Dask reschedules it; ordinary failures are retried ``RETRIES`` times) and the result is the same
as the embedded run's.

While this process writes one batch, the workers already decide the next ``LOOKAHEAD`` batches (loading ahead
is safe: a full run's blocks are disjoint, an incremental run has one block).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from organwatch.distributed.stages import RETRIES
from organwatch.resolve.blocks import BlockPlan, Part, merge_plans, plan_block, split_block
from organwatch.resolve.merge import LocalEntity

if TYPE_CHECKING:
    from organwatch.stages.resolve import LoadedBlock, ResolveSummary
    from organwatch.store import Store

PARTITION_LOCALS = 1000  # local entities per task: many small blocks share a task, a large one is split
LOOKAHEAD = 2  # batches decided ahead of the one being written (bounds memory on this side)

Task = list[tuple[list[LocalEntity], dict[str, set[str]], list[tuple[str, str]]]]


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
    """A :data:`~organwatch.stages.resolve.BlockPlanner` that decides blocks on a Dask cluster."""

    client: Any
    partition: int = PARTITION_LOCALS
    lookahead: int = LOOKAHEAD
    tasks: int = 0  # tasks submitted, for the caller's figures
    waiting_seconds: float = 0.0  # time this process waited for workers
    _window: deque[tuple[list[LoadedBlock], list[list[Part]], list[tuple[int, int, int]], list[Any]]] = field(
        default_factory=deque)

    def __call__(self, batches: Iterator[list[LoadedBlock]], cannot: dict[str, set[str]],
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

"""Worker processes for the stages: read, extract and index in parallel, write in one process.

Reading text (trafilatura, pypdf), extracting mentions and computing index entries are pure CPU work on
bytes and text; storing is not. :func:`ordered_map` runs the pure part over a pool of processes and
hands the results back in input order, so the caller stays the one writer (SQLite allows one) and the
order of writes — hence document ids and duplicate links — is the same whatever the number of workers.

Workers are forked, so they start with every module the parent has imported (no second start-up of
the readers and models). At most ``window`` inputs are in flight: memory stays bounded however many
inputs there are. A worker that dies (out of memory, a crash in a C library) fails the one input that
kills a worker when run alone; the pool is restarted for the rest.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from organwatch import settings
from organwatch.errors import OrganWatchError

In = TypeVar("In")
Out = TypeVar("Out")

WINDOW_PER_WORKER = 4


class WorkerDiedError(OrganWatchError):
    """A worker process ended without a result for this input."""


def default_jobs() -> int:
    """``ORGANWATCH_JOBS``, else the number of cores this process may use."""
    configured: int | None = settings.get("ORGANWATCH_JOBS")
    if configured:
        return configured
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def ordered_map(fn: Callable[[In], Out], items: Iterable[In], jobs: int | None = None,
                on_died: Callable[[In, WorkerDiedError], Out] | None = None) -> Iterator[Out]:
    """``fn`` over ``items`` on ``jobs`` processes (None: :func:`default_jobs`), results in input order.

    ``fn`` must be a module-level function and never raise for bad input (return the failure instead).
    With one job, or fewer than two items, everything runs here. ``on_died(item, error)`` makes the
    result of an input whose worker died; without it the :class:`WorkerDiedError` is raised.
    """
    workers = default_jobs() if jobs is None else max(1, jobs)
    source = iter(items)
    first: list[In] = []
    for item in source:
        first.append(item)
        if len(first) == 2:
            break
    if workers == 1 or len(first) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for item in first:
            yield fn(item)
        for item in source:
            yield fn(item)
        return
    yield from _pooled(fn, _chain(first, source), workers, on_died)


def _chain(first: list[In], rest: Iterator[In]) -> Iterator[In]:
    yield from first
    yield from rest


def _pooled(fn: Callable[[In], Out], items: Iterator[In], workers: int,
            on_died: Callable[[In, WorkerDiedError], Out] | None) -> Iterator[Out]:
    context = multiprocessing.get_context("fork")
    window = workers * WINDOW_PER_WORKER
    pending: deque[tuple[In, Future[Out]]] = deque()
    executor = ProcessPoolExecutor(workers, mp_context=context)
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                item = next(items, _END)
                if item is _END:
                    exhausted = True
                    break
                pending.append((item, _submit(executor, fn, item)))  # type: ignore[arg-type]
            if not pending:
                return
            item, future = pending.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                # The pool is gone and any input in flight may have killed it: run the oldest alone in a
                # fresh pool; if that dies too it is the culprit. Then resubmit the others.
                executor.shutdown(wait=False, cancel_futures=True)
                executor = ProcessPoolExecutor(workers, mp_context=context)
                try:
                    result = _submit(executor, fn, item).result()
                except BrokenProcessPool as exc:
                    executor.shutdown(wait=False, cancel_futures=True)
                    executor = ProcessPoolExecutor(workers, mp_context=context)
                    died = WorkerDiedError(f"a worker process died while reading this input ({exc})")
                    if on_died is None:
                        raise died from None
                    result = on_died(item, died)
                pending = deque((other, _submit(executor, fn, other)) for other, _ in pending)
            yield result
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _submit(executor: ProcessPoolExecutor, fn: Callable[[In], Out], item: In) -> Future[Out]:
    """Submit, or hand back the failure of a pool that broke meanwhile (a worker just died)."""
    try:
        return executor.submit(fn, item)
    except BrokenProcessPool as exc:
        failed: Future[Out] = Future()
        failed.set_exception(exc)
        return failed


_END = object()

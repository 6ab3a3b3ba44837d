"""The text and extract stages on a Dask cluster.

Workers do what costs: read each capture's blob into documents (:func:`~organwatch.stages.text.read_capture`)
and extract mentions and quotes from them (both in :func:`~organwatch.stages.text.read_capture`). A
task touches no store and writes nothing, so a task lost with its worker is simply run again (Dask
reschedules it; ordinary failures are retried ``RETRIES`` times). This process receives the results
and writes them through the store in capture order, exactly as the embedded run would: the same
document ids, duplicate links and index. Writing the same capture twice replaces, never duplicates
(documents are keyed by capture and locator, mentions replaced per document).
The resolve stage that follows decides its blocks on the same cluster (:mod:`.resolve`).

Workers read blobs by path: on a real cluster the case's blobs must be on storage they all mount
(``organwatch init --blobs /shared/blobs``). ``local:N`` starts N worker processes on this machine.
"""

from __future__ import annotations

import dataclasses
import importlib
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from organwatch.errors import OrganWatchError

if TYPE_CHECKING:
    from organwatch.archive.captures import AddResult, AddSummary, CaptureMetadata
    from organwatch.case import Case
    from organwatch.stages.extract import ExtractResult
    from organwatch.stages.text import CaptureJob, CaptureWork, TextResult

PARTITION = 16  # captures per task: large enough to amortise scheduling, small enough to balance
IN_FLIGHT = 4  # partitions per worker queued ahead of the writer (bounds memory on this side)
RETRIES = 2


class ClusterError(OrganWatchError):
    """The cluster cannot be reached or used (the message says which address and what to do)."""


def work_partition(jobs: Sequence[CaptureJob]) -> list[CaptureWork]:
    """Read, index and extract a partition of captures (runs on a worker; pure, so safe to retry)."""
    from organwatch.stages.text import read_capture

    return [read_capture(job) for job in jobs]


@contextmanager
def connect(address: str) -> Iterator[Any]:
    """A Dask client for ``tcp://host:port`` (a running scheduler) or ``local:N`` (N local worker processes)."""
    try:
        dask_distributed: Any = importlib.import_module("distributed")  # untyped: used through Any
    except ImportError as exc:
        raise ClusterError("--cluster needs Dask: pip install 'organwatch[cluster]'") from exc
    Client, LocalCluster = dask_distributed.Client, dask_distributed.LocalCluster  # noqa: N806
    if address.startswith("local:"):
        try:
            workers = int(address.split(":", 1)[1])
        except ValueError:
            workers = 0
        if workers < 1:
            raise ClusterError(f"--cluster {address!r}: write local:N with N worker processes, e.g. local:4")
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    if not address.startswith(("tcp://", "tls://")):
        raise ClusterError(f"--cluster {address!r}: give a scheduler address (tcp://host:8786) or local:N")
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} ({exc}); start it with "
                           "`dask scheduler` and workers with `dask worker {address}`") from None
    try:
        yield client
    finally:
        client.close()


def _partitions(jobs: Iterable[CaptureJob], size: int) -> Iterator[list[CaptureJob]]:
    part: list[CaptureJob] = []
    for job in jobs:
        part.append(job)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


@dataclasses.dataclass
class ClusterRun:
    """Where a cluster run's time went on this side: waiting for workers, and writing (the one writer)."""

    captures: int = 0
    waiting_seconds: float = 0.0
    writing_seconds: float = 0.0


def process_on_cluster(case: Case, capture_ids: Sequence[str], client: Any, *, extract: bool = True,
                       on_text: Callable[[TextResult], None] | None = None,
                       on_extract: Callable[[ExtractResult], None] | None = None,
                       partition: int = PARTITION) -> ClusterRun:
    """Run the text (and extract) stage of ``capture_ids`` on the cluster; store the results in order."""
    from organwatch.stages.text import TextSummary

    stage = case.text_stage(then_extract=extract, on_extract=on_extract)
    summary = TextSummary()
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    window: deque[Any] = deque()
    parts = _partitions(stage.plan(capture_ids, summary, on_text), partition)

    def submit_next() -> bool:
        part = next(parts, None)
        if part is None:
            return False
        window.append(client.submit(work_partition, part, retries=RETRIES, pure=False))
        return True

    while len(window) < IN_FLIGHT * workers and submit_next():
        pass
    run = ClusterRun()
    while window:
        future = window.popleft()
        submit_next()
        started = time.perf_counter()
        results = future.result()
        run.waiting_seconds += time.perf_counter() - started
        started = time.perf_counter()
        for work in results:  # in submission order: the same ids as an embedded run
            run.captures += 1
            stage.count(summary, stage.store_work(work), on_text)
        run.writing_seconds += time.perf_counter() - started
    if extract and capture_ids:
        with case.store.view() as view:
            document_ids = view.documents.ids(status="ok", capture_ids=list(capture_ids))
        if document_ids:  # what Case.after_extract does, with the resolve stage's blocks on the cluster too
            from organwatch.distributed.resolve import resolve_on_cluster

            resolve_on_cluster(case.store, client, document_ids)
            case.derive_claims(document_ids)
    return run


def add_on_cluster(case: Case, paths: Iterable[str | Path], meta: CaptureMetadata | None, address: str, *,
                   on_result: Callable[[AddResult], None] | None = None, extract: bool = True,
                   on_text: Callable[[TextResult], None] | None = None,
                   on_extract: Callable[[ExtractResult], None] | None = None,
                   batch_size: int | None = None) -> AddSummary:
    """Archive ``paths`` here (the one writer of the log), then read and extract them on the cluster.

    Each committed batch of captures is sent to the cluster as soon as it is logged.
    """
    with connect(address) as client:
        def after_commit(results: list[AddResult]) -> None:
            ids = [r.capture_id for r in results if r.capture_id]
            process_on_cluster(case, ids, client, extract=extract, on_text=on_text, on_extract=on_extract)

        summary = case.archive.add(paths, meta, on_result=on_result, batch_size=batch_size,
                                   after_commit=after_commit)
        with case.store.view() as view:  # left by an interrupted run (or recovered just now): read them now
            unread = [item.ref for item in view.pending.items("text")]
        if unread:
            process_on_cluster(case, unread, client, extract=extract, on_text=on_text, on_extract=on_extract)
        return summary

"""The text and extract stages on a Dask cluster.

Workers do what costs: read each capture's blob into documents (:func:`~organwatch.stages.text.read_capture`)
and extract mentions and quotes from them (:func:`~organwatch.stages.extract.extract_document`). A
task touches no store and writes nothing, so a task lost with its worker is simply run again (Dask
reschedules it; ordinary failures are retried ``RETRIES`` times). This process receives the results
and writes them through the store in capture order, exactly as the embedded run would: the same
document ids, duplicate links and index. Writing the same capture twice replaces, never duplicates
(documents are keyed by capture and locator, mentions replaced per document).

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
from organwatch.model import Capture, StoredMention, StoredQuote
from organwatch.store.records import ExtractRun

if TYPE_CHECKING:
    from organwatch.archive.captures import AddResult, AddSummary, CaptureMetadata
    from organwatch.case import Case
    from organwatch.stages.extract import ExtractResult
    from organwatch.stages.text import ReadOutcome, TextResult
    from organwatch.store import Writer
    from organwatch.store.records import SearchEntry
    from organwatch.text import ExtractedDocument, TextOptions

PARTITION = 16  # captures per task: large enough to amortise scheduling, small enough to balance
IN_FLIGHT = 4  # partitions per worker queued ahead of the writer (bounds memory on this side)
RETRIES = 2
Extracted = tuple[list[StoredMention], list[StoredQuote], ExtractRun] | None


class ClusterError(OrganWatchError):
    """The cluster cannot be reached or used (the message says which address and what to do)."""


@dataclasses.dataclass(frozen=True)
class CaptureWork:
    """What a worker needs to read one capture: the capture and where its blob is."""

    capture: Capture
    path: str


@dataclasses.dataclass(frozen=True)
class CaptureDone:
    """A worker's result for one capture: its documents and, per document, the extraction."""

    capture_id: str
    outcome: ReadOutcome
    extracted: list[Extracted]
    entries: list[SearchEntry | None] = dataclasses.field(default_factory=list)


def work_partition(items: Sequence[CaptureWork], options: TextOptions, extract: bool) -> list[CaptureDone]:
    """Read and extract a partition of captures (runs on a worker; pure, so safe to retry)."""
    from organwatch.search import index_entry
    from organwatch.stages.extract import extract_document
    from organwatch.stages.text import read_capture

    done = []
    for item in items:
        outcome = read_capture(item.capture, Path(item.path), options)
        extracted = [extract_document(0, document) if extract else None for document, _ in outcome.documents]
        # The search entry (jieba segmentation, pinyin) is the costly part of indexing: made here too.
        entries = [index_entry(document.text, document.title) if document.status == "ok" else None
                   for document, _ in outcome.documents]
        done.append(CaptureDone(item.capture.id, outcome, extracted, entries))
    return done


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
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
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


def _partitions(captures: Iterable[CaptureWork], size: int) -> Iterator[list[CaptureWork]]:
    part: list[CaptureWork] = []
    for item in captures:
        part.append(item)
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
    from organwatch.search import remove_document
    from organwatch.stages.extract import ExtractResult
    from organwatch.stages.text import TextStage

    ready: dict[int, SearchEntry | None] = {}  # id() of a received document -> its search entry

    def keep_index(writer: Writer, document_id: int, doc: ExtractedDocument | None) -> None:
        entry = ready.get(id(doc)) if doc is not None else None
        if entry is None:
            remove_document(writer, document_id)
        else:
            writer.search.put(document_id, entry)

    stage = TextStage(case.store, case.blobs, index_hook=keep_index)
    options = stage.options

    def work() -> Iterator[CaptureWork]:
        for capture_id in capture_ids:
            with case.store.view() as view:
                capture = view.archive.capture(capture_id)
            if capture is not None:
                yield CaptureWork(capture, str(case.blobs.path(capture_id)))

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    window: deque[Any] = deque()
    parts = _partitions(work(), partition)
    captures: dict[str, Capture] = {}

    def submit_next() -> bool:
        part = next(parts, None)
        if part is None:
            return False
        captures.update((item.capture.id, item.capture) for item in part)
        window.append(client.submit(work_partition, part, options, extract, retries=RETRIES, pure=False))
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
        for done in results:  # in submission order: the same ids as an embedded run
            run.captures += 1
            ready.clear()
            ready.update((id(doc), entry) for (_, doc), entry in zip(done.outcome.documents, done.entries,
                                                                      strict=True))
            result = stage.store_read(captures.pop(done.capture_id), done.outcome)
            if on_text is not None:
                on_text(result)
            if not extract:
                continue
            with case.store.view() as view:
                ids = view.documents.ids(status="ok", capture_ids=[done.capture_id])
                by_locator = {d.locator: d.id for d in (view.documents.get(i) for i in ids) if d is not None}
            for (document, _), found in zip(done.outcome.documents, done.extracted, strict=True):
                document_id = by_locator.get(document.locator)
                if found is None or document_id is None:
                    continue
                mentions, quotes, extract_run = found
                mentions = [dataclasses.replace(m, document_id=document_id) for m in mentions]
                quotes = [dataclasses.replace(q, document_id=document_id) for q in quotes]
                extract_run = dataclasses.replace(extract_run, document_id=document_id)
                with case.store.writer() as writer:
                    writer.mentions.replace(document_id, mentions, quotes, extract_run)
                if on_extract is not None:
                    on_extract(ExtractResult(document_id, len(mentions), len(quotes), extract_run.warnings))
        run.writing_seconds += time.perf_counter() - started
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

        seen: list[str] = []

        def note(result: AddResult) -> None:
            if result.status in ("present", "observed") and result.capture_id:
                seen.append(result.capture_id)
            if on_result is not None:
                on_result(result)

        summary = case.archive.add(paths, meta, on_result=note, batch_size=batch_size, after_commit=after_commit)
        unread = case.unread_captures(seen)  # archived by an interrupted run, never read: read them now
        if unread:
            process_on_cluster(case, unread, client, extract=extract, on_text=on_text, on_extract=on_extract)
        return summary

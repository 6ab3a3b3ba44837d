"""The text stage of a case: captures → documents (text, metadata, language), duplicates linked.

For each capture, :func:`organwatch.text.extract_documents` reads the original bytes (never a
copy) and yields one document per file, or one per HTML/PDF record of a WARC. Documents are
upserted by ``(capture, locator)`` so their ids survive re-processing; a capture that cannot be
read gets one ``failed`` document row with the reason, and ``reprocess --failed-only`` retries it.
Each new document is compared with earlier ones (MinHash LSH, band keys kept in the database) and
syndicated copies and repeated paragraphs are linked in ``document_links``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from organwatch.archive.blobs import BlobStore
from organwatch.archive.log import utc_now
from organwatch.errors import UnknownCaptureError
from organwatch.model import Capture, Document, DocumentLink
from organwatch.stages.extract import Extraction, ExtractResult, ExtractSummary, compute_extraction, store_extraction
from organwatch.stages.extract import count as extract_count
from organwatch.stages.pool import ordered_map
from organwatch.store import Store, Writer
from organwatch.store.errors import StoreUnavailableError
from organwatch.store.records import ParagraphHash, SearchEntry
from organwatch.text import ExtractedDocument, TextExtractionError, TextOptions, extract_documents
from organwatch.text.dedupe import MinHashLSH, fingerprint, fold_text, is_empty, similarity

NEAR_DUPLICATE = 0.8  # estimated Jaccard similarity of 5-character shingles
PARAGRAPH_MIN_CHARS = 80  # folded characters: shorter repeated lines are mostly boilerplate
METHOD = "minhash-5shingle-128"
_BANDING = MinHashLSH[int](threshold=NEAR_DUPLICATE)
# Media that hold no text we can read yet (OCR and archive unpacking are later stages).
NO_TEXT_PREFIXES = ("image/", "audio/", "video/")
NO_TEXT_TYPES = frozenset({"application/zip", "application/gzip", "application/x-7z-compressed", "application/vnd.rar",
                           "application/x-bzip2", "application/x-xz", "application/zstd", "application/x-empty",
                           "application/vnd.sqlite3", "application/wacz"})

#: Web archives: reading no document from one is not a failure (it may hold only data or revisits).
WEB_ARCHIVE_TYPES = frozenset({"application/warc", "application/x-internet-archive"})


@dataclass(frozen=True)
class TextResult:
    """What the text stage did with one capture."""

    capture_id: str
    documents: int
    failed: bool
    reason: str | None = None
    duplicates: int = 0
    skipped: bool = False


@dataclass
class TextSummary:
    """Counts of one run of the text stage."""

    captures: int = 0
    documents: int = 0
    failed: int = 0
    skipped: int = 0
    links: int = 0
    failures: list[TextResult] = field(default_factory=list)


def _document(capture_id: str, doc: ExtractedDocument, fallback_url: str | None, captured_at: str) -> Document:
    return Document(
        0, capture_id, doc.locator or "", "failed" if doc.error else "ok", doc.error, doc.media_type, doc.title,
        doc.author, doc.outlet,
        doc.published, doc.canonical_url, doc.source_url or fallback_url, doc.captured_at or captured_at,
        doc.encoding, doc.encoding_method, doc.language, doc.mixed_language, doc.text,
        tuple(doc.paragraphs), tuple(doc.pages), tuple(doc.warnings), doc.extractor, doc.extractor_version,
        doc.pipeline_version, utc_now())


def _link_duplicates(writer: Writer, document_id: int, doc: ExtractedDocument) -> int:
    """Store the document's signature and band keys; link it to earlier near-duplicates. Returns links."""
    links = 0
    documents = writer.documents
    digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    for other in documents.same_text(digest, document_id):
        documents.add_link(DocumentLink(0, "duplicate", other, document_id, 1.0, None, None, None, None,
                                        "sha256 of text"))
        links += 1
    signature = fingerprint(doc.text)
    if not is_empty(signature):
        keys = _BANDING.band_keys(signature)
        candidates = documents.band_candidates(keys)
        documents.add_signature(document_id, signature.tobytes(), keys)
        for other in sorted(candidates - {document_id}):
            stored = documents.signature(other)
            if stored is None or stored.text_sha256 == digest:
                continue  # identical texts are linked above
            score = similarity(signature, np.frombuffer(stored.signature, dtype=np.uint32))
            if score >= NEAR_DUPLICATE:
                documents.add_link(DocumentLink(0, "near-duplicate", other, document_id, score, None, None, None,
                                                None, METHOD))
                links += 1
    links += _link_paragraphs(writer, document_id, doc)
    return links


def _link_paragraphs(writer: Writer, document_id: int, doc: ExtractedDocument) -> int:
    links = 0
    documents = writer.documents
    seen_here: dict[bytes, tuple[int, int]] = {}
    for start, end, _language in doc.paragraphs:
        folded = fold_text(doc.text[start:end])
        if len(folded) < PARAGRAPH_MIN_CHARS:
            continue
        key = hashlib.blake2b(folded.encode("utf-8"), digest_size=16).digest()
        for earlier in documents.repeated_paragraphs(key, document_id, 50):
            documents.add_link(DocumentLink(0, "paragraph", earlier.document_id, document_id, 1.0, earlier.start,
                                            earlier.end, start, end, "folded paragraph hash"))
            links += 1
        if key in seen_here:  # the same paragraph twice in one document
            first = seen_here[key]
            documents.add_link(DocumentLink(0, "paragraph", document_id, document_id, 1.0, first[0], first[1], start,
                                            end, "folded paragraph hash"))
            links += 1
        seen_here.setdefault(key, (start, end))
        documents.add_paragraph(ParagraphHash(key, document_id, start, end))
    return links


def read_from_web_archive(capture: Capture) -> str | None:
    """The WARC (or ARC) capture whose text stage reads this capture's page, or None.

    A record split out of a plain WARC is read where it lies, once, as a ``warc:offset=`` document of the
    WARC (when the WARC has been read): reading the split-out copy too would store and index the same
    page twice. A record that was
    also added on its own (another sighting), or that came out of a WACZ (whose WARCs are not read in
    place), is read as itself.
    """
    sources: set[str] = set()
    for observation in capture.observations:
        origin = (observation.extra or {}).get("imported_from")
        if not isinstance(origin, dict) or origin.get("member") is not None or not origin.get("capture"):
            return None
        sources.add(str(origin["capture"]))
    return min(sources) if sources else None


IndexHook = Callable[[Writer, int, ExtractedDocument | None], None]


@dataclass(frozen=True)
class CaptureJob:
    """One capture for a worker: where its bytes are and what to compute (no store access needed)."""

    capture_id: str
    path: str
    media_type: str
    original_name: str | None
    source_url: str | None
    captured_at: str
    options: TextOptions
    index: bool
    extract: bool
    #: Why the capture is not read at all (no text in this media type, read from its web archive).
    skip: str | None = None


@dataclass(frozen=True)
class ReadDocument:
    """One document read by a worker, with its index entry and extraction when asked for."""

    document: Document
    doc: ExtractedDocument
    entry: SearchEntry | None
    extraction: Extraction | None


@dataclass(frozen=True)
class CaptureWork:
    """What a worker read from one capture: its documents, and why reading stopped early if it did."""

    job: CaptureJob
    documents: tuple[ReadDocument, ...]
    reason: str | None


def read_capture(job: CaptureJob) -> CaptureWork:
    """Read one capture's documents, index them and extract from them: the CPU work of the stages.

    Runs in a worker process; never raises (a failure is the ``reason``). A damaged WARC yields its
    good records before failing: they are kept beside the reason.
    """
    if job.skip is not None:
        return CaptureWork(job, (), None)
    documents: list[ReadDocument] = []
    reason = None
    try:
        for doc in extract_documents(Path(job.path), job.media_type, job.original_name, job.options,
                                     source_url=job.source_url):
            document = _document(job.capture_id, doc, job.source_url, job.captured_at)
            documents.append(_derive(document, doc, job))
    except TextExtractionError as exc:
        reason = str(exc)
    except Exception as exc:  # a reader bug must not stop a batch
        reason = f"unexpected error in the text stage ({type(exc).__name__}: {exc})"
    return CaptureWork(job, tuple(documents), reason)


def _derive(document: Document, doc: ExtractedDocument, job: CaptureJob) -> ReadDocument:
    entry = extraction = None
    if document.status == "ok":
        if job.index:
            from organwatch.search.index import index_entry

            entry = index_entry(document.text, document.title)
        if job.extract and document.text:
            extraction = compute_extraction(document.text, document.language, document.published,
                                            document.captured_at)
    return ReadDocument(document, doc, entry, extraction)


def _died(job: CaptureJob, error: Exception) -> CaptureWork:
    return CaptureWork(job, (), str(error))


class TextStage:
    """Runs the text stage over captures (their bytes in ``blobs``, their index in ``store``).

    With ``index=True`` the stage keeps the full-text index in step itself, inside the same write as
    the documents; ``index_hook`` is the older way (called in the write, per document). Reading,
    indexing and (with ``then_extract``) extraction run over ``jobs`` worker processes (default
    ``ORGANWATCH_JOBS`` or the number of cores); this process alone writes.
    """

    def __init__(self, store: Store, blobs: BlobStore, options: TextOptions | None = None,
                 index_hook: IndexHook | None = None, *, then_extract: bool = False, index: bool = False,
                 jobs: int | None = None, on_extract: Callable[[ExtractResult], None] | None = None) -> None:
        self.store = store
        self.blobs = blobs
        self.options = options or TextOptions()
        self.index_hook = index_hook
        self.index = index
        #: Extract mentions from each new ``ok`` document in the same pass; until that is stored the
        #: document is marked as awaiting extraction (in the write that stores it), so an interrupted run
        #: leaves a record of what is left to extract.
        self.then_extract = then_extract
        self.jobs = jobs
        self.on_extract = on_extract
        self.extract_summary = ExtractSummary()

    def process(self, capture_ids: Iterable[str],
                on_result: Callable[[TextResult], None] | None = None) -> TextSummary:
        """Extract and store the documents of each capture (replacing what an earlier run stored)."""
        summary = TextSummary()
        for work in ordered_map(read_capture, self.plan(capture_ids, summary, on_result), self.jobs, _died):
            self._count(summary, self.store_work(work), on_result)
        return summary

    def plan(self, capture_ids: Iterable[str], summary: TextSummary,
             on_result: Callable[[TextResult], None] | None = None) -> Iterator[CaptureJob]:
        """The jobs for :func:`read_capture` (which may run anywhere: a worker process or machine); a
        capture that cannot be planned is recorded as failed in ``summary`` and skipped."""
        return self._jobs(capture_ids, summary, on_result)

    def store_work(self, work: CaptureWork) -> TextResult:
        """Store what :func:`read_capture` found for one capture (a failure to store is recorded too)."""
        try:
            return self._write(work)
        except StoreUnavailableError:  # the store is gone: nothing more can be stored, stop here
            raise
        except Exception as exc:  # a bug or bad row in one capture must not stop the batch
            return self._record_failure(work.job.capture_id, f"unexpected error in the text stage "
                                        f"({type(exc).__name__}: {str(exc)[:200]})")

    def count(self, summary: TextSummary, result: TextResult,
              on_result: Callable[[TextResult], None] | None = None) -> None:
        """Add one capture's result to ``summary`` (and report it)."""
        self._count(summary, result, on_result)

    def _count(self, summary: TextSummary, result: TextResult,
               on_result: Callable[[TextResult], None] | None) -> None:
        summary.captures += 1
        summary.documents += result.documents
        summary.links += result.duplicates
        summary.skipped += int(result.skipped)
        if result.failed:
            summary.failed += 1
            if len(summary.failures) < 10_000:
                summary.failures.append(result)
        if on_result is not None:
            on_result(result)

    def _jobs(self, capture_ids: Iterable[str], summary: TextSummary,
              on_result: Callable[[TextResult], None] | None) -> Iterator[CaptureJob]:
        for capture_id in capture_ids:
            try:
                yield self._job(capture_id)
            except StoreUnavailableError:  # the store is gone: nothing more can be stored, stop here
                raise
            except Exception as exc:  # an unknown capture, a bad row: recorded, and the batch goes on
                self._count(summary, self._record_failure(capture_id, str(exc) if isinstance(
                    exc, UnknownCaptureError) else f"unexpected error in the text stage ({type(exc).__name__}: "
                    f"{str(exc)[:200]})"), on_result)

    def _job(self, capture_id: str) -> CaptureJob:
        with self.store.view() as view:
            capture = view.archive.capture(capture_id)
        if capture is None:
            raise UnknownCaptureError(f"no capture {capture_id!r} in this case")
        first = capture.observations[0]
        skip = None
        if capture.media_type.startswith(NO_TEXT_PREFIXES) or capture.media_type in NO_TEXT_TYPES:
            skip = f"no text to read in {capture.media_type}"
        elif (archive := read_from_web_archive(capture)) is not None and self._has_documents(archive):
            skip = f"read once, from the web archive {archive[:12]}"
        return CaptureJob(capture.id, str(self.blobs.path(capture.id)), capture.media_type, first.original_name,
                          first.source_url, capture.captured_at, self.options, self.index, self.then_extract,
                          skip)

    def _has_documents(self, capture_id: str) -> bool:
        """True once the text stage has read the capture (a web archive added without text was not)."""
        with self.store.view() as view:
            return bool(view.documents.ids(capture_ids=[capture_id]))

    def _write(self, work: CaptureWork) -> TextResult:
        job = work.job
        if job.skip is not None:
            with self.store.writer() as writer:
                if not job.skip.startswith("no text"):
                    self._drop_others(writer, job.capture_id, [])
                writer.pending.done("text", [job.capture_id])
            return TextResult(job.capture_id, 0, False, job.skip, skipped=True)
        reason = work.reason
        if not work.documents and reason is None:
            if job.media_type in WEB_ARCHIVE_TYPES:  # a valid crawl of JSON, revisits, images...
                with self.store.writer() as writer:
                    self._drop_others(writer, job.capture_id, [])
                    writer.pending.done("text", [job.capture_id])
                return TextResult(job.capture_id, 0, False, "no HTML or PDF record in this web archive",
                                  skipped=True)
            reason = "no document found in this file (no HTML or PDF record, or no text)"
        links = 0
        extracted: list[tuple[ExtractResult, Extraction]] = []
        with self.store.writer() as writer:
            keep = []
            for item in work.documents:
                document_id = writer.documents.upsert(item.document)
                keep.append(document_id)
                links += _link_duplicates(writer, document_id, item.doc)
                self._index(writer, document_id, item)
                if item.extraction is not None:
                    extracted.append((store_extraction(writer, document_id, item.extraction), item.extraction))
                elif self.then_extract and item.document.status == "ok":
                    writer.pending.add("extract", [str(document_id)])
            if reason is not None:
                # The failure gets its own row (locator "error" beside good records), so it can be retried.
                failed = Document(0, job.capture_id, "error" if work.documents else "", "failed", reason,
                                  job.media_type, None, None, None, None, None, job.source_url, job.captured_at,
                                  None, None, None, False, None, (), (), (), None, None, None, utc_now())
                document_id = writer.documents.upsert(failed)
                keep.append(document_id)
                self._index(writer, document_id, None)
            self._drop_others(writer, job.capture_id, keep)
            writer.pending.done("text", [job.capture_id])
        for result, extraction in extracted:
            extract_count(self.extract_summary, result, extraction)
            if self.on_extract is not None:
                self.on_extract(result)
        return TextResult(job.capture_id, len(work.documents), reason is not None, reason, duplicates=links)

    def _index(self, writer: Writer, document_id: int, item: ReadDocument | None) -> None:
        if self.index:
            if item is not None and item.entry is not None:
                writer.search.put(document_id, item.entry)
            else:
                writer.search.remove(document_id)
        if self.index_hook is not None:
            self.index_hook(writer, document_id, item.doc if item is not None else None)

    def _record_failure(self, capture_id: str, reason: str) -> TextResult:
        """Store a failure row for a capture whose processing raised, so it can be retried."""
        try:
            with self.store.view() as view:
                capture = view.archive.capture(capture_id)
            if capture is None:
                raise UnknownCaptureError(f"no capture {capture_id!r} in this case")
            first = capture.observations[0]
            failed = Document(0, capture.id, "error", "failed", reason, capture.media_type, None, None, None, None,
                              None, first.source_url, capture.captured_at, None, None, None, False, None, (), (), (),
                              None, None, None, utc_now())
            with self.store.writer() as writer:
                writer.documents.upsert(failed)
                writer.pending.done("text", [capture.id])
            capture_id = capture.id
        except StoreUnavailableError:  # the store is gone: nothing more can be stored, stop here
            raise
        except Exception as exc:  # the store itself failed: the result still says why
            reason = f"{reason}; the failure could not be recorded ({type(exc).__name__})"
        return TextResult(capture_id, 0, True, reason)

    def _drop_others(self, writer: Writer, capture_id: str, keep: list[int]) -> None:
        stale = [d for d in writer.documents.ids(capture_ids=[capture_id]) if d not in set(keep)]
        for document_id in stale:
            self._index(writer, document_id, None)
            writer.documents.delete(document_id)

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from organwatch.archive.blobs import BlobStore
from organwatch.archive.log import utc_now
from organwatch.errors import UnknownCaptureError
from organwatch.model import Capture, Document, DocumentLink
from organwatch.store import Store, Writer
from organwatch.store.records import ParagraphHash
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
        0, capture_id, doc.locator or "", "ok", None, doc.media_type, doc.title, doc.author, doc.outlet,
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


IndexHook = Callable[[Writer, int, ExtractedDocument | None], None]


@dataclass(frozen=True)
class ReadOutcome:
    """What reading one capture gave, before anything is stored: its documents (with what the reader
    found), the one-line reason it failed (good records of a damaged file are kept), or why it holds
    no text at all. Computed anywhere the blob can be read (a worker process or machine)."""

    documents: list[tuple[Document, ExtractedDocument]] = field(default_factory=list)
    reason: str | None = None
    skipped: str | None = None


def read_capture(capture: Capture, path: Path, options: TextOptions) -> ReadOutcome:
    """Read the documents of one capture from its blob at ``path`` (no store access: safe to retry)."""
    first = capture.observations[0]
    if capture.media_type.startswith(NO_TEXT_PREFIXES) or capture.media_type in NO_TEXT_TYPES:
        return ReadOutcome(skipped=f"no text to read in {capture.media_type}")
    documents: list[tuple[Document, ExtractedDocument]] = []
    reason = None
    try:
        # A damaged WARC yields its good records before raising: keep them, and record the damage.
        for doc in extract_documents(path, capture.media_type, first.original_name, options,
                                     source_url=first.source_url):
            documents.append((_document(capture.id, doc, first.source_url, capture.captured_at), doc))
    except TextExtractionError as exc:
        reason = str(exc)
    except (OSError, ValueError, RuntimeError, MemoryError) as exc:  # a reader bug must not stop a batch
        reason = f"unexpected error in the text stage ({type(exc).__name__}: {exc})"
    if not documents and reason is None:
        reason = "no document found in this file (no HTML or PDF record, or no text)"
    return ReadOutcome(documents, reason)


class TextStage:
    """Runs the text stage over captures (their bytes in ``blobs``, their index in ``store``);
    ``index_hook`` keeps a search index in step, inside the same write."""

    def __init__(self, store: Store, blobs: BlobStore, options: TextOptions | None = None,
                 index_hook: IndexHook | None = None) -> None:
        self.store = store
        self.blobs = blobs
        self.options = options or TextOptions()
        self.index_hook = index_hook

    def process(self, capture_ids: Iterable[str],
                on_result: Callable[[TextResult], None] | None = None) -> TextSummary:
        """Extract and store the documents of each capture (replacing what an earlier run stored)."""
        summary = TextSummary()
        for capture_id in capture_ids:
            result = self._one(capture_id)
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
        return summary

    def _one(self, capture_id: str) -> TextResult:
        with self.store.view() as view:
            capture = view.archive.capture(capture_id)
        if capture is None:
            raise UnknownCaptureError(f"no capture {capture_id!r} in this case")
        return self.store_read(capture, read_capture(capture, self.blobs.path(capture.id), self.options))

    def store_read(self, capture: Capture, outcome: ReadOutcome) -> TextResult:
        """Store what :func:`read_capture` found (documents, or the reason it failed) for one capture."""
        if outcome.skipped is not None:
            return TextResult(capture.id, 0, False, outcome.skipped, skipped=True)
        documents, reason = outcome.documents, outcome.reason
        first = capture.observations[0]
        links = 0
        with self.store.writer() as writer:
            keep = []
            for document, doc in documents:
                document_id = writer.documents.upsert(document)
                keep.append(document_id)
                links += _link_duplicates(writer, document_id, doc)
                if self.index_hook is not None:
                    self.index_hook(writer, document_id, doc)
            if reason is not None:
                # The failure gets its own row (locator "error" beside good records), so it can be retried.
                failed = Document(0, capture.id, "error" if documents else "", "failed", reason, capture.media_type,
                                  None, None, None, None, None, first.source_url, capture.captured_at, None, None,
                                  None, False, None, (), (), (), None, None, None, utc_now())
                document_id = writer.documents.upsert(failed)
                keep.append(document_id)
                if self.index_hook is not None:
                    self.index_hook(writer, document_id, None)
            self._drop_others(writer, capture.id, keep)
        return TextResult(capture.id, len(documents), reason is not None, reason, duplicates=links)

    def _drop_others(self, writer: Writer, capture_id: str, keep: list[int]) -> None:
        stale = [d for d in writer.documents.ids(capture_ids=[capture_id]) if d not in set(keep)]
        for document_id in stale:
            if self.index_hook is not None:
                self.index_hook(writer, document_id, None)
            writer.documents.delete(document_id)

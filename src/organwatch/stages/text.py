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
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from organwatch.archive.log import utc_now
from organwatch.text import ExtractedDocument, TextExtractionError, TextOptions, extract_documents
from organwatch.text.dedupe import MinHashLSH, fingerprint, fold_text, is_empty, similarity

if TYPE_CHECKING:
    from organwatch.case import Case

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


def _upsert(conn: Any, capture_id: str, locator: str, values: dict[str, Any]) -> int:
    row = conn.execute("SELECT id FROM documents WHERE capture_id = ? AND locator = ?",
                       (capture_id, locator)).fetchone()
    if row is None:
        columns = ["capture_id", "locator", *values]
        cursor = conn.execute(f"INSERT INTO documents ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})",
                              (capture_id, locator, *values.values()))
        return int(cursor.lastrowid)
    conn.execute(f"UPDATE documents SET {', '.join(f'{c} = ?' for c in values)} WHERE id = ?",
                 (*values.values(), row["id"]))
    _forget_links(conn, row["id"])
    return int(row["id"])


def _forget_links(conn: Any, document_id: int) -> None:
    for table in ("document_bands", "paragraph_hashes", "document_signatures"):
        conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (document_id,))
    conn.execute("DELETE FROM document_links WHERE a = ? OR b = ?", (document_id, document_id))


def _document_values(doc: ExtractedDocument, fallback_url: str | None, captured_at: str) -> dict[str, Any]:
    return {
        "status": "failed" if doc.error else "ok", "error": doc.error, "media_type": doc.media_type,
        "title": doc.title, "author": doc.author,
        "outlet": doc.outlet, "published": doc.published, "canonical_url": doc.canonical_url,
        "source_url": doc.source_url or fallback_url, "captured_at": doc.captured_at or captured_at,
        "encoding": doc.encoding, "encoding_method": doc.encoding_method, "language": doc.language,
        "mixed_language": int(doc.mixed_language), "text": doc.text,
        "text_sha256": hashlib.sha256(doc.text.encode("utf-8")).hexdigest(), "chars": len(doc.text),
        "paragraphs": json.dumps([list(p) for p in doc.paragraphs]),
        "pages": json.dumps([list(p) for p in doc.pages]), "warnings": json.dumps(list(doc.warnings)),
        "extractor": doc.extractor, "extractor_version": doc.extractor_version,
        "pipeline_version": doc.pipeline_version, "processed_at": utc_now(),
    }


def _link_duplicates(conn: Any, document_id: int, doc: ExtractedDocument) -> int:
    """Store the document's signature and band keys; link it to earlier near-duplicates. Returns links."""
    links = 0
    digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    for row in conn.execute("SELECT id FROM documents WHERE text_sha256 = ? AND id != ? AND status = 'ok'",
                            (digest, document_id)).fetchall():
        conn.execute("INSERT INTO document_links (kind, a, b, similarity, method) VALUES ('duplicate', ?, ?, 1.0, ?)",
                     (row["id"], document_id, "sha256 of text"))
        links += 1
    signature = fingerprint(doc.text)
    if not is_empty(signature):
        conn.execute("INSERT INTO document_signatures VALUES (?, ?)", (document_id, signature.tobytes()))
        keys = _BANDING.band_keys(signature)
        candidates: set[int] = set()
        for band, key in keys:
            candidates.update(r[0] for r in conn.execute(
                "SELECT document_id FROM document_bands WHERE band = ? AND key = ?", (band, key)))
        conn.executemany("INSERT INTO document_bands VALUES (?, ?, ?)", [(b, k, document_id) for b, k in keys])
        for other in sorted(candidates - {document_id}):
            row = conn.execute("SELECT s.signature, d.text_sha256 FROM document_signatures s JOIN documents d "
                               "ON d.id = s.document_id WHERE s.document_id = ?", (other,)).fetchone()
            if row is None or row["text_sha256"] == digest:
                continue  # identical texts are linked above
            score = similarity(signature, np.frombuffer(row["signature"], dtype=np.uint32))
            if score >= NEAR_DUPLICATE:
                conn.execute("INSERT INTO document_links (kind, a, b, similarity, method) "
                             "VALUES ('near-duplicate', ?, ?, ?, ?)", (other, document_id, score, METHOD))
                links += 1
    links += _link_paragraphs(conn, document_id, doc)
    return links


def _link_paragraphs(conn: Any, document_id: int, doc: ExtractedDocument) -> int:
    links = 0
    seen_here: dict[bytes, tuple[int, int]] = {}
    for start, end, _language in doc.paragraphs:
        folded = fold_text(doc.text[start:end])
        if len(folded) < PARAGRAPH_MIN_CHARS:
            continue
        key = hashlib.blake2b(folded.encode("utf-8"), digest_size=16).digest()
        earlier = conn.execute("SELECT document_id, start_char, end_char FROM paragraph_hashes WHERE hash = ? "
                               "AND document_id != ? LIMIT 50", (key, document_id)).fetchall()
        for row in earlier:
            conn.execute("INSERT INTO document_links (kind, a, b, similarity, a_start, a_end, b_start, b_end, method) "
                         "VALUES ('paragraph', ?, ?, 1.0, ?, ?, ?, ?, 'folded paragraph hash')",
                         (row["document_id"], document_id, row["start_char"], row["end_char"], start, end))
            links += 1
        if key in seen_here:  # the same paragraph twice in one document
            first = seen_here[key]
            conn.execute("INSERT INTO document_links (kind, a, b, similarity, a_start, a_end, b_start, b_end, method) "
                         "VALUES ('paragraph', ?, ?, 1.0, ?, ?, ?, ?, 'folded paragraph hash')",
                         (document_id, document_id, first[0], first[1], start, end))
            links += 1
        seen_here.setdefault(key, (start, end))
        conn.execute("INSERT INTO paragraph_hashes VALUES (?, ?, ?, ?)", (key, document_id, start, end))
    return links


IndexHook = Callable[[Any, int, ExtractedDocument | None], None]


class TextStage:
    """Runs the text stage over captures of one case; ``index_hook`` keeps a search index in step."""

    def __init__(self, case: Case, options: TextOptions | None = None, index_hook: IndexHook | None = None) -> None:
        self.case = case
        self.options = options or TextOptions()
        self.index_hook = index_hook

    def process(self, capture_ids: Iterable[str],
                on_result: Callable[[TextResult], None] | None = None) -> TextSummary:
        """Extract and store the documents of each capture (replacing what an earlier run stored)."""
        summary = TextSummary()
        for capture_id in capture_ids:
            try:
                result = self._one(capture_id)
            except Exception as exc:  # a bug or bad row in one capture must not stop the batch
                result = self._record_failure(capture_id, f"unexpected error in the text stage "
                                              f"({type(exc).__name__}: {str(exc)[:200]})")
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
        capture = self.case.capture(capture_id)
        first = capture.observations[0]
        if capture.media_type.startswith(NO_TEXT_PREFIXES) or capture.media_type in NO_TEXT_TYPES:
            return TextResult(capture.id, 0, False, f"no text to read in {capture.media_type}", skipped=True)
        path = self.case.blob_path(capture.id)
        documents: list[tuple[str, dict[str, Any], ExtractedDocument]] = []
        reason = None
        try:
            # A damaged WARC yields its good records before raising: keep them, and record the damage.
            for doc in extract_documents(path, capture.media_type, first.original_name, self.options,
                                         source_url=first.source_url):
                documents.append((doc.locator or "", _document_values(doc, first.source_url, capture.captured_at),
                                  doc))
        except TextExtractionError as exc:
            reason = str(exc)
        except Exception as exc:  # a reader bug must not stop a batch
            reason = f"unexpected error in the text stage ({type(exc).__name__}: {exc})"
        if not documents and reason is None:
            if capture.media_type in WEB_ARCHIVE_TYPES:  # a valid crawl of JSON, revisits, images...
                with self.case.store.writer() as conn:
                    self._drop_others(conn, capture.id, [-1])
                return TextResult(capture.id, 0, False, "no HTML or PDF record in this web archive", skipped=True)
            reason = "no document found in this file (no HTML or PDF record, or no text)"
        links = 0
        with self.case.store.writer() as conn:
            keep = []
            for locator, values, doc in documents:
                document_id = _upsert(conn, capture.id, locator, values)
                keep.append(document_id)
                links += _link_duplicates(conn, document_id, doc)
                if self.index_hook is not None:
                    self.index_hook(conn, document_id, doc)
            if reason is not None:
                # The failure gets its own row (locator "error" beside good records), so it can be retried.
                values = {"status": "failed", "error": reason, "source_url": first.source_url,
                          "captured_at": capture.captured_at, "media_type": capture.media_type, "text": None,
                          "chars": 0, "processed_at": utc_now(), "pipeline_version": None}
                document_id = _upsert(conn, capture.id, "error" if documents else "", values)
                keep.append(document_id)
                if self.index_hook is not None:
                    self.index_hook(conn, document_id, None)
            self._drop_others(conn, capture.id, keep)
        return TextResult(capture.id, len(documents), reason is not None, reason, duplicates=links)

    def _record_failure(self, capture_id: str, reason: str) -> TextResult:
        """Store a failure row for a capture whose processing raised, so it can be retried."""
        try:
            capture = self.case.capture(capture_id)
            first = capture.observations[0]
            values = {"status": "failed", "error": reason, "source_url": first.source_url,
                      "captured_at": capture.captured_at, "media_type": capture.media_type, "text": None,
                      "chars": 0, "processed_at": utc_now(), "pipeline_version": None}
            with self.case.store.writer() as conn:
                _upsert(conn, capture.id, "error", values)
            capture_id = capture.id
        except Exception as exc:  # the store itself failed: the result still says why
            reason = f"{reason}; the failure could not be recorded ({type(exc).__name__})"
        return TextResult(capture_id, 0, True, reason)

    def _drop_others(self, conn: Any, capture_id: str, keep: list[int]) -> None:
        marks = ",".join("?" * len(keep))
        stale = [r[0] for r in conn.execute(
            f"SELECT id FROM documents WHERE capture_id = ? AND id NOT IN ({marks})", (capture_id, *keep))]
        for document_id in stale:
            if self.index_hook is not None:
                self.index_hook(conn, document_id, None)
            conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))

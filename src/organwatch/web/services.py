"""What the workbench pages, the JSON API and the CLI ask of a case, always on behalf of a :class:`Viewer`.

Routes hold no logic: each calls one function here and renders or serialises its result. Every function
that reads documents filters restricted ones in SQL for the viewer, answers "not found" for documents the
viewer may not see (the same answer as for a number that does not exist), and logs an ``access`` evidence
event when someone reads restricted material.

>>> # overview(case, viewer).counts["documents"]; search(case, viewer, "王立军").hits; document_view(case, viewer, 3)
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from organwatch.archive.captures import AddSummary, CaptureMetadata
from organwatch.case import Case
from organwatch.errors import OrganWatchError, UnknownCaptureError
from organwatch.model import Capture, Document
from organwatch.search import SearchPage
from organwatch.search.results import Mode
from organwatch.web.access import Viewer, parse_principals, public_filters, visible_filters
from organwatch.web.sanitize import archived_page, clean_archived_html

TEXT_PART_CHARS = 100_000
RECENT_EVENTS = 25
VERIFY_MAX_AGE = 300.0
MAX_ARCHIVED_BYTES = 20_000_000


class NotFoundError(OrganWatchError):
    """Nothing with that id that this viewer may see."""


class ForbiddenError(OrganWatchError):
    """The viewer's role does not allow this action."""


def require(viewer: Viewer, action: str) -> None:
    """Raise :class:`ForbiddenError` unless the viewer's role allows ``action``."""
    if not viewer.can(action):
        raise ForbiddenError(f"your role ({viewer.role}) does not allow {action}")


# -- overview -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VerifyStatus:
    """The last integrity check of the case: when, whether it passed, and (admins only) what failed."""

    ok: bool
    checked_at: float
    entries: int
    blobs: int
    errors: int
    warnings: int
    findings: tuple[str, ...]

    def to_dict(self, detailed: bool) -> dict[str, Any]:
        """JSON-ready form; ``detailed`` adds the findings (they name captures, so admins only)."""
        data: dict[str, Any] = {"ok": self.ok, "checked_at": self.checked_at, "entries": self.entries,
                                "blobs": self.blobs, "errors": self.errors, "warnings": self.warnings}
        if detailed:
            data["findings"] = list(self.findings)
        return data


class VerifyCache:
    """Verification re-hashes every blob: run it at most every few minutes, or when the log grows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status: VerifyStatus | None = None
        self._log_size = -1

    def status(self, case: Case, refresh: bool = False) -> VerifyStatus:
        """The cached result, re-checked when asked, stale, or the log has grown since."""
        size = case.log.entries_path.stat().st_size if case.log.entries_path.exists() else 0
        with self._lock:
            current = self._status
            fresh = current is not None and time.time() - current.checked_at < VERIFY_MAX_AGE
            if current is not None and fresh and size == self._log_size and not refresh:
                return current
            report = case.verify()
            warnings = [f for f in report.findings if f.severity != "error"]
            self._status = VerifyStatus(report.ok, time.time(), report.entries, report.blobs, len(report.errors),
                                        len(warnings), tuple(str(f) for f in report.findings[:50]))
            self._log_size = size
            return self._status


@dataclass(frozen=True)
class Overview:
    """The case at a glance, as this viewer may see it."""

    case_name: str
    key_id: str
    counts: dict[str, Any]
    events: list[dict[str, Any]]
    verify: VerifyStatus

    def to_dict(self, viewer: Viewer) -> dict[str, Any]:
        """JSON-ready form."""
        return {"case": self.case_name, "key_id": self.key_id, "counts": self.counts, "events": self.events,
                "verify": self.verify.to_dict(viewer.sees_everything)}


def overview(case: Case, viewer: Viewer, verify: VerifyCache) -> Overview:
    """Counts, recent evidence events and the verification status, restricted to what ``viewer`` may see."""
    with case.store.view() as session:
        counts = session.accounts.document_counts(viewer)
        events = session.accounts.recent_events(viewer, RECENT_EVENTS)
    return Overview(case.name, case.key_id(), counts, events, verify.status(case))


# -- search ---------------------------------------------------------------------------------------

def search(case: Case, viewer: Viewer, query: str, *, mode: Mode = "fts", date_from: str | None = None,
           date_to: str | None = None, language: str | None = None, outlet: str | None = None,
           media_type: str | None = None, limit: int = 20, offset: int = 0, rank_all: bool = False) -> SearchPage:
    """One page of search hits among the documents ``viewer`` may see (counts and duplicates included);
    ``rank_all`` ranks and counts every match of a very common word."""
    filters = visible_filters(viewer, date_from=date_from or None, date_to=date_to or None, language=language or None,
                              outlet=outlet or None, media_type=media_type or None)
    return case.search(query, mode=mode, filters=filters, limit=limit, offset=offset, rank_all=rank_all)


def search_to_dict(page: SearchPage) -> dict[str, Any]:
    """A search page as JSON, with the user's filters only (never who asked)."""
    data = page.to_dict()
    filters = page.filters
    data["filters"] = public_filters(filters)
    return data


# -- documents ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mark:
    """A highlighted span of a document: a mention (``person``, ``place``...), a quote or the search hit."""

    start: int
    end: int
    kind: str
    label: str


@dataclass(frozen=True)
class Segment:
    """A run of document text, highlighted by ``mark`` or plain."""

    text: str
    start: int
    mark: Mark | None = None


def mention_marks(mentions: Iterable[Any]) -> list[Mark]:
    """Marks from stored mentions, whether they are dicts (``start_char``/``end_char``) or typed records
    (``start``/``end``/``type``/``canonical``)."""

    def get(item: Any, *names: str) -> Any:
        for name in names:
            value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
            if value is not None:
                return value
        return None

    marks = []
    for item in mentions:
        start, end = get(item, "start", "start_char"), get(item, "end", "end_char")
        if start is None or end is None or end <= start:
            continue
        kind = str(get(item, "type", "mention_type") or "mention")
        text = get(item, "text")
        canonical = get(item, "canonical")
        label = f"{kind}: {canonical or text}" if canonical or text else kind
        marks.append(Mark(int(start), int(end), kind, label))
    return marks


def segments(text: str, marks: Sequence[Mark], start: int = 0, end: int | None = None) -> list[Segment]:
    """Cut ``text[start:end]`` into plain and marked runs; overlapping marks keep the earlier, longer one."""
    end = len(text) if end is None else min(end, len(text))
    ordered = sorted((m for m in marks if m.end > start and m.start < end), key=lambda m: (m.start, -m.end))
    out: list[Segment] = []
    pos = start
    for mark in ordered:
        if mark.start < pos:
            continue  # overlaps one already shown
        if mark.start > pos:
            out.append(Segment(text[pos:mark.start], pos))
        cut = min(mark.end, end)
        out.append(Segment(text[mark.start:cut], mark.start, mark))
        pos = cut
    if pos < end:
        out.append(Segment(text[pos:end], pos))
    return out


@dataclass(frozen=True)
class DocumentView:
    """Everything the document page shows."""

    document: Document
    capture: Capture
    segments: list[Segment]
    part: int
    parts: int
    mentions: list[Mark]
    quotes: list[dict[str, Any]]
    links: list[dict[str, Any]]
    log: list[dict[str, Any]]
    restricted_to: tuple[str, ...]
    has_archived_html: bool
    sibling_documents: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the text of this part, with mention spans in document offsets)."""
        doc = self.document.to_dict()
        return {"document": doc, "capture": self.capture.to_dict(), "part": self.part, "parts": self.parts,
                "mentions": [m.__dict__ for m in self.mentions], "quotes": self.quotes, "links": self.links,
                "log": self.log, "restricted_to": list(self.restricted_to),
                "has_archived_html": self.has_archived_html}


def _visible_document(case: Case, viewer: Viewer, document_id: int) -> Document:
    with case.store.view() as session:
        visible = session.accounts.document_visible(viewer, document_id)
        restricted = visible and session.accounts.is_restricted_document(document_id)
    if not visible:
        raise NotFoundError(f"no document number {document_id}")
    document = case.document(str(document_id))
    if restricted:
        case.log_event({"type": "access", "user": viewer.name, "role": viewer.role, "document": document_id,
                        "capture": document.capture_id, "locator": document.locator, "action": "read"})
    return document


def _archived_html_kind(capture: Capture, document: Document) -> bool:
    media = (document.media_type or capture.media_type or "").lower()
    return "html" in media


def document_view(case: Case, viewer: Viewer, document_id: int, part: int = 1,
                  highlight: tuple[int, int] | None = None) -> DocumentView:
    """A document's text (one part of at most :data:`TEXT_PART_CHARS`), highlighted, with its metadata,
    capture, evidence-log entries, links and restriction."""
    document = _visible_document(case, viewer, document_id)
    capture = case.capture(document.capture_id)
    text = document.text or ""
    parts = max(1, -(-len(text) // TEXT_PART_CHARS))
    if not 1 <= part <= parts:
        raise NotFoundError(f"document {document_id} has {parts} part(s), not part {part}")
    start, end = (part - 1) * TEXT_PART_CHARS, part * TEXT_PART_CHARS
    marks = mention_marks(case.mentions(document_id))
    quotes = [q.to_dict() for q in case.quotes(document_id)]
    quote_marks = [Mark(int(q["start_char"]), int(q["end_char"]), "quote", f"quote: {q.get('speaker') or '?'}")
                   for q in quotes if q.get("start_char") is not None and q.get("end_char") is not None]
    shown = list(marks)
    if highlight is not None and 0 <= highlight[0] < highlight[1] <= len(text):
        shown = [Mark(highlight[0], highlight[1], "hit", "search hit"), *shown]
    with case.store.view() as session:
        links = session.accounts.visible_links(viewer, document_id)
        log = session.accounts.log_entry_meta([o.seq for o in capture.observations])
        restricted_to = session.accounts.restriction_of(document.capture_id, document.locator)
        siblings = session.accounts.capture_documents(viewer, capture.id)
    return DocumentView(document, capture, segments(text, [*shown, *quote_marks], start, end), part, parts, marks,
                        quotes, links, log, restricted_to, _archived_html_kind(capture, document),
                        [s for s in siblings if s["id"] != document_id])


def _decode(data: bytes, encoding: str | None) -> str:
    for candidate in (encoding, "utf-8"):
        if candidate:
            with contextlib.suppress(LookupError, UnicodeDecodeError):
                return data.decode(candidate)
    return data.decode(encoding or "utf-8", errors="replace") if encoding else data.decode("utf-8", "replace")


def _archived_bytes(case: Case, capture: Capture, document: Document) -> bytes:
    path = case.blob_path(capture.id)
    if document.locator.startswith("warc:offset="):
        from organwatch.text.warc import iter_warc_payloads

        offset = int(document.locator.split("=", 1)[1])
        with path.open("rb") as stream:
            stream.seek(offset)
            for payload in iter_warc_payloads(stream, max_record_bytes=MAX_ARCHIVED_BYTES):
                return bytes(payload.payload)
        raise NotFoundError(f"document {document.id}: its WARC record is no longer readable")
    with path.open("rb") as stream:
        return stream.read(MAX_ARCHIVED_BYTES)


def archived_html(case: Case, viewer: Viewer, document_id: int) -> str:
    """The archived HTML of a document, sanitised into an inert page (no script, style, image or link)."""
    document = _visible_document(case, viewer, document_id)
    capture = case.capture(document.capture_id)
    if not _archived_html_kind(capture, document):
        raise NotFoundError(f"document {document_id} is not an HTML page")
    try:
        data = _archived_bytes(case, capture, document)
    except OrganWatchError as exc:
        raise NotFoundError(f"document {document_id}: the archived page cannot be read ({exc})") from None
    fragment = clean_archived_html(_decode(data, document.encoding))
    note = (f"Archived copy of {document.source_url or document.title or 'this page'}, sanitised: scripts, "
            "styles, images and links removed. Download the original for the exact bytes.")
    return archived_page(fragment, document.title or f"document {document_id}", note)


@dataclass(frozen=True)
class Original:
    """The exact captured bytes, for download."""

    path: Path
    filename: str
    size: int
    sha256: str


def _safe_filename(name: str | None, fallback: str) -> str:
    cleaned = "".join(ch for ch in (name or "") if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    cleaned = cleaned.replace("/", "_").replace("\\", "_").strip(" .")[:150]
    return cleaned or fallback


def original(case: Case, viewer: Viewer, capture_ref: str) -> Original:
    """A capture's original bytes, if the viewer may see every document in it (logged when restricted)."""
    try:
        capture = case.capture(capture_ref)
    except UnknownCaptureError:
        raise NotFoundError(f"no capture {capture_ref!r}") from None
    with case.store.view() as session:
        visible = session.accounts.capture_visible(viewer, capture.id)
        restricted = visible and session.accounts.is_restricted_capture(capture.id)
    if not visible:
        raise NotFoundError(f"no capture {capture_ref!r}")
    if restricted:
        case.log_event({"type": "access", "user": viewer.name, "role": viewer.role, "capture": capture.id,
                        "action": "download"})
    names = [o.original_name for o in capture.observations if o.original_name]
    return Original(case.blob_path(capture.id), _safe_filename(names[0] if names else None, capture.id[:16]),
                    capture.size, capture.id)


# -- restrictions ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RestrictionChange:
    """What ``restrict`` did."""

    document_id: int
    capture_id: str
    locator: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    seq: int


def restrict(case: Case, actor: str, document_ref: str, to: str | Sequence[str] | None) -> RestrictionChange:
    """Restrict a document to users and roles (``"alice,role:investigator"``), or lift it (``None``).

    The change is an evidence event in the signed log, and the restriction table indexes it.
    """
    principals: tuple[str, ...] = ()
    if to is not None:
        principals = parse_principals(to if isinstance(to, str) else ",".join(to))
    document = case.document(document_ref)
    with case.store.view() as session:
        before = session.accounts.restriction_of(document.capture_id, document.locator)
    seq = case.log_event({"type": "restriction", "document": document.id, "capture": document.capture_id,
                          "locator": document.locator, "to": list(principals), "by": actor})
    with case.store.writer() as session:
        session.accounts.set_restriction(document.capture_id, document.locator, principals, seq)
    return RestrictionChange(document.id, document.capture_id, document.locator, before, principals, seq)


def restricted_documents(case: Case, viewer: Viewer) -> list[dict[str, Any]]:
    """Every restricted document and to whom (admins only)."""
    require(viewer, "restrict")
    with case.store.view() as session:
        return session.accounts.restricted_documents()


# -- upload ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UploadResult:
    """One uploaded file: what the archive did with it and the documents it now holds."""

    filename: str
    status: str
    capture_id: str | None
    reason: str | None
    documents: list[dict[str, Any]]


def add_uploads(case: Case, viewer: Viewer, files: Sequence[tuple[str, BinaryIO]], note: str | None = None,
                source_url: str | None = None, max_size: int | None = None) -> list[UploadResult]:
    """Archive uploaded files (text and extraction too), recorded as captured by the uploading user.

    Each file is copied (streamed, size-checked) into a private temporary folder under its own, cleaned
    name, so the log records the name the user gave it and nothing of the server's paths.
    """
    require(viewer, "upload")
    from organwatch import settings

    limit = max_size or int(settings.get("ORGANWATCH_MAX_FILE_SIZE"))
    results: list[UploadResult] = []
    with tempfile.TemporaryDirectory(prefix="organwatch-upload-") as tmp:
        for index, (name, stream) in enumerate(files):
            filename = _safe_filename(Path(name.replace("\\", "/")).name, f"upload-{index + 1}")
            folder = Path(tmp) / str(index)
            folder.mkdir()
            target = folder / filename
            try:
                _copy_bounded(stream, target, limit)
            except OrganWatchError as exc:
                results.append(UploadResult(filename, "failed", None, str(exc), []))
                continue
            meta = CaptureMetadata(source_url=source_url or None, note=note or None, captured_by=viewer.name,
                                   method="web upload")
            summary: AddSummary = case.add([target], meta, text=True, extract=True)
            results.extend(_upload_results(case, viewer, filename, summary, target))
    return results


def _copy_bounded(stream: BinaryIO, target: Path, limit: int) -> None:
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise OrganWatchError(f"{target.name}: larger than the {limit:,}-byte limit")
            out.write(chunk)
    if written == 0:
        raise OrganWatchError(f"{target.name}: the file is empty")


def _upload_results(case: Case, viewer: Viewer, filename: str, summary: AddSummary,
                    target: Path) -> list[UploadResult]:
    if summary.failures:
        return [UploadResult(filename, "failed", None, f.reason, []) for f in summary.failures]
    sha = _sha256(target)
    with case.store.view() as session:
        docs = session.accounts.capture_documents(viewer, sha)
    status = "added" if summary.added else ("already archived" if summary.present else "observed again")
    return [UploadResult(filename, status, sha, None, docs)]


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as stream:
        shutil.copyfileobj(stream, _Hashing(digest))
    return digest.hexdigest()


class _Hashing(io.RawIOBase):
    def __init__(self, digest: Any) -> None:
        self.digest = digest

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.digest.update(data)
        return len(data)


# -- analyses -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnalysisKind:
    """An analysis the workbench offers: its name, what it does, and how to run it on a CSV."""

    name: str
    title: str
    help: str
    run: Callable[[Path, dict[str, str]], Any]


def _analyses() -> dict[str, AnalysisKind]:
    from organwatch.analysis.accounting import account_sources
    from organwatch.analysis.capacity import estimate_capacity
    from organwatch.analysis.consistency import check_consistency
    from organwatch.analysis.forensics import series_forensics
    from organwatch.analysis.waiting import compare_waiting_times

    def years(params: dict[str, str]) -> tuple[int, int] | None:
        text = params.get("years", "").strip()
        if not text:
            return None
        first, _, last = text.partition("-")
        try:
            return int(first), int(last or first)
        except ValueError:
            raise OrganWatchError(f"years {text!r}: write a range such as 2010-2016") from None

    def metric(params: dict[str, str]) -> str:
        value = params.get("metric", "").strip()
        if not value:
            raise OrganWatchError("the series analysis needs a metric (a column value such as deceased_donors)")
        return value

    return {k.name: k for k in (
        AnalysisKind("capacity", "Transplant capacity", "beds, utilisation and length of stay per hospital",
                     lambda p, _: estimate_capacity(p, draws=10_000, seed=1)),
        AnalysisKind("series", "Official series forensics", "model fits to an annual official series "
                     "(needs metric; optional years)",
                     lambda p, params: series_forensics(p, metric(params), years=years(params))),
        AnalysisKind("consistency", "Consistency of official figures", "figures that cannot all be true",
                     lambda p, _: check_consistency(p)),
        AnalysisKind("accounting", "Source accounting", "transplants minus every identified organ source",
                     lambda p, _: account_sources(p, draws=10_000, seed=1)),
        AnalysisKind("waiting", "Waiting times", "advertised or reported waiting times by country and organ",
                     lambda p, params: compare_waiting_times(p, baseline=params.get("baseline") or None)),
    )}


def analysis_kinds() -> list[AnalysisKind]:
    """The analyses offered, in menu order."""
    return list(_analyses().values())


@dataclass(frozen=True)
class AnalysisRun:
    """An analysis result with its plot and report, ready for a page or the API."""

    kind: str
    title: str
    summary: list[str]
    method: str
    caveats: tuple[str, ...]
    tables: list[tuple[str, str]]  # (title, HTML table, escaped by the analysis package)
    png: bytes
    report_html: str
    data: dict[str, Any]


def run_analysis(viewer: Viewer, kind: str, filename: str, stream: BinaryIO,
                 params: dict[str, str] | None = None, max_size: int = 20_000_000) -> AnalysisRun:
    """Run one analysis on an uploaded CSV; bad input raises :class:`OrganWatchError` with one line."""
    require(viewer, "analyse")
    kinds = _analyses()
    if kind not in kinds:
        raise OrganWatchError(f"unknown analysis {kind!r}: use one of {', '.join(kinds)}")
    from organwatch.analysis.plots import figure_bytes, plot_for
    from organwatch.analysis.report import frame_html, render_html
    from organwatch.analysis.results import jsonable

    name = _safe_filename(Path(filename.replace("\\", "/")).name, "input.csv")
    with tempfile.TemporaryDirectory(prefix="organwatch-analysis-") as tmp:
        path = Path(tmp) / name
        _copy_bounded(stream, path, max_size)
        result = kinds[kind].run(path, params or {})  # AnalysisError names the file, line and column
    png = figure_bytes(plot_for(result), "png")
    provenance = {"analysis": kind, "input": name, "run by": viewer.name}
    return AnalysisRun(kind, result.title, list(result.summary()), result.method, tuple(result.caveats),
                       [(title, frame_html(frame)) for title, frame in result.result_tables()], png,
                       render_html(result, png, provenance), jsonable(result.to_dict()))

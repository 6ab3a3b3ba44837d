"""Adding files to a case: stream, hash, stage, deduplicate, log, place, index.

A capture is the exact bytes of a source; its id is their SHA-256. Adding the same bytes again
returns the existing capture. If the new add brings new metadata (another URL, another note),
that is logged as an ``observation`` entry linked to the capture; nothing already logged changes.
Files are committed in batches, each ending with a signed tree head.

>>> # case.add(["report.pdf", "pages/"], CaptureMetadata(source_url="https://example.org/x"))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from organwatch.archive.blobs import FileTooLargeError, StagedBlob, StagingArea
from organwatch.archive.log import utc_now
from organwatch.archive.signing import key_permission_warning
from organwatch.archive.sniff import sniff
from organwatch.archive.walk import InputError, InputFile, display_path, iter_inputs, os_reason
from organwatch.errors import CaseError
from organwatch.model import Observation
from organwatch.version import __version__

if TYPE_CHECKING:
    from organwatch.archive.evidence import Archive

BATCH_BYTES = 256 * 1024 * 1024  # commit at least this often, so an interrupted add loses little

Status = Literal["added", "present", "observed", "failed", "skipped"]


@dataclass(frozen=True)
class CaptureMetadata:
    """Who captured the files, when, from where, and why (applies to every file of one add)."""

    source_url: str | None = None
    note: str | None = None
    captured_by: str | None = None
    captured_at: str | None = None  # ISO 8601 UTC; default: when the file is added
    method: str = "file import"
    #: What the capturing tool knows besides (HTTP status and headers, capture set, role); canonical JSON only.
    extra: dict[str, Any] | None = None


@dataclass(frozen=True)
class AddResult:
    """What happened to one input path."""

    status: Status
    path: str
    capture_id: str | None = None
    media_type: str | None = None
    size: int | None = None
    reason: str | None = None


@dataclass
class AddSummary:
    """Counts of one add, and the failures (path and reason)."""

    added: int = 0
    present: int = 0
    observed: int = 0
    failed: int = 0
    skipped: int = 0
    bytes_added: int = 0
    failures: list[AddResult] = field(default_factory=list)
    recovery_notes: list[str] = field(default_factory=list)
    #: Things the user should fix that did not stop the add (a private key readable by others).
    warnings: list[str] = field(default_factory=list)

    def record(self, result: AddResult) -> None:
        """Count one result."""
        if result.status == "added":
            self.added += 1
            self.bytes_added += result.size or 0
        elif result.status == "present":
            self.present += 1
        elif result.status == "observed":
            self.observed += 1
        elif result.status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1
            if len(self.failures) < 10_000:  # keep memory bounded on a pathological corpus
                self.failures.append(result)


def format_size(n: float) -> str:
    """Human size: ``format_size(3 * 1024**3)`` → ``'3.0 GiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def _iso_mtime(mtime_ns: int) -> str:
    return datetime.fromtimestamp(mtime_ns / 1e9, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def observation_fields(item: InputFile, meta: CaptureMetadata, captured_by: str) -> dict[str, Any]:
    """The metadata of one sighting of some bytes, as logged (with the followed link, if any)."""
    extra = meta.extra
    if item.link is not None:
        extra = {**(extra or {}), "followed_link": item.link}
    return {
        "source_url": meta.source_url,
        "original_name": Path(item.original_path).name,
        "original_path": item.original_path,
        "captured_at": meta.captured_at or utc_now(),
        "captured_by": captured_by,
        "tool": {"name": "organwatch", "version": __version__, "method": meta.method},
        "note": meta.note,
        "file_modified": _iso_mtime(item.mtime_ns),
        **({"extra": extra} if extra is not None else {}),
    }


# Fields that make a sighting new: the same file added again with the same URL and note is not.
_IDENTITY = ("source_url", "original_path", "note", "captured_by", "extra")


def _identity(observation: Observation) -> dict[str, Any]:
    return {name: getattr(observation, name) for name in (*_IDENTITY, "captured_at")}


def _same_sighting(existing: dict[str, Any], new: dict[str, Any], explicit_time: bool) -> bool:
    if any(existing.get(k) != new.get(k) for k in _IDENTITY):
        return False
    return not explicit_time or existing.get("captured_at") == new.get("captured_at")


class Ingest:
    """One ``add`` run over many paths."""

    def __init__(self, archive: Archive, meta: CaptureMetadata, max_size: int, batch_size: int,
                 on_result: Callable[[AddResult], None] | None = None,
                 after_commit: Callable[[list[AddResult]], None] | None = None, *,
                 follow_links: bool = False) -> None:
        self.archive = archive
        self.follow_links = follow_links
        self.meta = meta
        self.max_size = max_size
        self.batch_size = batch_size
        self.on_result = on_result
        self.after_commit = after_commit
        self.summary = AddSummary()
        self.captured_by = meta.captured_by or archive.default_captured_by()
        self._pending: list[tuple[InputFile, StagedBlob]] = []
        self._pending_bytes = 0

    def _report(self, result: AddResult) -> None:
        self.summary.record(result)
        if self.on_result is not None:
            self.on_result(result)

    def run(self, paths: Sequence[str | Path]) -> AddSummary:
        """Add everything under ``paths``; failures are reported and skipped, never fatal."""
        warning = key_permission_warning(self.archive.keys_dir)
        if warning:
            self.summary.warnings.append(warning)
        try:
            with self.archive.blobs.area() as area:
                self._run(area, paths)
        except OSError as exc:
            # A full disk (or a file-size limit) while staging or committing: nothing half-logged is
            # kept as evidence (recovery cuts an unsigned tail), so one line says what happened.
            where = display_path(exc.filename) if exc.filename else str(self.archive.root)
            raise CaseError(f"{where}: cannot write to the case ({os_reason(exc)}); files committed before this "
                            "point are safe, free some space and run the same add again") from None
        return self.summary

    def _run(self, area: StagingArea, paths: Sequence[str | Path]) -> None:
        for item in iter_inputs(paths, follow_links=self.follow_links, protect=[self.archive.root]):
            if isinstance(item, InputError):
                self._report(AddResult("skipped" if item.skipped else "failed", item.display,
                                       reason=item.reason))
                continue
            staged = self._stage(area, item)
            if staged is None:
                continue
            self._pending.append((item, staged))
            self._pending_bytes += staged.size
            if len(self._pending) >= self.batch_size or self._pending_bytes >= BATCH_BYTES:
                self._flush()
        self._flush()

    def _stage(self, area: StagingArea, item: InputFile) -> StagedBlob | None:
        limit = format_size(self.max_size)
        if item.size > self.max_size:
            self._report(AddResult("failed", item.display, reason=f"file is {format_size(item.size)}, over the "
                                   f"{limit} limit (raise ORGANWATCH_MAX_FILE_SIZE to add it)"))
            return None
        try:
            with open(item.path, "rb") as fh:
                staged = area.stage(fh, self.max_size)
        except FileTooLargeError:
            self._report(AddResult("failed", item.display,
                                   reason=f"file grew past the {limit} limit while being read"))
            return None
        except OSError as exc:
            self._report(AddResult("failed", item.display, reason=os_reason(exc)))
            return None
        if staged.size == 0:
            staged.path.unlink(missing_ok=True)
            self._report(AddResult("failed", item.display, reason="empty file (0 bytes): nothing to archive"))
            return None
        return staged

    def _flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        entries: list[dict[str, Any]] = []
        staged_new: dict[str, Path] = {}
        results: list[AddResult] = []
        with self.archive.writer() as writer:
            self.summary.recovery_notes.extend(writer.recovery.notes)
            new_here: dict[str, list[dict[str, Any]]] = {}
            with self.archive.store.view() as view:
                for item, staged in pending:
                    sighting = observation_fields(item, self.meta, self.captured_by)
                    known = new_here.get(staged.sha256)
                    stored = None
                    if known is None:
                        stored = view.archive.capture(staged.sha256)
                        known = None if stored is None else [_identity(o) for o in stored.observations]
                    if known is None:
                        media_type = sniff(staged.head, staged.path)
                        entries.append({"type": "capture", "time": utc_now(), "capture": staged.sha256,
                                        "size": staged.size, "media_type": media_type, **sighting})
                        staged_new[staged.sha256] = staged.path
                        new_here[staged.sha256] = [sighting]
                        results.append(AddResult("added", item.display, staged.sha256, media_type, staged.size))
                        continue
                    if staged.path != staged_new.get(staged.sha256):
                        staged.path.unlink(missing_ok=True)
                    if stored is None:
                        stored = view.archive.capture(staged.sha256)
                    media = stored.media_type if stored is not None else sniff(staged.head)
                    if any(_same_sighting(k, sighting, self.meta.captured_at is not None) for k in known):
                        results.append(AddResult("present", item.display, staged.sha256, media, staged.size))
                        continue
                    entries.append({"type": "observation", "time": utc_now(), "capture": staged.sha256,
                                    **sighting})
                    known.append(sighting)
                    new_here[staged.sha256] = known
                    results.append(AddResult("observed", item.display, staged.sha256, media, staged.size))
            writer.commit(entries, staged_new)
        for result in results:
            self._report(result)
        if self.after_commit is not None:
            # Later stages run per committed batch, so memory stays bounded and a crash loses little.
            self.after_commit([r for r in results if r.status == "added"])


def add_paths(archive: Archive, paths: Iterable[str | Path], meta: CaptureMetadata | None = None, *,
              max_size: int, batch_size: int,
              on_result: Callable[[AddResult], None] | None = None,
              after_commit: Callable[[list[AddResult]], None] | None = None,
              follow_links: bool = False) -> AddSummary:
    """Add files and folders to ``archive``; see :class:`Ingest`."""
    return Ingest(archive, meta or CaptureMetadata(), max_size, batch_size, on_result, after_commit,
                  follow_links=follow_links).run(list(paths))

"""Import WARC and WACZ files made by other tools (ArchiveWeb.page, Browsertrix, wget, warcprox).

Given a WARC or WACZ already added to the case (so its exact bytes are archived and logged),
:func:`record_web_archive` makes every response and resource record a capture of its own — the page,
image or PDF as a reader saw it — whose provenance names the file, the member inside a WACZ, the
record's byte offset and WARC-Record-ID. For a WACZ, the SHA-256 digests and sizes its own
``datapackage.json`` declares are checked, and ``datapackage-digest.json`` against the package. The
outcome is logged as one ``web_archive.import`` evidence event: a failed digest check is evidence too.

>>> # summary = import_web_archive(case, Path("crawl.wacz"), CaptureMetadata(note="from Browsertrix"))
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from organwatch.archive.captures import AddResult, CaptureMetadata
from organwatch.errors import OrganWatchError

if TYPE_CHECKING:
    from organwatch.case import Case

EVENT = "web_archive.import"
METHOD = "web archive import"
MAX_RECORD_BYTES = 256 << 20
_STORED_TYPES = ("response", "resource")
_TEXT_TYPES = ("text/html", "application/xhtml+xml", "application/pdf", "text/plain")


@dataclass
class ImportSummary:
    """What an import found and stored, and the datapackage check of a WACZ."""

    source_capture: str
    format: str
    records: int = 0
    stored: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    record_types: dict[str, int] = field(default_factory=dict)
    datapackage: dict[str, Any] | None = None
    pages: int | None = None
    #: Records that could not be read (cut, mis-framed, over-long headers): skipped, listed in ``skipped``.
    bad_records: int = 0

    @property
    def digests_ok(self) -> bool | None:
        """True/False for a WACZ whose digests were checked, None for a plain WARC."""
        return None if self.datapackage is None else bool(self.datapackage["ok"])

    def to_json(self) -> dict[str, Any]:
        """As logged (lists capped so one huge crawl cannot make one huge log entry)."""
        return {"source_capture": self.source_capture, "format": self.format, "records": self.records,
                "stored": self.stored, "skipped": self.skipped[:1000], "members": self.members[:20000],
                "record_types": self.record_types, "datapackage": self.datapackage, "pages": self.pages,
                "bad_records": self.bad_records}


def check_datapackage(archive: zipfile.ZipFile) -> dict[str, Any]:
    """Check every resource ``datapackage.json`` lists (sha256 and size), and the package's own digest."""
    problems: list[str] = []
    try:
        raw = archive.read("datapackage.json")
        package = json.loads(raw)
        resources = list(package.get("resources", []))
    except (KeyError, ValueError, AttributeError, TypeError) as exc:
        return {"ok": False, "checked": 0, "problems": [f"datapackage.json unreadable: {exc}"]}
    names = set(archive.namelist())
    checked = 0
    for resource in resources:
        path, declared = str(resource.get("path", "")), str(resource.get("hash", ""))
        if path not in names:
            problems.append(f"{path}: listed but not in the WACZ")
            continue
        digest, size = _member_digest(archive, path)
        checked += 1
        if not declared.startswith("sha256:"):
            problems.append(f"{path}: no sha256 digest declared ({declared or 'none'})")
        elif declared.removeprefix("sha256:") != digest:
            problems.append(f"{path}: sha256 {digest[:16]}... differs from the declared {declared[7:23]}...")
        if isinstance(resource.get("bytes"), int) and resource["bytes"] != size:
            problems.append(f"{path}: {size} bytes, datapackage says {resource['bytes']}")
    listed = {str(r.get("path")) for r in resources}
    unlisted = sorted(n for n in names if n.startswith("archive/") and n not in listed)
    problems.extend(f"{n}: in the WACZ but not listed in datapackage.json" for n in unlisted)
    package_digest: str | None = None
    if "datapackage-digest.json" in names:
        try:
            declared_pkg = str(json.loads(archive.read("datapackage-digest.json")).get("hash", ""))
        except (ValueError, AttributeError) as exc:
            declared_pkg = f"unreadable ({exc})"
        package_digest = "sha256:" + hashlib.sha256(raw).hexdigest()
        if declared_pkg != package_digest:
            problems.append(f"datapackage.json: digest {package_digest[:23]}... differs from "
                            f"datapackage-digest.json ({declared_pkg[:23]}...)")
    return {"ok": not problems, "checked": checked, "problems": problems[:200],
            "datapackage_sha256": hashlib.sha256(raw).hexdigest(), "digest_file": package_digest is not None,
            "wacz_version": str(package.get("wacz_version", "")) or None, "software": package.get("software")}


def _member_digest(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _count_pages(archive: zipfile.ZipFile) -> int | None:
    if "pages/pages.jsonl" not in archive.namelist():
        return None
    with archive.open("pages/pages.jsonl") as fh:
        lines = [line for line in fh if line.strip()]
    return sum(1 for line in lines if b'"url"' in line)


def _warc_date(text: str | None) -> str | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Importer:
    def __init__(self, case: Case, summary: ImportSummary, source_name: str | None, meta: CaptureMetadata,
                 max_record_bytes: int) -> None:
        self.case = case
        self.summary = summary
        self.source_name = source_name
        self.meta = meta
        self.max_record_bytes = max_record_bytes

    def warc(self, stream: IO[bytes], member: str | None, workdir: Path) -> None:
        """Store each good record; a bad one (cut, mis-framed, unparseable) is skipped with its reason."""
        from organwatch.text.warcrecords import iter_warc_records

        for item in iter_warc_records(stream, max_record_bytes=self.max_record_bytes):  # type: ignore[arg-type]
            if item.record is None:
                self.summary.bad_records += 1
                self.summary.skipped.append({"member": member, "offset": item.offset,
                                             "reason": f"damaged record: {item.problem}"})
                continue
            try:
                self._record(item.record, item.offset, item.oversized, member, workdir)
            except Exception as exc:  # warcio's decoders raise on corrupt chunked/compressed payloads
                self.summary.bad_records += 1
                self.summary.skipped.append({"member": member, "offset": item.offset,
                                             "reason": f"damaged record: {type(exc).__name__}: {str(exc)[:120]}"})

    def _record(self, record: Any, offset: int, oversized: bool, member: str | None, workdir: Path) -> None:
        kind = str(record.rec_type)
        self.summary.records += 1
        self.summary.record_types[kind] = self.summary.record_types.get(kind, 0) + 1
        if kind not in _STORED_TYPES:
            return
        from organwatch.text.warc import undecodable_encoding

        uri = record.rec_headers.get_header("WARC-Target-URI")
        where = {"member": member, "offset": offset, "url": uri}
        coding = undecodable_encoding(record.http_headers.get_header("Content-Encoding")
                                      if record.http_headers else None)
        if coding is not None:
            self.summary.skipped.append({**where, "reason": f"Content-Encoding {coding!r} cannot be decoded"})
            return
        path = workdir / "payload"
        size, over = 0, oversized
        with open(path, "wb") as out:
            stream = record.content_stream()
            while not over and (chunk := stream.read(1 << 20)):
                size += len(chunk)
                if size > self.max_record_bytes:
                    over = True
                    break
                out.write(chunk)
        if over or size == 0:
            self.summary.skipped.append({**where, "reason": "payload over the size limit" if over else "empty payload"})
            path.unlink()
            return
        http = record.http_headers
        content_type = http.get_header("Content-Type") if http else record.rec_headers.get_header("Content-Type")
        provenance = {"capture": self.summary.source_capture, "name": self.source_name, "member": member,
                      "record_offset": offset, "record_id": record.rec_headers.get_header("WARC-Record-ID"),
                      "record_type": kind, "content_type": content_type,
                      "http_status": int(http.get_statuscode()) if http and http.get_statuscode().isdigit()
                      else None}
        meta = CaptureMetadata(source_url=uri, note=self.meta.note, captured_by=self.meta.captured_by,
                               captured_at=_warc_date(record.rec_headers.get_header("WARC-Date")), method=METHOD,
                               extra={"imported_from": provenance})
        results: list[AddResult] = []
        media = (content_type or "").split(";")[0].strip().lower()
        self.case.add([path], meta, on_result=results.append, text=media in _TEXT_TYPES)
        path.unlink(missing_ok=True)
        if results and results[0].capture_id:
            self.summary.stored += 1
            self.summary.members.append({**where, "capture": results[0].capture_id})
        else:
            self.summary.skipped.append({**where, "reason": results[0].reason if results else "not stored"})


def record_web_archive(case: Case, capture_ref: str, *, meta: CaptureMetadata | None = None,
                       max_record_bytes: int = MAX_RECORD_BYTES) -> ImportSummary:
    """Make each record of an added WARC/WACZ a capture with provenance; check a WACZ's digests; log it."""
    capture = case.capture(capture_ref)
    blob = case.blob_path(capture.id)
    name = next((o.original_name for o in capture.observations if o.original_name), None)
    meta = meta or CaptureMetadata()
    if capture.media_type == "application/wacz":
        summary = ImportSummary(capture.id, "wacz")
    elif capture.media_type == "application/warc":
        summary = ImportSummary(capture.id, "warc")
    elif capture.media_type == "application/x-internet-archive":
        summary = ImportSummary(capture.id, "arc")
    else:
        raise OrganWatchError(f"capture {capture.id[:12]} is {capture.media_type}, not a WARC or WACZ")
    importer = _Importer(case, summary, name, meta, max_record_bytes)
    with tempfile.TemporaryDirectory(prefix="organwatch-import-") as tmp:
        if summary.format in ("warc", "arc"):
            with open(blob, "rb") as fh:
                importer.warc(fh, None, Path(tmp))
        else:
            try:
                with zipfile.ZipFile(blob) as archive:
                    summary.datapackage = check_datapackage(archive)
                    summary.pages = _count_pages(archive)
                    for member in sorted(n for n in archive.namelist()
                                         if n.startswith("archive/") and n.endswith((".warc", ".warc.gz"))):
                        with archive.open(member) as stream:
                            importer.warc(stream, member, Path(tmp))
            except zipfile.BadZipFile as exc:
                raise OrganWatchError(f"capture {capture.id[:12]}: damaged WACZ ({exc})") from None
    case.log_event({"type": EVENT, **summary.to_json()})
    return summary


def import_web_archive(case: Case, path: Path, meta: CaptureMetadata | None = None) -> ImportSummary:
    """Add a WARC/WACZ file (its exact bytes, as ``organwatch add`` does), then :func:`record_web_archive` it."""
    results: list[AddResult] = []
    case.add([path], meta, on_result=results.append)
    if not results or results[0].capture_id is None:
        raise OrganWatchError(f"{path}: {results[0].reason if results else 'not added'}")
    return record_web_archive(case, results[0].capture_id, meta=meta)

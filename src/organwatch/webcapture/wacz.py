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


#: Largest ``datapackage.json`` / ``datapackage-digest.json`` read; a real one lists a few files.
MAX_DATAPACKAGE_BYTES = 16 << 20
#: Longest ``pages.jsonl`` line counted; longer lines stop the count (a page entry is a few hundred bytes).
MAX_PAGES_LINE = 1 << 20
_HASHES = ("sha256", "sha512", "sha384", "sha1", "md5")


def _read_capped(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, inflating at most ``limit`` + 1 bytes whatever its header claims."""
    with archive.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} inflates to more than {limit:,} bytes")
    return data


def _declared_digest(resource: dict[str, Any]) -> tuple[str, str] | str:
    """(algorithm, hex digest) a resource declares, in either WACZ form, or the reason there is none.

    WACZ 1.1 writes ``"hash": "sha256:<hex>"``; WACZ 1.0.0 (Frictionless Data) writes ``"hashing":
    "sha256"`` beside ``"stats": {"hash": "<hex>"}``.
    """
    stats: dict[str, Any] = resource["stats"] if isinstance(resource.get("stats"), dict) else {}
    declared = resource.get("hash") or stats.get("hash")
    if not isinstance(declared, str) or not declared:
        return "no digest declared"
    algorithm, _, value = declared.partition(":")
    if not value:
        algorithm, value = str(resource.get("hashing") or "md5").lower(), declared  # Frictionless default: md5
    algorithm = algorithm.lower().replace("-", "")
    if algorithm not in _HASHES:
        return f"digest algorithm {algorithm!r} is not supported"
    return algorithm, value.lower()


def _declared_size(resource: dict[str, Any]) -> int | None:
    stats: dict[str, Any] = resource["stats"] if isinstance(resource.get("stats"), dict) else {}
    size = resource.get("bytes", stats.get("bytes"))
    return size if isinstance(size, int) and not isinstance(size, bool) else None


def check_datapackage(archive: zipfile.ZipFile) -> dict[str, Any]:
    """Check every resource ``datapackage.json`` lists (digest and size), the package digest and its signature."""
    problems: list[str] = []
    try:
        raw = _read_capped(archive, "datapackage.json", MAX_DATAPACKAGE_BYTES)
        package = json.loads(raw)
    except (KeyError, ValueError, zipfile.BadZipFile, EOFError, OSError) as exc:
        return {"ok": False, "checked": 0, "problems": [f"datapackage.json unreadable: {exc}"],
                "signature": "not checked"}
    if not isinstance(package, dict):
        return {"ok": False, "checked": 0, "signature": "not checked",
                "problems": [f"datapackage.json is a JSON {type(package).__name__}, not an object"]}
    resources = package.get("resources", [])
    if not isinstance(resources, list):
        return {"ok": False, "checked": 0, "signature": "not checked",
                "problems": [f"datapackage.json: 'resources' is {json.dumps(resources)[:40]}, not a list"]}
    names = set(archive.namelist())
    checked = 0
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict):
            problems.append(f"datapackage.json: resource {index} is not an object")
            continue
        path = str(resource.get("path", ""))
        if path not in names:
            problems.append(f"{path}: listed but not in the WACZ")
            continue
        declared = _declared_digest(resource)
        algorithm = declared[0] if isinstance(declared, tuple) else "sha256"
        expected = _declared_size(resource)
        if expected is not None and archive.getinfo(path).file_size != expected:
            # Sizes disagree already: say so without inflating what may be a bomb.
            problems.append(f"{path}: the ZIP says {archive.getinfo(path).file_size} bytes, datapackage says "
                            f"{expected}; not hashed")
            continue
        digest, size = _member_digest(archive, path, algorithm)
        checked += 1
        if isinstance(declared, str):
            problems.append(f"{path}: {declared}")
        elif declared[1] != digest:
            problems.append(f"{path}: {algorithm} {digest[:16]}... differs from the declared {declared[1][:16]}...")
        if expected is not None and expected != size:
            problems.append(f"{path}: {size} bytes, datapackage says {expected}")
    listed = {str(r.get("path")) for r in resources if isinstance(r, dict)}
    unlisted = sorted(n for n in names if n.startswith("archive/") and n not in listed)
    problems.extend(f"{n}: in the WACZ but not listed in datapackage.json" for n in unlisted)
    package_digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    signature = "unsigned"
    has_digest_file = "datapackage-digest.json" in names
    if has_digest_file:
        try:
            digest_file = json.loads(_read_capped(archive, "datapackage-digest.json", MAX_DATAPACKAGE_BYTES))
            if not isinstance(digest_file, dict):
                raise ValueError("not a JSON object")
            declared_pkg = str(digest_file.get("hash", ""))
        except (ValueError, zipfile.BadZipFile, EOFError, OSError) as exc:
            digest_file, declared_pkg = {}, f"unreadable ({exc})"
        if declared_pkg != package_digest:
            problems.append(f"datapackage.json: digest {package_digest[:23]}... differs from "
                            f"datapackage-digest.json ({declared_pkg[:23]}...)")
        signature = verify_signature(digest_file.get("signedData"), package_digest)
        if signature.startswith("INVALID"):
            problems.append(f"datapackage-digest.json: {signature}")
    return {"ok": not problems, "checked": checked, "problems": problems[:200],
            "datapackage_sha256": hashlib.sha256(raw).hexdigest(), "digest_file": has_digest_file,
            "signature": signature, "wacz_version": str(package.get("wacz_version", "")) or None,
            "software": package.get("software")}


def verify_signature(signed: Any, package_digest: str) -> str:
    """Verify a WACZ ``signedData`` block: "unsigned", "valid (...)", "INVALID: ..." or "unverifiable: ...".

    The WACZ signing spec signs the digest string of ``datapackage.json`` (``"sha256:<hex>"``) with
    ECDSA P-256 / SHA-256. The key is either ``publicKey`` (base64 DER, an anonymous signer) or the
    first certificate of ``domainCert`` (PEM, a domain-verified signer; the certificate chain itself
    is not validated here, it needs the network). Signatures come DER-encoded (authsign) or as the
    64-byte r||s of WebCrypto (browser signers); both are accepted.
    """
    if signed is None:
        return "unsigned"
    if not isinstance(signed, dict):
        return "INVALID: signedData is not an object"
    import base64
    import binascii

    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    signed_hash = signed.get("hash")
    if signed_hash != package_digest:
        return f"INVALID: the signed hash {str(signed_hash)[:23]}... is not the digest of datapackage.json"
    try:
        signature = base64.b64decode(str(signed.get("signature", "")), validate=True)
        if signed.get("publicKey"):
            key: Any = serialization.load_der_public_key(base64.b64decode(str(signed["publicKey"])))
            signer = "anonymous key"
        elif signed.get("domainCert"):
            cert = x509.load_pem_x509_certificates(str(signed["domainCert"]).encode())[0]
            key = cert.public_key()
            signer = f"certificate of {signed.get('domain') or cert.subject.rfc4514_string()}; chain not checked"
        else:
            return "unverifiable: signedData names no publicKey or domainCert"
    except (ValueError, binascii.Error, IndexError, TypeError) as exc:
        return f"unverifiable: key or signature cannot be read ({exc})"
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return f"unverifiable: the key is {type(key).__name__}, not ECDSA"
    if len(signature) == 64:  # WebCrypto's r||s
        signature = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        key.verify(signature, package_digest.encode(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return "INVALID: the signature does not verify against the signer's key"
    return f"valid ({signer})"


def _member_digest(archive: zipfile.ZipFile, name: str, algorithm: str = "sha256") -> tuple[str, int]:
    digest, size = hashlib.new(algorithm), 0
    with archive.open(name) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _count_pages(archive: zipfile.ZipFile) -> int | None:
    """Page entries in ``pages/pages.jsonl``, streamed; None when absent or a line is implausibly long."""
    if "pages/pages.jsonl" not in archive.namelist():
        return None
    count, has_url, length, tail = 0, False, 0, b""
    with archive.open("pages/pages.jsonl") as fh:
        while chunk := fh.read(1 << 20):
            start = 0
            while True:
                newline = chunk.find(b"\n", start)
                piece = chunk[start : newline if newline != -1 else len(chunk)]
                has_url = has_url or b'"url"' in tail + piece[:8] or b'"url"' in piece
                length += len(piece)
                if length > MAX_PAGES_LINE:
                    return None
                if newline == -1:
                    tail = (tail + piece)[-8:]
                    break
                count += int(has_url)
                has_url, length, tail, start = False, 0, b"", newline + 1
    return count + int(has_url)


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
    with case.store.writer() as writer:  # every record is now a capture: the import is no longer pending
        writer.pending.done("import", [capture.id])
    return summary


def import_web_archive(case: Case, path: Path, meta: CaptureMetadata | None = None) -> ImportSummary:
    """Add a WARC/WACZ file (its exact bytes, as ``organwatch add`` does), then :func:`record_web_archive` it."""
    results: list[AddResult] = []
    case.add([path], meta, on_result=results.append)
    if not results or results[0].capture_id is None:
        raise OrganWatchError(f"{path}: {results[0].reason if results else 'not added'}")
    return record_web_archive(case, results[0].capture_id, meta=meta)

"""WARC and WACZ from other tools: every record a capture with provenance; WACZ digests checked and logged."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from organwatch.archive.captures import CaptureMetadata
from organwatch.case import Case
from organwatch.webcapture.wacz import import_web_archive, record_web_archive
from tests.conftest import run_cli

PAGE = "<html><body><p>器官移植 等待 一周 — archived by another tool.</p></body></html>".encode()
IMAGE = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _warc() -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for uri, ctype, body in (("https://hospital.example/a.html", "text/html; charset=utf-8", PAGE),
                             ("https://hospital.example/logo.png", "image/png", IMAGE)):
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), length=len(body),
                                                      http_headers=headers,
                                                      warc_headers_dict={"WARC-Date": "2024-05-01T08:00:00Z"}))
        writer.write_record(writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), length=0, http_headers=
                                                      StatusAndHeaders("GET / HTTP/1.1", [], is_http_request=True)))
    return out.getvalue()


def _wacz(path: Path, tamper: bool = False) -> Path:
    warc = _warc()
    pages = b'{"format": "json-pages-1.0", "id": "pages"}\n{"url": "https://hospital.example/a.html"}\n'
    members = {"archive/data.warc.gz": warc, "pages/pages.jsonl": pages}
    package = {"profile": "data-package", "wacz_version": "1.1.1", "software": "Browsertrix test",
               "resources": [{"name": Path(n).name, "path": n, "hash": "sha256:" + hashlib.sha256(d).hexdigest(),
                              "bytes": len(d)} for n, d in members.items()]}
    package_bytes = json.dumps(package).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data + (b"x" if tamper and name.startswith("pages/") else b""))
        archive.writestr("datapackage.json", package_bytes)
        archive.writestr("datapackage-digest.json", json.dumps(
            {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}))
    return path


def test_multi_record_warc_records_become_captures(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(_warc())
    summary = import_web_archive(case, path, CaptureMetadata(note="from wget"))
    assert summary.format == "warc" and summary.records == 4 and summary.stored == 2
    assert summary.record_types == {"response": 2, "request": 2}
    image = case.capture(hashlib.sha256(IMAGE).hexdigest())
    obs = image.observations[0]
    assert obs.source_url == "https://hospital.example/logo.png" and obs.captured_at.startswith("2024-05-01T08:00:00")
    provenance = obs.extra["imported_from"]  # type: ignore[index]
    assert provenance["capture"] == summary.source_capture and provenance["name"] == "crawl.warc.gz"
    assert provenance["record_type"] == "response" and isinstance(provenance["record_offset"], int)
    page = case.capture(hashlib.sha256(PAGE).hexdigest())
    assert any("等待" in (d.text or "") for d in case.documents(page.id))
    events = [e for e in case.log_entries() if e["type"] == "web_archive.import"]
    assert len(events) == 1 and events[0]["stored"] == 2 and events[0]["datapackage"] is None
    assert case.verify().ok


def test_wacz_digests_checked_and_recorded(case: Case, tmp_path: Path) -> None:
    summary = import_web_archive(case, _wacz(tmp_path / "site.wacz"))
    assert summary.format == "wacz" and summary.digests_ok is True and summary.pages == 1
    assert summary.datapackage is not None and summary.datapackage["checked"] == 2
    assert summary.stored == 2 and summary.members[0]["member"] == "archive/data.warc.gz"
    event = [e for e in case.log_entries() if e["type"] == "web_archive.import"][-1]
    assert event["datapackage"]["ok"] is True and event["datapackage"]["software"] == "Browsertrix test"


def test_tampered_wacz_is_imported_with_the_failed_check_logged(case: Case, tmp_path: Path) -> None:
    added = case.add([_wacz(tmp_path / "bad.wacz", tamper=True)])
    capture_id = next(c.id for c in case.captures() if c.media_type == "application/wacz")
    assert added.added == 1
    summary = record_web_archive(case, capture_id[:8])
    assert summary.digests_ok is False
    problems = summary.datapackage["problems"]  # type: ignore[index]
    # Sizes disagree, so the member is reported without being hashed.
    assert problems == ["pages/pages.jsonl: the ZIP says 88 bytes, datapackage says 87; not hashed"]
    event = [e for e in case.log_entries() if e["type"] == "web_archive.import"][-1]
    assert event["datapackage"]["ok"] is False and event["source_capture"] == capture_id


def test_organwatch_add_imports_a_wacz_and_fails_on_bad_digests(case: Case, tmp_path: Path) -> None:
    from tests.conftest import run_cli

    good = run_cli("add", "--case", str(case.root), str(_wacz(tmp_path / "good.wacz")))
    assert good.returncode == 0, good.stderr
    assert "digests OK" in good.stdout
    assert case.count_captures() > 1  # the WACZ itself plus one capture per record
    bad = run_cli("add", "--case", str(case.root), str(_wacz(tmp_path / "bad.wacz", tamper=True)))
    assert bad.returncode == 1
    assert "datapackage check failed: pages/pages.jsonl" in bad.stderr
    assert run_cli("verify", "--case", str(case.root)).returncode == 0


def test_organwatch_add_splits_a_multi_record_warc_unless_told_not_to(case: Case, tmp_path: Path) -> None:
    from tests.conftest import run_cli

    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(_warc())
    kept_whole = run_cli("add", "--case", str(case.root), "--no-split-records", str(warc), check=True)
    assert "web archive" not in kept_whole.stdout and case.count_captures() == 1
    split = run_cli("add", "--case", str(case.root), str(warc), check=True)  # already present: not split again
    assert case.count_captures() == 1 and "web archive" not in split.stdout
    other = tmp_path / "other.warc.gz"
    other.write_bytes(_warc() + _warc())  # two copies of each record: same payloads, one new file
    result = run_cli("add", "--case", str(case.root), str(other), check=True)
    assert "stored as captures" in result.stdout
    records = [c for c in case.captures() if c.observations[0].extra]
    assert records and all(c.observations[0].source_url for c in records)


def _package_wacz(path: Path, package: object, *, members: dict[str, bytes] | None = None,
                  signed_data: dict[str, object] | None = None) -> Path:
    """A WACZ whose datapackage.json is ``package`` exactly (any JSON), with an optional signedData block."""
    members = members if members is not None else {"archive/data.warc.gz": _warc()}
    package_bytes = json.dumps(package).encode()
    digest: dict[str, object] = {"path": "datapackage.json",
                                 "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
    if signed_data is not None:
        digest["signedData"] = signed_data
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("datapackage.json", package_bytes)
        archive.writestr("datapackage-digest.json", json.dumps(digest))
    return path


def test_wacz_1_0_digest_form_is_read(case: Case, tmp_path: Path) -> None:
    warc = _warc()
    package = {"profile": "data-package", "wacz_version": "1.0.0",
               "resources": [{"name": "data.warc.gz", "path": "archive/data.warc.gz", "hashing": "sha256",
                              "stats": {"hash": hashlib.sha256(warc).hexdigest(), "bytes": len(warc)}}]}
    summary = import_web_archive(case, _package_wacz(tmp_path / "old.wacz", package,
                                                     members={"archive/data.warc.gz": warc}))
    assert summary.datapackage is not None and summary.datapackage["problems"] == []
    assert summary.digests_ok is True and summary.datapackage["signature"] == "unsigned"


def _signed(package: dict[str, object], *, raw: bool = False, tamper: bool = False) -> dict[str, object]:
    import base64

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    key = ec.generate_private_key(ec.SECP256R1())
    digest = "sha256:" + hashlib.sha256(json.dumps(package).encode()).hexdigest()
    signature = key.sign((digest + ("x" if tamper else "")).encode(), ec.ECDSA(hashes.SHA256()))
    if raw:
        r, s = decode_dss_signature(signature)
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {"hash": digest, "signature": base64.b64encode(signature).decode(), "created": "2024-05-01T08:00:00Z",
            "publicKey": base64.b64encode(public).decode(), "software": "test signer"}


def test_wacz_signatures_are_verified(case: Case, tmp_path: Path) -> None:
    warc = _warc()
    package = {"profile": "data-package", "wacz_version": "1.1.1",
               "resources": [{"path": "archive/data.warc.gz", "hash": "sha256:" + hashlib.sha256(warc).hexdigest(),
                              "bytes": len(warc)}]}
    members = {"archive/data.warc.gz": warc}
    for name, raw in (("der.wacz", False), ("webcrypto.wacz", True)):
        path = _package_wacz(tmp_path / name, package, members=members, signed_data=_signed(package, raw=raw))
        summary = import_web_archive(case, path)
        assert summary.datapackage is not None and summary.datapackage["signature"] == "valid (anonymous key)"
        assert summary.digests_ok is True
    bad = _package_wacz(tmp_path / "forged.wacz", package, members=members, signed_data=_signed(package, tamper=True))
    result = run_cli("add", "--case", str(case.root), str(bad))
    assert result.returncode == 1
    assert "signature INVALID" in result.stdout and "does not verify" in result.stderr


def test_malformed_resources_are_a_clear_error(case: Case, tmp_path: Path) -> None:
    from organwatch.webcapture.wacz import check_datapackage

    for index, resources in enumerate((None, "archive/data.warc.gz", 5, [7])):
        path = _package_wacz(tmp_path / f"bad{index}.wacz", {"profile": "data-package", "resources": resources})
        with zipfile.ZipFile(path) as archive:
            checked = check_datapackage(archive)
        assert checked["ok"] is False
        assert "not a list" in checked["problems"][0] or "is not an object" in checked["problems"][0]
    result = run_cli("add", "--case", str(case.root), str(tmp_path / "bad0.wacz"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "'resources' is null, not a list" in result.stderr


def test_wacz_bombs_are_read_in_bounded_memory(tmp_path: Path) -> None:
    from tests.text.bombs import BLOCK, peak_memory_mb, repeated_deflate, stored, write_zip

    package_bomb = repeated_deflate(b" " * BLOCK, 2048, prefix=b'{"resources": [')  # 2 GiB datapackage.json
    first = write_zip(tmp_path / "package-bomb.wacz", [stored("archive/data.warc.gz", _warc()),
                                                        ("datapackage.json", *package_bomb, 8)])
    line_bomb = repeated_deflate(b"x" * BLOCK, 1024, prefix=b'{"url": "')  # one 1 GiB line in pages.jsonl
    package = json.dumps({"resources": []}).encode()
    second = write_zip(tmp_path / "pages-bomb.wacz", [stored("archive/data.warc.gz", _warc()),
                                                       ("pages/pages.jsonl", *line_bomb, 8),
                                                       stored("datapackage.json", package)])
    assert first.stat().st_size < 3 << 20 and second.stat().st_size < 2 << 20
    code = f"""
import zipfile
from organwatch.webcapture.wacz import check_datapackage, _count_pages
for name in ({str(first)!r}, {str(second)!r}):
    with zipfile.ZipFile(name) as archive:
        print(check_datapackage(archive)["problems"][:1], _count_pages(archive))
"""
    peak, printed = peak_memory_mb(code)
    assert peak < 500, f"peak {peak:.0f} MB"
    assert "inflates to more than" in printed and "None" in printed

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
    assert len(problems) == 2 and all(p.startswith("pages/pages.jsonl") for p in problems)
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
    assert "datapackage digests do not match" in bad.stderr
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

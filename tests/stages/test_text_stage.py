"""The text stage inside a case: documents for every capture, failures kept with their reason, links."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from organwatch.case import Case
from tests.conftest import run_cli

STORY = ("The China Tribunal, chaired by Sir Geoffrey Nice, said on Monday that forced organ harvesting from "
         "prisoners of conscience had taken place over many years, on a significant scale. The judgment was "
         "delivered in London after hearings that began last December. ")


def warc_with_two_pages() -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for url, body, charset in (
        ("http://hospital.example/zh/liver.html",
         "<html><head><meta charset=gbk><title>肝移植中心</title></head><body><p>肝脏移植等待时间一至两周。"
         "</p></body></html>".encode("gbk"), "gbk"),
        ("http://hospital.example/en/info.html",
         b"<html><head><title>International patients</title></head><body><p>Kidney transplants in about "
         b"a week.</p></body></html>", "utf-8"),
    ):
        headers = StatusAndHeaders("200 OK", [("Content-Type", f"text/html; charset={charset}")], protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                           warc_headers_dict={"WARC-Date": "2006-03-01T08:00:00Z"})
        writer.write_record(record)
        record.raw_stream.close()  # warcio buffers the payload in a temporary file to digest it
    return buffer.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    (root / "tribunal.html").write_text(f"<html><head><title>Tribunal rules</title></head><body><article><p>{STORY}"
                                        "</p><p>Reaction came from many countries.</p></article></body></html>",
                                        encoding="utf-8")
    (root / "reprint.html").write_text(f"<html><head><title>Tribunal rules (reprint)</title></head><body><article>"
                                       f"<p>{STORY}</p><p>Reaction came from many countries today.</p></article>"
                                       "</body></html>", encoding="utf-8")
    (root / "wang-big5.html").write_bytes("<html><head><meta charset=big5><title>王立軍</title></head><body><p>"
                                          "王立軍曾任錦州市公安局局長。</p></body></html>".encode("big5"))
    (root / "crawl.warc.gz").write_bytes(warc_with_two_pages())
    (root / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<\n")  # truncated
    (root / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return root


def test_every_capture_gets_documents(case: Case, files: Path) -> None:
    failures = []
    summary = case.add([files], text=True, on_text=lambda r: failures.append(r) if r.failed else None)
    assert summary.added == 6
    docs = {(d.title or d.locator or d.capture_id): d for d in case.documents()}
    big5 = next(d for d in docs.values() if d.title == "王立軍")
    assert big5.language == "zh-Hant" and big5.encoding and big5.encoding.startswith("big5")
    assert "錦州市公安局" in (big5.text or "")
    warc_docs = [d for d in docs.values() if d.locator.startswith("warc:")]
    assert len(warc_docs) == 2
    zh = next(d for d in warc_docs if d.language == "zh-Hans")
    assert zh.source_url == "http://hospital.example/zh/liver.html"
    assert zh.captured_at is not None and zh.captured_at.startswith("2006-03-01")
    assert "肝脏移植" in (zh.text or "")
    (failed,) = failures
    broken = case.document(failed.capture_id)
    assert broken.status == "failed" and broken.error
    assert case.count_documents("failed") == 1
    assert sum(1 for d in case.documents() if d.media_type == "image/png") == 0  # skipped, not failed


def test_reprints_are_linked(case: Case, files: Path) -> None:
    case.add([files / "tribunal.html", files / "reprint.html"], text=True)
    first, second = list(case.documents())
    kinds = {link.kind for link in case.document_links(first.id)}
    assert "near-duplicate" in kinds and "paragraph" in kinds
    (paragraph,) = [link for link in case.document_links(first.id) if link.kind == "paragraph"]
    assert paragraph.a_start is not None and paragraph.a_end is not None
    assert (first.text or "")[paragraph.a_start:paragraph.a_end] == (second.text or "")[
        paragraph.b_start:paragraph.b_end]


def test_reprocess_keeps_document_ids_and_retries_failures(case: Case, files: Path) -> None:
    case.add([files], text=True)
    before = {(d.capture_id, d.locator): d.id for d in case.documents()}
    summary = case.reprocess("text")
    assert summary.captures == 6 and summary.failed == 1 and summary.skipped == 1
    assert {(d.capture_id, d.locator): d.id for d in case.documents()} == before
    retried = case.reprocess("text", failed_only=True)
    assert retried.captures == 1 and retried.failed == 1
    assert case.count_documents() == len(before)
    assert case.verify().ok  # derived data never touches the evidence log


def test_cli_text_and_reprocess(case: Case, files: Path) -> None:
    result = run_cli("add", "--case", str(case.root), str(files))
    assert result.returncode == 1  # the truncated PDF failed in the text stage
    assert "text failed" in result.stderr and "Added 6" in result.stdout
    big5 = next(d for d in case.documents() if d.title == "王立軍")
    shown = run_cli("text", "--case", str(case.root), str(big5.id), check=True).stdout
    assert "王立軍曾任錦州市公安局局長" in shown and "zh-Hant" in shown
    data = json.loads(run_cli("text", "--case", str(case.root), big5.capture_id[:8], "--format", "json",
                              check=True).stdout)
    assert data["id"] == big5.id and data["language"] == "zh-Hant"
    again = run_cli("reprocess", "--case", str(case.root), "--failed-only")
    assert again.returncode == 1 and "Reprocessed 1 capture(s)" in again.stdout
    assert run_cli("text", "--case", str(case.root), "99999").returncode == 1


def test_gzip_member_that_is_not_warc(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "notes.gz"
    path.write_bytes(gzip.compress(b"plain notes"))
    summary = case.add([path], text=True)
    assert summary.added == 1 and case.count_documents() == 0  # compressed data: skipped, not failed


def test_damaged_warc_keeps_the_records_before_the_damage(case: Case, tmp_path: Path) -> None:
    data = warc_with_two_pages()
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(data[: len(data) - 40])  # the second record's gzip member is cut short
    results = []
    case.add([path], text=True, on_text=results.append)
    (result,) = results
    assert result.failed and result.documents >= 1 and result.reason
    docs = list(case.documents())
    assert [d.status for d in docs].count("failed") == 1
    assert any(d.status == "ok" and "肝脏移植" in (d.text or "") for d in docs)
    failed = next(d for d in docs if d.status == "failed")
    assert failed.locator == "error" and failed.error == result.reason

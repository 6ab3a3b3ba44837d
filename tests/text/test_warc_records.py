"""WARC records are framed before they are trusted: cut, overrunning, over-long and odd records."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from organwatch.case import Case
from organwatch.text import ExtractedDocument, TextExtractionError, extract_documents
from organwatch.webcapture.wacz import import_web_archive
from tests.conftest import run_cli
from tests.text.warcbuild import PAGE, arc, brotli_page, page, record


def _collect(data: bytes) -> tuple[list[ExtractedDocument], TextExtractionError | None]:
    documents: list[ExtractedDocument] = []
    try:
        documents.extend(extract_documents(data))
    except TextExtractionError as error:
        return documents, error
    return documents, None


def _overrun() -> tuple[bytes, int, int]:
    """Three records; the second's Content-Length claims 400 bytes more than it has (swallowing the third)."""
    first, second, third = (page(f"https://example.org/{n}.html", w) for n, w in
                            (("a", "a liver"), ("b", "a kidney"), ("c", "a heart")))
    header_end = second.index(b"\r\n\r\n")
    length_line = next(line for line in second[:header_end].split(b"\r\n") if line.startswith(b"Content-Length"))
    declared = int(length_line.split(b":")[1])
    bad = second.replace(length_line, b"Content-Length: %d" % (declared + 400), 1)
    return first + bad + third, len(first), len(first) + len(bad)


def test_a_record_running_past_its_end_is_skipped_and_the_next_one_read() -> None:
    data, second_at, _third_at = _overrun()
    documents, error = _collect(data)
    assert [d.source_url for d in documents] == ["https://example.org/a.html", "https://example.org/c.html"]
    assert "a heart" in documents[1].text and "a kidney" not in documents[1].text
    assert error is not None and f"at byte {second_at:,}" in error.reason
    assert "Content-Length" in error.reason and "runs into the next record" in error.reason


def test_overrunning_record_is_not_stored_as_evidence_and_add_fails(case: Case, tmp_path: Path) -> None:
    data, second_at, _ = _overrun()
    path = tmp_path / "crawl.warc"
    path.write_bytes(data)
    summary = import_web_archive(case, path)
    assert summary.bad_records == 1 and summary.stored == 2
    assert {m["url"] for m in summary.members} == {"https://example.org/a.html", "https://example.org/c.html"}
    bad = [s for s in summary.skipped if s["reason"].startswith("damaged record")]
    assert bad[0]["offset"] == second_at
    other = tmp_path / "other.warc"
    other.write_bytes(data.replace(b"a liver", b"a lung!"))
    result = run_cli("add", "--case", str(case.root), "--no-text", str(other))
    assert result.returncode == 1
    assert "damaged record(s) skipped" in result.stderr and f"{second_at:,}" in result.stderr


def test_plain_warc_cut_mid_record_fails_the_add(case: Case, tmp_path: Path) -> None:
    first = page("https://example.org/a.html", "a liver")
    data = first + page("https://example.org/b.html", "a lung")
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:-60])
    result = run_cli("add", "--case", str(case.root), "--no-text", str(path))
    assert result.returncode == 1 and "cut mid-record" in result.stderr
    assert "Traceback" not in result.stderr
    documents, error = _collect(data[:-60])
    assert [d.source_url for d in documents] == ["https://example.org/a.html"]
    assert error is not None and f"at byte {len(first):,}" in error.reason


def test_an_over_long_header_line_fails_that_record_only() -> None:
    first = page("https://example.org/a.html", "a liver")
    huge = record("https://example.org/b.html", PAGE).replace(
        b"WARC-Date:", b"X-Junk: " + b"x" * (5 << 20) + b"\r\nWARC-Date:", 1)
    last = page("https://example.org/c.html", "a heart")
    documents, error = _collect(first + huge + last)
    assert [d.source_url for d in documents] == ["https://example.org/a.html", "https://example.org/c.html"]
    assert error is not None and "header line is longer than" in error.reason
    assert f"at byte {len(first):,}" in error.reason


def test_an_over_long_http_header_line_fails_that_record_only() -> None:
    huge = record("https://example.org/b.html", PAGE, extra_http=(("X-Junk", "y" * (3 << 20)),))
    documents, error = _collect(huge + page("https://example.org/c.html", "a heart"))
    assert [d.source_url for d in documents] == ["https://example.org/c.html"]
    assert error is not None and "HTTP header line is longer than" in error.reason and "at byte 0:" in error.reason


def test_brotli_pages_are_decoded_and_unknown_encodings_reported(case: Case, tmp_path: Path) -> None:
    strange = record("https://example.org/z.html", b"\x28\xb5\x2f\xfd" + b"\x00" * 40,
                     extra_http=(("Content-Encoding", "zstd"),))
    data = brotli_page("https://example.org/br.html") + strange
    documents, error = _collect(data)
    assert error is None
    decoded, unread = documents
    assert "waiting time for a liver" in decoded.text
    assert unread.error is not None and "'zstd' cannot be decoded" in unread.error
    path = tmp_path / "mixed.warc.gz"
    path.write_bytes(gzip.compress(data))
    case.add([path], text=True)
    rows = {d.source_url: d for d in case.documents()}
    assert rows["https://example.org/br.html"].status == "ok"
    assert rows["https://example.org/z.html"].status == "failed"


def test_valid_warc_without_html_or_pdf_is_not_a_failure(case: Case, tmp_path: Path) -> None:
    api = json.dumps({"hospital": "example", "wait_days": 14}).encode()
    data = (record("https://api.example.org/wait", b"", record_type="request", content_type="application/json",
                   status="GET /wait")
            + record("https://api.example.org/wait", api, content_type="application/json")
            + record("https://example.org/a.html", b"", record_type="revisit")
            + record("https://example.org/notes.json", api, record_type="resource",
                     content_type="application/json")
            + record("https://api.example.org/last", api, content_type="application/json", status="200"))
    documents, error = _collect(data)
    assert documents == [] and error is None  # "HTTP/1.1 200" with no reason phrase is fine
    path = tmp_path / "api.warc"
    path.write_bytes(data)
    result = run_cli("add", "--case", str(case.root), str(path))
    assert result.returncode == 0, result.stderr
    assert "no document found" not in result.stderr


def test_damage_messages_give_a_real_offset_and_a_reason() -> None:
    data = page("https://example.org/a.html", "a liver")
    gz = gzip.compress(data) + b"this is not gzip at all" * 3
    documents, error = _collect(gz)
    assert len(documents) == 1 and error is not None
    offset = int(error.reason.split("at byte ")[1].split(":")[0].replace(",", ""))
    assert offset == len(gzip.compress(data))
    assert error.reason.split(": ", 1)[1].strip()


def test_arc_files_are_read_as_web_archives(case: Case, tmp_path: Path) -> None:
    data = arc([("http://example.org/a.html", PAGE), ("http://example.org/b.html", PAGE.replace(b"liver", b"lung"))])
    documents, error = _collect(data)
    assert error is None
    assert [d.source_url for d in documents] == ["http://example.org/a.html", "http://example.org/b.html"]
    assert all(d.captured_at == "2024-05-01T08:00:00Z" for d in documents)
    path = tmp_path / "old-crawl.arc.gz"
    path.write_bytes(gzip.compress(data))
    result = run_cli("add", "--case", str(case.root), str(path))
    assert result.returncode == 0, result.stderr
    arc_capture = next(c for c in case.captures() if c.media_type == "application/x-internet-archive")
    texts = [d.text or "" for d in case.documents(arc_capture.id)]
    assert any("waiting time for a lung" in t for t in texts)
    assert not any("HTTP/1.0 200" in t for t in texts)  # not the raw headers as text

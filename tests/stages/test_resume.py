"""Interrupted work is recorded, reported by ``verify`` and finished by the next ``add``.

A real ``organwatch add`` subprocess is killed with SIGKILL part-way (while committed captures still wait
for the text stage, or while a WARC's records are being split out); the re-run must leave every capture
read, every document indexed and extracted, and nothing pending.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from organwatch.case import Case, open_case
from tests.conftest import run_cli

PARAGRAPH = ("The provincial hospital said that patient number {n} received a kidney within {d} days, "
             "according to a statement by Dr Zhang Wei of the First Affiliated Hospital in Harbin. ")


def page(n: int) -> str:
    body = "".join(f"<p>{PARAGRAPH.format(n=n, d=n % 9 + 2)}</p>" for _ in range(6))
    return f"<html><head><title>Report {n}</title></head><body><article>{body}<p>token{n}x</p></article></body></html>"


def start_add(case: Case, *paths: Path, batch: int = 25) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ORGANWATCH_BATCH_SIZE": str(batch)}
    return subprocess.Popen([sys.executable, "-m", "organwatch", "add", "--case", str(case.root),
                             *map(str, paths)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_when(process: subprocess.Popen[bytes], ready: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if ready():  # type: ignore[operator]
            break
        time.sleep(0.05)
    if process.poll() is not None:
        pytest.fail("the add finished before it could be interrupted")
    process.send_signal(signal.SIGKILL)
    process.wait()


def unread_captures(case: Case) -> int:
    """Committed captures without any document row yet (the text stage has not reached them)."""
    captures = case.count_captures()
    with case.store.view() as view:
        return captures - len(view.documents.capture_ids())


def assert_complete(case: Case) -> None:
    with case.store.view() as view:
        assert view.pending.counts() == {}
        ok = view.documents.ids(status="ok")
        assert ok
        for document_id in ok:
            assert view.search.entry(document_id) is not None, document_id
            assert view.mentions.extract_run(document_id) is not None, document_id


def test_killed_add_is_reported_and_finished(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(300):
        (folder / f"page{n:03}.html").write_text(page(n), encoding="utf-8")
    process = start_add(case, folder)
    watcher = open_case(case.root)
    kill_when(process, lambda: watcher.count_captures() >= 25 and unread_captures(watcher) > 0)
    assert unread_captures(watcher) > 0
    pending = watcher.pending()
    assert pending.get("text", 0) >= unread_captures(watcher)
    report = run_cli("verify", "--case", str(case.root), "--format", "json")
    assert "pending-work" in report.stdout and "not yet read by the text stage" in report.stdout
    watcher.store.close()

    again = run_cli("add", "--case", str(case.root), str(folder), check=True)
    assert "already present" in again.stdout
    resumed = open_case(case.root)
    assert resumed.count_captures() == 300 and unread_captures(resumed) == 0
    assert_complete(resumed)
    assert resumed.search("token299x").total == 1 and resumed.search("token0x").total == 1
    assert "pending-work" not in run_cli("verify", "--case", str(case.root), "--format", "json").stdout
    resumed.store.close()


def warc(pages: int) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for n in range(pages):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(f"http://news.example/{n}.html", "response",
                                           payload=io.BytesIO(page(n).encode()), http_headers=headers,
                                           warc_headers_dict={"WARC-Date": "2019-06-17T08:00:00Z"})
        writer.write_record(record)
        record.raw_stream.close()
    return buffer.getvalue()


def test_killed_warc_import_is_finished_and_each_page_read_once(case: Case, tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(warc(60))
    process = start_add(case, crawl)
    watcher = open_case(case.root)
    # the WARC is archived and its records not yet split into captures of their own
    kill_when(process, lambda: watcher.count_captures() >= 1 and watcher.pending().get("import"))
    assert watcher.pending().get("import") == 1
    assert "not yet split into record captures" in run_cli("verify", "--case", str(case.root)).stdout
    watcher.store.close()

    run_cli("add", "--case", str(case.root), str(crawl), check=True)
    resumed = open_case(case.root)
    assert resumed.count_captures() == 61
    assert_complete(resumed)
    # Each page is one document, read from the WARC, not again from its split-out record capture.
    documents = list(resumed.documents())
    assert len(documents) == 60 and all(d.locator.startswith("warc:") for d in documents)
    (hit,) = resumed.search("token7x").hits
    assert hit.source_url == "http://news.example/7.html"
    resumed.store.close()

"""Media types come from content, never from the file name."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from organwatch.archive.sniff import sniff


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "expected"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    (b"\xef\xbb\xbf  <!DOCTYPE html><html lang=zh>", "text/html"),
    ("<html><head><meta charset=gb18030></head>王立军".encode("gb18030"), "text/html"),
    ("\ufeff<html><body>器官</body></html>".encode("utf-16-le"), "text/html"),
    (b"<p>fragment saved from a page</p>", "text/html"),
    (b"<?xml version='1.0'?><PubmedArticleSet>", "application/xml"),
    (b"WARC/1.1\r\nWARC-Type: response\r\n", "application/warc"),
    (gzip.compress(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n"), "application/warc"),
    (gzip.compress(b"just compressed text"), "application/gzip"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    ("器官移植，等待时间两周。".encode("gb18030"), "text/plain"),
    ("器官移植，等待時間兩週。".encode("big5"), "text/plain"),
    (b'{"claims": []}', "application/json"),
    (b"\x00\x01\x02binary\x00", "application/octet-stream"),
    (b"", "application/x-empty"),
    (zipped({"datapackage.json": b"{}", "archive/data.warc.gz": b""}), "application/wacz"),
    (zipped({"[Content_Types].xml": b"", "word/document.xml": b""}),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (zipped({"a.txt": b"x"}), "application/zip"),
])
def test_sniff(data: bytes, expected: str) -> None:
    assert sniff(data) == expected


def test_extension_is_ignored(tmp_path: Path) -> None:
    lying = tmp_path / "report.pdf"
    lying.write_bytes(b"<!doctype html><title>404 Not Found</title>")
    assert sniff(lying.read_bytes(), lying) == "text/html"

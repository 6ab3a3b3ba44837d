"""WARC: one document per HTML/PDF response, with URI, capture time and offset; damage is reported."""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

import pytest

from organwatch.text import ExtractedDocument, TextExtractionError, extract_documents


def _collect(source: object) -> tuple[list[ExtractedDocument], TextExtractionError | None]:
    documents: list[ExtractedDocument] = []
    try:
        for document in extract_documents(source):  # type: ignore[arg-type]
            documents.append(document)
    except TextExtractionError as error:
        return documents, error
    return documents, None


def test_complete_warc_yields_html_and_pdf_documents(fixtures: Path) -> None:
    path = fixtures / "crawl.warc.gz"
    documents, error = _collect(path)
    assert error is None
    assert [d.source_url for d in documents] == [
        "https://news.example.cn/a.html",
        "https://example.org/inquiry",
        "https://example.org/report.pdf",
    ]  # the PNG record is skipped
    chinese, english, pdf = documents
    assert chinese.captured_at == "2016-06-22T10:00:00Z"
    assert (chinese.encoding, chinese.encoding_method) == ("gb18030", "http-header")
    assert chinese.language == "zh-Hans" and "肝脏移植等待时间只有两周" in chinese.text
    assert english.language == "en"
    assert pdf.media_type == "application/pdf" and len(pdf.pages) == 2
    # Each locator points at the gzip member that holds exactly that record.
    data = path.read_bytes()
    for document in documents:
        assert document.locator is not None
        offset = int(document.locator.removeprefix("warc:offset="))
        record = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[offset:])
        assert record.startswith(b"WARC/1.0\r\n")
        assert f"WARC-Target-URI: {document.source_url}\r\n".encode() in record[:400]


def test_warc_with_a_truncated_member_keeps_earlier_records_and_reports_the_damage(fixtures: Path) -> None:
    documents, error = _collect(fixtures / "crawl_truncated.warc.gz")
    good = [d for d in documents if d.text]
    assert [d.source_url for d in good] == ["https://news.example.cn/a.html", "https://example.org/inquiry"]
    assert error is not None
    assert error.name == "crawl_truncated.warc.gz"
    assert "WARC is damaged at byte" in error.reason and "readable record(s) were kept" in error.reason
    assert "\n" not in str(error)


def test_missing_gzip_trailer_on_the_last_member_is_reported(fixtures: Path) -> None:
    data = (fixtures / "crawl.warc.gz").read_bytes()[:-8]  # CRC32 and size of the last member gone
    documents, error = _collect(data)
    assert len(documents) == 3
    assert error is not None and "last gzip member is truncated" in error.reason


def test_garbage_between_records_stops_with_the_offset(fixtures: Path) -> None:
    data = (fixtures / "crawl.warc.gz").read_bytes()
    first_end = data.index(b"\x1f\x8b", 10)
    corrupt = data[:first_end] + b"this is not a gzip member" * 4 + data[first_end:]
    documents, error = _collect(corrupt)
    assert [d.source_url for d in documents] == ["https://news.example.cn/a.html"]
    assert error is not None and f"at byte {first_end:,}" in error.reason


def test_uncompressed_warc_and_file_objects_are_read_as_streams(fixtures: Path) -> None:
    raw = gzip.decompress((fixtures / "crawl.warc.gz").read_bytes())
    assert raw.startswith(b"WARC/1.0")
    documents, error = _collect(io.BufferedReader(io.BytesIO(raw)))
    assert error is None
    assert len(documents) == 3
    assert documents[0].locator == "warc:offset=0"
    offsets = [int(d.locator.removeprefix("warc:offset=")) for d in documents if d.locator]
    for document, offset in zip(documents, offsets, strict=True):
        assert raw[offset:].startswith(b"WARC/1.0\r\nWARC-Type: response\r\n")
        assert f"WARC-Target-URI: {document.source_url}".encode() in raw[offset : offset + 300]


def test_truncated_uncompressed_warc_reports_the_short_record(fixtures: Path) -> None:
    raw = gzip.decompress((fixtures / "crawl.warc.gz").read_bytes())
    documents, error = _collect(raw[:-2000])
    assert error is not None and "at byte 2,545" in error.reason and "cut mid-record" in error.reason
    assert [d.source_url for d in documents][:2] == ["https://news.example.cn/a.html", "https://example.org/inquiry"]


@pytest.mark.parametrize("data", [b"WARC/1.0\r\nnonsense", b"WARC/1.0\r\n"])
def test_unreadable_warc_is_an_error(data: bytes) -> None:
    documents, error = _collect(data)
    assert documents == [] and error is not None and "WARC is damaged" in error.reason


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, like stdin or a socket: read once, front to back."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = io.BytesIO(data)
        self.reads = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        self.reads += 1
        chunk = self._data.read(min(len(buffer), 65_536))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_warc_from_a_non_seekable_stream_is_streamed(fixtures: Path) -> None:
    pipe = _Pipe((fixtures / "crawl.warc.gz").read_bytes())
    documents, error = _collect(pipe)
    assert error is None
    from_path, _ = _collect(fixtures / "crawl.warc.gz")
    assert [(d.locator, d.text) for d in documents] == [(d.locator, d.text) for d in from_path]
    assert len(documents) == 3 and pipe.reads > 1


def test_html_from_a_non_seekable_stream(fixtures: Path) -> None:
    pipe = _Pipe((fixtures / "big5_page.html").read_bytes())
    (document,) = extract_documents(pipe)  # type: ignore[arg-type]
    assert document.encoding == "big5hkscs" and "肝臟移植" in document.text

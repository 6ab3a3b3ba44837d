"""Small WARC and ARC files built in the tests: well-formed, cut, mis-framed, with odd encodings."""

from __future__ import annotations

import io

import brotli
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PAGE = (b"<html><head><title>Transplant waiting times</title></head><body><article><p>The hospital said the "
        b"waiting time for a liver was two weeks, far shorter than anywhere else in the region.</p>"
        b"</article></body></html>")


def record(uri: str, body: bytes, *, content_type: str = "text/html; charset=utf-8", status: str = "200 OK",
           record_type: str = "response", extra_http: tuple[tuple[str, str], ...] = ()) -> bytes:
    """One uncompressed WARC record (ends with its blank line)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    http = None
    if record_type in ("response", "request", "revisit"):
        http = StatusAndHeaders(status, [("Content-Type", content_type), *extra_http], protocol="HTTP/1.1",
                                is_http_request=record_type == "request")
    warc_headers = {"WARC-Date": "2024-05-01T08:00:00Z"}
    if record_type == "resource":
        warc_headers["Content-Type"] = content_type
    if record_type == "revisit":
        warc_headers["WARC-Profile"] = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
        warc_headers["WARC-Refers-To-Target-URI"] = uri
        warc_headers["WARC-Refers-To-Date"] = "2024-04-01T08:00:00Z"
    writer.write_record(writer.create_warc_record(uri, record_type, payload=io.BytesIO(body), length=len(body),
                                                  http_headers=http, warc_headers_dict=warc_headers))
    return out.getvalue()


def page(uri: str, words: str) -> bytes:
    body = PAGE.replace(b"a liver", words.encode())
    return record(uri, body)


def brotli_page(uri: str) -> bytes:
    return record(uri, brotli.compress(PAGE), extra_http=(("Content-Encoding", "br"),))


def arc(pages: list[tuple[str, bytes]]) -> bytes:
    """An ARC v1 file: the filedesc header record, then one record per (url, HTML) page."""
    version = b"1 0 OrganWatch test\nURL IP-address Archive-date Content-type Archive-length\n\n"
    out = [b"filedesc://test.arc 0.0.0.0 20240501080000 text/plain %d\n" % len(version) + version + b"\n"]
    for url, html in pages:
        body = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + html
        out.append(b"%s 93.184.216.34 20240501080000 text/html %d\n" % (url.encode(), len(body)) + body + b"\n")
    return b"".join(out)

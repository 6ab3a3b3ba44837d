"""Write HTTP exchanges as WARC/1.1 request and response records (warcio), the format courts and archives know.

The response record holds the status line and headers as received and the body bytes as sent
(still content-encoded, e.g. gzip). Only the chunked transfer framing is removed by the HTTP client,
so its ``Transfer-Encoding`` header is kept under ``X-Archive-Orig-Transfer-Encoding`` — the
convention of web archives — or readers would try to de-chunk a body that is no longer chunked.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from organwatch.version import __version__

_RENAMED = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}


class ExchangeWriter:
    """Appends records to one gzip-compressed WARC file; use :func:`open_warc`."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def warcinfo(self, fields: dict[str, str]) -> None:
        """A ``warcinfo`` record naming the software and the operator."""
        record = self._writer.create_warcinfo_record("exchange.warc.gz", {
            "software": f"OrganWatch {__version__} (httpx, warcio)", "format": "WARC File Format 1.1", **fields})
        self._writer.write_record(record)

    def exchange(self, *, url: str, method: str, request_target: str, http_version: str,
                 request_headers: Sequence[tuple[str, str]], status_line: str,
                 response_headers: Sequence[tuple[str, str]], body: IO[bytes], body_length: int,
                 date: str, ip: str | None, extension_headers: dict[str, str]) -> str:
        """Write a response record, then its request record; return the response's WARC-Record-ID."""
        headers = [(_RENAMED.get(k.lower(), k), v) for k, v in response_headers]
        warc_headers = {"WARC-Date": date, **({"WARC-IP-Address": ip} if ip else {}), **extension_headers}
        response = self._writer.create_warc_record(
            url, "response", payload=body, length=body_length,
            http_headers=StatusAndHeaders(status_line, headers, protocol=http_version),
            warc_headers_dict=warc_headers)
        self._writer.write_record(response)
        record_id: str = response.rec_headers.get_header("WARC-Record-ID")
        request = self._writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(f"{method} {request_target} {http_version}", list(request_headers),
                                          is_http_request=True),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id,
                               **({"WARC-IP-Address": ip} if ip else {})})
        self._writer.write_record(request)
        return record_id


@contextmanager
def open_warc(path: Path) -> Iterator[ExchangeWriter]:
    """Create ``path`` as a WARC/1.1 file (gzip per record) and yield a writer for it."""
    with open(path, "wb") as fh:
        yield ExchangeWriter(WARCWriter(fh, gzip=True, warc_version="WARC/1.1"))


def final_response(path: Path, max_bytes: int) -> tuple[str | None, str | None, bytes]:
    """(target URI, Content-Type, decoded body) of the last response record of a WARC.

    The body is de-chunked and content-decoded by warcio, cut at ``max_bytes``: it is what a reader
    of the page saw, used for main text and media links, never as the evidence itself.
    """
    from warcio.archiveiterator import ArchiveIterator

    found: tuple[str | None, str | None, bytes] = (None, None, b"")
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "response":
                continue
            content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
            found = (record.rec_headers.get_header("WARC-Target-URI"), content_type,
                     record.content_stream().read(max_bytes))
    return found

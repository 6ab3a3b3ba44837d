"""WARC / WARC.gz → the payloads of response (and resource) records, streamed with warcio.

warcio stops silently at a truncated gzip member. We count the bytes it consumed and compare them
with where the last complete record ended, so damage is reported (with its byte offset) instead of
passing for the end of the file. Records read before the damage are still yielded.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, BinaryIO

from organwatch.text.errors import TextExtractionError

WARCIO_VERSION = version("warcio")
#: Records larger than this (decoded payload) are skipped with a warning rather than read into memory.
MAX_RECORD_BYTES = 256 << 20

# Types that are never documents: skipped without reading their payload.
_NOT_DOCUMENTS = (
    "image/",
    "video/",
    "audio/",
    "font/",
    "text/css",
    "application/javascript",
    "text/javascript",
    "application/x-javascript",
    "application/wasm",
)


@dataclass(frozen=True)
class WarcPayload:
    """One record's payload with what the WARC says about it."""

    offset: int
    record_type: str
    target_uri: str | None
    date: str | None
    content_type: str | None
    payload: bytes
    warnings: tuple[str, ...] = ()

    @property
    def locator(self) -> str:
        return f"warc:offset={self.offset}"


class _Counting:
    """File wrapper that counts the bytes read, to tell how far warcio really got."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.raw.readline(size)
        self.count += len(data)
        return data

    def drain(self) -> None:
        while self.read(1 << 20):
            pass


def _last_member_complete(stream: BinaryIO, start: int, end: int) -> bool:
    """True when the gzip member at [start, end) decompresses to its end (has its trailer)."""
    try:
        stream.seek(start)
    except (OSError, ValueError, AttributeError):
        return True  # not seekable: cannot check, do not cry wolf
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    remaining = end - start
    try:
        while remaining > 0 and not decompressor.eof:
            chunk = stream.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)
            decompressor.decompress(chunk, 0)
    except zlib.error:
        return False
    return decompressor.eof


def iter_warc_payloads(
    stream: BinaryIO,
    *,
    record_types: tuple[str, ...] = ("response", "resource"),
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> Iterator[WarcPayload]:
    """Yield the payloads of ``record_types`` records in order, then raise if the file is damaged.

    Payloads are de-chunked and content-decoded (gzip/deflate/brotli) by warcio. Non-document types
    (images, scripts, styles...) are skipped unread. Raises :class:`TextExtractionError` after the
    last good record when the WARC is truncated or corrupt, naming the byte offset of the damage.
    """
    from warcio.archiveiterator import ArchiveIterator

    counting = _Counting(stream)
    records = 0
    last_offset = 0
    good_end = 0
    gzipped = False
    truncated: list[int] = []
    damage: str | None = None
    iterator: Any = ArchiveIterator(counting)
    try:
        for record in iterator:
            if record.rec_headers.get_header("Content-Length") is None or not record.rec_type:
                damage = "a record has no WARC-Type or Content-Length header"
                break
            records += 1
            payload = _read(record, record_types, max_record_bytes)
            # Asking for offset and length makes warcio read the rest of the record.
            last_offset = iterator.get_record_offset()
            good_end = last_offset + (iterator.get_record_length() or 0)
            gzipped = gzipped or bool(getattr(iterator.reader, "decompressor", None))
            if getattr(record.raw_stream, "limit", 0):
                truncated.append(last_offset)
            if payload is not None:
                yield _located(payload, last_offset, bool(truncated and truncated[-1] == last_offset))
    except GeneratorExit:
        raise
    except Exception as error:  # warcio raises ArchiveLoadFailed, zlib.error, EOFError, ValueError...
        damage = f"{type(error).__name__}: {str(error).splitlines()[0][:120] if str(error) else ''}"
    if damage is None:
        counting.drain()
        # Uncompressed WARCs end with a blank line that warcio does not count in the record length.
        slack = 0 if gzipped else 4
        if truncated:
            good_end = truncated[0]
            damage = f"the record at byte {truncated[0]:,} ends before its declared length"
        elif records and good_end + slack < counting.count:
            damage = f"{counting.count - good_end:,} trailing byte(s) are not a readable record"
        elif records and gzipped and not _last_member_complete(stream, last_offset, good_end):
            damage = "the last gzip member is truncated"
            good_end = last_offset
        elif not records and counting.count:
            damage = "no WARC record could be read"
    if damage:
        raise TextExtractionError(
            f"WARC is damaged at byte {good_end:,} after {records} record(s): {damage}; "
            "records before the damage were read"
        )


def _located(payload: WarcPayload, offset: int, truncated: bool) -> WarcPayload:
    notes = payload.warnings
    if truncated:
        notes = (*notes, "record is truncated: its payload ends early")
    return WarcPayload(
        offset,
        payload.record_type,
        payload.target_uri,
        payload.date,
        payload.content_type,
        payload.payload,
        notes,
    )


def _read(record: Any, record_types: tuple[str, ...], max_bytes: int) -> WarcPayload | None:
    offset = -1  # filled in by the caller once warcio knows it
    if record.rec_type not in record_types:
        return None
    headers = record.rec_headers
    http = record.http_headers
    content_type = http.get_header("Content-Type") if http is not None else headers.get_header("Content-Type")
    if record.rec_type == "response" and http is not None:
        status = http.get_statuscode()
        if status and not str(status).startswith("2"):
            return None  # redirects and errors carry no document
    lowered = (content_type or "").lower()
    if lowered.startswith(_NOT_DOCUMENTS):
        return None
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        return WarcPayload(
            offset,
            record.rec_type,
            headers.get_header("WARC-Target-URI"),
            headers.get_header("WARC-Date"),
            content_type,
            b"",
            (f"record payload exceeds {max_bytes:,} bytes; not read",),
        )
    return WarcPayload(
        offset=offset,
        record_type=record.rec_type,
        target_uri=headers.get_header("WARC-Target-URI"),
        date=headers.get_header("WARC-Date"),
        content_type=content_type,
        payload=payload,
    )

"""WARC / WARC.gz (and ARC) → the payloads of response (and resource) records.

Records are framed and checked by :mod:`organwatch.text.warcrecords` (boundaries, header-line caps,
truncation, broken gzip members) and parsed by warcio. A record that fails is skipped and reading goes
on; after the last record, :class:`TextExtractionError` names the byte offset and reason of each
failure, so damage is never taken for the end of the file. HTTP payloads are de-chunked and
content-decoded (gzip, deflate, brotli); an encoding we cannot decode is reported, not dropped.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass, replace
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
    #: Set when the record is a document we could not read (its reason); ``payload`` is then empty.
    error: str | None = None

    #: Position inside the gzip member when several records share one (0 otherwise).
    inner: int = 0

    @property
    def locator(self) -> str:
        """``warc:offset=N`` (the record's gzip member or byte), ``+M`` when it is not the member's first."""
        return f"warc:offset={self.offset}" + (f"+{self.inner}" if self.inner else "")


def decodable_encodings() -> frozenset[str]:
    """Content-Encoding values warcio can undo here (brotli only when its decoder is installed)."""
    names = {"identity", "gzip", "x-gzip", "deflate", ""}
    if importlib.util.find_spec("brotli") is None:
        return frozenset(names)
    return frozenset({*names, "br"})


def undecodable_encoding(content_encoding: str | None) -> str | None:
    """The first coding in a Content-Encoding value that cannot be decoded, or None."""
    known = decodable_encodings()
    for coding in (content_encoding or "").lower().split(","):
        if coding.strip() not in known:
            return coding.strip()
    return None


def iter_warc_payloads(
    stream: BinaryIO,
    *,
    record_types: tuple[str, ...] = ("response", "resource"),
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> Iterator[WarcPayload]:
    """Yield the payloads of ``record_types`` records in order, then raise if any record failed.

    Non-document types (images, scripts, styles...) are skipped unread. Raises
    :class:`TextExtractionError` after the last record when records were damaged, cut, mis-framed
    or unparseable, naming the first one's byte offset and reason.
    """
    from organwatch.text.warcrecords import iter_warc_records

    records = 0
    problems: list[tuple[int, str]] = []
    for item in iter_warc_records(stream, max_record_bytes=max_record_bytes):
        if item.problem is not None or item.record is None:
            problems.append((item.offset, item.problem or "unreadable record"))
            continue
        records += 1
        try:
            payload = _read(item.record, record_types, max_record_bytes, item.oversized)
        except Exception as error:  # warcio's decoders raise on corrupt chunked/compressed payloads
            problems.append((item.offset, f"payload cannot be decoded ({type(error).__name__}: "
                             f"{str(error).splitlines()[0][:120] if str(error) else ''})"))
            continue
        if payload is not None:
            yield replace(payload, offset=item.offset, inner=item.inner)
    if problems:
        offset, reason = problems[0]
        more = f" (and {len(problems) - 1} more bad record(s))" if len(problems) > 1 else ""
        raise TextExtractionError(
            f"WARC is damaged at byte {offset:,}: {reason}{more}; {records} readable record(s) were kept"
        )


def _read(record: Any, record_types: tuple[str, ...], max_bytes: int, oversized: bool = False) -> WarcPayload | None:
    offset = -1  # filled in by the caller
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
    base = WarcPayload(offset, record.rec_type, headers.get_header("WARC-Target-URI"),
                       headers.get_header("WARC-Date"), content_type, b"")
    if oversized:
        return replace(base, warnings=(f"record exceeds {max_bytes:,} bytes; not read",),
                       error=f"record exceeds {max_bytes:,} bytes (TextOptions.max_record_bytes); not read")
    coding = undecodable_encoding(http.get_header("Content-Encoding")) if http is not None else None
    if coding is not None:
        reason = f"Content-Encoding {coding!r} cannot be decoded here; payload not read"
        return replace(base, warnings=(reason,), error=reason)
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        reason = f"record payload exceeds {max_bytes:,} bytes when decoded; not read"
        return replace(base, warnings=(reason,), error=reason)
    return replace(base, payload=payload)

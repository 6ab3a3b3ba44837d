"""Split a WARC (plain or gzip) into records ourselves, checking each record's boundary, then parse with warcio.

warcio trusts every ``Content-Length``: a record whose length runs past its end swallows the next
record, a file cut mid-record ends without complaint, and a header line of 100 MB is read by
repeated concatenation (quadratic). Here each record is framed first: header lines are capped
(``MAX_HEADER_LINE``), the content must be followed by the blank line and then the next ``WARC/``
line or the end of the file. A record that fails is reported with its byte offset and the reason,
and reading resumes at the next ``WARC/`` line; only well-framed records reach warcio's parser.

Memory stays bounded: records are spooled to a temporary file above ``SPOOL_BYTES``, gzip members
are inflated in chunks, and content above the caller's limit is skipped without being kept.
ARC files (the Internet Archive's older format) have no such framing to check and are read by
warcio's own iterator.
"""

from __future__ import annotations

import bisect
import io
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

#: Longest WARC or HTTP header line accepted; longer ones fail their record.
MAX_HEADER_LINE = 64 << 10
#: Longest WARC header block (all header lines of one record).
MAX_HEADER_BLOCK = 1 << 20
#: Records up to this size are held in memory, larger ones in a temporary file.
SPOOL_BYTES = 8 << 20
_CHUNK = 1 << 20
_TRAILER = b"\r\n\r\n"
_RESYNC = (b"\nWARC/1.0\r\n", b"\nWARC/1.1\r\n", b"\nWARC/0.", b"\nWARC/1.0\n")


@dataclass
class WarcItem:
    """One record of a WARC: parsed by warcio (``record``), or not, with the ``problem`` that says why.

    ``record`` is readable until the iteration moves on. ``oversized`` records are framed correctly
    but larger than the caller's limit: their headers are parsed and their content is not kept.
    """

    offset: int
    record: Any = None
    problem: str | None = None
    oversized: bool = False
    declared_length: int = 0
    #: For a record that does not start its gzip member: its position in the member's inflated bytes.
    inner: int = 0


@dataclass(frozen=True)
class _Damage:
    """The bytes cannot be read on (broken gzip member): reading stops here."""

    offset: int
    reason: str


class _Flat:
    """The uncompressed bytes of a WARC, with look-ahead, push-back and file offsets of positions.

    For gzip input, ``offset_of`` maps an uncompressed position to the start of the gzip member that
    holds it (what warcio calls a record's offset); for plain input the two are the same.
    """

    def __init__(self, raw: BinaryIO, gzipped: bool) -> None:
        self.raw = raw
        self.gzipped = gzipped
        self.buf = bytearray()
        self.start = 0  # index in buf of the next unread byte
        self.position = 0  # uncompressed offset of the next unread byte
        self.segments: list[tuple[IO[bytes], int, int]] = []  # pushed-back spans of a spool, read first
        self.members_plain: list[int] = [0]
        self.members_file: list[int] = [0]
        self.decompressor: Any = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
        self.pending = b""
        self.pending_offset = 0
        self.raw_eof = False
        self.produced = 0  # uncompressed bytes produced from the raw stream so far
        self.damage: _Damage | None = None

    def offset_of(self, position: int) -> int:
        if not self.gzipped:
            return position
        index = bisect.bisect_right(self.members_plain, position) - 1
        return self.members_file[max(index, 0)]

    def inner_of(self, position: int) -> int:
        if not self.gzipped:
            return 0
        index = bisect.bisect_right(self.members_plain, position) - 1
        return position - self.members_plain[max(index, 0)]

    def available(self) -> int:
        return len(self.buf) - self.start

    def _append(self, data: bytes) -> None:
        if self.start > _CHUNK and self.start > len(self.buf) // 2:
            del self.buf[: self.start]
            self.start = 0
        self.buf += data

    def _fill(self) -> bool:
        """Add more bytes to the buffer; False at the end of the input (or at damage)."""
        while self.segments:
            spool, begin, end = self.segments[0]
            if begin >= end:
                self.segments.pop(0)[0].close()
                continue
            spool.seek(begin)
            data = spool.read(min(_CHUNK, end - begin))
            self.segments[0] = (spool, begin + len(data), end)
            if data:
                self._append(data)
                return True
            self.segments.pop(0)[0].close()
        if self.damage is not None:
            return False
        if not self.gzipped:
            if self.raw_eof:
                return False
            data = self.raw.read(_CHUNK)
            if not data:
                self.raw_eof = True
                return False
            self.produced += len(data)
            self._append(data)
            return True
        return self._fill_gzip()

    def _fill_gzip(self) -> bool:
        while True:
            if not self.pending and not self.raw_eof:
                self.pending = self.raw.read(_CHUNK)
                if not self.pending:
                    self.raw_eof = True
            if self.decompressor.eof:
                if not self.pending:
                    return False  # a complete last member
                self.decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self.members_plain.append(self.produced)
                self.members_file.append(self.pending_offset)
            if not self.pending:
                start = self.members_file[-1]
                self.damage = _Damage(start, "the last gzip member is truncated (the file was cut)")
                return False
            before = len(self.pending)
            try:
                out = self.decompressor.decompress(self.pending, _CHUNK)
            except zlib.error as error:
                self.damage = _Damage(self.pending_offset, f"the bytes at {self.pending_offset:,} are not a "
                                      f"readable gzip member ({error})")
                return False
            rest = self.decompressor.unconsumed_tail or self.decompressor.unused_data
            self.pending_offset += before - len(rest)
            self.pending = bytes(rest)
            if out:
                self.produced += len(out)
                self._append(out)
                return True

    def peek(self, size: int) -> bytes:
        while self.available() < size and self._fill():
            pass
        return bytes(self.buf[self.start : self.start + size])

    def read(self, size: int) -> bytes:
        if self.available() == 0:
            self._fill()
        data = bytes(self.buf[self.start : self.start + size])
        self.start += len(data)
        self.position += len(data)
        return data

    def readline(self, limit: int) -> bytes:
        """A line including its ``\\n``, or ``limit`` bytes if the line is longer (linear time)."""
        searched = 0
        while True:
            index = self.buf.find(b"\n", self.start + searched, self.start + limit)
            if index != -1:
                return self.read(index - self.start + 1)
            searched = min(self.available(), limit)
            if searched >= limit or not self._fill():
                return self.read(limit)

    def skip_to_record(self) -> int:
        """Discard bytes up to the next line that starts a WARC record; return how many were skipped."""
        skipped = 0
        while True:
            view = self.buf[self.start :]
            hits = [i for i in (view.find(marker) for marker in _RESYNC) if i != -1]
            if hits:
                count = min(hits) + 1
                self.read(count)
                return skipped + count
            keep = 16
            count = max(0, len(view) - keep)
            self.read(count)
            skipped += count
            if not self._fill():
                rest = self.available()
                self.read(rest)
                return skipped + rest

    def push_back(self, spool: IO[bytes], begin: int, end: int) -> None:
        """Read ``spool[begin:end]`` again before what is left in the buffer (resynchronising)."""
        tail = bytes(self.buf[self.start :])
        self.buf = bytearray()
        self.start = 0
        holder = io.BytesIO(tail)
        self.segments = [(spool, begin, end), (holder, 0, len(tail)), *self.segments]
        self.position -= end - begin


#: One brotli step inflates at most about this much before the rest is asked for.
_BROTLI_STEP = 1 << 20
#: A single 16 KiB block of brotli input inflating beyond this is a decompression bomb.
MAX_BROTLI_BLOCK_OUTPUT = 64 << 20


class _BrotliDecoder:
    """The interface warcio expects of a decompressor (``decompress``, ``unused_data``, ``flush``).

    warcio's own brotli hook sets an attribute on ``brotli.Decompressor``, which recent brotli
    releases forbid; and it inflates each block without a bound.
    """

    unused_data = b""

    def __init__(self) -> None:
        import brotli

        self._decompressor: Any = brotli.Decompressor()

    def decompress(self, data: bytes) -> bytes:
        out = [self._decompressor.process(data, output_buffer_limit=_BROTLI_STEP)]
        total = len(out[0])
        while not self._decompressor.can_accept_more_data():
            chunk = self._decompressor.process(b"", output_buffer_limit=_BROTLI_STEP)
            total += len(chunk)
            if total > MAX_BROTLI_BLOCK_OUTPUT:
                raise ValueError(f"brotli payload inflates beyond {MAX_BROTLI_BLOCK_OUTPUT:,} bytes per block")
            if not chunk:
                break
            out.append(chunk)
        return b"".join(out)

    def flush(self) -> bytes:
        return b""


def install_decoders() -> None:
    """Make warcio decode ``Content-Encoding: br`` with :class:`_BrotliDecoder` (when brotli is installed)."""
    import importlib.util

    from warcio.bufferedreaders import BufferedReader

    if importlib.util.find_spec("brotli") is not None:
        BufferedReader.DECOMPRESSORS["br"] = _BrotliDecoder


def is_arc(head: bytes) -> bool:
    """True for an ARC file (its first record is the ``filedesc://`` header)."""
    return head.lstrip(b"\r\n").startswith(b"filedesc://")


def iter_warc_records(stream: BinaryIO, *, max_record_bytes: int) -> Iterator[WarcItem]:
    """Yield each record of a WARC (or ARC) in order, parsed by warcio or with the problem that failed it.

    The last item may be a problem with no record: the file is damaged past that offset.
    """
    install_decoders()
    head = stream.read(2)
    rest: Any = _Rejoined(head, stream)
    gzipped = head == b"\x1f\x8b"
    flat = _Flat(rest, gzipped)
    first = flat.peek(64)
    if is_arc(first):
        yield from _iter_arc(_Rejoined(flat.read(flat.available()), _FlatReader(flat)), gzipped=False)
        return
    yield from _iter_framed(flat, max_record_bytes)


def _iter_framed(flat: _Flat, max_record_bytes: int) -> Iterator[WarcItem]:
    from warcio.recordloader import ArcWarcRecordLoader

    loader = ArcWarcRecordLoader()
    last_problem = -1
    while True:
        while flat.peek(2) in (b"\r\n",) or flat.peek(1) == b"\n":
            flat.read(2 if flat.peek(2) == b"\r\n" else 1)
        if not flat.peek(1):
            break
        start = flat.position
        offset = flat.offset_of(start)
        framed = _frame(flat, max_record_bytes)
        if isinstance(framed, str):
            if framed.startswith("\x00"):  # not a record at all: count the bytes skipped to the next one
                skipped = flat.skip_to_record()
                framed = f"{skipped:,} byte(s) are not a WARC record"
            last_problem = offset
            yield WarcItem(offset, problem=framed)
            continue
        spool, content_length, oversized = framed
        try:
            spool.seek(0)
            record = loader.parse_record_stream(spool, known_format="warc")
        except Exception as error:  # warcio raises StatusAndHeadersParserException, ValueError...
            yield WarcItem(offset, problem=f"record headers cannot be parsed ({type(error).__name__}: "
                           f"{_first_line(error)})", declared_length=content_length)
            spool.close()
            continue
        yield WarcItem(offset, record=record, oversized=oversized, declared_length=content_length,
                       inner=flat.inner_of(start))
        spool.close()
    for spool, _begin, _end in flat.segments:
        spool.close()
    if flat.damage is not None and flat.damage.offset != last_problem:
        yield WarcItem(flat.damage.offset, problem=flat.damage.reason)


def _first_line(error: BaseException) -> str:
    text = str(error)
    return text.splitlines()[0][:160] if text else ""


def _frame(flat: _Flat, max_record_bytes: int) -> tuple[IO[bytes], int, bool] | str:
    """Read one record's header block and content, checking its end; the spooled record, or a reason.

    A reason starting with NUL means the bytes here are not a record (the caller skips ahead).
    """
    version = flat.readline(MAX_HEADER_LINE + 1)
    if not version.startswith(b"WARC/"):
        flat.push_back(io.BytesIO(version), 0, len(version))
        return "\x00"
    block = [version]
    size = len(version)
    length: int | None = None
    while True:
        line = flat.readline(MAX_HEADER_LINE + 1)
        if not line:
            return "the file ends inside the record's headers (it was cut)"
        if len(line) > MAX_HEADER_LINE or not line.endswith(b"\n"):
            flat.skip_to_record()
            return f"a WARC header line is longer than {MAX_HEADER_LINE:,} bytes; record skipped"
        size += len(line)
        if size > MAX_HEADER_BLOCK:
            flat.skip_to_record()
            return f"the WARC headers are longer than {MAX_HEADER_BLOCK:,} bytes; record skipped"
        block.append(line)
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                length = -1
    if length is None or length < 0:
        flat.skip_to_record()
        return "the record has no valid Content-Length header"
    oversized = length > max_record_bytes
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by the caller
    spool.write(b"".join(block))
    content_start = spool.tell()
    remaining, resync = length, -1
    carry = b""
    while remaining > 0:
        chunk = flat.read(min(_CHUNK, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
        if resync == -1:
            window = carry + chunk
            hit = min((i for i in (window.find(m) for m in _RESYNC) if i != -1), default=-1)
            if hit != -1:
                resync = spool.tell() - len(carry) + hit + 1 if not oversized else -2
            carry = window[-16:]
        if not oversized:
            spool.write(chunk)
    if remaining > 0:
        spool.close()
        return (f"the record ends after {length - remaining:,} of its {length:,} declared bytes "
                "(the file was cut mid-record)")
    end = flat.peek(len(_TRAILER) + 5)
    boundary_ok = end.startswith(_TRAILER) and (len(end) == len(_TRAILER) or end[4:].startswith(b"WARC/"))
    if not boundary_ok and end.startswith(_TRAILER):
        # Tolerate extra blank lines before the next record (seen in the wild).
        rest = end[4:]
        boundary_ok = rest.startswith((b"\r\n", b"\n")) or not rest
    if not boundary_ok:
        reason = (f"its Content-Length ({length:,}) does not end where the record ends "
                  "(no blank line and next record there)")
        if resync >= 0:
            # The next record starts inside this one's content: read it again from there.
            copy: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - owned by flat
            spool.seek(resync)
            while data := spool.read(_CHUNK):
                copy.write(data)
            flat.push_back(copy, 0, copy.tell())
            reason = f"{reason}; it runs into the next record"
        else:
            flat.skip_to_record()
        spool.close()
        return reason
    flat.read(len(_TRAILER))
    if oversized:
        spool.seek(0)
        return spool, length, True
    spool.write(_TRAILER)
    http = any(line.lower().startswith(b"content-type:") and b"application/http" in line.lower() for line in block)
    problem = _http_header_problem(spool, content_start) if http else None
    if problem:
        spool.close()
        return problem
    spool.seek(0)
    return spool, length, False


def _http_header_problem(spool: IO[bytes], content_start: int) -> str | None:
    """A too-long line in an HTTP header block (which warcio would read quadratically), else None."""
    spool.seek(content_start)
    for _ in range(10_000):
        line = spool.readline(MAX_HEADER_LINE + 1)
        if len(line) > MAX_HEADER_LINE:
            return f"an HTTP header line is longer than {MAX_HEADER_LINE:,} bytes; record skipped"
        if line in (b"\r\n", b"\n", b""):
            return None
    return None


class _FlatReader(io.RawIOBase):
    """The uncompressed bytes of a :class:`_Flat` as a plain stream (for warcio's ARC reader)."""

    def __init__(self, flat: _Flat) -> None:
        super().__init__()
        self.flat = flat

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.flat.read(len(buffer))
        target = memoryview(buffer).cast("B")
        target[: len(data)] = data
        return len(data)


class _Rejoined(io.RawIOBase):
    """A stream whose first bytes were read to sniff it, served again before the rest."""

    def __init__(self, head: bytes, rest: Any) -> None:
        super().__init__()
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        target = memoryview(buffer).cast("B")
        if self.head:
            count = min(len(target), len(self.head))
            target[:count] = self.head[:count]
            self.head = self.head[count:]
            return count
        data = self.rest.read(len(target))
        target[: len(data)] = data
        return len(data)


def _iter_arc(stream: Any, *, gzipped: bool) -> Iterator[WarcItem]:
    from warcio.archiveiterator import ArchiveIterator

    iterator: Any = ArchiveIterator(io.BufferedReader(stream, buffer_size=_CHUNK), arc2warc=True)
    offset = 0
    try:
        for record in iterator:
            offset = int(iterator.offset)
            yield WarcItem(offset, record=record, declared_length=int(record.length or 0))
    except Exception as error:  # warcio raises ArchiveLoadFailed and others on damaged ARC files
        yield WarcItem(offset, problem=f"ARC is damaged ({type(error).__name__}: {_first_line(error)})")

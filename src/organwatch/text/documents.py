"""Source bytes → document text: the dataclasses and the one orchestrating function.

:func:`extract_documents` sniffs what the bytes are (never trusting the file name), hands them to the
reader for that format, and returns :class:`ExtractedDocument` objects whose offsets (paragraphs,
pages) are Unicode code points into ``text``. It is pure: it reads, it does not store.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Literal

from organwatch.text.encoding import charset_from_content_type, sniff_bom
from organwatch.text.errors import TextExtractionError
from organwatch.text.feed import MEDIA_TYPES as FEED_MEDIA_TYPES
from organwatch.text.feed import read_feed, sniff_feed
from organwatch.text.html import MAX_TRAFILATURA_CHARS, HtmlText, extract_html, extract_large_html
from organwatch.text.language import Language, paragraph_spans, profile_language
from organwatch.text.pdf import extract_pdf
from organwatch.text.plain import extract_plain
from organwatch.text.warc import MAX_RECORD_BYTES, WARCIO_VERSION, WarcPayload, iter_warc_payloads

#: Version of this stage's code, stamped on every document so re-extraction is explainable.
PIPELINE_VERSION = "1"

Source = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO
Kind = Literal["html", "pdf", "warc", "text", "markdown", "feed"]

MEDIA_TYPES: dict[Kind, str] = {
    "html": "text/html",
    "pdf": "application/pdf",
    "warc": "application/warc",
    "text": "text/plain",
    "markdown": "text/markdown",
    "feed": "application/rss+xml",
}

_HEAD_BYTES = 65_536
_CHUNK = 1 << 20

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (DOCX, XLSX, EPUB or similar)"),
    (b"%!PS", "a PostScript file"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
    (b"RIFF", "a RIFF media file"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
    (b"\x00\x00\x00\x18ftyp", "an MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "an MP4 video"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (DOC/XLS)"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
)


@dataclass(frozen=True)
class TextOptions:
    """Options of the text stage, in one object (defaults suit a laptop and a hostile corpus)."""

    #: Longest document text kept; longer text is cut with a warning (20 M characters ≈ 10,000 pages).
    max_text_chars: int = 20_000_000
    #: Pages longer than this skip trafilatura for the streaming tag-stripper.
    max_trafilatura_chars: int = MAX_TRAFILATURA_CHARS
    #: WARC record payloads larger than this are skipped with a warning.
    max_record_bytes: int = MAX_RECORD_BYTES
    #: Largest non-WARC input read into memory (PDF, text, gzip-compressed files).
    max_input_bytes: int = 1 << 30
    #: Try pdfplumber on PDF pages that pypdf reads as empty.
    use_pdfplumber: bool = True
    include_tables: bool = True
    favor_precision: bool = False
    detect_language: bool = True


@dataclass(frozen=True)
class ExtractedDocument:
    """The text of one document and what we know about where it came from and how it was read.

    ``paragraphs`` are (start, end, language) and ``pages`` (page number, start, end), all in code
    points of ``text``. ``locator`` says where in its source the document is (``warc:offset=1234``).
    """

    text: str
    media_type: str
    title: str | None = None
    author: str | None = None
    outlet: str | None = None
    published: str | None = None
    canonical_url: str | None = None
    source_url: str | None = None
    captured_at: str | None = None
    locator: str | None = None
    encoding: str | None = None
    encoding_method: str | None = None
    language: Language = "other"
    mixed_language: bool = False
    paragraphs: tuple[tuple[int, int, Language], ...] = ()
    pages: tuple[tuple[int, int, int], ...] = ()
    extractor: str = ""
    extractor_version: str = ""
    pipeline_version: str = PIPELINE_VERSION
    truncated: bool = False
    warnings: tuple[str, ...] = field(default=())
    #: Set (to the reason) for a document that exists in the source but could not be read.
    error: str | None = None


def _describe_binary(head: bytes) -> str | None:
    for magic, description in _MAGIC:
        if head.startswith(magic):
            return description
    return None


def _looks_like_html(head: bytes) -> bool:
    bom = sniff_bom(head)
    if bom and bom[0] != "utf-8":
        start = head[bom[1] : bom[1] + 8192]
        text = start[: len(start) - len(start) % 4].decode(bom[0], "ignore")
    else:
        skip = bom[1] if bom else 0
        text = head[skip : skip + 8192].decode("latin-1")
    lowered = text.lstrip("\ufeff\ufffe \t\r\n").lower()
    if lowered.startswith(("<!doctype html", "<html", "<head", "<body", "<meta", "<title", "<!--")):
        return True
    if lowered.startswith("<?xml") and ("<html" in lowered or "xhtml" in lowered):
        return True
    return lowered.startswith("<") and any(tag in lowered for tag in ("<html", "<body", "<p>", "<div", "<br"))


def sniff_kind(head: bytes, *, name: str | None = None, media_type: str | None = None) -> Kind:
    """Decide what ``head`` (the first bytes of a file) is, from its content; names only break ties.

    >>> sniff_kind(b"%PDF-1.7 ...", name="report.html")
    'pdf'
    """
    if head[:1024].find(b"%PDF-") != -1:
        return "pdf"
    if head.startswith((b"WARC/", b"filedesc://")):
        return "warc"
    if head.startswith(b"\x1f\x8b"):
        try:
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            inner = b""
        if inner.startswith((b"WARC/", b"filedesc://")):
            return "warc"
        raise TextExtractionError("gzip-compressed file that is not a WARC; decompress it first")
    description = _describe_binary(head)
    if description:
        raise TextExtractionError(f"content is {description}, not a text document")
    if sniff_feed(head):
        return "feed"
    if _looks_like_html(head):
        return "html"
    bom = sniff_bom(head)
    wide = bom is not None and bom[0].startswith(("utf-16", "utf-32"))
    if b"\x00" in head[:4096] and not wide:
        raise TextExtractionError("content is binary (contains NUL bytes) and of no known document type")
    declared = (media_type or "").split(";")[0].strip().lower()
    suffix = Path(name).suffix.lower() if name else ""
    if declared in ("text/markdown", "text/x-markdown") or suffix in (".md", ".markdown", ".mdown"):
        return "markdown"
    return "text"


def _declared_kind(name: str | None, media_type: str | None) -> Kind | None:
    declared = (media_type or "").split(";")[0].strip().lower()
    by_type: dict[str, Kind] = {
        "text/html": "html",
        "application/xhtml+xml": "html",
        "application/pdf": "pdf",
        "application/warc": "warc",
        "application/x-internet-archive": "warc",
        "text/plain": "text",
        "text/markdown": "markdown",
        "application/atom+xml": "feed",
        "application/rss+xml": "feed",
    }
    if declared in by_type:
        return by_type[declared]
    suffix = "".join(Path(name).suffixes[-2:]).lower() if name else ""
    by_suffix: dict[str, Kind] = {
        ".html": "html",
        ".htm": "html",
        ".xhtml": "html",
        ".pdf": "pdf",
        ".warc": "warc",
        ".warc.gz": "warc",
        ".arc": "warc",
        ".arc.gz": "warc",
        ".txt": "text",
        ".md": "markdown",
    }
    for ending, kind in by_suffix.items():
        if suffix.endswith(ending):
            return kind
    return None


class _Prepended(io.RawIOBase):
    """A non-seekable stream whose first bytes were already read to sniff it: serves them again."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        target = memoryview(buffer).cast("B")
        if self._head.nbytes:
            count = min(len(target), self._head.nbytes)
            target[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(target))
        target[: len(data)] = data
        return len(data)


class _Input:
    """The input as a stream plus its head, its size when known, and a display name.

    Bytes and paths are seekable; a non-seekable file object (a pipe) is read once, front to back,
    so a WARC can still be streamed from it.
    """

    def __init__(self, source: Source, name: str | None, stack: ExitStack) -> None:
        self.path: Path | None = None
        self.size: int | None = None
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
            self.stream: BinaryIO = io.BytesIO(data)
            self.size = len(data)
            self.name = name
        elif isinstance(source, str | os.PathLike):
            self.path = Path(source)
            self.name = name or self.path.name
            try:
                self.stream = stack.enter_context(self.path.open("rb"))
            except OSError as error:
                raise TextExtractionError(f"cannot open file: {error.strerror}", name=self.name) from error
            self.size = self.path.stat().st_size
        else:
            self.name = name or getattr(source, "name", None)
            self.stream = source
        self.seekable = _seekable(self.stream)
        if self.seekable:
            self.start = self.stream.tell()
            self.head = self.stream.read(_HEAD_BYTES)
            self.stream.seek(self.start)
        else:
            self.start = 0
            self.head = self.stream.read(_HEAD_BYTES)
            self.stream = io.BufferedReader(_Prepended(self.head, self.stream), buffer_size=_CHUNK)

    def _rewind(self) -> None:
        if self.seekable:
            self.stream.seek(self.start)

    def read_head(self, size: int) -> bytes:
        if not self.seekable:
            return self.head[:size]
        self._rewind()
        head = self.stream.read(size)
        self._rewind()
        return head

    def read_all(self, limit: int) -> bytes:
        self._rewind()
        data = self.stream.read(limit + 1)
        if len(data) > limit:
            raise TextExtractionError(
                f"file is larger than {limit:,} bytes; raise TextOptions.max_input_bytes to read it"
            )
        return data

    def chunks(self) -> Iterator[bytes]:
        self._rewind()
        while chunk := self.stream.read(_CHUNK):
            yield chunk


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError):
        return False


def extract_documents(
    source: Source,
    media_type: str | None = None,
    name: str | None = None,
    options: TextOptions | None = None,
    *,
    source_url: str | None = None,
) -> Iterator[ExtractedDocument]:
    """Read the documents in ``source`` (bytes, a path, or a binary file); a WARC yields many.

    Stages, trafilatura style:

    1. **Sniff** the content (``%PDF-``, ``WARC/``, gzip, HTML markup, binary magic numbers); the name
       and ``media_type`` only choose between plain text and Markdown, and a mismatch is a warning.
    2. **Read** by kind:
       HTML → decode (BOM, HTTP charset from ``media_type``, ``<meta>``, detection; GB2312/GBK as
       GB18030) → trafilatura main text + metadata → *fallback*: streaming tag-stripper when the page
       is huge or trafilatura finds nothing. PDF → pypdf per page → *fallback*: pdfplumber on empty
       pages; empty password for encrypted files. WARC → stream response/resource records (warcio),
       each HTML or PDF payload read as above with its URI, date and offset. Text/Markdown → decode.
    3. **Clean** (NFC, ``\\n`` line ends, no control characters), cap at ``max_text_chars``.
    4. **Paragraphs and language**: per paragraph and for the document (``mixed_language`` when a
       second language has at least 10% of the text).

    Raises :class:`TextExtractionError` (one-line reason) for input that cannot be read. For a
    damaged WARC it is raised after the records before the damage have been yielded.

    >>> [doc.language for doc in extract_documents("肝脏移植".encode("gb18030"), name="a.txt")]
    ['zh-Hans']
    """
    options = options or TextOptions()
    with ExitStack() as stack:
        try:
            source_input = _Input(source, name, stack)
        except OSError as error:
            raise TextExtractionError(f"cannot read input: {error}", name=name) from error
        try:
            yield from _dispatch(source_input, media_type, options, source_url)
        except TextExtractionError as error:
            if error.name is None:
                error.name = source_input.name
            raise


def _dispatch(
    source: _Input, media_type: str | None, options: TextOptions, source_url: str | None
) -> Iterator[ExtractedDocument]:
    if not source.head:
        raise TextExtractionError("file is empty")
    kind = sniff_kind(source.head, name=source.name, media_type=media_type)
    declared = _declared_kind(source.name, media_type)
    notes: tuple[str, ...] = ()
    if declared and declared != kind and {declared, kind} != {"text", "markdown"}:
        said = f"named {source.name!r}" if source.name else f"declared {media_type!r}"
        notes = (f"{said} but the content is {kind.upper()}; read as {kind.upper()}",)
    if kind == "warc":
        yield from _warc_documents(source, options)
        return
    if kind == "feed":
        yield from _feed_documents(source.read_all(options.max_input_bytes), options, notes, source_url=source_url)
        return
    http_charset = charset_from_content_type(media_type)
    if kind == "html" and source.size is not None and source.size > 2 * options.max_trafilatura_chars:
        page = extract_large_html(
            source.read_head(1 << 20),
            source.chunks(),
            size=source.size,
            url=source_url,
            http_charset=http_charset,
            max_chars=options.max_text_chars,
        )
        yield _from_html(page, notes, source_url=source_url, options=options)
        return
    data = source.read_all(options.max_input_bytes)
    yield _read_one(kind, data, options, notes, source_url=source_url, http_charset=http_charset)


def _read_one(
    kind: Kind,
    data: bytes,
    options: TextOptions,
    notes: tuple[str, ...],
    *,
    source_url: str | None = None,
    http_charset: str | None = None,
    captured_at: str | None = None,
    locator: str | None = None,
) -> ExtractedDocument:
    if kind == "html":
        page = extract_html(
            data,
            url=source_url,
            http_charset=http_charset,
            max_trafilatura_chars=options.max_trafilatura_chars,
            max_chars=options.max_text_chars,
            include_tables=options.include_tables,
            favor_precision=options.favor_precision,
        )
        return _from_html(page, notes, source_url=source_url, options=options, captured_at=captured_at, locator=locator)
    if kind == "pdf":
        pdf = extract_pdf(data, use_pdfplumber=options.use_pdfplumber, max_chars=options.max_text_chars)
        return _finish(
            ExtractedDocument(
                text=pdf.text,
                media_type=MEDIA_TYPES["pdf"],
                title=pdf.title,
                author=pdf.author,
                source_url=source_url,
                captured_at=captured_at,
                locator=locator,
                pages=pdf.pages,
                extractor=pdf.extractor,
                extractor_version=pdf.extractor_version,
                truncated=pdf.truncated,
                warnings=(*notes, *pdf.warnings),
            ),
            options,
            lines=False,
        )
    if kind in ("text", "markdown"):
        plain = extract_plain(
            data, markdown=kind == "markdown", http_charset=http_charset, max_chars=options.max_text_chars
        )
        return _finish(
            ExtractedDocument(
                text=plain.text,
                media_type=MEDIA_TYPES[kind],
                title=plain.title,
                source_url=source_url,
                captured_at=captured_at,
                locator=locator,
                encoding=plain.decoded.encoding,
                encoding_method=plain.decoded.method,
                extractor="organwatch-plain",
                extractor_version=PIPELINE_VERSION,
                truncated=plain.truncated,
                warnings=(*notes, *plain.decoded.warnings),
            ),
            options,
            lines=False,
            readable=not plain.decoded.implausible,
        )
    raise TextExtractionError(f"cannot read {kind} content here")


def _from_html(
    page: HtmlText,
    notes: tuple[str, ...],
    *,
    source_url: str | None,
    options: TextOptions,
    captured_at: str | None = None,
    locator: str | None = None,
) -> ExtractedDocument:
    return _finish(
        ExtractedDocument(
            text=page.text,
            media_type=MEDIA_TYPES["html"],
            title=page.title,
            author=page.author,
            outlet=page.outlet,
            published=page.published,
            canonical_url=page.canonical_url,
            source_url=source_url,
            captured_at=captured_at,
            locator=locator,
            encoding=page.decoded.encoding,
            encoding_method=page.decoded.method,
            extractor=page.extractor,
            extractor_version=page.extractor_version,
            truncated=page.truncated,
            warnings=(*notes, *page.decoded.warnings, *page.warnings),
        ),
        options,
        lines=True,
        readable=not page.decoded.implausible,
    )


def _finish(
    document: ExtractedDocument, options: TextOptions, *, lines: bool, readable: bool = True
) -> ExtractedDocument:
    """Add paragraphs and languages, and the truncation warning.

    ``readable=False`` (bytes that decode but read as no language) leaves every language "other":
    mojibake must not be indexed and mined as Chinese.
    """
    warnings = document.warnings
    if document.truncated:
        limit = f"{options.max_text_chars:,}"
        warnings = (*warnings, f"text cut at {limit} characters (TextOptions.max_text_chars)")
    spans = paragraph_spans(document.text, lines=lines)
    if options.detect_language and readable:
        profile = profile_language(document.text, spans)
        return replace(
            document,
            language=profile.language,
            mixed_language=profile.mixed,
            paragraphs=profile.paragraphs,
            warnings=warnings,
        )
    return replace(document, paragraphs=tuple((s, e, "other") for s, e in spans), warnings=warnings)


def _warc_documents(source: _Input, options: TextOptions) -> Iterator[ExtractedDocument]:
    for record in iter_warc_payloads(source.stream, max_record_bytes=options.max_record_bytes):
        if record.error is not None or not record.payload:
            if record.error is not None:  # a document we cannot read: say so rather than drop it silently
                yield _unread(record, (record.content_type or "application/octet-stream").split(";")[0],
                              record.error)
            continue
        try:
            kind = sniff_kind(record.payload[:_HEAD_BYTES], name=record.target_uri, media_type=record.content_type)
        except TextExtractionError:
            continue  # images and other binaries served without a telling Content-Type
        if kind not in ("html", "pdf", "feed"):
            continue
        if kind == "feed":
            try:
                yield from _feed_documents(record.payload, options, record.warnings, source_url=record.target_uri,
                                           captured_at=record.date, locator=record.locator)
            except TextExtractionError as error:
                yield _unread(record, "application/rss+xml", f"record could not be read: {error.reason}")
            continue
        try:
            yield _read_one(
                kind,
                record.payload,
                options,
                record.warnings,
                source_url=record.target_uri,
                http_charset=charset_from_content_type(record.content_type),
                captured_at=record.date,
                locator=record.locator,
            )
        except TextExtractionError as error:
            yield _unread(record, MEDIA_TYPES[kind], f"record could not be read: {error.reason}")


def _feed_documents(
    data: bytes,
    options: TextOptions,
    notes: tuple[str, ...],
    *,
    source_url: str | None,
    captured_at: str | None = None,
    locator: str | None = None,
) -> Iterator[ExtractedDocument]:
    """One document per feed entry: its link, date and author; the feed's title as the outlet."""
    kind = sniff_feed(data[:_HEAD_BYTES]) or "rss"
    title, entries = read_feed(data)
    if not entries:
        raise TextExtractionError("feed has no entries")
    for entry in entries:
        text = entry.text[: options.max_text_chars]
        yield _finish(
            ExtractedDocument(
                text=text or (entry.title or ""),
                media_type=FEED_MEDIA_TYPES[kind],
                title=entry.title,
                author=entry.author,
                outlet=title,
                published=entry.published,
                canonical_url=entry.link,
                source_url=entry.link or source_url,
                captured_at=captured_at,
                locator=f"{locator}#entry={entry.index}" if locator else f"feed:entry={entry.index}",
                extractor="organwatch-feed",
                extractor_version=PIPELINE_VERSION,
                truncated=len(entry.text) > options.max_text_chars,
                warnings=notes if text else (*notes, "entry has no content; its title is the text"),
            ),
            options,
            lines=True,
        )


def _unread(record: WarcPayload, media_type: str, reason: str) -> ExtractedDocument:
    return ExtractedDocument(
        text="",
        media_type=media_type,
        source_url=record.target_uri,
        captured_at=record.date,
        locator=record.locator,
        extractor="warcio",
        extractor_version=WARCIO_VERSION,
        warnings=(*record.warnings, reason) if reason not in record.warnings else record.warnings,
        error=reason,
    )

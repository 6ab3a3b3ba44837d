"""PDF → text per page, page numbers kept (pypdf; pdfplumber for pages pypdf reads as empty).

Pages are joined with a blank line, so a paragraph never spans two pages and every character offset
belongs to exactly one page: ``pages`` records (page number, start, end) in the joined text.

A PDF pypdf cannot open ("startxref not found", a broken page tree) is tried with pdfium, then
pdfplumber, before it is called damaged. Neither fallback bounds what it inflates, so every Flate
stream is first inflated in chunks, counting, and a file whose streams inflate beyond
``MAX_INFLATED_STREAM`` (a decompression bomb) never reaches them. Pages whose text comes out as
glyph numbers (a font without a usable ToUnicode map) are reported, not passed off as text.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, BinaryIO

from organwatch.text.errors import TextExtractionError
from organwatch.text.plain import clean_text

PYPDF_VERSION = version("pypdf")
PAGE_SEPARATOR = "\n\n"
#: Largest inflated size of one stream we let the fallback readers load (pypdf itself stops at 75 MB).
MAX_INFLATED_STREAM = 128 << 20
#: Largest inflated size of all streams together before the fallback readers are skipped.
MAX_INFLATED_TOTAL = 512 << 20
_STREAM = re.compile(rb"stream\r?\n")
_CID = re.compile(r"\(cid:\d+\)")


@dataclass(frozen=True)
class PdfText:
    """Text of a PDF with the span of each page, document metadata and what went wrong on the way."""

    text: str
    pages: tuple[tuple[int, int, int], ...]
    title: str | None
    author: str | None
    extractor: str
    extractor_version: str
    warnings: tuple[str, ...]
    truncated: bool = False


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)


@contextmanager
def _library_messages(*names: str) -> Iterator[list[str]]:
    """Collect what pypdf or pdfminer log or warn (damaged xref, bad fonts) as document warnings.

    Otherwise they go to the user's terminal, or fail the test suite, which treats warnings as errors.
    """
    handler = _Collect()
    logs = [logging.getLogger(name) for name in names]
    previous = [log.propagate for log in logs]
    for log in logs:
        log.addHandler(handler)
        log.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield handler.messages
        for warning in caught:
            text = str(warning.message)
            if text not in handler.messages:
                handler.messages.append(text)
    finally:
        for log, propagate in zip(logs, previous, strict=True):
            log.removeHandler(handler)
            log.propagate = propagate


def _metadata_value(metadata: Any, key: str) -> str | None:
    try:
        value = metadata.get(key) if metadata is not None else None
    except Exception:  # broken info dictionaries raise from pypdf's lazy resolution
        return None
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _open(source: bytes | BinaryIO) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source
    try:
        reader = PdfReader(stream, strict=False)
    except Exception as error:  # PdfReadError, but also KeyError, TypeError... on hostile files
        raise TextExtractionError(f"PDF is damaged or truncated and cannot be opened ({error})") from error
    try:
        decrypted = reader.decrypt("") if reader.is_encrypted else True
    except (NotImplementedError, DependencyError) as error:
        raise TextExtractionError(f"PDF is encrypted with an unsupported method ({error})") from error
    except Exception as error:  # a broken /Encrypt dictionary
        raise TextExtractionError(f"PDF is damaged: its encryption dictionary cannot be read ({error})") from error
    if not decrypted:
        raise TextExtractionError("PDF is encrypted and needs a password; decrypt it and add it again")
    try:
        _ = len(reader.pages)
    except FileNotDecryptedError as error:
        raise TextExtractionError("PDF is encrypted and needs a password") from error
    except Exception as error:  # as above: any exception here means a broken page tree
        raise TextExtractionError(f"PDF is damaged: its page tree cannot be read ({error})") from error
    return reader


def _plumber_pages(source: bytes | BinaryIO, numbers: list[int]) -> dict[int, str]:
    """Text of the given 1-based pages via pdfplumber (pdfminer), which reads some fonts pypdf cannot."""
    import pdfplumber

    out: dict[int, str] = {}
    if isinstance(source, bytes):
        data = source
    else:
        source.seek(0)
        data = source.read()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number in numbers:
                if number <= len(pdf.pages):
                    out[number] = pdf.pages[number - 1].extract_text() or ""
    except Exception as error:  # pdfminer raises a wide variety on odd files; this is only a fallback
        logging.getLogger(__name__).debug("pdfplumber fallback failed: %s", error)
    return out


def inflation_problem(data: bytes, *, per_stream: int = MAX_INFLATED_STREAM,
                      total: int = MAX_INFLATED_TOTAL) -> str | None:
    """Why ``data``'s Flate streams are too big to inflate (a bomb), or None; inflates in chunks, keeping nothing."""
    inflated_total = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end == -1:
            end = len(data)
        inflater = zlib.decompressobj()
        size = 0
        position = start
        try:
            while position < end and not inflater.eof:
                piece = inflater.unconsumed_tail or data[position : min(end, position + (1 << 16))]
                if not inflater.unconsumed_tail:
                    position += len(piece)
                size += len(inflater.decompress(piece, 1 << 20))
                if size > per_stream:
                    return f"a stream at byte {start:,} inflates to more than {per_stream:,} bytes"
                if inflated_total + size > total:
                    return f"its streams inflate to more than {total:,} bytes"
        except zlib.error:
            pass  # not Flate, or damaged: the readers will say so
        inflated_total += size
    return None


def _pdfium_pages(data: bytes) -> list[str]:
    """Every page's text via pdfium, which opens files whose cross-reference table is broken."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(str(textpage.get_text_range()))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def _plumber_all(data: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _fallback_open(data: bytes, failure: TextExtractionError, bomb: str | None) -> tuple[list[str], str]:
    """Pages read by pdfium or pdfplumber when pypdf cannot open the file; re-raise ``failure`` if neither can."""
    if bomb is not None:
        raise TextExtractionError(f"{failure.reason}; other readers not tried: {bomb}") from failure
    errors = []
    for name, reader in (("pdfium", _pdfium_pages), ("pdfplumber", _plumber_all)):
        try:
            return reader(data), name
        except Exception as error:  # each reader fails in its own way on damaged files
            errors.append(f"{name}: {str(error).splitlines()[0][:80] if str(error) else type(error).__name__}")
    raise TextExtractionError(f"{failure.reason}; {'; '.join(errors)}") from failure


def garbled_reason(text: str) -> str | None:
    """Why extracted text looks like glyph numbers rather than characters, or None.

    A font with no usable ToUnicode map yields control characters, private-use code points or
    pdfminer's ``(cid:N)`` placeholders in place of the characters shown on the page.
    """
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < 20:
        return None
    cids = len(_CID.findall(text))
    bad = sum(1 for ch in visible if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or 0xE000 <= ord(ch) <= 0xF8FF
              or ch == "\ufffd") + 6 * cids
    if bad / len(visible) < 0.15:
        return None
    return "control or private-use characters" if not cids else f"{cids} (cid:N) glyph placeholder(s)"


def _fonts_without_unicode(page: Any) -> list[str]:
    """Names of composite (Type0, Identity) fonts on a page that have no ToUnicode map."""
    names: list[str] = []
    try:
        fonts = page["/Resources"]["/Font"]
        for key, ref in fonts.items():
            font = ref.get_object()
            encoding = str(font.get("/Encoding", ""))
            if font.get("/Subtype") == "/Type0" and "/ToUnicode" not in font and encoding.startswith("/Identity"):
                names.append(str(font.get("/BaseFont", key)).lstrip("/"))
    except Exception:  # missing or broken resources: nothing to say
        return names
    return names


def extract_pdf(source: bytes | BinaryIO, *, use_pdfplumber: bool = True, max_chars: int | None = None) -> PdfText:
    """Text of every page of a PDF, with page spans and title/author from the document info.

    Stages: open with pypdf (non-strict: tolerates many broken files) → decrypt with the empty
    password if encrypted, else :class:`TextExtractionError` → ``extract_text`` page by page (a page
    that fails is left empty, with a warning) → pages that came out empty are tried with pdfplumber
    → pages with no text at all are reported (scanned pages need OCR, which we do not do here).
    """
    if not isinstance(source, bytes | bytearray | memoryview):
        source.seek(0)
        source = source.read()
    data = bytes(source)
    texts: list[str] = []
    page_warnings: list[str] = []
    metadata = None
    bomb_checked: list[str | None] = []

    def bomb() -> str | None:
        if not bomb_checked:
            bomb_checked.append(inflation_problem(data))
        return bomb_checked[0]

    pages: list[Any] = []
    extractor = "pypdf"
    with _library_messages("pypdf", "pdfminer") as messages:
        try:
            reader = _open(data)
            try:
                pages = list(reader.pages)
            except Exception as error:  # pypdf raises anything on hostile files; the reason is what matters
                raise TextExtractionError(f"PDF is damaged: its pages cannot be listed ({error})") from error
        except TextExtractionError as failure:
            if "encrypted" in failure.reason:
                raise
            texts, extractor = _fallback_open(data, failure, bomb())
            page_warnings.append(f"pypdf could not read the file ({failure.reason}); read with {extractor}")
            reader = None
        for number, page in enumerate(pages, start=1):
            try:
                texts.append(page.extract_text() or "")
            except Exception as error:  # one broken page must not lose the others
                texts.append("")
                page_warnings.append(f"page {number}: text could not be extracted ({error})")
        if reader is not None:
            try:
                metadata = reader.metadata
            except Exception as error:  # a broken info dictionary must not lose the text
                page_warnings.append(f"document information could not be read ({error})")
        empty = [number for number, text in enumerate(texts, start=1) if not text.strip()]
        recovered: dict[int, str] = {}
        if empty and use_pdfplumber and reader is not None:
            problem = bomb()
            if problem is None:
                recovered = _plumber_pages(data, empty)
            else:
                page_warnings.append(f"pdfplumber not tried on empty pages: {problem}")
    if recovered:
        for number, text in recovered.items():
            if text.strip():
                texts[number - 1] = text
                extractor = "pypdf+pdfplumber"
        empty = [number for number in empty if not texts[number - 1].strip()]
    if empty:
        listed = ", ".join(map(str, empty[:20])) + (" ..." if len(empty) > 20 else "")
        page_warnings.append(f"no text layer on page(s) {listed}; scanned pages need OCR")
    for number, raw in enumerate(texts, start=1):
        reason = garbled_reason(raw)
        fonts = _fonts_without_unicode(pages[number - 1]) if number <= len(pages) else []
        if reason or (fonts and raw.strip()):
            because = f"font {', '.join(fonts[:3])} has no ToUnicode map" if fonts else "a font without a usable " \
                "ToUnicode map?"
            page_warnings.append(f"page {number}: text looks garbled ({reason or 'glyph codes, not characters'}; "
                                 f"{because}): the extracted characters are not the ones shown; OCR or check by eye")
    pieces: list[str] = []
    spans: list[tuple[int, int, int]] = []
    position = 0
    truncated = False
    for number, raw in enumerate(texts, start=1):
        text = clean_text(raw)
        if max_chars is not None and position + len(text) > max_chars:
            text = text[: max(0, max_chars - position)]
            truncated = True
        if pieces:
            pieces.append(PAGE_SEPARATOR)
            position += len(PAGE_SEPARATOR)
        pieces.append(text)
        spans.append((number, position, position + len(text)))
        position += len(text)
        if truncated:
            break
    notes = [
        "no end-of-file marker: the file may be truncated" if note == "EOF marker not found" else note
        for note in messages
    ]
    return PdfText(
        text="".join(pieces),
        pages=tuple(spans),
        title=_metadata_value(metadata, "/Title"),
        author=_metadata_value(metadata, "/Author"),
        extractor=extractor,
        extractor_version=PYPDF_VERSION if extractor.startswith("pypdf") else version(extractor.replace("pdfium",
                                                                                                      "pypdfium2")),
        warnings=(*[f"pypdf: {note}" for note in notes[:10]], *page_warnings),
        truncated=truncated,
    )

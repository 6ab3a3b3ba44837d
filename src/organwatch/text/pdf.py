"""PDF → text per page, page numbers kept (pypdf; pdfplumber for pages pypdf reads as empty).

Pages are joined with a blank line, so a paragraph never spans two pages and every character offset
belongs to exactly one page: ``pages`` records (page number, start, end) in the joined text.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, BinaryIO

from organwatch.text.errors import TextExtractionError
from organwatch.text.plain import clean_text

PYPDF_VERSION = version("pypdf")
PAGE_SEPARATOR = "\n\n"


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


def extract_pdf(source: bytes | BinaryIO, *, use_pdfplumber: bool = True, max_chars: int | None = None) -> PdfText:
    """Text of every page of a PDF, with page spans and title/author from the document info.

    Stages: open with pypdf (non-strict: tolerates many broken files) → decrypt with the empty
    password if encrypted, else :class:`TextExtractionError` → ``extract_text`` page by page (a page
    that fails is left empty, with a warning) → pages that came out empty are tried with pdfplumber
    → pages with no text at all are reported (scanned pages need OCR, which we do not do here).
    """
    texts: list[str] = []
    page_warnings: list[str] = []
    metadata = None
    with _library_messages("pypdf", "pdfminer") as messages:
        reader = _open(source)
        try:
            pages = list(reader.pages)
        except Exception as error:  # pypdf raises anything on hostile files; the reason is what matters
            raise TextExtractionError(f"PDF is damaged: its pages cannot be listed ({error})") from error
        for number, page in enumerate(pages, start=1):
            try:
                texts.append(page.extract_text() or "")
            except Exception as error:  # one broken page must not lose the others
                texts.append("")
                page_warnings.append(f"page {number}: text could not be extracted ({error})")
        try:
            metadata = reader.metadata
        except Exception as error:  # a broken info dictionary must not lose the text
            page_warnings.append(f"document information could not be read ({error})")
        empty = [number for number, text in enumerate(texts, start=1) if not text.strip()]
        recovered = _plumber_pages(source, empty) if empty and use_pdfplumber else {}
    extractor = "pypdf"
    if recovered:
        for number, text in recovered.items():
            if text.strip():
                texts[number - 1] = text
                extractor = "pypdf+pdfplumber"
        empty = [number for number in empty if not texts[number - 1].strip()]
    if empty:
        listed = ", ".join(map(str, empty[:20])) + (" ..." if len(empty) > 20 else "")
        page_warnings.append(f"no text layer on page(s) {listed}; scanned pages need OCR")
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
        extractor_version=PYPDF_VERSION,
        warnings=(*[f"pypdf: {note}" for note in notes[:10]], *page_warnings),
        truncated=truncated,
    )

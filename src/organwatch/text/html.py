"""HTML → main text and metadata (trafilatura), with a streaming tag-stripper for huge or odd pages.

trafilatura builds a full lxml tree and runs several extractors over it: excellent on real pages, but
time and memory grow with the input (about a second per megabyte here). Above ``max_trafilatura_chars``
we strip tags in a single streaming pass instead and take metadata from the head of the page only.
The stripper is also the fallback when trafilatura finds no main text (very short pages, lists).
"""

from __future__ import annotations

import html as html_entities
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from organwatch.text.encoding import DecodedText, choose_encoding, decode_bytes, iter_decode
from organwatch.text.errors import TextExtractionError
from organwatch.text.plain import clean_text

TRAFILATURA_VERSION = version("trafilatura")
#: Above this many characters, pages skip trafilatura (about 1 s per MB) for the streaming stripper.
MAX_TRAFILATURA_CHARS = 3_000_000
#: Metadata of huge pages is read from this many leading characters.
HEAD_CHARS = 262_144
_CHUNK_BYTES = 1 << 20

_SKIP_ELEMENTS = "script|style|noscript|template|svg|title|iframe|object"
_SKIP_BLOCK = re.compile(rf"<({_SKIP_ELEMENTS})\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_SKIP_OPEN = re.compile(rf"<({_SKIP_ELEMENTS})\b|<!--", re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|main|nav|aside|"
    r"blockquote|pre|hr|dd|dt|dl|figcaption|figure|form|address|body|html)\b[^>]*>",
    re.IGNORECASE,
)
_CELL_TAG = re.compile(r"</?t[dh]\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[a-zA-Z/!?][^>]*>")
_PARTIAL_TAG = re.compile(r"<[a-zA-Z/!?][^>]*\Z")
# Only runs that need changing: replacing every single space with itself is half the stripper's time.
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]{2,}|[\t\r\f\v\u00a0\u3000]")
_LINE_BREAKS = re.compile(r" *\n[\s]*")
_CANONICAL = re.compile(r"""<link\b[^>]*\brel\s*=\s*["']?canonical["']?[^>]*>""", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HtmlText:
    """What an HTML page gave: main text, metadata, the decoding used and how the text was found."""

    text: str
    decoded: DecodedText  # its ``text`` is left empty: the page source is not kept twice
    title: str | None
    author: str | None
    outlet: str | None
    published: str | None
    canonical_url: str | None
    extractor: str
    extractor_version: str
    warnings: tuple[str, ...]
    truncated: bool = False


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


class _Stripper:
    """Incremental tag stripper: feed chunks of HTML, get text with one line per block element."""

    def __init__(self) -> None:
        self._carry = ""
        self._skip_until: re.Pattern[str] | None = None

    def feed(self, chunk: str, final: bool = False) -> str:
        buffer = self._carry + chunk
        self._carry = ""
        out: list[str] = []
        while buffer:
            if self._skip_until is not None:
                closer = self._skip_until.search(buffer)
                if closer is None:
                    self._carry = buffer[-32:]  # enough to find a closer split across chunks
                    return "".join(out)
                buffer = buffer[closer.end() :]
                self._skip_until = None
                continue
            buffer = _SKIP_BLOCK.sub(" ", buffer)
            opener = _SKIP_OPEN.search(buffer)
            if opener is not None:
                if final:  # an unclosed script or comment runs to the end of the page
                    out.append(self._text(buffer[: opener.start()]))
                    break
                name = opener.group(1)
                self._skip_until = re.compile(rf"</{name}\s*>", re.IGNORECASE) if name else re.compile("-->")
                out.append(self._text(buffer[: opener.start()]))
                buffer = buffer[opener.end() :]
                continue
            buffer = _PARTIAL_TAG.sub("", buffer) if final else self._hold_partial(buffer)
            out.append(self._text(buffer))
            break
        return "".join(out)

    def _hold_partial(self, buffer: str) -> str:
        """Keep back a tag or entity cut by the chunk boundary until the next chunk completes it."""
        lt = buffer.rfind("<")
        if lt != -1 and buffer.find(">", lt) == -1 and len(buffer) - lt < 65_536:
            self._carry = buffer[lt:]
            buffer = buffer[:lt]
        amp = buffer.rfind("&")
        if amp != -1 and len(buffer) - amp < 12 and ";" not in buffer[amp:]:
            self._carry = buffer[amp:] + self._carry
            buffer = buffer[:amp]
        return buffer

    @staticmethod
    def _text(fragment: str) -> str:
        fragment = _BLOCK_TAG.sub("\n", fragment)
        fragment = _CELL_TAG.sub(" ", fragment)
        fragment = _TAG.sub("", fragment)
        fragment = html_entities.unescape(fragment)
        return _SPACES.sub(" ", fragment)


def strip_tags(chunks: Iterable[str], *, max_chars: int | None = None) -> tuple[str, bool]:
    """Visible text of HTML given in chunks, one line per block element; (text, truncated).

    Runs in one pass with memory proportional to the output, whatever the input size or line length.

    >>> strip_tags(["<p>Organ <b>wait</b>: 2&nbsp;weeks</p><script>x()</script><p>next"])
    ('Organ wait: 2 weeks\\nnext', False)
    """
    stripper = _Stripper()
    parts: list[str] = []
    size = 0
    truncated = False
    last = ""

    def add(piece: str) -> None:
        nonlocal size, last
        piece = _LINE_BREAKS.sub("\n", piece)  # so ``size`` is close to the final length
        # Whitespace split by a chunk boundary: collapse it as _SPACES and _LINE_BREAKS would have.
        if last == "\n":
            piece = piece.lstrip()
        elif last == " " and piece[:1].isspace():
            piece = piece.lstrip(" ")
            if piece.startswith("\n"):
                trimmed = parts[-1].rstrip(" ")
                size -= len(parts[-1]) - len(trimmed)
                parts[-1] = trimmed
                piece = "\n" + piece.lstrip()
        if piece:
            parts.append(piece)
            size += len(piece)
            last = piece[-1]

    for chunk in chunks:
        add(stripper.feed(chunk))
        # Cleaning can still shrink the text a little (control characters, spaces before line ends).
        if max_chars is not None and size > max_chars * 1.05 + 4096:
            truncated = True
            break
    if not truncated:
        add(stripper.feed("", final=True))
    text = _LINE_BREAKS.sub("\n", clean_text("".join(parts))).strip()
    if max_chars is not None and len(text) > max_chars:
        text, truncated = text[:max_chars], True
    return text, truncated


def _text_chunks(text: str, size: int = _CHUNK_BYTES) -> Iterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


def _byte_chunks(data: bytes, size: int = _CHUNK_BYTES) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), size):
        yield bytes(view[start : start + size])


def _metadata(head: str, url: str | None) -> dict[str, str | None]:
    from trafilatura.metadata import extract_metadata

    try:
        meta = extract_metadata(head, default_url=url)
    except Exception as error:  # trafilatura raises many types on odd markup; metadata is optional
        logger.debug("metadata extraction failed: %s", error)
        return {}
    return {
        "title": _clean(meta.title),
        "author": _clean(meta.author),
        "outlet": _clean(meta.sitename),
        "published": _clean(meta.date),
        "canonical_url": _clean(meta.url),
    }


_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "dcterms.creator", "byl", "citation_author")


def _meta_author(head: str) -> str | None:
    """Author from ``<meta>`` tags: trafilatura discards names it cannot check, such as Chinese ones."""
    for tag in _META_TAG.finditer(head):
        attributes = {key.lower(): value.strip("\"'") for key, value in _ATTRIBUTE.findall(tag.group(0))}
        key = (attributes.get("name") or attributes.get("property") or "").lower()
        content = _clean(html_entities.unescape(attributes.get("content", "")))
        if key in _AUTHOR_KEYS and content and not content.startswith(("http://", "https://")):
            return content
    return None


def _canonical(head: str) -> str | None:
    link = _CANONICAL.search(head)
    href = _HREF.search(link.group(0)) if link else None
    return html_entities.unescape(href.group(1)) if href else None


def extract_html(
    data: bytes,
    *,
    url: str | None = None,
    http_charset: str | None = None,
    max_trafilatura_chars: int = MAX_TRAFILATURA_CHARS,
    max_chars: int | None = None,
    include_tables: bool = True,
    favor_precision: bool = False,
) -> HtmlText:
    """Main text and metadata of an HTML page given as bytes.

    Stages: decode (:mod:`organwatch.text.encoding`) → trafilatura main-text extraction with metadata
    → if the page is larger than ``max_trafilatura_chars``, or trafilatura finds nothing, the
    streaming tag-stripper over the whole page, with metadata from its head.
    """
    if len(data) > max_trafilatura_chars * 2:
        # Huge page: never build one giant string or tree; decode and strip in chunks.
        return extract_large_html(
            data[: 1 << 20],
            _byte_chunks(data),
            size=len(data),
            url=url,
            http_charset=http_charset,
            max_chars=max_chars,
        )
    decoded = decode_bytes(data, http_charset=http_charset, html=True)
    source = decoded.text
    bare = DecodedText("", decoded.encoding, decoded.method, decoded.warnings, decoded.implausible)
    if len(source) > max_trafilatura_chars:
        return _stripped(
            _text_chunks(source),
            bare,
            url,
            max_chars,
            f"page of {len(source):,} characters is too large for main-text extraction; " "all visible text kept",
        )
    document = _trafilatura(source, url, include_tables, favor_precision)
    text = (document.text or "").strip() if document is not None else ""
    if not text:
        return _stripped(_text_chunks(source), bare, url, max_chars, "no main text found; all visible text kept")
    text = clean_text(_LINE_BREAKS.sub("\n", text))
    truncated = max_chars is not None and len(text) > max_chars
    if truncated:
        text = text[:max_chars]
    canonical = _clean(document.url) if document is not None else None
    return HtmlText(
        text=text,
        decoded=bare,
        title=_clean(document.title),
        author=_clean(document.author) or _meta_author(source[:HEAD_CHARS]),
        outlet=_clean(document.sitename),
        published=_clean(document.date),
        canonical_url=canonical or _canonical(source[:HEAD_CHARS]),
        extractor="trafilatura",
        extractor_version=TRAFILATURA_VERSION,
        warnings=(),
        truncated=truncated,
    )


def extract_large_html(
    head: bytes,
    chunks: Iterable[bytes],
    *,
    size: int,
    url: str | None = None,
    http_charset: str | None = None,
    max_chars: int | None = None,
) -> HtmlText:
    """Visible text of a page too large for trafilatura, streamed: ``chunks`` yields the whole file.

    The encoding is chosen from ``head`` (the first megabyte or so); memory stays proportional to
    the text kept (``max_chars``), not to the input.
    """
    chosen = choose_encoding(head, http_charset=http_charset, html=True, prefix=True)
    return _stripped(
        iter_decode(chunks, chosen.encoding),
        chosen,
        url,
        max_chars,
        f"page of {size:,} bytes is too large for main-text extraction; all visible text kept",
    )


def _trafilatura(source: str, url: str | None, include_tables: bool, favor_precision: bool) -> Any:
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            source,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=include_tables,
            favor_precision=favor_precision,
            deduplicate=False,
            output_format="python",
        )
    except (ValueError, TypeError, AttributeError, RecursionError) as error:
        # Malformed markup can trip lxml or trafilatura internals; the stripper still reads it.
        logger.debug("trafilatura failed: %s", error)
        return None


def _stripped(
    chunks: Iterable[str], decoded: DecodedText, url: str | None, max_chars: int | None, why: str
) -> HtmlText:
    head_parts: list[str] = []
    head_size = 0

    def remember_head(source: Iterable[str]) -> Iterator[str]:
        nonlocal head_size
        for chunk in source:
            if head_size < HEAD_CHARS:
                head_parts.append(chunk[: HEAD_CHARS - head_size])
                head_size += len(head_parts[-1])
            yield chunk

    try:
        text, truncated = strip_tags(remember_head(chunks), max_chars=max_chars)
    except MemoryError as error:
        raise TextExtractionError("HTML page is too large to read in available memory") from error
    head = "".join(head_parts)
    meta = _metadata(head, url) if head.strip() else {}
    return HtmlText(
        text=text,
        decoded=decoded,
        title=meta.get("title"),
        author=meta.get("author") or _meta_author(head),
        outlet=meta.get("outlet"),
        published=meta.get("published"),
        canonical_url=meta.get("canonical_url") or _canonical(head),
        extractor="organwatch-strip-tags",
        extractor_version="1",
        warnings=(*decoded.warnings, why),
        truncated=truncated,
    )

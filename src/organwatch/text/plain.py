"""Plain text and Markdown: decode, normalise line breaks and control characters, find a title."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from organwatch.text.encoding import DecodedText, decode_bytes

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\ufeff]")
_LINE_END = re.compile(r"\r\n?")
_ATX_HEADING = re.compile(r"^#{1,2}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_FRONT_MATTER_TITLE = re.compile(r"\A---\n(?:.*\n)*?title:[ \t]*[\"']?(.+?)[\"']?[ \t]*\n(?:.*\n)*?---\n")


def clean_text(text: str) -> str:
    """Normalise text we store: NFC, ``\\n`` line ends, no control characters, no trailing spaces.

    Every extractor runs this before computing spans, so offsets are into the cleaned text.
    """
    text = _LINE_END.sub("\n", text)
    text = _CONTROL.sub(lambda m: "\n" if m.group() in "\u2028\u2029" else "", text)
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


@dataclass(frozen=True)
class PlainText:
    """Decoded text of a TXT or Markdown file, with the title of a Markdown document."""

    text: str
    decoded: DecodedText
    title: str | None
    truncated: bool = False


def extract_plain(
    data: bytes, *, markdown: bool = False, http_charset: str | None = None, max_chars: int | None = None
) -> PlainText:
    """Text of a plain-text or Markdown file. Markdown is kept as written (it reads as text).

    >>> extract_plain("# Report\\r\\n\\r\\nBody".encode("utf-16")).text
    '# Report\\n\\nBody'
    """
    decoded = decode_bytes(data, http_charset=http_charset)
    text = clean_text(decoded.text)
    truncated = max_chars is not None and len(text) > max_chars
    if truncated:
        text = text[:max_chars]
    title = None
    if markdown:
        match = _FRONT_MATTER_TITLE.match(text) or _ATX_HEADING.search(text[:20_000])
        title = match.group(1).strip() if match else None
    bare = DecodedText("", decoded.encoding, decoded.method, decoded.warnings, decoded.implausible)
    return PlainText(text, bare, title, truncated)

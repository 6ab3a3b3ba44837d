"""Main text of a page, all of its visible text, its fingerprint, and the diff between two versions.

Recapture reports a page as changed whenever its response differs, and says *what* differs, from
most to least telling: the *main text* (the article, as the reading core's
:func:`organwatch.text.extract_documents` finds it: ads and clocks do not count), *other visible
text* (anything a reader sees outside it, such as a paragraph appended after ``</html>``, which
every browser shows but main-text extraction drops), or the *markup only*. Bytes that hold no
readable text fall back to a hash of the bytes, so an image that changes is still noticed.

>>> # fingerprint(b"<p>Waiting time: one week.</p>", "text/html") -> ("text:<sha256>", "Waiting time: one week.")
"""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from html.parser import HTMLParser

_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Elements whose content a reader never sees as text on the page.
_HIDDEN = frozenset({"script", "style", "template", "noscript", "title", "head", "svg", "math", "iframe",
                     "object", "select", "datalist"})
#: Elements that start a new line of text (enough of them to keep paragraphs apart in a diff).
_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table", "h1", "h2",
                     "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "nav", "aside", "main",
                     "blockquote", "pre", "hr", "figure", "figcaption", "form", "fieldset", "address", "details",
                     "summary", "caption", "body", "html"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "param", "source",
                   "track", "wbr"})


def normalise(text: str) -> str:
    """NFC, whitespace collapsed within lines, blank lines dropped: what a reader would call the same text."""
    lines = (" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(line for line in lines if line)


def main_text(payload: bytes, content_type: str | None, url: str | None = None) -> str | None:
    """The normalised main text of a response body, or None when it holds no readable text."""
    if not payload:
        return None
    # Imported here: the text stage loads jieba and OpenCC, which plain CLI start-up should not pay for.
    from organwatch.text import TextExtractionError, extract_documents

    try:
        docs = list(extract_documents(payload, media_type=content_type, source_url=url))
    except (TextExtractionError, ValueError):
        return None
    text = normalise("\n".join(doc.text for doc in docs))
    return text or None


class _VisibleText(HTMLParser):
    """Text nodes outside hidden elements, one line per block; tolerant of anything after ``</html>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag in _HIDDEN and tag not in _VOID:
            self.hidden.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.hidden:
            while self.hidden and self.hidden.pop() != tag:
                pass
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(payload: bytes, content_type: str | None) -> str | None:
    """All text of an HTML page that a reader sees (normalised), or None when the body is not HTML.

    Read from the markup, without a browser, so two versions can always be compared; when both were
    rendered, recapture also compares the browser's own text (which includes what scripts wrote).
    """
    kind = (content_type or "").split(";")[0].strip().lower()
    looks_html = not kind and payload.lstrip()[:512].lower().startswith((b"<!doctype html", b"<html"))
    if not payload or (kind not in _HTML_TYPES and not looks_html):
        return None
    from organwatch.text import decode_bytes
    from organwatch.text.encoding import charset_from_content_type

    decoded = decode_bytes(payload, http_charset=charset_from_content_type(content_type), html=True)
    parser = _VisibleText()
    parser.feed(decoded.text)
    parser.close()
    return normalise("".join(parser.parts))


def fingerprint(payload: bytes, content_type: str | None, url: str | None = None) -> tuple[str, str | None]:
    """``(fingerprint, main text)``: SHA-256 of the main text, else ``bytes:`` + SHA-256 of the body."""
    text = main_text(payload, content_type, url)
    if text is None:
        return "bytes:" + hashlib.sha256(payload).hexdigest(), None
    return "text:" + hashlib.sha256(text.encode("utf-8")).hexdigest(), text


def text_diff(old: str, new: str, old_label: str, new_label: str) -> str:
    """A unified diff of two texts, line by line (paragraph by paragraph); every line ends with a newline.

    Lines are compared without their line ends, so a last line without a newline is an ordinary
    line (not ``-old+new`` run together on one line).
    """
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), old_label, new_label, n=2, lineterm="")
    return "".join(f"{line}\n" for line in lines)


def diff_stats(diff: str) -> tuple[int, int]:
    """(lines added, lines removed) of a unified diff; the ``---``/``+++`` file headers are not lines of text."""
    added = removed = 0
    in_hunk = False
    for line in diff.splitlines():
        if line.startswith("@@"):
            in_hunk = True
        elif not in_hunk:
            continue
        elif line.startswith("+"):
            added += 1
        elif line.startswith("-"):
            removed += 1
    return added, removed

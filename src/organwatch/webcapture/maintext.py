"""Main text of a page, its fingerprint, and the diff between two versions.

Recapture compares *main text*, not bytes: a page whose session token, clock or advertising changes
on every load would otherwise look "changed" every time. The text comes from the reading core
(:func:`organwatch.text.extract_documents`); bytes that hold no readable text fall back to a hash of
the bytes, so an image that changes is still noticed.

>>> # fingerprint(b"<p>Waiting time: one week.</p>", "text/html") -> ("text:<sha256>", "Waiting time: one week.")
"""

from __future__ import annotations

import difflib
import hashlib
import unicodedata


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


def fingerprint(payload: bytes, content_type: str | None, url: str | None = None) -> tuple[str, str | None]:
    """``(fingerprint, main text)``: SHA-256 of the main text, else ``bytes:`` + SHA-256 of the body."""
    text = main_text(payload, content_type, url)
    if text is None:
        return "bytes:" + hashlib.sha256(payload).hexdigest(), None
    return "text:" + hashlib.sha256(text.encode("utf-8")).hexdigest(), text


def text_diff(old: str, new: str, old_label: str, new_label: str) -> str:
    """A unified diff of two main texts, line by line (paragraph by paragraph)."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        old_label, new_label, n=2, lineterm="\n"))


def diff_stats(diff: str) -> tuple[int, int]:
    """(lines added, lines removed) of a unified diff."""
    added = sum(1 for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff.splitlines() if line.startswith("-") and not line.startswith("---"))
    return added, removed

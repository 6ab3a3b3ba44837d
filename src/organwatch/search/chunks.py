"""Cutting a document into chunks for embedding, each with its span in the document text.

multilingual-e5-small reads at most 512 tokens and blurs meaning over long inputs, and a semantic hit
must point somewhere precise, so documents are embedded in paragraph-sized pieces: paragraphs are
packed together up to ``target`` characters, and a paragraph longer than ``limit`` is cut at a
sentence end (or, failing that, at ``limit``).

>>> chunk_spans("First paragraph.\\n\\nSecond one.", target=10, limit=20)
[(0, 16), (18, 29)]
"""

from __future__ import annotations

import re

TARGET_CHARS = 400
LIMIT_CHARS = 600
_PARAGRAPH = re.compile(r"[^\n]+")
_SENTENCE_END = re.compile(r"[.!?。！？；;](?:[\"'”’」』)]*)\s*")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _cut_long(text: str, start: int, end: int, target: int, limit: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > limit:
        cut = None
        for match in _SENTENCE_END.finditer(text, start + target // 2, start + limit):
            cut = match.end()
        cut = cut if cut is not None and cut > start else start + limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def chunk_spans(text: str, *, target: int = TARGET_CHARS, limit: int = LIMIT_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` spans covering the non-blank text, each at most ``limit`` characters."""
    paragraphs: list[tuple[int, int]] = []
    for match in _PARAGRAPH.finditer(text):
        span = _trimmed(text, match.start(), match.end())
        if span is not None:
            paragraphs.extend(_cut_long(text, span[0], span[1], target, limit))
    chunks: list[tuple[int, int]] = []
    for start, end in paragraphs:
        if chunks and end - chunks[-1][0] <= target:
            chunks[-1] = (chunks[-1][0], end)
        else:
            chunks.append((start, end))
    return [span for span in (_trimmed(text, s, e) for s, e in chunks) if span is not None]

"""Finding the best-matching occurrence of a query in a document, and the snippet around it.

The index says *which* documents match; this says *where*, in code points of ``documents.text``.
Both sides are folded with :func:`organwatch.search.folding.fold`, which keeps lengths, so an offset
found in the folded text is an offset in the original. The best occurrence is the one that opens
the window holding the most distinct query terms (ties: the earliest).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from organwatch.search.folding import fold, has_han
from organwatch.search.query import Term
from organwatch.text.chinese import normalise_pinyin

SNIPPET_CHARS = 200
CONTEXT_BEFORE = 60
QUOTE_CONTEXT = 32  # characters of prefix and suffix in the text-quote selector
SPAN_JOIN = 60  # occurrences this close to the first one in the window join its span ("Wang ... Lijun")
DEFAULT_MARKERS = ("«", "»")


@dataclass(frozen=True)
class Located:
    """Where a query matched in one field of a document."""

    field: str
    start: int
    end: int
    occurrences: tuple[tuple[int, int, int], ...]  # (start, end, needle index), sorted


def needles(terms: Sequence[Term], pinyin_forms: Mapping[str, Sequence[str]]) -> list[re.Pattern[str]]:
    """One regular expression per positive term, over folded text (pinyin terms match their Han forms)."""
    patterns: list[re.Pattern[str]] = []
    for term in terms:
        folded = fold(term.text)
        if has_han(term.text):
            alternatives = [re.escape(folded)]
        else:
            words = [w for w in re.split(r"[\W_]+", folded) if w]
            if not words:
                continue
            body = r"[\W_]+".join(re.escape(w) for w in words)
            tail = r"\w*" if term.prefix else r"(?!\w)"
            alternatives = [r"(?<!\w)" + body + tail]
            key = normalise_pinyin(term.text).replace(" ", "")
            alternatives.extend(re.escape(form) for form in pinyin_forms.get(key, ()))
        patterns.append(re.compile("|".join(alternatives)))
    # Names typed as separate words ("Wang Lijun") match their key as a whole.
    for forms in pinyin_forms.values():
        if forms:
            patterns.append(re.compile("|".join(re.escape(form) for form in forms)))
    return patterns


def locate(text: str, patterns: Sequence[re.Pattern[str]], field: str = "text",
           window: int = SNIPPET_CHARS) -> Located | None:
    """The best occurrence of the patterns in ``text``, or None if none occurs."""
    folded = fold(text)
    found: list[tuple[int, int, int]] = []
    for index, pattern in enumerate(patterns):
        found.extend((m.start(), m.end(), index) for m in pattern.finditer(folded) if m.end() > m.start())
    if not found:
        return None
    found.sort()
    best, best_count = 0, 0
    for i, (start, _end, _index) in enumerate(found):
        inside: set[int] = set()
        for s, e, idx in found[i:]:
            if s > start + window:
                break
            if e <= start + window:
                inside.add(idx)
        if len(inside) > best_count:
            best, best_count = i, len(inside)
            if best_count == len(patterns):
                break  # every term in one window: no later window can do better
    start, end, _index = found[best]
    for s, e, _idx in found[best + 1:]:
        if s > start + SPAN_JOIN:
            break
        end = max(end, e)
    return Located(field, start, end, tuple(found))


def snippet(text: str, located: Located, markers: tuple[str, str] = DEFAULT_MARKERS,
            size: int = SNIPPET_CHARS) -> tuple[str, int, int, tuple[tuple[int, int], ...]]:
    """``(snippet, start, end, highlights)``: the text around the span, terms marked, newlines as spaces."""
    start = max(0, located.start - CONTEXT_BEFORE)
    end = min(len(text), max(start + size, located.end))
    start = max(0, min(start, end - size))
    highlights: list[tuple[int, int]] = []
    for s, e, _idx in located.occurrences:
        if s >= start and e <= end:
            if highlights and s < highlights[-1][1]:
                highlights[-1] = (highlights[-1][0], max(highlights[-1][1], e))
            else:
                highlights.append((s, e))
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in highlights:
        parts.extend([text[cursor:s], markers[0], text[s:e], markers[1]])
        cursor = e
    parts.extend([text[cursor:end], "…" if end < len(text) else ""])
    flat = " ".join("".join(parts).splitlines())
    return flat, start, end, tuple(highlights)


def quote_selector(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The W3C text-quote selector of a span: ``(exact, prefix, suffix)``."""
    return text[start:end], text[max(0, start - QUOTE_CONTEXT):start], text[end:end + QUOTE_CONTEXT]

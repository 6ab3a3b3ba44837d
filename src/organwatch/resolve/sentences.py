"""Sentence spans in English and Chinese text: relations and events are read one sentence at a time."""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset({"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
                            "mr", "mrs", "ms", "dr", "st", "no", "vs", "prof", "gen", "col", "lt", "sen", "rep",
                            "u.s", "u.k", "u.n", "e.g", "i.e", "inc", "ltd", "co", "jr", "sr"})
_BOUNDARY = re.compile(r"[。！？!?；]|\.(?=\s)|\n\s*\n|\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, trimmed of surrounding space; never splits "Feb. 6" or "U.S. Consulate".

    >>> text = "Wang went to the U.S. Consulate on Feb. 6. He left. 他离开了。"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Wang went to the U.S. Consulate on Feb. 6.', 'He left.', '他离开了。']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if match.group() == ".":
            word = re.search(r"([\w.]+)$", text[start : match.start()])
            token = word.group(1) if word else ""
            if token.lower() in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        _add(text, start, end, spans)
        start = end
    _add(text, start, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))

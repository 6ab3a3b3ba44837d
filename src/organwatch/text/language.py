"""Language per document and per paragraph: "en", "zh-Hans", "zh-Hant" or "other".

No language model can be downloaded here, and our sources are Chinese or English, so script statistics
do: Han characters mean Chinese, and OpenCC tells the script (a character that t2s changes is
traditional, one that s2t changes is simplified; tabulated once per character, see ``_classes``).
Latin text is English when enough of its words are English function words. Paragraphs too short to
tell inherit the document's verdict.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from organwatch.text.chinese import to_simplified, to_traditional

Language = Literal["en", "zh-Hans", "zh-Hant", "other"]

#: Text is counted in blocks of about this many characters (numpy arrays of 4-8 bytes per character).
BLOCK_CHARS = 1_000_000
#: A paragraph longer than a block is counted on this many characters from its start, middle and end.
SAMPLE_CHARS = 300_000
#: Weight of one Latin letter against one Han character (an English word ≈ 5 letters ≈ 1.5 hanzi).
LATIN_WEIGHT = 0.3
#: Share of the weighted text a second language needs before a document counts as mixed.
MIXED_SHARE = 0.1

_ENGLISH_STOPWORDS = frozenset(
    """about after all also an and any are as at be been but by can could did do does for from had
    has have he her his how i if in into is it its may more most no not of on one or other our out over
    said says she should so some such than that the their them there these they this those to under up
    was we were what when where which who will with would you""".split()
)
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n")


@dataclass(frozen=True)
class ScriptCounts:
    """Letter counts of a piece of text by script, and the OpenCC evidence for Han script."""

    han: int = 0
    simplified_only: int = 0
    traditional_only: int = 0
    latin: int = 0
    english_words: int = 0
    latin_words: int = 0
    other: int = 0
    syllabic: int = 0  # kana and hangul: Japanese or Korean when beside Han characters

    def __add__(self, other: ScriptCounts) -> ScriptCounts:
        return ScriptCounts(
            self.han + other.han,
            self.simplified_only + other.simplified_only,
            self.traditional_only + other.traditional_only,
            self.latin + other.latin,
            self.english_words + other.english_words,
            self.latin_words + other.latin_words,
            self.other + other.other,
            self.syllabic + other.syllabic,
        )

    @property
    def weight(self) -> float:
        return self.han + self.syllabic + LATIN_WEIGHT * (self.latin + self.other)


_HAN, _LATIN, _OTHER, _SYLLABIC = 1, 2, 3, 4
# Exactly the letters _classes() calls Latin (category L, up to U+024F), so words line up with starts.
_LATIN_WORD = re.compile(r"[A-Za-zªµºÀ-ÖØ-öø-ɏ]+")


_SIMPLIFIED_ONLY, _TRADITIONAL_ONLY, _KIND = 8, 16, 7


@functools.cache
def _classes() -> npt.NDArray[np.uint8]:
    """Script class of every BMP code point, built once (64 KB).

    Low three bits: Han, Latin letter, other letter, kana/hangul. Bit 8: a Han character that OpenCC
    s2t changes (simplified-only); bit 16: one that t2s changes (traditional-only). Per character, not
    per phrase: a few characters such as 后 or 干 are also traditional, which statistics over a
    paragraph absorb, and a table lookup is a hundred times faster than converting every paragraph.
    """
    table = np.zeros(0x10000, dtype=np.uint8)
    for code in range(0x10000):
        if 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF:
            table[code] = _HAN
        elif 0x3040 <= code <= 0x30FF or 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
            table[code] = _SYLLABIC
        elif unicodedata.category(chr(code)).startswith("L"):
            table[code] = _LATIN if code <= 0x24F else _OTHER
    han = [chr(code) for code in np.flatnonzero(table == _HAN)]
    # One OpenCC call per direction: newlines keep characters from forming phrases.
    for converted, bit in (
        (to_traditional("\n".join(han)), _SIMPLIFIED_ONLY),
        (to_simplified("\n".join(han)), _TRADITIONAL_ONLY),
    ):
        for original, new in zip(han, converted.split("\n"), strict=True):
            if new != original:
                table[ord(original)] |= bit
    return table


def _count_block(block: str, spans: Sequence[tuple[int, int]]) -> npt.NDArray[np.int64]:
    """Counts for ``spans`` (offsets into ``block``), vectorised over the whole block at once."""
    codes = np.frombuffer(block.encode("utf-32-le"), dtype=np.uint32)
    table = _classes()[np.minimum(codes, 0xFFFF)]
    classes = table & _KIND
    classes[(codes >= 0x20000) & (codes <= 0x3FFFF)] = _HAN  # Ext-B and later: still Han
    # One row per count, one column per character; column 0 stays zero so prefix sums start at 0.
    masks = np.zeros((7, len(codes) + 1), dtype=np.uint8)
    masks[0, 1:] = classes == _HAN
    masks[1, 1:] = (table & _SIMPLIFIED_ONLY) != 0
    masks[2, 1:] = (table & _TRADITIONAL_ONLY) != 0
    latin = classes == _LATIN
    masks[3, 1:] = latin
    masks[4, 1:] = latin
    masks[4, 2:] &= ~latin[:-1]  # word starts
    masks[5, 1:] = classes == _OTHER
    masks[6, 1:] = classes == _SYLLABIC
    prefix = np.cumsum(masks, axis=1, dtype=np.int32)  # along rows: contiguous, hence fast
    # Lower-casing keeps length for Latin letters; a word regex plus a set beats a stopword alternation.
    lowered = block.lower()
    if len(lowered) != len(block):
        lowered = block
    words = _LATIN_WORD.findall(lowered)
    word_starts = np.flatnonzero(masks[4, 1:])
    if len(words) == len(word_starts):
        # map() over a frozenset's __contains__ runs in C: no Python frame per word.
        is_stopword = np.fromiter(map(_ENGLISH_STOPWORDS.__contains__, words), dtype=bool, count=len(words))
        stopwords = word_starts[is_stopword]
    else:  # a case mapping changed the letters (rare): match word by word
        stopwords = np.fromiter(
            (m.start() for m in _LATIN_WORD.finditer(lowered) if m.group() in _ENGLISH_STOPWORDS), dtype=np.int64
        )
    starts = np.fromiter((start for start, _ in spans), dtype=np.int64, count=len(spans))
    ends = np.fromiter((end for _, end in spans), dtype=np.int64, count=len(spans))
    counts = (prefix[:, ends] - prefix[:, starts]).T.astype(np.int64)
    english = np.searchsorted(stopwords, ends) - np.searchsorted(stopwords, starts)
    # Column order is ScriptCounts' field order: han, simplified, traditional, latin, english, words...
    return np.concatenate([counts[:, :4], english[:, None], counts[:, 4:]], axis=1)


def _sample(text: str) -> str:
    third = SAMPLE_CHARS // 3
    middle = len(text) // 2
    return " ".join((text[:third], text[middle - third // 2 : middle + third // 2], text[-third:]))


def count_spans(text: str, spans: Sequence[tuple[int, int]]) -> npt.NDArray[np.int64]:
    """Script counts for each span of ``text``: one row per span, columns as :class:`ScriptCounts`.

    Counted in blocks of about a million characters; a paragraph longer than ``BLOCK_CHARS`` is
    counted on a sample and scaled, so memory stays bounded whatever the input.
    """
    tables: list[npt.NDArray[np.int64]] = []
    index = 0
    while index < len(spans):
        start, end = spans[index]
        if end - start > BLOCK_CHARS:
            sample = _sample(text[start:end])
            row = _count_block(sample, [(0, len(sample))]).astype(np.float64)
            tables.append(np.rint(row * ((end - start) / len(sample))).astype(np.int64))
            index += 1
            continue
        last = index
        while last + 1 < len(spans) and spans[last + 1][1] - start <= BLOCK_CHARS:
            last += 1
        block_end = spans[last][1]
        block_spans = [(s - start, e - start) for s, e in spans[index : last + 1]]
        tables.append(_count_block(text[start:block_end], block_spans))
        index = last + 1
    return np.concatenate(tables) if tables else np.zeros((0, 8), dtype=np.int64)


def count_scripts(text: str) -> ScriptCounts:
    """Count Han (with simplified/traditional evidence), Latin and other letters in ``text``."""
    return ScriptCounts(*count_spans(text, [(0, len(text))])[0].tolist()) if text else ScriptCounts()


def _verdict(counts: ScriptCounts, fallback: Language | None) -> Language | None:
    """The language the counts show, or ``fallback`` when they are too thin to tell."""
    latin_weight = LATIN_WEIGHT * counts.latin
    other_weight = LATIN_WEIGHT * counts.other
    if counts.han == 0 and counts.latin == 0 and counts.other == 0 and counts.syllabic == 0:
        return fallback
    if counts.syllabic >= max(latin_weight, other_weight, 0.2 * counts.han, 1):
        return "other"
    if counts.han >= max(latin_weight, other_weight):
        if counts.traditional_only > counts.simplified_only:
            return "zh-Hant"
        if counts.simplified_only > counts.traditional_only:
            return "zh-Hans"
        if fallback in ("zh-Hans", "zh-Hant"):
            return fallback
        return "zh-Hans"
    if other_weight > latin_weight:
        return "other"
    if counts.latin_words < 6 and counts.english_words == 0:
        # Too few words to tell (a name, a heading): keep the document's Latin verdict, else English,
        # which is what Latin text in our Chinese sources nearly always is.
        return fallback if fallback in ("en", "other") else "en"
    return "en" if counts.english_words >= 0.12 * counts.latin_words else "other"


def detect_language(text: str) -> Language:
    """The language of a piece of text (no context).

    >>> detect_language("The hospital said the wait was two weeks.")
    'en'
    >>> detect_language("該醫院的肝臟移植等待時間只有兩週")
    'zh-Hant'
    """
    return _verdict(count_scripts(text), None) or "other"


def paragraph_spans(text: str, *, lines: bool = False) -> list[tuple[int, int]]:
    """Spans (start, end) of paragraphs in ``text``, trimmed of surrounding whitespace.

    Paragraphs are separated by blank lines, or by every line break when ``lines`` is true (HTML
    extraction puts one block element per line).
    """
    separator = re.compile(r"\n") if lines else _BLANK_LINES
    spans: list[tuple[int, int]] = []
    position = 0
    for match in [*separator.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[position:end]
        stripped = chunk.strip()
        if stripped:
            start = position + (len(chunk) - len(chunk.lstrip()))
            spans.append((start, start + len(stripped)))
        if match:
            position = match.end()
    return spans


@dataclass(frozen=True)
class LanguageProfile:
    """Document language (the dominant one), whether a second one is substantial, and per paragraph."""

    language: Language
    mixed: bool
    paragraphs: tuple[tuple[int, int, Language], ...]


def profile_language(text: str, spans: Sequence[tuple[int, int]] | None = None) -> LanguageProfile:
    """Detect the language of each paragraph and of the whole document.

    The document language is the one with most weighted letters (Han characters count more than Latin
    letters); ``mixed`` is true when another language has at least 10% of the weight.

    >>> profile_language("Organ transplant report for the year.\\n\\n器官移植年度报告，医院的数据。").mixed
    True
    """
    if spans is None:
        spans = paragraph_spans(text)
    table = count_spans(text, spans)
    total = ScriptCounts(*table.sum(axis=0).tolist()) if len(table) else ScriptCounts()
    document = _verdict(total, None) or "other"
    weights: dict[Language, float] = {}
    labelled: list[tuple[int, int, Language]] = []
    for (start, end), row in zip(spans, table.tolist(), strict=True):
        paragraph = ScriptCounts(*row)
        language = _verdict(paragraph, document) or document
        weights[language] = weights.get(language, 0.0) + paragraph.weight
        labelled.append((start, end, language))
    if weights:
        dominant, top = max(weights.items(), key=lambda item: item[1])
        all_weight = sum(weights.values())
        if top > 0:
            document = dominant
        mixed = all_weight > 0 and sum(1 for w in weights.values() if w >= MIXED_SHARE * all_weight) > 1
    else:
        mixed = False
    return LanguageProfile(document, mixed, tuple(labelled))

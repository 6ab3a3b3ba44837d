"""Language per document and per paragraph: "en", "zh-Hans", "zh-Hant" or "other".

No language model can be downloaded here, and our sources are Chinese or English, so script statistics
do: Han characters mean Chinese, and OpenCC tells the script (a character that t2s changes is
traditional, one that s2t changes is simplified). Latin text is English when enough of its words are
English function words. Paragraphs too short to tell inherit the document's verdict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from organwatch.text.chinese import to_simplified, to_traditional

Language = Literal["en", "zh-Hans", "zh-Hant", "other"]

#: Characters of a paragraph looked at; long paragraphs are sampled at start, middle and end.
SAMPLE_CHARS = 6000
#: Weight of one Latin letter against one Han character (an English word ≈ 5 letters ≈ 1.5 hanzi).
LATIN_WEIGHT = 0.3
#: Share of the weighted text a second language needs before a document counts as mixed.
MIXED_SHARE = 0.1

_ENGLISH_STOPWORDS = frozenset(
    """a about after all also an and any are as at be been but by can could did do does for from had
    has have he her his how i if in into is it its may more most no not of on one or other our out over
    said says she should so some such than that the their them there these they this those to under up
    was we were what when where which who will with would you""".split()
)
_WORD = re.compile(r"[^\W\d_]+")
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


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_CHARS:
        return text
    third = SAMPLE_CHARS // 3
    middle = len(text) // 2
    return " ".join((text[:third], text[middle - third // 2 : middle + third // 2], text[-third:]))


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003ffff"


def count_scripts(text: str) -> ScriptCounts:
    """Count Han (with simplified/traditional evidence), Latin and other letters in a sample of ``text``."""
    text = _sample(text)
    han_chars = "".join(ch for ch in text if _is_han(ch))
    simplified_only = traditional_only = 0
    if han_chars:
        as_simplified = to_simplified(han_chars)
        as_traditional = to_traditional(han_chars)
        if len(as_simplified) == len(han_chars):
            traditional_only = sum(a != b for a, b in zip(han_chars, as_simplified, strict=True))
        if len(as_traditional) == len(han_chars):
            simplified_only = sum(a != b for a, b in zip(han_chars, as_traditional, strict=True))
    latin = other = syllabic = 0
    latin_words = english = 0
    for word in _WORD.findall(text):
        kana = sum(1 for ch in word if "\u3040" <= ch <= "\u30ff" or "\uac00" <= ch <= "\ud7af")
        syllabic += kana
        letters = sum(1 for ch in word if not _is_han(ch)) - kana
        if not letters:
            continue
        if all(ch <= "ɏ" or _is_han(ch) for ch in word):
            latin += letters
            latin_words += 1
            english += word.casefold() in _ENGLISH_STOPWORDS
        else:
            other += letters
    return ScriptCounts(
        len(han_chars), simplified_only, traditional_only, latin, english, latin_words, other, syllabic
    )


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
    counts = [count_scripts(text[start:end]) for start, end in spans]
    total = sum(counts, ScriptCounts())
    document = _verdict(total, None) or "other"
    weights: dict[Language, float] = {}
    labelled: list[tuple[int, int, Language]] = []
    for (start, end), paragraph in zip(spans, counts, strict=True):
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

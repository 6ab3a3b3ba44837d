"""Reported speech whose speaker is not a name next to the verb: pronouns, surnames, unnamed sources.

"He said the figures were low" and 他说，… take the nearest person named before them in the document;
王说 / 王局长表示 take the nearest earlier full name with that surname (王立军); "sources said" and
消息人士透露 are kept with the unnamed source as speaker, because a claim without a named source is still
a claim, and a reader must see that nobody put a name to it. English reported speech without "that"
("Gutmann estimates 60,000 to 100,000 transplants a year", "RFI reported the camps had grown") is here too.
Each attribution keeps the span of what is attributed, up to the end of the sentence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from organwatch.extract import names
from organwatch.extract.spans import SpanSet
from organwatch.model.extraction import Mention, Quote

MAX_CLAUSE = 600  # attributed content runs to the end of its sentence; longer is not one attribution
LOOKBACK = 1_500  # characters back from a pronoun to its antecedent: about two paragraphs of news
_EN_VERBS = "said|says|told reporters|estimated|estimates|reported|reports|claimed|claims|added|noted|believes|argued"
_EN_PRONOUN = re.compile(rf"(?<![\w])(He|he|She|she)\s+({_EN_VERBS})(?:\s+(?:on|last|this)\s+\w+)?(?:\s+that)?[\s,:]+")
_EN_ANONYMOUS = re.compile(
    rf"(?<![\w])((?:[Aa]n?\s+|[Tt]he\s+)?(?:anonymous\s+|unnamed\s+|informed\s+)?(?:[Ss]ources?|[Ii]nsiders?|an?\s+official"
    rf"|officials)(?:\s+(?:familiar|close)\s+with\s+[\w\s]{{1,30}}?)?)\s+({_EN_VERBS})(?:\s+that)?[\s,:]+"
)
_EN_NO_THAT = re.compile(
    r"\s+(estimates|estimated|reported|reports|said|says|claimed|claims)(?:\s+(?:on|last|this)\s+\w+)?"
    r"\s+(?=(?:the|a|an|some|about|as\s+many\s+as|more\s+than|up\s+to|between|\d|[a-z]+s\s))"
)
_EN_END = re.compile(r"[.!?](?=\s|$)|\n")
_ZH_VERBS = names.SPEECH_VERBS_ZH
_ZH_PRONOUN = re.compile(rf"(他|她)(?!们|們)(?:还|也|则|曾|又|并|並|進一步|进一步)?({_ZH_VERBS})[，,：:]?")
_ZH_SURNAME = re.compile(
    rf"([{names.ZH_SURNAMES}])(?:{names.ZH_TITLES})?(?:还|也|则|曾|又)?({_ZH_VERBS})[，,：:]"
)
_ZH_ANONYMOUS = re.compile(
    rf"((?:知情|有关|相关|匿名|内部|據|据)?(?:消息人士|人士|知情人|消息来源|消息來源|内部人士|官员|官員))(?:还|也)?({_ZH_VERBS})[，,：:]?"
)
_ZH_END = re.compile(r"[。！？\n]")


def _clause(text: str, start: int, end_pattern: re.Pattern[str]) -> tuple[int, int] | None:
    match = end_pattern.search(text, start, start + MAX_CLAUSE)
    if match is None:
        return None
    end = match.start()
    while end > start and text[end - 1] in ",，;； ":
        end -= 1
    if text[start : start + 1] in "“\"「『" or end - start < 2:
        return None  # a direct quote: the quote rules handle it with its marks
    return start, end


class _People:
    """Person mentions in text order, for nearest-antecedent look-ups in O(log n)."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self.items = sorted((m for m in mentions if m.type == "person"), key=lambda m: m.start)
        self.ends = [m.end for m in self.items]

    def before(self, position: int, fits: str | None = None) -> Mention | None:
        i = bisect.bisect_right(self.ends, position) - 1
        while i >= 0 and position - self.items[i].end <= LOOKBACK:
            m = self.items[i]
            full = len(m.canonical) >= 2 and (fits is None or m.canonical.startswith(fits))
            if full:
                return m
            i -= 1
        return None


def _covered(existing: Sequence[Quote]) -> SpanSet:
    spans = SpanSet()
    for q in sorted(existing, key=lambda q: q.start):
        if not spans.overlaps(q.start, q.end):
            spans.add(q.start, q.end)
    return spans


def english(text: str, mentions: Sequence[Mention], existing: Sequence[Quote]) -> list[Quote]:
    """Pronoun and unnamed-source speakers, and reported speech without "that", in English text."""
    people = _People(mentions)
    covered = _covered(existing)
    out: list[Quote] = []

    def add(speaker: str, s_start: int, s_end: int, content_start: int, method: str) -> None:
        span = _clause(text, content_start, _EN_END)
        if span and not covered.overlaps(*span):
            covered.add(*span)
            out.append(Quote(speaker, text[span[0] : span[1]], span[0], span[1], "reported", s_start, s_end, method))

    for m in _EN_PRONOUN.finditer(text):
        antecedent = people.before(m.start())
        if antecedent is not None:
            add(antecedent.canonical, m.start(1), m.end(1), m.end(), "quotes:pronoun")
    for m in _EN_ANONYMOUS.finditer(text):
        add(m.group(1), m.start(1), m.end(1), m.end(), "quotes:unnamed-source")
    for speaker in sorted((m for m in mentions if m.type in {"person", "organization"}), key=lambda m: m.start):
        verb = _EN_NO_THAT.match(text, speaker.end)
        if verb:
            add(speaker.canonical, speaker.start, speaker.end, verb.end(), "quotes:reported")
    return out


def chinese(text: str, simplified: str, mentions: Sequence[Mention], existing: Sequence[Quote]) -> list[Quote]:
    """他说 / 王说 / 消息人士透露 in Chinese text (``simplified`` is aligned with ``text``)."""
    people = _People(mentions)
    covered = _covered(existing)
    taken = SpanSet()
    for mention in sorted(mentions, key=lambda m: m.start):
        if not taken.overlaps(mention.start, mention.end):
            taken.add(mention.start, mention.end)
    out: list[Quote] = []

    def add(speaker: str, s_start: int, s_end: int, content_start: int, method: str) -> None:
        span = _clause(simplified, content_start, _ZH_END)
        if span and not covered.overlaps(*span):
            covered.add(*span)
            out.append(Quote(speaker, text[span[0] : span[1]], span[0], span[1], "reported", s_start, s_end, method))

    for m in _ZH_PRONOUN.finditer(simplified):
        antecedent = people.before(m.start())
        if antecedent is not None:
            add(antecedent.canonical, m.start(1), m.end(1), m.end(), "quotes:pronoun")
    for m in _ZH_SURNAME.finditer(simplified):
        if taken.overlaps(m.start(1), m.end(1)):
            continue  # part of a name already found (王立军表示 is handled by the quote rules)
        antecedent = people.before(m.start(), fits=m.group(1))
        if antecedent is not None and len(antecedent.canonical) >= 2:
            add(antecedent.canonical, m.start(1), m.end(1), m.end(), "quotes:surname")
    for m in _ZH_ANONYMOUS.finditer(simplified):
        add(text[m.start(1) : m.end(1)], m.start(1), m.end(1), m.end(), "quotes:unnamed-source")
    return out

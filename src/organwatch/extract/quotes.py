"""Quotes and attribution: direct quotes with a speaker next to them, reported speech, continued quotes.

English: “…,” said X / X said, “…” / X said: “…”; reported speech "X said (on Monday) that …",
"according to X, …", "X estimates that …", "X called on …", and "…, X said." Chinese: X说：“…”,
“…”X表示, X表示，…。, 据X报道，…。 The speaker must be a person or organisation mention already
found (so it is canonical); quotes with no such speaker are left out rather than guessed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from organwatch.extract import names
from organwatch.extract.spans import SpanSet
from organwatch.model.extraction import Mention, Quote

_DIRECT_EN = re.compile(r"[“\"]([^“”\"\n]{1,3000})[”\"]")
_DIRECT_ZH = re.compile(r"[“「『]([^“”「」『』\n]{1,3000})[”」』]")
_EN_VERB = rf"(?:{names.SPEECH_VERBS_EN})"
_ADVERBIAL = r"(?:\s+(?:on|in|last|this|at|during|to|on\s+\w+\s+to)\s+[\w.,\- ]{1,30}?)?"
_REPORTED_EN = re.compile(
    rf"\s*(?:,\s*(?:a|an|the|its|his|her)\s[^,.;]{{1,60}},)?(?:\s+and\s+colleagues)?\s+({_EN_VERB})(?:\s+(?:state\s+media|reporters|the\s+\w+))?{_ADVERBIAL}(?:\s+that\b|(?<=called on)|(?<=urged))\s+"  # noqa: E501
)
_SENTENCE_END_EN = re.compile(r"[.!?](?=\s|$)|\n")
_SENTENCE_END_ZH = re.compile(r"[。！？\n]")


MAX_CLAUSE = 600  # reported speech runs to the sentence end; without one nearby it is not reported speech


def _clause_end(text: str, start: int, pattern: re.Pattern[str]) -> int | None:
    match = pattern.search(text, start, start + MAX_CLAUSE)
    return match.start() if match else None


def _speaker_index(mentions: Sequence[Mention]) -> tuple[list[int], list[Mention]]:
    speakers = sorted((m for m in mentions if m.type in {"person", "organization"}), key=lambda m: m.end)
    return [m.end for m in speakers], speakers


def _ending_near(ends: list[int], speakers: list[Mention], position: int, gap: int) -> Mention | None:
    """The speaker mention ending within ``gap`` characters before ``position``."""
    i = bisect.bisect_right(ends, position) - 1
    if i >= 0 and position - ends[i] <= gap:
        return speakers[i]
    return None


def _starting_near(speakers: list[Mention], starts: list[int], position: int, gap: int) -> Mention | None:
    i = bisect.bisect_left(starts, position)
    if i < len(starts) and starts[i] - position <= gap:
        return speakers[i]
    return None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in ",，;； ":
        end -= 1
    while start < end and text[start] == " ":
        start += 1
    return start, end


def english_quotes(text: str, mentions: Sequence[Mention]) -> list[Quote]:
    ends, speakers = _speaker_index(mentions)
    by_start = sorted(speakers, key=lambda m: m.start)
    starts = [m.start for m in by_start]
    quotes: list[Quote] = []
    last: Quote | None = None
    for m in _DIRECT_EN.finditer(text):
        qs, qe = _trim(text, m.start(1), m.end(1))
        after, before = text[m.end() : m.end() + 60], text[max(0, m.start() - 80) : m.start()]
        speaker: Mention | None = None
        verb_after = re.match(rf"\s*,?\s*(?:{_EN_VERB})\s+(?:(?:Dr\.|Mr\.|Mrs\.|Ms\.|Prof\.|Sir)\s+)?", after)
        if verb_after:
            speaker = _starting_near(by_start, starts, m.end() + verb_after.end(), 0)
        if speaker is None:
            named_after = re.match(r"\s*,?\s*", after)
            cand = _starting_near(by_start, starts, m.end() + (named_after.end() if named_after else 0), 0)
            if cand and re.match(rf"\s+(?:{_EN_VERB})\b", text[cand.end : cand.end + 20]):
                speaker = cand
        if speaker is None and re.search(rf"(?:{_EN_VERB})\s*[:,]?\s*$", before):
            verb = re.search(rf"\s+(?:{_EN_VERB})\s*[:,]?\s*$", before)
            if verb:
                position = m.start() - (len(before) - verb.start())
                speaker = _ending_near(ends, speakers, position, 40)
        if speaker is None and last is not None and 0 <= m.start() - last.end <= 40:
            quotes.append(
                Quote(
                    last.speaker,
                    text[qs:qe],
                    qs,
                    qe,
                    "direct",
                    last.speaker_start,
                    last.speaker_end,
                    "quotes:continued",
                )
            )
            last = quotes[-1]
            continue
        if speaker is None:
            continue
        last = Quote(speaker.canonical, text[qs:qe], qs, qe, "direct", speaker.start, speaker.end, "quotes:direct")
        quotes.append(last)
    quotes.extend(_reported_en(text, mentions, speakers, ends, quotes))
    return _person_of_body(text, mentions, quotes)


def _person_of_body(text: str, mentions: Sequence[Mention], quotes: list[Quote]) -> list[Quote]:
    """ "Priya Natarajan of Transplant Ethics Watch said": the speaker is the person, not the body."""
    people = {m.end: m for m in mentions if m.type == "person"}
    out = []
    for q in quotes:
        if q.speaker_start is not None:
            link = re.search(
                r"(?:,\s+\w+\s+)?\s(?:of|at|from)\s+(?:the\s+)?$", text[max(0, q.speaker_start - 30) : q.speaker_start]
            )
            if link:
                person = people.get(
                    q.speaker_start - (len(text[max(0, q.speaker_start - 30) : q.speaker_start]) - link.start())
                )
                if person is not None:
                    q = Quote(person.canonical, q.text, q.start, q.end, q.kind, person.start, person.end, q.method)
        out.append(q)
    return out


def _quote_spans(quotes: Sequence[Quote]) -> SpanSet:
    spans = SpanSet()
    for q in sorted(quotes, key=lambda q: q.start):
        if not spans.overlaps(q.start - 1, q.end + 2):
            spans.add(q.start - 1, q.end + 2)
    return spans


def _reported_en(text: str, mentions: Sequence[Mention], speakers: list[Mention], ends: list[int],
                 direct: Sequence[Quote]) -> list[Quote]:  # fmt: skip
    out: list[Quote] = []
    inside = _quote_spans(direct)
    for speaker in speakers:
        match = _REPORTED_EN.match(text, speaker.end)
        if match and not inside.overlaps(match.end(), match.end() + 1):
            end = _clause_end(text, match.end(), _SENTENCE_END_EN)
            qs, qe = _trim(text, match.end(), end) if end is not None else (0, 0)
            if qe - qs > 3 and text[qs] not in '“"':
                out.append(
                    Quote(
                        speaker.canonical,
                        text[qs:qe],
                        qs,
                        qe,
                        "reported",
                        speaker.start,
                        speaker.end,
                        "quotes:reported",
                    )
                )
                continue
        before = text[max(0, speaker.start - 20) : speaker.start]  # "According to the " is 17 characters
        if re.search(r"[Aa]ccording to\s+(?:the\s+)?$", before):
            comma = re.match(r"\s*,\s*", text[speaker.end : speaker.end + 4])
            if comma:
                start = speaker.end + comma.end()
                end = _clause_end(text, start, _SENTENCE_END_EN)
                if end is None:
                    continue
                qs, qe = _trim(text, start, end)
                out.append(
                    Quote(
                        speaker.canonical,
                        text[qs:qe],
                        qs,
                        qe,
                        "reported",
                        speaker.start,
                        speaker.end,
                        "quotes:according",
                    )
                )
                continue
        # "…, the State Department said." — the statement precedes its attribution
        if re.search(r",\s+(?:the\s+)?$", text[max(0, speaker.start - 8) : speaker.start]) and re.match(
            rf"\s+(?:{_EN_VERB})(?:\s+on\s+\w+)?\s*\.", text[speaker.end : speaker.end + 40]
        ):
            comma_at = text.rfind(",", max(0, speaker.start - 8), speaker.start)
            floor = max(0, comma_at - MAX_CLAUSE)
            sentence_start = max(text.rfind(". ", floor, comma_at) + 2, text.rfind("\n", floor, comma_at) + 1, floor)
            qs, qe = _trim(text, sentence_start, comma_at)
            if qe - qs > 10 and not inside.overlaps(qs, qs + 1):
                out.append(
                    Quote(
                        speaker.canonical,
                        text[qs:qe],
                        qs,
                        qe,
                        "reported",
                        speaker.start,
                        speaker.end,
                        "quotes:trailing",
                    )
                )
    return out


_ZH_VERB = rf"(?:{names.SPEECH_VERBS_ZH})"


def chinese_quotes(text: str, simplified: str, mentions: Sequence[Mention]) -> list[Quote]:
    ends, speakers = _speaker_index(mentions)
    by_start = {s.start: s for s in speakers}
    quotes: list[Quote] = []
    for m in _DIRECT_ZH.finditer(simplified):
        qs, qe = _trim(text, m.start(1), m.end(1))
        before = simplified[max(0, m.start() - 30) : m.start()]
        verb = re.search(rf"{_ZH_VERB}[:：，,]?\s*$", before)
        speaker = None
        if verb:
            speaker = _ending_near(ends, speakers, m.start() - (len(before) - verb.start()), 20)
        if speaker is None:
            after = re.match(r"[，,]?\s*", simplified[m.end() : m.end() + 4])
            position = m.end() + (after.end() if after else 0)
            cand = by_start.get(position)
            if cand and re.match(_ZH_VERB, simplified[cand.end : cand.end + 3]):
                speaker = cand
        if speaker is not None:
            quotes.append(
                Quote(speaker.canonical, text[qs:qe], qs, qe, "direct", speaker.start, speaker.end, "quotes:direct")
            )
    inside = _quote_spans(quotes)
    for speaker in speakers:
        tail = simplified[speaker.end : speaker.end + 24]
        verb = re.match(rf"[^，。；：“”「」,]{{0,16}}?{_ZH_VERB}[，,：:]\s*", tail)
        reported_by = simplified[max(0, speaker.start - 1) : speaker.start] == "据" and re.match(
            r"(?:报道|称|消息|透露)?[，,]", tail
        )
        match = verb or reported_by
        if not match:
            continue
        start = speaker.end + match.end()
        if simplified[start : start + 1] in "“「『":
            continue
        end = _clause_end(simplified, start, _SENTENCE_END_ZH)
        if end is None:
            continue
        qs, qe = _trim(text, start, end)
        if qe - qs >= 2 and not inside.overlaps(qs, qs + 1):
            quotes.append(
                Quote(speaker.canonical, text[qs:qe], qs, qe, "reported", speaker.start, speaker.end, "quotes:reported")
            )
    return quotes

"""Claims from a document: attributed statements split into units, each with stance, subject and value.

Stages, in order:
1. attribution frames by verb (:mod:`.attribution`) plus the quotes and reported speech the extract stage
   paired with named speakers;
2. frames over the same content are merged (a named speaker wins over a common noun; "David Kilgour and
   David Matas" keeps both);
3. pronoun and continuation speakers ("He called on…", 并指出…) take the speaker of the claim before;
4. each attributed content is split into units ("…, and that…", 其中…, "and warned that…");
5. each unit gets its value, unit and period from the quantity and date mentions inside it, its subject
   from the first name inside it, and a predicate from what it is about (:func:`predicate_of`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from organwatch.claims.attribution import (
    _VERB_EN,
    Frame,
    chinese_frames,
    english_frames,
    is_pronoun,
    stance_of,
)
from organwatch.model.claims import Claim, Stance
from organwatch.model.extraction import Mention, Quote

# What a statement is about, by keyword (checked in this order: the most specific first).
_PREDICATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("waiting_time", re.compile(r"\bwait|等待|等候|等待时间", re.IGNORECASE)),
    ("beds", re.compile(r"\bbeds?\b|床位|病床", re.IGNORECASE)),
    ("executions", re.compile(r"\bexecut|处决|處決|死刑|死囚", re.IGNORECASE)),
    ("organ_source", re.compile(r"\bsources?\b|来源|來源|供体|供體", re.IGNORECASE)),
    ("killings", re.compile(r"\bkilled\b|\bkilling|杀害|殺害", re.IGNORECASE)),
    ("transplants", re.compile(r"transplant|移植", re.IGNORECASE)),
    ("donations", re.compile(r"donat|捐献|捐獻|捐赠", re.IGNORECASE)),
    ("organ_harvesting", re.compile(r"harvest|摘取|活摘", re.IGNORECASE)),
)
_APPROXIMATE = re.compile(r"\b(?:about|some|around|roughly|approximately|an estimated|nearly|up to)\s+[0-9]"
                          r"|"
                          r"约|大约|大約|左右|上下|估计|估計|近\d|近[一二三四五六七八九十两兩]", re.IGNORECASE)
_CONTINUATION_ZH = {"并", "並", "还", "還", "也", "同时", "同時", "并且", "並且", "另外", "此外", "又", "此", "这",
                    "這"}
_SPLIT_EN = re.compile(rf",?\s+and\s+(?:that\s+|(?P<verb>{_VERB_EN})\s+(?:that\s+)?)|;\s+"
                       r"|,\s+(?P<saying>saying|adding)\s+(?:that\s+)?")
_SPLIT_ZH = re.compile(r"，(?=其中)|；|，(?:并|並|还|還|同时|同時)"
                       r"(?P<verb>称|稱|指出|表示|强调|強調|认为|認為|说|說|透露|"
                       r"估计|估計|否认|否認|呼吁|呼籲)[，：:]?")


@dataclass
class _Candidate:
    speaker: str
    speaker_start: int
    speaker_end: int
    stance: Stance
    start: int
    end: int
    method: str
    named: bool


def predicate_near(statement: str, position: int) -> str:
    """The predicate whose keyword is nearest to ``position`` (where the claim's number is): in "60,000
    transplants …, and no source for 41,500 of them" the 60,000 counts transplants, not sources.

    >>> predicate_near("60,000 transplants were done, and no source was found for 41,500", 0)
    'transplants'
    """
    best: tuple[int, str] | None = None
    for name, pattern in _PREDICATES:
        for match in pattern.finditer(statement):
            distance = min(abs(match.start() - position), abs(match.end() - position))
            if best is None or distance < best[0]:
                best = (distance, name)
    return best[1] if best else "statement"


def predicate_of(statement: str) -> str:
    """A coarse, language-independent predicate: what the statement is about.

    >>> predicate_of("the average waiting time for a kidney"), predicate_of("六万例移植手术")
    ('waiting_time', 'transplants')
    """
    for name, pattern in _PREDICATES:
        if pattern.search(statement):
            return name
    return "statement"


def _names_in(mentions: Sequence[Mention], start: int, end: int, types: set[str]) -> list[Mention]:
    return [m for m in mentions if m.type in types and m.start >= start and m.end <= end]


def _bracketed(phrase: str, offset: int) -> bool:
    """Whether position ``offset`` of ``phrase`` lies inside parentheses (a name's other form)."""
    before = phrase[:max(0, offset)]
    return before.count("（") + before.count("(") > before.count("）") + before.count(")")


def _speaker_name(frame_speaker: str, start: int, end: int, mentions: Sequence[Mention]) -> tuple[str, bool]:
    """The canonical speaker: the names inside the speaker phrase, else the phrase itself."""
    people = [m for m in _names_in(mentions, start, end, {"person"})
              if not _bracketed(frame_speaker, m.start - start)]  # 乔高（David Kilgour）: one person, not two
    if people:
        joiner = "和" if any("\u3400" <= ch <= "\u9fff" for ch in frame_speaker) else " and "
        return joiner.join(dict.fromkeys(m.canonical for m in people)), True
    bodies = _names_in(mentions, start, end, {"organization"})
    if bodies:
        # "外交部发言人秦刚" would have matched a person; a body alone speaks for itself.
        return bodies[-1].canonical, True
    return frame_speaker, False


def _candidates(text: str, language: str, mentions: Sequence[Mention], quotes: Sequence[Quote]) -> list[_Candidate]:
    if language.startswith("zh"):
        from organwatch.text import to_simplified_aligned

        frames: list[Frame] = list(chinese_frames(text, to_simplified_aligned(text)))
    elif language == "en":
        frames = list(english_frames(text))
    else:
        frames = []
    found: list[_Candidate] = []
    for f in frames:
        name, named = _speaker_name(f.speaker, f.speaker_start, f.speaker_end, mentions)
        found.append(_Candidate(name, f.speaker_start, f.speaker_end, f.stance, f.content_start, f.content_end,
                                f.method, named))
    for q in quotes:
        if q.speaker_start is None or q.speaker_end is None:
            continue
        around = text[max(0, q.start - 120) : q.start] + " " + text[q.end : q.end + 60]
        verb = re.search(rf"\b({_VERB_EN})\b|(否认|驳斥|呼吁|估计|否認|呼籲|估計)", around)
        stance = stance_of(verb.group(0) if verb else "", q.text)
        if q.kind == "direct" and stance != "denies" and re.search(r"\b(?:denied|rejected|dismissed)\b|否认|否認",
                                                                   text[max(0, q.start - 200) : q.start]):
            stance = "denies"
        found.append(_Candidate(q.speaker, q.speaker_start, q.speaker_end, stance, q.start, q.end,
                                f"claims:{q.method or q.kind}", True))
    return _merge(found)


def _overlap(a: _Candidate, b: _Candidate) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    return inter / max(1, min(a.end - a.start, b.end - b.start))


def cut_ok(outer: _Candidate, position: int) -> bool:
    """Whether the outer content may end at ``position`` (always; trimming happens when units are made)."""
    return position > outer.start


def _joined(speaker: str) -> bool:
    return " and " in speaker or "和" in speaker


def _merge(found: list[_Candidate]) -> list[_Candidate]:
    """One candidate per attributed content: a named speaker wins, a coordinated one ("X and Y") wins more."""
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[_Candidate] = []
    for cand in found:
        outer = next((k for k in kept[-6:] if k.start < cand.speaker_start < k.end), None)
        if outer is not None and cand.speaker_start > outer.start and cand.start >= cand.speaker_end:
            # A new frame starts inside an earlier one's content (…，作者呼吁…): the earlier content ends there.
            cut = cand.speaker_start
            while cut > outer.start and not cut_ok(outer, cut):
                cut -= 1
            outer.end = cut
            kept.append(cand)
            continue
        twin = next((k for k in kept[-6:] if _overlap(k, cand) >= 0.8), None)
        if twin is None:
            kept.append(cand)
            continue
        # "X reported that …, according to Y": Y is where the statement comes from.
        if "according" in cand.method or "according" in twin.method:
            better = "according" in cand.method
        else:
            better = (cand.named and not twin.named) or (
                cand.named == twin.named and _joined(cand.speaker) and not _joined(twin.speaker))
        if better:
            kept[kept.index(twin)] = cand
        if twin.stance == "asserts" and cand.stance != "asserts":
            (cand if better else twin).stance = cand.stance
    return kept


_SUBJECT_EN = re.compile(r"((?:The|A|An)\s+(?:[A-Z][\w'-]*\s+|[a-z][\w'-]*\s+){0,3}?[\w'-]+?)"
                         r"(?:\s+(?:in|of|at)\s+[A-Z][\w-]*)?\s+(?:issued|has|had|is|was|published|released|"
                         r"made|gave|sent|put|posted|said|says)\b")


def _previous_subject(text: str, position: int) -> str | None:
    """The subject of the sentence before ``position`` ("The Chinese embassy issued a statement. It said…")."""
    window = text[max(0, position - 300) : position]
    ends = [m.end() for m in re.finditer(r"[.!?]\s+", window[:-2])]
    start = ends[-2] if len(ends) >= 2 else 0
    m = _SUBJECT_EN.match(window, start)
    return m.group(1) if m else None


def _resolve_speakers(text: str, cands: list[_Candidate], mentions: Sequence[Mention]) -> None:
    """Pronoun and continuation speakers take the speaker of the claim before, else the nearest person."""
    people = sorted((m for m in mentions if m.type == "person"), key=lambda m: m.end)
    bodies = sorted((m for m in mentions if m.type == "organization"), key=lambda m: m.end)
    previous: _Candidate | None = None
    for cand in sorted(cands, key=lambda c: c.start):
        if is_pronoun(cand.speaker) or cand.speaker in _CONTINUATION_ZH or cand.speaker.startswith(("在", "於", "于")):
            neuter = cand.speaker.lower() in ("it", "its", "其")
            if previous is not None and cand.start - previous.end < 600:
                cand.speaker, cand.named = previous.speaker, previous.named
            else:
                pool = bodies if neuter else people
                before = [m for m in pool if m.end <= cand.speaker_start]
                if before:
                    cand.speaker, cand.named = before[-1].canonical, True
                elif neuter:
                    subject = _previous_subject(text, cand.speaker_start)
                    if subject:
                        cand.speaker = subject
        previous = cand


def _units(text: str, language: str, cand: _Candidate) -> list[tuple[int, int, Stance]]:
    """Split one attributed content into claim units, each with its own stance."""
    pattern = _SPLIT_ZH if language.startswith("zh") else _SPLIT_EN
    pieces: list[tuple[int, int, Stance]] = []
    start, stance = cand.start, cand.stance
    for m in pattern.finditer(text, cand.start, cand.end):
        if m.start() - start >= 4:
            pieces.append((start, m.start(), stance))
        verb = m.groupdict().get("verb")
        if m.groupdict().get("saying"):
            verb = "said"
        next_start = m.end()
        if language.startswith("zh") and text[m.start() + 1 : m.start() + 3] == "其中":
            next_start = m.start() + 1
        start, stance = next_start, (stance_of(verb, text[next_start : cand.end]) if verb else stance)
    pieces.append((start, cand.end, stance))
    out = []
    for s, e, st in pieces:
        while e > s and text[e - 1] in " ,，;；":
            e -= 1
        if e - s >= 3:
            out.append((s, e, st))
    return out


_TIME_UNITS = re.compile(r"^(?:years?|months?|weeks?|days?|hours?|年|个月|個月|月|周|週|星期|天|日|小时|小時)$")


def _value(mentions: Sequence[Mention], start: int, end: int, predicate: str) -> tuple[float | None, float | None,
                                                                                       float | None, str | None, int]:
    for m in _names_in(mentions, start, end, {"quantity"}):
        if predicate != "waiting_time" and m.unit and _TIME_UNITS.match(m.unit):
            continue  # "六年间", "for two years": a duration, not what the claim counts
        low = float(m.low) if isinstance(m.low, int | float) else None
        high = float(m.high) if isinstance(m.high, int | float) else None
        value: float | None
        if isinstance(m.value, int | float) and not isinstance(m.value, bool):
            value = float(m.value)
        elif low is not None and high is not None:
            value = (low + high) / 2
        else:
            continue
        if m.unit is None and (1800 <= value <= 2100 or value < 10):
            continue  # a year the date rules left as a number, or 一位/一个 ("a", "one")
        return value, low, high, m.unit, m.start
    return None, None, None, None, -1


def _period(mentions: Sequence[Mention], start: int, end: int) -> str | None:
    years: list[str] = []
    for m in _names_in(mentions, start, end, {"date"}):
        value = str(m.value or m.canonical or "")
        if "/" in value:
            return "/".join(part[:4] for part in value.split("/", 1))
        if re.match(r"\d{4}", value):
            years.append(value[:4])
    if len(years) >= 2:
        return f"{years[0]}/{years[-1]}"
    return years[0] if years else None


def detect_claims(text: str, language: str, mentions: Sequence[Mention], quotes: Sequence[Quote] = ()) -> list[Claim]:
    """Every attributed claim in ``text`` (with the extract stage's mentions and quotes), in text order.

    >>> from organwatch.extract import extract
    >>> t = "The researchers estimated that about 60,000 transplants were done in 2000-2005."
    >>> [(c.speaker, c.stance, c.predicate) for c in detect_claims(t, "en", extract(t, language="en").mentions)]
    [('The researchers', 'estimates', 'transplants')]
    """
    cands = _candidates(text, language, mentions, quotes)
    _resolve_speakers(text, cands, mentions)
    claims: list[Claim] = []
    seen: set[tuple[int, int]] = set()
    for cand in sorted(cands, key=lambda c: c.start):
        for start, end, stance in _units(text, language, cand):
            if (start, end) in seen:
                continue
            seen.add((start, end))
            statement = text[start:end]
            predicate = predicate_of(statement)
            value, low, high, unit, at = _value(mentions, start, end, predicate)
            if value is not None:
                predicate = predicate_near(statement, at - start)
            if stance == "asserts" and value is not None and _APPROXIMATE.search(statement):
                stance = "estimates"
            subjects = [m for m in _names_in(mentions, start, end, {"person", "organization", "place"})
                        if m.canonical != cand.speaker]
            claims.append(Claim(statement, start, end, stance, cand.speaker, cand.speaker_start, cand.speaker_end,
                                subjects[0].canonical if subjects else None, predicate, value, low,
                                high, unit, _period(mentions, start, end), cand.method))
    return claims

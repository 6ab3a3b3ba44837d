"""Names found by the pretrained models, trimmed to the name itself and merged with what we know.

The models find the names no list holds; the gazetteers and domain rules then add and correct. Spans
are trimmed the way a name is cited: no leading article ("the Federal Reserve" → "Federal Reserve"),
no possessive ("Paul Ince's"), no title before a person or body (Dr., 时任, 原, 前), and a parenthesised
initialism is a mention of its own. A name used as a modifier ("Boston-based", "ex-Milan") is not a
mention of the place. Every mention keeps ``method`` = ``<stage>:model`` so a reader can tell it from a
gazetteer hit (``:gazetteer``) or a rule.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

from organwatch.extract import models, names, zh_news
from organwatch.extract.spans import SpanSet
from organwatch.model.extraction import Mention

EN_LABELS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "place"}
ZH_LABELS = {"PER": "person", "ORG": "organization", "LOC": "place"}
STAGE = {"person": "people", "organization": "orgs", "place": "places"}
CHUNK = 20_000  # characters per spaCy call: bounded memory whatever the input

_LEADING_EN = re.compile(r"(?:(?:the|The|THE|a|an)\s+|[^\w(]+)")
_TRAILING_EN = re.compile(r"(?:['’]s?|[^\w.)]|\s+\(\s*|\s+[a-z]+)+$")  # "Interfax news": names end capitalised
_ABBREVIATION = re.compile(r"\s*\(([A-Z][A-Za-z&.\-]{1,11})\)?$")
_ZH_LEADING_TITLE = re.compile(rf"(?:{names.ZH_TITLE_PREFIX}|据|在|由|从|向|于|被|是)")
_ZH_ORG_END = re.compile(rf"(?:{names.ORG_HEADS_ZH})$")
_ZH_PAIR = re.compile(
    rf"([{names.ZH_COUNTRY_ABBREVIATIONS}])([{names.ZH_COUNTRY_ABBREVIATIONS}])"
    r"(?=两国|关系|双边|建交|合作|合资|友好|之间|双方|会谈|边境|战争|贸易|联合|两党|人民|首脑|外长|峰会|交往|友谊|经贸)"
)
_ZH_TRAILING = re.compile(rf"(?:{names.ZH_TITLES}|的|之)+$")
STRONG_METHODS = frozenset({"gazetteer", "head", "government", "abbreviation"})


def _chunks(text: str) -> Iterable[tuple[int, str]]:
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(". ", start, end))
            cut = cut if cut > start + CHUNK // 2 else text.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def _trim_en(text: str, start: int, end: int, kind: str) -> list[tuple[int, int, str]]:
    """The cited name inside a model span, and a parenthesised initialism after it as a second mention."""
    out: list[tuple[int, int, str]] = []
    abbreviation = _ABBREVIATION.search(text, start, end)
    if abbreviation and abbreviation.start() > start:
        if abbreviation.group(1).replace(".", "").isupper():
            out.append((abbreviation.start(1), abbreviation.end(1), kind))
        end = abbreviation.start()
    while True:
        lead = _LEADING_EN.match(text, start, end)
        trail = _TRAILING_EN.search(text, start, end)
        if lead and lead.end() > start:
            start = lead.end()
        elif trail and trail.start() < end:
            end = trail.start()
        else:
            break
    if kind == "person":
        words = text[start:end].split(" ")
        while len(words) > 1 and words[0] in names.TITLES_EN:
            start += len(words[0]) + 1
            words = words[1:]
    if end - start < 2 or not text[start].isalnum():
        return out
    if " " not in text[start:end] and (text[start:end] in names.SENTENCE_STARTERS or text[start:end] in
                                       names.NON_NAME_WORDS or text[start:end] in {"State", "House", "Excerpt"}):
        return out  # a capitalised common word at a sentence start or in a heading
    if text[start:end].isupper() and (start == 0 or text[start - 1] == "\n") and re.match(r"\s*(?:,|\(|—|–|-)",
                                                                                       text[end : end + 3]):
        return out  # a dateline ("OTTAWA —") says where a report was filed, not a place it talks about
    if re.match(r"-[a-z]", text[end : end + 2]) or (start > 0 and text[start - 1] == "-"):
        return out  # "Boston-based", "ex-Milan": a modifier, not a mention of the place
    return [(start, end, kind), *out]


def english_mentions(text: str) -> list[Mention]:
    """People, organisations and places spaCy's English model finds (empty when it is not installed)."""
    loaded = models.english_model()
    if loaded is None or not text.strip():
        return []
    nlp, _info = loaded
    found: list[Mention] = []
    pieces = list(_chunks(text))
    for (offset, _), doc in zip(pieces, nlp.pipe(piece for _, piece in pieces), strict=True):
        for ent in doc.ents:
            kind = EN_LABELS.get(ent.label_)
            if kind is None:
                continue
            for s, e, k in _trim_en(text, offset + ent.start_char, offset + ent.end_char, kind):
                found.append(Mention(k, text[s:e], s, e, text[s:e], method=f"{STAGE[k]}:model"))  # type: ignore[arg-type]
    return found


def chinese_mentions(text: str, simplified: str) -> list[Mention]:
    """People, organisations and places Baidu LAC finds in the simplified text (offsets shared with ``text``)."""
    loaded = models.chinese_model()
    if loaded is None or not text.strip():
        return []
    tagger, _info = loaded
    found: list[Mention] = []
    words = tagger.tag(simplified)
    for s, e, k in zh_news.teams(simplified, words) + zh_news.sides(simplified, words):
        method = "orgs:team" if k == "organization" else "places:side"
        found.append(Mention(k, text[s:e], s, e, simplified[s:e], method=method))  # type: ignore[arg-type]
    in_team = {m.start for m in found if m.method == "orgs:team"}
    for word in words:
        if word.tag not in ZH_LABELS or word.start in in_team:
            continue
        kind = ZH_LABELS[word.tag]
        start, end = word.start, word.end
        lead = _ZH_LEADING_TITLE.match(simplified, start, end)
        if lead and end - lead.end() >= 2:
            start = lead.end()
        if kind != "person":
            trail = _ZH_TRAILING.search(simplified, start, end)
            if trail and trail.start() - start >= 2:
                end = trail.start()
        if end - start < 1 or (kind == "person" and end - start < 2):
            continue
        if end - start == 1 and simplified[start] in names.ZH_TITLE_PREFIX:
            continue  # "原" (former) read as a body of its own
        if kind == "place" and end - start >= 3 and _ZH_ORG_END.search(simplified, start, end):
            kind = "organization"  # "丹麦红十字会", "香港立法会": a body named after its place
        if end - start == 2 and _ZH_PAIR.match(simplified, start):
            continue  # "中日" is two places; the pair rule below gives each one
        found.append(Mention(kind, text[start:end], start, end, simplified[start:end],  # type: ignore[arg-type]
                             method=f"{STAGE[kind]}:model"))  # fmt: skip
    return found


def national_governments(text: str, simplified: str, mentions: Sequence[Mention]) -> list[Mention]:
    """ "英国政府" as news NER cites it: the country is the place; a local government ("重庆市政府") stays a body."""
    loaded = models.chinese_model()
    if loaded is None:
        return list(mentions)
    tagger = loaded[0]

    def is_place(words: str) -> bool:
        tagged = tagger.tag(words)
        return len(tagged) == 1 and tagged[0].tag == "LOC"

    out: list[Mention] = []
    for m in mentions:
        end = zh_news.national_government(simplified, m.start, m.end, is_place) if m.type == "organization" else None
        if end is None:
            out.append(m)
        else:
            out.append(Mention("place", text[m.start : end], m.start, end, simplified[m.start : end],
                               method="places:government"))  # fmt: skip
    return out


def chinese_country_pairs(text: str, simplified: str) -> list[Mention]:
    """ "中美关系", "中日两国": each abbreviated country of the pair is a place of its own."""
    out: list[Mention] = []
    for m in _ZH_PAIR.finditer(simplified):
        for group in (1, 2):
            s, e = m.span(group)
            out.append(Mention("place", text[s:e], s, e, simplified[s:e], method="places:abbreviation"))
    return out


def _kind_of(m: Mention) -> str:
    return m.method.split(":", 1)[1] if ":" in m.method else ""


def merge(known: Sequence[Mention], found: Sequence[Mention]) -> list[Mention]:
    """Rules and gazetteers (``known``) with model mentions (``found``): what we know wins, the model fills in.

    A gazetteer entry or domain rule (an organisation head, a body named after its place) beats an
    overlapping model span, unless the model span is an organisation that strictly contains it (a hospital
    named after its city). Weaker rules only fill gaps the model left.
    """
    strong = [m for m in known if _kind_of(m) in STRONG_METHODS]
    weak = [m for m in known if _kind_of(m) not in STRONG_METHODS]
    chosen: list[Mention] = []
    taken = SpanSet()
    for m in sorted(strong, key=lambda m: -(m.end - m.start)):
        if not taken.overlaps(m.start, m.end):
            taken.add(m.start, m.end)
            chosen.append(m)
    by_start = sorted(chosen, key=lambda m: m.start)
    replaced: set[int] = set()
    extra: list[Mention] = []
    ends = [k.end for k in by_start]  # non-overlapping, so ends are sorted too
    for m in found:
        clash = []
        i = bisect.bisect_right(ends, m.start)
        while i < len(by_start) and by_start[i].start < m.end:
            clash.append(by_start[i])
            i += 1
        if not clash:
            extra.append(m)
            continue
        contains = all(m.start <= k.start and k.end <= m.end for k in clash)
        longer = m.end - m.start > max(k.end - k.start for k in clash)
        if m.type == "organization" and contains and longer and all(k.type != "organization" for k in clash):
            replaced.update(id(k) for k in clash)
            extra.append(m)
    merged = [m for m in chosen if id(m) not in replaced] + extra
    taken = SpanSet()
    out: list[Mention] = []
    for m in sorted(merged, key=lambda m: m.start):
        if not taken.overlaps(m.start, m.end):
            taken.add(m.start, m.end)
            out.append(m)
    for m in weak:
        if not taken.overlaps(m.start, m.end):
            taken.add(m.start, m.end)
            out.append(m)
    return sorted(out, key=lambda m: m.start)

"""English people, organisations and places: spaCy EntityRuler over the gazetteers, then rules.

The blank English pipeline (no statistical model exists offline) tokenises and runs an EntityRuler
whose phrase patterns are every gazetteer name and alias. Capitalised name sequences the gazetteers do
not know are then classified by rule: an organisation head ("Bureau", "Foundation"...), a title or role
next to the name ("Dr.", "a lawyer", "said"), a common given name or a pinyin surname make a person; a
single capitalised word after "in"/"near" is a place. Anything without such evidence is left out:
precision first, because investigators build on these mentions.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from organwatch.extract import en_context, names, ner
from organwatch.extract.gazetteer import Entry, load
from organwatch.extract.spans import SpanSet
from organwatch.model.extraction import Mention

CHUNK = 50_000  # characters per spaCy call: bounded memory, and spaCy's max_length never reached

_WORD = r"(?:[A-Z]\.){2,}|[A-Z][\w'’\-]*"
_CONN = r"(?:of|for|and|the|de|du|van|von|der|da|al|bin)"
CAP_RUN = re.compile(rf"(?<![\w.])(?:{_WORD})(?:(?:[ ](?:{_CONN}))*[ ](?:{_WORD}))*")
_POSSESSIVE = re.compile(r"['’]s$")


@functools.cache
def _nlp() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # spaCy's optional dependencies warn on import; not our concern
        import spacy

    nlp = spacy.blank("en")
    ruler: Any = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    gazetteer = load()
    patterns = [{"label": e.type, "pattern": form, "id": e.id} for form, e in gazetteer.english.items()]
    # "the Party" also opens sentences
    patterns += [dict(p, pattern="The" + p["pattern"][3:]) for p in patterns if p["pattern"].startswith("the ")]
    ruler.add_patterns(patterns)
    return nlp


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(". ", start, end))
            cut = cut if cut > start + CHUNK // 2 else text.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def gazetteer_spans(text: str) -> list[tuple[int, int, Entry]]:
    """Gazetteer matches with their entries (EntityRuler, longest match wins)."""
    by_id = {e.id: e for e in load().entries}
    spans: list[tuple[int, int, Entry]] = []
    nlp = _nlp()
    for offset, chunk in _chunks(text):
        for ent in nlp(chunk).ents:
            start, end = offset + ent.start_char, offset + ent.end_char
            if text[start:end].lower().startswith("the "):
                start += 4  # "the Party": the article is not part of the name
            spans.append((start, end, by_id[ent.ent_id_]))
    return spans


def _before(text: str, start: int, width: int = 40) -> str:
    return text[max(0, start - width) : start]


def _person_evidence(text: str, start: int, end: int, words: list[str], title: bool) -> bool:
    if title or words[0] in names.GIVEN_NAMES_EN:
        return True
    if words[0] in names.PINYIN_SURNAMES and len(words) == 2 and words[1][1:].islower():
        return True
    before, after = _before(text, start).lower(), text[end : end + 40].lower()
    if re.match(rf",\s+(?:a|an|the|its|his|her)\s+(?:[a-z\-]+\s+)?(?:{'|'.join(names.ROLE_WORDS_EN)})\b", after):
        return True
    if re.search(rf"\b(?:{'|'.join(names.ROLE_WORDS_EN)})\s+$", before):
        return True
    return bool(re.match(rf"\s+(?:{names.SPEECH_VERBS_EN})\b", after) or re.search(r"\bsaid\s+$", before))


def _classify(text: str, start: int, end: int) -> Mention | None:
    words = text[start:end].split(" ")
    title = False
    while words and (words[0] in names.TITLES_EN or words[0] in names.SENTENCE_STARTERS):
        title = title or words[0] in names.TITLES_EN
        start += len(words[0]) + 1
        words = words[1:]
    while words and words[-1] in {"of", "for", "and", "the", "de"}:
        end -= len(words[-1]) + 1
        words = words[:-1]
    if not words:
        return None
    if _POSSESSIVE.search(words[-1]):
        end -= 2
        words[-1] = words[-1][:-2]
    surface = text[start:end]
    if words[-1] in names.ORG_HEADS_EN or (words[0] in names.ORG_LEADS_EN and len(words) > 2 and words[1] == "of"):
        if len(words) == 1:
            return None
        return Mention("organization", surface, start, end, surface, method="orgs:head")
    if any(w in names.NON_NAME_WORDS or not w[:1].isalpha() for w in words):
        return None
    if 2 <= len(words) <= 3 and all(w[0].isupper() and not w.isupper() for w in words):  # noqa: SIM102
        if _person_evidence(
            text, start, end, words, title or text[max(0, start - 4) : start].strip() in names.TITLES_EN
        ):
            return Mention("person", surface, start, end, surface, method="people:rule")
    if (  # noqa: SIM102
        len(words) == 1
        and not words[0].isupper()
        and re.search(r"\b(?:in|near|based in|at)\s+$", _before(text, start, 12))
    ):
        if (
            not re.search(r"(?:ese|ian|ish)$", words[0])
            and words[0] not in names.SENTENCE_STARTERS
            and not re.search(r"-[a-z]", words[0])  # "English-language", "Boston-based": modifiers
        ):
            return Mention("place", surface, start, end, surface, method="places:preposition")
    return None


def english_entities(text: str, use_model: bool = True) -> list[Mention]:
    """People, organisations and places, before within-document resolution (``use_model=False``: rules only)."""
    gazetteer = load()
    gaz = gazetteer_spans(text)
    gaz_by_start = sorted(gaz, key=lambda s: s[0])
    mentions: list[Mention] = []
    gi = 0
    for run in CAP_RUN.finditer(text):
        rs, re_ = run.span()
        while gi < len(gaz_by_start) and gaz_by_start[gi][1] <= rs:
            gi += 1
        inside = [g for g in gaz_by_start[gi : gi + 8] if g[0] >= rs - 4 and g[1] <= re_]
        whole = _classify(text, rs, re_)
        if (  # noqa: SIM102
            whole
            and whole.type == "organization"
            and not any(g[0] == whole.start and g[1] == whole.end for g in inside)
        ):
            if not inside or inside[-1][1] < whole.end or inside[0][0] > whole.start:
                mentions.append(whole)
                continue
        cursor = rs
        for gs, ge, entry in inside:
            if gs > cursor:
                piece = _classify(text, cursor, gs - 1) if gs - 1 > cursor else None
                if piece:
                    mentions.append(piece)
            mentions.append(Mention(entry.type, text[gs:ge], gs, ge, gazetteer.canonical(entry, "en"),  # type: ignore[arg-type]
                                    entity_id=entry.id, method=f"{_stage(entry.type)}:gazetteer"))  # fmt: skip
            cursor = ge + 1
        if cursor < re_:
            piece = _classify(text, cursor, re_)
            if piece:
                mentions.append(piece)
    # Gazetteer forms that are not capitalised runs ("the Party" already is; this catches e.g. "U.S.")
    covered = SpanSet()
    for m in sorted(mentions, key=lambda m: m.start):
        if not covered.overlaps(m.start, m.end):
            covered.add(m.start, m.end)
    for gs, ge, entry in gaz:
        if not covered.overlaps(gs, ge):
            covered.add(gs, ge)
            mentions.append(Mention(entry.type, text[gs:ge], gs, ge, gazetteer.canonical(entry, "en"),  # type: ignore[arg-type]
                                    entity_id=entry.id, method=f"{_stage(entry.type)}:gazetteer"))  # fmt: skip
    found = ner.english_mentions(text) if use_model else []
    merged = ner.merge(_people_before_of(text, mentions, found), found)
    return _government_orgs(text, en_context.retype(text, merged) if found else merged)


def _people_before_of(text: str, rules: list[Mention], found: list[Mention]) -> list[Mention]:
    """ "Samuel Achterberg of Transplant Ethics Watch": a person the model found opens the span, so the
    organisation is what follows "of"/"at", not the whole run."""
    people = {(m.start, m.end) for m in found if m.type == "person"}
    starts = {s for s, _ in people}
    out: list[Mention] = []
    for m in rules:
        if m.method == "orgs:head" and m.start in starts:
            person_end = max(e for s, e in people if s == m.start)
            link = re.match(r" (?:of|at|from) (?:the )?", text[person_end : m.end])
            if link and person_end + link.end() < m.end:
                start = person_end + link.end()
                out.append(replace(m, start=start, text=text[start : m.end], canonical=text[start : m.end]))
                continue
        out.append(m)
    return out


def _stage(kind: str) -> str:
    return {"person": "people", "organization": "orgs", "place": "places"}.get(kind, kind)


def _government_orgs(text: str, mentions: list[Mention]) -> list[Mention]:
    """ "Chongqing government", "Xinjiang authorities": a place followed by a governing noun is a body."""
    gazetteer = load()
    out: list[Mention] = []
    for m in mentions:
        follow = re.match(r" (government|authorities|police)\b", text[m.end : m.end + 20])
        if m.type == "place" and follow:
            end = m.end + follow.end()
            surface = text[m.start : end]
            entry = gazetteer.english.get(surface)
            canonical = entry.en if entry else surface
            out.append(Mention("organization", surface, m.start, end, canonical,
                               entity_id=entry.id if entry else None, method="orgs:government"))  # fmt: skip
        else:
            out.append(m)
    return out

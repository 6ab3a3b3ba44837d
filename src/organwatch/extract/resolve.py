"""Within-document resolution: short forms to the full name given earlier in the same document.

"Wang" after "Wang Lijun", "Kilgour" after "David Kilgour", "the foundation" after "Guanghua Science and
Technology Foundation", "CCP" after "Chinese Communist Party (CCP)", 葛特曼 after 伊森·葛特曼. Only
names that appeared in full *earlier* are used: a bare surname before any full name stays unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from organwatch.extract import names
from organwatch.extract.spans import SpanSet
from organwatch.model.extraction import Mention


def _short_form(full: str) -> str | None:
    words = full.split()
    if len(words) < 2:
        return None
    if words[0] in names.PINYIN_SURNAMES and words[0] not in names.GIVEN_NAMES_EN:
        return words[0]  # Chinese order: "Wang Lijun" → "Wang"
    return words[-1]


def _taken(mentions: Sequence[Mention]) -> SpanSet:
    taken = SpanSet()
    for m in mentions:
        if not taken.overlaps(m.start, m.end):
            taken.add(m.start, m.end)
    return taken


def resolve_english(text: str, mentions: list[Mention]) -> list[Mention]:
    """Add short-form mentions and canonicalise variants; returns a new list in text order."""
    mentions = sorted(mentions, key=lambda m: m.start)
    taken = _taken(mentions)
    first_seen: dict[str, tuple[int, Mention]] = {}
    for m in mentions:
        if m.type == "person":
            short = _short_form(m.canonical)
            if short and short not in first_seen:
                first_seen[short] = (m.end, m)
    # A later mention that is exactly the short form of a full name ("Matas" after "David Matas") is that
    # person, whatever a model called it: the full name earlier in the document is the stronger evidence.
    if first_seen:
        relabelled = []
        for m in mentions:
            seen = first_seen.get(m.text)
            if seen and m.start >= seen[0] and m.entity_id is None and m.canonical == m.text:
                m = replace(m, type="person", canonical=seen[1].canonical, entity_id=seen[1].entity_id,
                            method="people:short-form")  # fmt: skip
            relabelled.append(m)
        mentions = relabelled
    added: list[Mention] = []
    if first_seen:
        pattern = re.compile(
            r"(?<![\w.])(" + "|".join(map(re.escape, sorted(first_seen, key=len, reverse=True))) + r")(?![\w])"
        )
        for hit in pattern.finditer(text):
            after, full = first_seen[hit.group(1)]
            if hit.start() >= after and not taken.overlaps(hit.start(), hit.end()):
                taken.add(hit.start(), hit.end())
                added.append(Mention("person", hit.group(1), hit.start(), hit.end(), full.canonical,
                                     entity_id=full.entity_id, method="people:short-form"))  # fmt: skip
    # Initialisms defined in the text: "China Organ Transplant Response System (COTRS)"
    defined: dict[str, Mention] = {}
    for m in mentions:
        paren = re.match(r"\s*\(([A-Z][A-Z&.]{1,9})\)", text[m.end : m.end + 14])
        if m.type == "organization" and paren:
            defined[paren.group(1)] = m
    if defined:
        pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, defined)) + r")(?![\w])")
        for hit in pattern.finditer(text):
            full = defined[hit.group(1)]
            if hit.start() > full.start and not taken.overlaps(hit.start(), hit.end()):
                taken.add(hit.start(), hit.end())
                added.append(Mention("organization", hit.group(1), hit.start(), hit.end(), full.canonical,
                                     entity_id=full.entity_id, method="orgs:initialism"))  # fmt: skip
    mentions = _org_variants(mentions + added)
    mentions.extend(_org_anaphora(text, mentions))
    return sorted(mentions, key=lambda m: m.start)


def _org_variants(mentions: list[Mention]) -> list[Mention]:
    """ "Guanghua Foundation" after "Guanghua Science and Technology Foundation": same first and last word."""
    out: list[Mention] = []
    seen: dict[str, Mention] = {}  # one per canonical name: the check stays linear in the text
    for m in sorted(mentions, key=lambda m: m.start):
        if m.type == "organization" and m.entity_id is None:
            words = m.text.split()
            for earlier in list(seen.values())[-50:]:
                ew = earlier.canonical.split()
                if len(words) >= 2 and len(ew) > len(words) and ew[0] == words[0] and ew[-1] == words[-1]:
                    m = replace(m, canonical=earlier.canonical, entity_id=earlier.entity_id, method="orgs:variant")
                    break
        if m.type == "organization":
            seen.pop(m.canonical, None)
            seen[m.canonical] = m
        out.append(m)
    return out


def _org_anaphora(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """ "the foundation" → the latest organisation whose name ends in "Foundation"."""
    orgs = [m for m in mentions if m.type == "organization"]
    if not orgs:
        return []
    taken = _taken(mentions)
    out: list[Mention] = []
    heads = "|".join(sorted(names.ORG_ANAPHORA_EN))
    latest: dict[str, Mention] = {}  # head word → the latest organisation seen with it
    pending = iter(sorted(orgs, key=lambda m: m.end))
    upcoming = next(pending, None)
    for hit in re.finditer(rf"\b(?:the|The)\s+({heads})\b", text):
        head = hit.group(1)
        start, end = hit.span(1)
        while upcoming is not None and upcoming.end <= start:
            latest[upcoming.canonical.split()[-1].lower()] = upcoming
            upcoming = next(pending, None)
        if taken.overlaps(start, end):
            continue
        ref = latest.get(head)
        if ref is not None:
            out.append(Mention("organization", text[start:end], start, end, ref.canonical, entity_id=ref.entity_id,
                               method="orgs:anaphora"))  # fmt: skip
    return out


def resolve_chinese(simplified: str, text: str, mentions: list[Mention]) -> list[Mention]:
    """葛特曼 / 尼斯 after 伊森·葛特曼 / 杰弗里·尼斯; 王局长 after 王立军."""
    mentions = sorted(mentions, key=lambda m: m.start)
    taken = _taken(mentions)
    short: dict[str, tuple[int, Mention]] = {}
    for m in mentions:
        if m.type == "person" and "·" in m.canonical:
            short.setdefault(m.canonical.split("·")[-1], (m.end, m))
    added: list[Mention] = []
    if short:
        pattern = re.compile("|".join(map(re.escape, sorted(short, key=len, reverse=True))))
        for hit in pattern.finditer(simplified):
            after, full = short[hit.group()]
            if hit.start() >= after and not taken.overlaps(hit.start(), hit.end()):
                taken.add(hit.start(), hit.end())
                added.append(Mention("person", text[hit.start() : hit.end()], hit.start(), hit.end(), full.canonical,
                                     entity_id=full.entity_id, method="people:short-form"))  # fmt: skip
    # a person mention that is a suffix of an earlier full foreign name ("葛特曼") takes its canonical
    fulls = [m for m in mentions if m.type == "person" and "·" in m.canonical]
    out = []
    for m in mentions + added:
        if m.type == "person" and "·" not in m.canonical:
            for full in fulls:
                if full.canonical.endswith("·" + m.canonical):
                    m = replace(m, canonical=full.canonical, entity_id=full.entity_id)
                    break
        out.append(m)
    return sorted(out, key=lambda m: m.start)

"""Namesakes: identical names in unrelated contexts go to review with their reasons, never merge on their own."""

from __future__ import annotations

import re

from organwatch.resolve.merge import DocumentIn, MentionIn, decision_pairs, resolve

_ids = iter(range(1, 10_000))


def _doc(doc_id: int, text: str, names: list[tuple[str, str]]) -> DocumentIn:
    mentions = [MentionIn(next(_ids), doc_id, kind, name, m.start(), m.end(), name)
                for kind, name in names for m in re.finditer(re.escape(name), text)]
    mentions += [MentionIn(next(_ids), doc_id, "date", m.group(), m.start(), m.end(), m.group())
                 for m in re.finditer(r"(?:19|20)\d\d", text)]
    return DocumentIn(doc_id, text, sorted(mentions, key=lambda m: m.start))


SURGEON = _doc(1, "Li Ming, a surgeon at Ruijin Hospital in Shanghai, spoke in 2005.",
               [("person", "Li Ming"), ("organization", "Ruijin Hospital"), ("place", "Shanghai")])
FARMER = _doc(2, "Li Ming, a farmer from Gansu, was detained in 2017.",
              [("person", "Li Ming"), ("place", "Gansu")])
SURGEON_AGAIN = _doc(3, "At Ruijin Hospital, Li Ming described the waiting lists.",
                     [("person", "Li Ming"), ("organization", "Ruijin Hospital")])


def _entity(result: object, doc: int, name: str) -> str:
    found = result.entity_of(doc, "person", name)  # type: ignore[attr-defined]
    assert found is not None
    return str(found)


def test_same_name_unrelated_contexts_goes_to_review_with_reasons() -> None:
    result = resolve([SURGEON, FARMER])
    assert _entity(result, 1, "Li Ming") != _entity(result, 2, "Li Ming")
    pair = sorted((_entity(result, 1, "Li Ming"), _entity(result, 2, "Li Ming")))
    suggestion = next(s for s in result.suggestions if [s.a, s.b] == pair)
    reasons = {f.name: f.detail for f in suggestion.features}
    assert "namesake" in reasons and "no co-mentioned" in reasons["namesake"]


def test_same_name_with_a_shared_organisation_merges() -> None:
    result = resolve([SURGEON, FARMER, SURGEON_AGAIN])
    assert _entity(result, 1, "Li Ming") == _entity(result, 3, "Li Ming") != _entity(result, 2, "Li Ming")


def test_different_characters_with_one_romanisation_stay_apart() -> None:
    text = "2012年，王君出任内蒙古自治区党委书记。\n\n中信集团前董事长王军于2019年在北京去世。"
    zh = _doc(4, text, [("person", "王君"), ("person", "王军"), ("organization", "中信集团"), ("place", "北京")])
    en = _doc(5, "Wang Jun, former chairman of CITIC Group, died in Beijing in 2019.",
              [("person", "Wang Jun"), ("organization", "CITIC Group"), ("place", "Beijing")])
    result = resolve([zh, en])
    assert _entity(result, 4, "王君") != _entity(result, 4, "王军")


def test_unmerge_one_document_only() -> None:
    merged = resolve([SURGEON, SURGEON_AGAIN])
    assert _entity(merged, 1, "Li Ming") == _entity(merged, 3, "Li Ming")
    from organwatch.resolve.merge import Decision

    split = Decision("split", ["person:li ming@3"], ["person:li ming"], 1)
    assert decision_pairs([split])[0]
    apart = resolve([SURGEON, SURGEON_AGAIN, FARMER], [split])
    assert _entity(apart, 1, "Li Ming") != _entity(apart, 3, "Li Ming")
    again = resolve([SURGEON, SURGEON_AGAIN], [split, Decision("merge", ["person:li ming@3"], ["person:li ming@1"], 2)])
    assert _entity(again, 1, "Li Ming") == _entity(again, 3, "Li Ming")

"""Grouping, independence and contradictions: ten reprints are one source; one estimate in two languages is
one claim; numbers that disagree are flagged, not averaged."""

from __future__ import annotations

from organwatch.claims.detect import detect_claims
from organwatch.claims.weigh import Reported, speaker_key, weigh
from organwatch.extract import extract
from organwatch.model.claims import Claim


def _reported(doc_id: int, text: str, language: str, outlet: str | None = None) -> list[Reported]:
    result = extract(text, language=language)
    return [Reported(f"{doc_id}:{c.start}-{c.end}", c, doc_id, outlet)
            for c in detect_claims(text, language, result.mentions, result.quotes)]


EN = ("David Kilgour and David Matas estimate that some 60,000 transplants were performed in China between 2000 "
      "and 2005.")
ZH = "乔高和麦塔斯估计，2000年至2005年间中国共进行了约六万例移植手术。"
GUTMANN = "Ethan Gutmann estimated that about 60,500 transplants were done in China between 2000 and 2005."
OFFICIAL = "The health ministry said that 20,000 transplants were done in China between 2000 and 2005."


def test_the_same_estimate_in_english_and_chinese_is_one_claim_with_one_origin() -> None:
    reported = _reported(1, EN, "en", "Harbour Ledger") + _reported(2, ZH, "zh-Hans", "Eastern Bulletin")
    groups = weigh(reported, [(1, "Harbour Ledger", None), (2, "Eastern Bulletin", None)])
    (group,) = groups
    assert len(group.members) == 2 and group.corroboration == 1  # two outlets, one origin


def test_reprints_count_once_and_another_speaker_counts_again() -> None:
    reported = (_reported(1, EN, "en", "Harbour Ledger") + _reported(2, EN, "en", "Midland Courier")
                + _reported(3, GUTMANN, "en", "Pacific Review"))
    groups = weigh(reported, [(1, "Harbour Ledger", None), (2, "Midland Courier", None), (3, "Pacific Review", None)],
                   links=[(1, 2)])
    (group,) = groups
    assert group.corroboration == 2 and len(group.members) == 3


def test_unattributed_copies_of_one_story_are_one_source() -> None:
    claim = Claim("the hospital has 500 beds", 0, 25, "asserts", None, None, None, None, "beds", 500.0)
    reported = [Reported(f"{i}:0-25", claim, i, f"Outlet {i}") for i in range(1, 11)]
    syndicated = weigh(reported, [(i, f"Outlet {i}", None) for i in range(1, 11)],
                       links=[(1, i) for i in range(2, 11)])
    independent = weigh(reported, [(i, f"Outlet {i}", None) for i in range(1, 11)])
    assert syndicated[0].corroboration == 1 and independent[0].corroboration == 10


def test_numbers_that_disagree_are_flagged_side_by_side() -> None:
    reported = _reported(1, EN, "en") + _reported(2, OFFICIAL, "en")
    groups = weigh(reported)
    assert len(groups) == 2
    assert all(g.contradicts for g in groups)
    assert "60000 against 20000" in groups[0].contradicts[0][1] or "20000 against 60000" in groups[0].contradicts[0][1]


def test_a_value_inside_a_stated_range_is_not_a_contradiction() -> None:
    ranged = Claim("between 60,000 and 100,000", 0, 10, "estimates", "A", None, None, None, "transplants", 80000.0,
                   60000.0, 100000.0, None, "2006")
    single = Claim("65,000", 0, 6, "estimates", "B", None, None, None, "transplants", 65000.0, None, None, None, "2006")
    groups = weigh([Reported("1:0-10", ranged, 1), Reported("2:0-6", single, 2)])
    assert all(not g.contradicts for g in groups)


def test_speaker_keys_bridge_scripts_and_ignore_order() -> None:
    assert speaker_key("David Matas and David Kilgour") == speaker_key("乔高和麦塔斯") == speaker_key("喬高與麥塔斯")
    assert speaker_key("Ethan Gutmann") != speaker_key("David Kilgour")

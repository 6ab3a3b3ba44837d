"""Claim detection on constructions people write: reported speech, denials, calls, pronouns, nesting."""

from __future__ import annotations

import pytest

from organwatch.claims.detect import detect_claims
from organwatch.extract import extract


def _claims(text: str, language: str = "en") -> list[tuple[str | None, str, str]]:
    result = extract(text, language=language)
    return [(c.speaker, c.stance, c.text) for c in detect_claims(text, language, result.mentions, result.quotes)]


def test_an_estimate_in_two_parts_becomes_two_claims_with_value_and_period() -> None:
    text = ("David Kilgour and David Matas estimate that some 60,000 transplants were performed between 2000 and "
            "2005, and that for about 41,500 of them no source could be found.")
    result = extract(text, language="en")
    claims = detect_claims(text, "en", result.mentions, result.quotes)
    assert [(c.value, c.period, c.stance) for c in claims] == [(60000.0, "2000/2005", "estimates"),
                                                                (41500.0, None, "estimates")]
    assert claims[0].speaker == "David Kilgour and David Matas"
    assert all(text[c.start : c.end] == c.text for c in claims)


@pytest.mark.parametrize(("text", "expected"), [
    ("Officials rejected claims that executed prisoners were the main source of organs.",
     ("Officials", "denies", "executed prisoners were the main source of organs")),
    ("Amnesty International urged the government to end the death penalty.",
     ("Amnesty International", "calls_for", "the government to end the death penalty")),
    ("The researchers estimated that between 60,000 and 100,000 organs are transplanted each year.",
     ("The researchers", "estimates", "between 60,000 and 100,000 organs are transplanted each year")),
    ("\"These reports are fabricated,\" the ministry said on Monday.",
     ("the ministry", "denies", "These reports are fabricated")),
])
def test_speakers_no_list_holds(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _claims(text)


def test_a_pronoun_speaker_takes_the_speaker_before() -> None:
    text = ("Ethan Gutmann said that about 65,000 practitioners were killed from 2000 to 2008. "
            "He called on the United Nations to open an inquiry.")
    assert ("Ethan Gutmann", "calls_for", "the United Nations to open an inquiry") in _claims(text)


def test_according_to_names_the_origin_not_the_newspaper() -> None:
    text = ("The China Daily reported that more than 10,000 transplants had been carried out in 2016, according to "
            "the health commission.")
    (claim,) = _claims(text)
    assert claim[0] == "the health commission"


def test_chinese_reported_speech_denial_and_continuation() -> None:
    text = "卫生部官员否认死刑犯是器官的主要来源，并称等待肾脏的平均时间不到两周。"
    claims = _claims(text, "zh-Hans")
    assert ("卫生部", "denies", "死刑犯是器官的主要来源") in claims
    assert ("卫生部", "asserts", "等待肾脏的平均时间不到两周") in claims


def test_chinese_speaker_in_parentheses_and_adverbials() -> None:
    text = ("加拿大前国务卿乔高（David Kilgour）与人权律师麦塔斯（David Matas）在2006年的报告中估计，"
            "2000年至2005年间中国约有6万例移植。")
    ((speaker, stance, statement),) = _claims(text, "zh-Hans")
    assert "乔高" in (speaker or "") and "麦塔斯" in (speaker or "") and stance == "estimates"
    assert statement == "2000年至2005年间中国约有6万例移植"


@pytest.mark.parametrize("text", [
    "The report does not claim that every advertised time was accurate.",
    "这份报告的估计和结论仅供参考。",
    "该医院被称为全国最大的移植中心。",
    "",
])
def test_no_claim_where_nobody_says_anything(text: str) -> None:
    language = "zh-Hans" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"
    assert _claims(text, language) == []


@pytest.mark.parametrize(("text", "speaker", "content"), [
    # A time phrase between the verb and a clause with no "that".
    ("Hospital staff said on Tuesday they had stopped taking foreign patients last year.",
     "Hospital staff", "they had stopped taking foreign patients last year"),
    # A clause that starts with a lower-case word, finite verb close behind.
    ("Moreno said rising demand from abroad had shortened the waiting lists.",
     "Moreno", "rising demand from abroad had shortened the waiting lists"),
    # The speaker after the verb, with a title in front of the name.
    ("The registry was closed to outside auditors in 2015, said hospital board chairman Peter Olsen.",
     "Peter Olsen", "The registry was closed to outside auditors in 2015"),
    ("Forty kidneys were shipped in one month, said Ruth Adler of the transplant network.",
     "Ruth Adler", "Forty kidneys were shipped in one month"),
])
def test_english_constructions_of_wire_copy(text: str, speaker: str, content: str) -> None:
    found = _claims(text)
    assert (speaker, content) in [(s, c) for s, _, c in found], found


def test_adding_that_after_a_quote_is_a_second_claim_by_the_same_speaker() -> None:
    text = ('"The records were altered," an auditor with the ministry told the committee, adding that two '
            "surgeons had resigned.")
    found = [(c, s) for s, _, c in _claims(text)]
    contents = [c for c, _ in found]
    assert "The records were altered" in contents and "two surgeons had resigned" in contents


@pytest.mark.parametrize(("text", "speaker"), [
    ("院长明确地指出：“医院从未使用死囚器官。”", "院长"),
    ("正如卫生部长所说，器官分配必须公开透明。", "卫生部长"),
    ("调查说，多数病人等待时间不到两周。", "调查"),
])
def test_chinese_adverbials_and_sources(text: str, speaker: str) -> None:
    from organwatch.claims.evaluate import same_speaker

    assert any(same_speaker(s, speaker) for s, _, _ in _claims(text, "zh-Hans"))


def test_a_verb_not_followed_by_a_clause_is_not_a_claim() -> None:
    assert _claims("The minister said goodbye to the delegation at the airport.") == []

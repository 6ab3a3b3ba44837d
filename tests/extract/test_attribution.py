"""Who says it: reported speech, pronoun and surname speakers, organisations and unnamed sources as speakers."""

from __future__ import annotations

from organwatch.extract import extract


def _said(text: str, language: str) -> dict[str, tuple[str, str]]:
    """attributed text → (speaker, method); every span must index the document."""
    out = {}
    for q in extract(text, language).quotes:
        assert text[q.start : q.end] == q.text
        if q.speaker_start is not None and q.speaker_end is not None:
            assert q.speaker_end <= q.start or q.speaker_start >= q.end  # the speaker is outside what is said
        out[q.text] = (q.speaker, q.method)
    return out


def test_chinese_pronoun_resolves_to_the_nearest_full_name() -> None:
    text = ("王立军曾任锦州市公安局局长。他说，现场心理研究中心完成了数千例移植。"
            "黄洁夫当时在北京。王表示，这些数字是准确的。")  # fmt: skip
    said = _said(text, "zh")
    assert said["现场心理研究中心完成了数千例移植"] == ("王立军", "quotes:pronoun")
    # a surname takes the nearest earlier full name with that surname, not the nearest name (黄洁夫)
    assert said["这些数字是准确的"] == ("王立军", "quotes:surname")


def test_chinese_reported_by_and_unnamed_sources() -> None:
    text = ("据法国国际广播电台报道，新疆新建了多个拘留设施。消息人士透露，部分设施靠近机场。"
            "黄洁夫称，死囚器官已停止使用。")  # fmt: skip
    said = _said(text, "zh")
    assert said["新疆新建了多个拘留设施"][0] == "法国国际广播电台"
    assert said["部分设施靠近机场"] == ("消息人士", "quotes:unnamed-source")
    assert said["死囚器官已停止使用"][0] == "黄洁夫"


def test_traditional_pronoun_speaker() -> None:
    said = _said("王立軍在成都停留一天。他表示，自己是自願離開的。", "zh")
    assert said["自己是自願離開的"] == ("王立军", "quotes:pronoun")


def test_english_pronoun_estimate_and_organisation_speakers() -> None:
    text = ("Ethan Gutmann is an investigator based in Washington. He said the official figures were far too low. "
            "Gutmann estimates 60,000 to 100,000 transplants a year. Radio France International reported that "
            "the camps had grown. Sources said the numbers were higher. According to the Foreign Ministry, "
            "the reports are lies.")  # fmt: skip
    said = _said(text, "en")
    assert said["the official figures were far too low"] == ("Ethan Gutmann", "quotes:pronoun")
    assert said["60,000 to 100,000 transplants a year"][0] == "Ethan Gutmann"
    assert said["the camps had grown"][0] == "Radio France International"
    assert said["the numbers were higher"] == ("Sources", "quotes:unnamed-source")
    assert said["the reports are lies"][0] == "Ministry of Foreign Affairs"


def test_person_of_a_body_is_the_speaker() -> None:
    text = 'Priya Natarajan of Transplant Ethics Watch said: "Bed counts tell us more than press releases do."'
    assert _said(text, "en")["Bed counts tell us more than press releases do."][0] == "Priya Natarajan"


def test_pronoun_with_no_person_before_it_is_not_guessed() -> None:
    assert _said("He said the figures were low. 他说，数字很低。", "en") == {}

"""Chinese: OpenCC conversion, jieba tokens mapped back to traditional text, pinyin name keys."""

from __future__ import annotations

import pytest

from organwatch.text import (
    chinese,
    normalise_pinyin,
    pinyin_keys,
    segment,
    to_simplified,
    to_simplified_aligned,
    to_traditional,
)


def test_conversion_both_ways() -> None:
    assert to_simplified("肝臟移植醫院") == "肝脏移植医院"
    assert to_traditional("肝脏移植医院") == "肝臟移植醫院"
    assert to_traditional("头发和发展") == "頭髮和發展"  # phrase-aware, not character-by-character
    assert to_simplified("Organ 2016") == "Organ 2016"


def test_liver_is_found_as_a_token_in_traditional_text_with_offsets_into_the_original() -> None:
    text = "據報道，該醫院的肝臟移植等待時間只有兩週。"
    tokens = segment(text)
    liver = [token for token in tokens if token.simplified == "肝脏"]
    assert len(liver) == 1
    token = liver[0]
    assert (token.text, text[token.start : token.end]) == ("肝臟", "肝臟")
    assert token.start == text.index("肝臟")
    assert "".join(t.text for t in tokens) == text  # default mode covers the text exactly


def test_search_mode_adds_sub_words_with_valid_offsets() -> None:
    text = "天津第一中心醫院東方器官移植中心"
    tokens = segment(text, search=True)
    assert {"器官", "移植", "中心"} <= {t.simplified for t in tokens}
    for token in tokens:
        assert text[token.start : token.end] == token.text


def test_offsets_stay_valid_in_mixed_script_text() -> None:
    text = "Wang Lijun（王立軍）在2012年2月6日進入美國駐成都總領事館。The hospital 肝臟 data."
    for token in segment(text):
        assert text[token.start : token.end] == token.text
        assert token.text.strip()


def test_aligned_conversion_falls_back_per_character_when_length_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = chinese.to_simplified

    def length_changing(text: str) -> str:
        # Simulate a phrase rule that changes length (OpenCC has very few); single characters convert.
        return real(text) + "!" if len(text) > 1 else real(text)

    monkeypatch.setattr(chinese, "to_simplified", length_changing)
    assert to_simplified_aligned("肝臟移植") == "肝脏移植"
    tokens = segment("肝臟移植醫院")
    assert [t.text for t in tokens] == ["肝臟", "移植", "醫院"]


def test_pinyin_keys_of_a_name() -> None:
    keys = pinyin_keys("王立军")
    assert {"wang lijun", "wanglijun", "lijun wang", "wang li jun"} <= keys
    assert pinyin_keys("王立軍") == keys  # traditional input gives the same keys


@pytest.mark.parametrize(
    ("name", "readings", "given"),
    [
        ("薄熙来", ("bo", "bao"), "xilai"),
        ("曾庆红", ("zeng", "ceng"), "qinghong"),
        ("单霁翔", ("shan", "dan"), "jixiang"),
        ("解振华", ("xie", "jie"), "zhenhua"),
        ("仇和", ("qiu", "chou"), "he"),
        ("区志航", ("ou", "qu"), "zhihang"),
        ("朴槿惠", ("piao", "pu"), "jinhui"),
        ("查良镛", ("zha", "cha"), "liangyong"),
    ],
)
def test_surname_heteronyms_are_expanded(name: str, readings: tuple[str, str], given: str) -> None:
    keys = pinyin_keys(name)
    for surname in readings:
        assert f"{surname} {given}" in keys, (surname, sorted(keys))
    assert pinyin_keys(to_traditional(name)) == keys


def test_given_names_do_not_expand_every_heteronym() -> None:
    assert "wang weijun" not in pinyin_keys("王立军")


def test_compound_surname_and_u_umlaut() -> None:
    assert "ouyang xiu" in pinyin_keys("欧阳修")
    keys = pinyin_keys("吕布")
    assert {"lv bu", "lu bu"} <= keys


@pytest.mark.parametrize("query", ["Wáng Lìjūn", "Wang Li-jun", "wang lijun", "WANG Li Jun", "Wang2 Li4jun1"])
def test_latin_queries_normalise_to_the_same_key(query: str) -> None:
    key = normalise_pinyin(query)
    assert key == "wang lijun"
    assert key in pinyin_keys("王立軍")


def test_normalised_queries_match_heteronym_surnames() -> None:
    assert normalise_pinyin("Bó Xīlái") in pinyin_keys("薄熙來")
    assert normalise_pinyin("Lǚ Bù") in pinyin_keys("吕布")
    assert normalise_pinyin("Zeng Qing-hong") in pinyin_keys("曾慶紅")
    assert normalise_pinyin("   ") == ""

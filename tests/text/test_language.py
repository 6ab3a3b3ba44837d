"""Language per document and per paragraph from script statistics, OpenCC and English stopwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from organwatch.text import detect_language, extract_documents, paragraph_spans, profile_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The hospital said the waiting time for a liver was two weeks.", "en"),
        ("该医院的肝脏移植等待时间只有两周，远低于国际水平。", "zh-Hans"),
        ("該醫院的肝臟移植等待時間只有兩週，遠低於國際水平。", "zh-Hant"),
        ("王立军（Wang Lijun）曾任重庆市公安局局长。", "zh-Hans"),
        ("Le patient a attendu deux semaines pour un foie, selon le médecin.", "other"),
        ("El paciente esperó dos semanas por un hígado según el hospital.", "other"),
        ("Организация трансплантации органов в Китае", "other"),
        ("臓器移植の待機時間は二週間でした", "other"),
        ("장기 이식 대기 시간은 2주였다", "other"),
        ("", "other"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_mixed_markdown_document(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "mixed_language.md")
    assert document.mixed_language
    assert [language for _, _, language in document.paragraphs] == ["en", "en", "zh-Hans", "zh-Hans", "en"]


def test_simplified_and_traditional_paragraphs_in_one_file(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "utf16_bom.txt")
    assert [language for _, _, language in document.paragraphs] == ["en", "en", "zh-Hans", "zh-Hant"]
    assert document.mixed_language


def test_single_language_document_is_not_mixed(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "big5_page.html")
    assert document.language == "zh-Hant" and not document.mixed_language


def test_short_paragraphs_inherit_or_default_sensibly() -> None:
    text = "醫院的肝臟移植等待時間只有兩週。\n\n人口\n\nWang Lijun\n\n2016"
    profile = profile_language(text)
    languages = [language for _, _, language in profile.paragraphs]
    # "人口" has no script evidence: it takes the document's script; a bare Latin name reads as English.
    assert languages == ["zh-Hant", "zh-Hant", "en", "zh-Hant"]
    assert profile.language == "zh-Hant"


def test_dominant_language_weighs_han_characters_against_latin_letters() -> None:
    english = "The hospital said the waiting time was two weeks and the source was not disclosed. " * 3
    chinese = "医院称等待时间只有两周。"
    assert profile_language(f"{english}\n\n{chinese}").language == "en"
    assert profile_language(f"{chinese * 8}\n\n{english}").language == "zh-Hans"


def test_very_long_paragraph_is_sampled_not_loaded_whole() -> None:
    text = "該醫院的肝臟移植等待時間只有兩週。" * 200_000  # one 3.4 M character paragraph
    profile = profile_language(text)
    assert profile.paragraphs == ((0, len(text), "zh-Hant"),)


def test_paragraph_spans_blocks_and_lines() -> None:
    text = "  first line\nsecond line\n\n\n  third  \n"
    assert paragraph_spans(text) == [(2, 24), (29, 34)]
    assert paragraph_spans(text, lines=True) == [(2, 12), (13, 24), (29, 34)]
    assert paragraph_spans("") == []


def test_latin_word_pattern_agrees_with_the_script_table() -> None:
    # Stopword positions come from the word regex, word starts from the table: they must line up.
    from organwatch.text.language import _LATIN, _LATIN_WORD, _classes

    table = _classes()
    disagree = [hex(code) for code in range(0x250) if (table[code] == _LATIN) != bool(_LATIN_WORD.fullmatch(chr(code)))]
    assert disagree == []

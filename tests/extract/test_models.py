"""The pretrained models and what we know, together: unknown names found, gazetteers still win, each mention
says which component found it, and a missing model package means rules only, said once."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from organwatch.extract import ExtractOptions, extract, models, pipeline
from organwatch.extract.lac import sentences


@pytest.fixture
def fresh_models() -> Iterator[None]:
    models.forget()
    yield
    models.forget()


def _found(text: str, language: str, **options: bool) -> dict[str, tuple[str, str]]:
    result = extract(text, language, options=ExtractOptions(**options))  # type: ignore[arg-type]
    for m in result.mentions:
        assert text[m.start : m.end] == m.text
    return {m.text: (m.type, m.to_dict()["component"]) for m in result.mentions}


def test_english_model_finds_names_no_list_holds() -> None:
    text = ("Dr. Marguerite Okonkwo, deputy director of the Halvorsen Institute, met officials in Tallinn. "
            "The Halvorsen Institute declined to comment. Estonia's health minister was not told.")  # fmt: skip
    found = _found(text, "en")
    assert found["Marguerite Okonkwo"] == ("person", "model")  # the title stays outside the model's span
    assert found["Halvorsen Institute"][0] == "organization"
    assert found["Tallinn"] == ("place", "model")
    rules_only = _found(text, "en", models=False)
    assert found["Estonia"] == ("place", "model")
    assert "Estonia" not in rules_only  # the rules alone had no evidence for it


def test_gazetteer_beats_the_model_and_keeps_its_entity() -> None:
    result = extract("Wang Lijun fled to the U.S. Consulate in Chengdu.", "en")
    by_text = {m.text: m for m in result.mentions}
    assert by_text["Wang Lijun"].entity_id is not None
    assert by_text["Wang Lijun"].to_dict()["component"] == "gazetteer"


def test_chinese_model_finds_unknown_people_and_bodies() -> None:
    text = "江西省南昌市第一人民医院副院长柯文远昨天在赣州会见了记者。"
    found = _found(text, "zh")
    assert found["柯文远"] == ("person", "model")
    assert found["赣州"][0] == "place"
    assert found["江西省南昌市第一人民医院"][0] == "organization"  # one body, with its place inside


def test_article_possessive_and_initialism_are_trimmed() -> None:
    text = "The head of the National Organ Allocation Committee (NOAC) spoke. Reuters cited the Committee's data."
    found = _found(text, "en")
    assert "National Organ Allocation Committee" in found
    assert found.get("NOAC", ("",))[0] == "organization"
    assert not any(t.startswith("the ") or t.endswith("'s") for t in found)


def test_country_pairs_are_two_places() -> None:
    found = _found("中美两国的移植医生举行了会谈。", "zh")
    assert found["中"][0] == "place" and found["美"][0] == "place"


def test_missing_model_package_means_rules_only_said_once(
    fresh_models: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(models, "ENGLISH_PACKAGE", "organwatch_no_such_model_package")
    monkeypatch.setattr(models, "CHINESE_PACKAGE", "organwatch_no_such_model_package")
    with caplog.at_level(logging.WARNING, logger="organwatch.extract"):
        first = extract("Wang Lijun fled to Chengdu on Feb. 6, 2012.", "en")
        extract("Ethan Gutmann met Priya Natarajan in London.", "en")
        chinese = extract("王立军于二〇一二年二月六日进入美国驻成都总领事馆。", "zh")
    assert {m.text for m in first.mentions} >= {"Wang Lijun", "Chengdu", "Feb. 6, 2012"}
    assert {m.canonical for m in chinese.mentions} >= {"王立军", "2012-02-06"}
    assert all(m.to_dict()["component"] != "model" for m in first.mentions + chinese.mentions)
    said = [r.getMessage() for r in caplog.records]
    assert len([s for s in said if s.startswith("English model")]) == 1  # once, not per document
    assert len([s for s in said if s.startswith("Chinese model")]) == 1
    assert "pip install" in said[0]


def test_huge_text_is_read_by_rules_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "MODEL_MAX_CHARS", 2_000)
    text = "Wang Lijun fled to Chengdu. " * 200
    result = extract(text, "en")
    assert any("rules only" in w for w in result.warnings)
    assert any(m.text == "Wang Lijun" for m in result.mentions)


@pytest.mark.parametrize(
    "text",
    [
        "Der Direktor des Krankenhauses in München sagte, die Zahlen seien falsch.",  # a third language
        "Wang Lijun 王立军 fled to 成都 on 2012年2月6日 and met the 美国 consul.",  # scripts mixed in a sentence
        "😀" * 50 + " Wang Lijun " + "\u202e" * 5,
        "。" * 1000,
    ],
)
def test_unusual_text_never_breaks_offsets(text: str) -> None:
    result = extract(text)
    for m in result.mentions:
        assert text[m.start : m.end] == m.text
    for q in result.quotes:
        assert text[q.start : q.end] == q.text


def test_sentence_split_for_the_chinese_model_is_bounded() -> None:
    text = "一" * 5000 + "。短句。"
    spans = list(sentences(text))
    assert all(0 < e - s <= 400 for s, e in spans)
    assert "".join(text[s:e] for s, e in spans) == text

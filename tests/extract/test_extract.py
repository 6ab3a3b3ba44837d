"""Extraction core: the issue's examples, resolution, dates, quantities, quotes, bad input."""

from __future__ import annotations

import time
from datetime import date

import pytest

from organwatch.extract import ExtractOptions, extract

WANG = (
    "Wang Lijun, formerly the director of public security and vice mayor of the southwestern city of Chongqing, "
    "fled on Feb. 6 to the U.S. Consulate in Chengdu. Wang left the next day."
)


def _pairs(text: str, language: str, doc_date: date | None = None) -> set[tuple[str, str, str]]:
    return {(m.type, m.text, m.canonical) for m in extract(text, language, doc_date).mentions}


def test_wang_lijun_sentence() -> None:
    found = _pairs(WANG, "en", date(2012, 2, 9))
    assert ("person", "Wang Lijun", "Wang Lijun") in found
    assert {("place", "Chongqing", "Chongqing"), ("place", "Chengdu", "Chengdu")} <= found
    assert ("organization", "U.S. Consulate", "U.S. Consulate") in found
    assert ("date", "Feb. 6", "2012-02-06") in found
    assert ("person", "Wang", "Wang Lijun") in found


def test_offsets_and_selectors_index_the_text() -> None:
    result = extract(WANG, "en", date(2012, 2, 9))
    data = result.to_dict()
    for m in data["mentions"]:
        assert WANG[m["start"] : m["end"]] == m["text"] == m["selector"]["exact"]
        assert m["extractor"].startswith("organwatch.extract.") and "/" in m["extractor"]


def test_within_document_resolution() -> None:
    text = ("The Guanghua Science and Technology Foundation gave Wang Lijun an award. The foundation later "
            "removed the speech. The Guanghua Foundation did not comment. The China Organ Transplant Response "
            "System (COTRS) began in 2013; COTRS allocates livers. The Party has not commented.")  # fmt: skip
    found = _pairs(text, "en")
    full = "Guanghua Science and Technology Foundation"
    assert ("organization", "foundation", full) in found
    assert ("organization", "Guanghua Foundation", full) in found
    assert ("organization", "COTRS", "China Organ Transplant Response System") in found
    assert ("organization", "Party", "Chinese Communist Party") in found


def test_chinese_short_form_of_transliterated_name() -> None:
    found = _pairs("伊森·葛特曼在书中估计了人数。葛特曼认为数字被低估。", "zh")
    assert ("person", "葛特曼", "伊森·葛特曼") in found


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("on September 25, 2012.", "en", "2012-09-25"),
        ("fled on Feb. 6 to", "en", "2012-02-06"),
        ("in 2006年9月，", "zh", "2006-09"),
        ("二〇〇六年，", "zh", "2006"),
        ("between 2000–2005 and", "en", "2000/2005"),
        ("from 1996 to 1999.", "en", "1996/1999"),
        ("2000 至 2005 年间", "zh", "2000/2005"),
        ("last week, officials", "en", "2012-W05"),
        ("on Monday, he", "en", "2012-02-06"),
        ("去年三月，", "zh", "2011-03"),
        ("本月8日，", "zh", "2012-02-08"),
    ],
)
def test_date_forms(text: str, language: str, value: str) -> None:
    dates = [m.value for m in extract(text, language, date(2012, 2, 9)).mentions if m.type == "date"]
    assert dates == [value]


def test_published_and_updated_roles() -> None:
    result = extract("Title\nPublished: February 9, 2012\nUpdated: February 10, 2012\nText.", "en")
    assert [(m.value, m.role) for m in result.mentions if m.type == "date"] == [
        ("2012-02-09", "published"), ("2012-02-10", "updated")]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("about 41,500 transplants were", "en", (41500, None, None, "transplants")),
        ("several thousand practitioners", "en", (None, 3000, 9000, "practitioners")),
        ("more than two-thirds of beds", "en", (0.6667, None, None, "of")),
        ("some 70 million practitioners", "en", (70000000, None, None, "practitioners")),
        ("seven to nine facilities", "en", (None, 7, 9, "facilities")),
        ("in 50 countries", "en", (50, None, None, "countries")),
        ("约6万例", "zh", (60000, None, None, "例")),
        ("约4.15万例移植", "zh", (41500, None, None, "例")),
        ("数千例", "zh", (None, 3000, 9000, "例")),
        ("上千例", "zh", (1000, None, None, "例")),
        ("每年6万至10万例", "zh", (None, 60000, 100000, "例")),
    ],
)
def test_quantity_forms(text: str, language: str, expected: tuple[object, ...]) -> None:
    found = [m for m in extract(text, language).mentions if m.type == "quantity"]
    assert len(found) == 1
    m = found[0]
    assert (m.value, m.low, m.high, m.unit if expected[3] != "of" else "of") == expected


def test_quotes_english() -> None:
    text = ('"We want the hospitals opened," said Joanna Reyes, a lawyer. "Nobody explained why." '
            "According to Radio Free Asia, some facilities were near airports. Ethan Gutmann said that the "
            "figures were too low.")  # fmt: skip
    quotes = {(q.speaker, q.text) for q in extract(text, "en").quotes}
    assert ("Joanna Reyes", "We want the hospitals opened") in quotes
    assert ("Joanna Reyes", "Nobody explained why.") in quotes
    assert ("Radio Free Asia", "some facilities were near airports") in quotes
    assert ("Ethan Gutmann", "the figures were too low") in quotes


def test_quotes_chinese() -> None:
    text = "许文杰说：“我们的供体来源充足。”据新华社报道，全国已有169家医院获得资质。黄洁夫表示，死囚器官不再使用。"
    quotes = {(q.speaker, q.text) for q in extract(text, "zh").quotes}
    assert ("许文杰", "我们的供体来源充足。") in quotes
    assert ("新华社", "全国已有169家医院获得资质") in quotes
    assert ("黄洁夫", "死囚器官不再使用") in quotes


def test_traditional_offsets_point_into_original() -> None:
    text = "王立軍進入美國駐成都總領事館。"
    result = extract(text, "zh")
    assert {(m.text, m.canonical) for m in result.mentions} >= {
        ("王立軍", "王立军"),
        ("美國駐成都總領事館", "美国驻成都总领事馆"),
    }


@pytest.mark.parametrize(
    "text",
    ["", "   \n", "\x00\x01\x02 text \x07 with controls. Wang Lijun said.", "no punctuation here at all Wang Lijun"],
)
def test_bad_input_does_not_crash(text: str) -> None:
    result = extract(text)
    assert isinstance(result.warnings, tuple)
    for m in result.mentions:
        assert text[m.start : m.end] == m.text


def test_warnings_for_unreliable_input() -> None:
    assert extract("").warnings
    assert any("unbalanced" in w for w in extract('He said, "this never ends. Wang Lijun left.', "en").warnings)
    assert any("control" in w for w in extract("a\x00b. Wang Lijun.", "en").warnings)


def test_mixed_scripts() -> None:
    text = "Wang Lijun fled to Chengdu in 2012.\n\n王立军于2012年2月6日进入美国驻成都总领事馆。\n\n" * 3
    result = extract(text, doc_date=date(2012, 2, 9))
    kinds = {(m.type, m.text) for m in result.mentions}
    assert ("person", "Wang Lijun") in kinds and ("date", "2012年2月6日") in kinds


def test_types_option_limits_output() -> None:
    result = extract(WANG, "en", options=ExtractOptions(types=frozenset({"date"})))
    assert {m.type for m in result.mentions} == {"date"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_long_paragraph_is_linear(language: str) -> None:
    # CPU time of this process, so other work on the machine does not decide the outcome; the check is the
    # growth (linear, not quadratic), not a speed (benchmarks/extract.py measures speed).
    unit = ("Wang Lijun said that 41,500 transplants took place in Chongqing on Feb. 6 " if language == "en"
            else "王立军表示，2006年锦州市公安局完成数千例移植")  # fmt: skip
    small = unit * (20_000 // len(unit.encode()))
    big = unit * (400_000 // len(unit.encode()))
    t0 = time.process_time()
    extract(small, language)
    t_small = time.process_time() - t0
    t0 = time.process_time()
    result = extract(big, language)
    t_big = time.process_time() - t0
    assert any("paragraph" in w for w in result.warnings)
    assert t_big < 20 * max(t_small, 0.05) * 3  # ~20x the text: quadratic growth would be ~400x

"""Chinese dates and numbers as people write them: 〇 years, compound numerals, full-width digits, traditional
script and Big5-HKSCS files, and titles that stay outside an organisation's span."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from organwatch.cli.extract import extract_command
from organwatch.extract import extract


def _of(text: str, kind: str) -> list[tuple[str, object, object, object]]:
    return [(m.text, m.value, m.low, m.high) for m in extract(text, "zh", date(2013, 5, 1)).mentions if m.type == kind]


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("二〇一二年二月六日，他进入领事馆。", "二〇一二年二月六日", "2012-02-06"),
        ("二○○六年九月，该中心成立。", "二○○六年九月", "2006-09"),  # the circle ○ is written for 〇 too
        ("報告發表於二〇一六年六月二十二日。", "二〇一六年六月二十二日", "2016-06-22"),
        ("１９９０年８月，他调任锦州。", "１９９０年８月", "1990-08"),
        ("２００３年１２月３１日以前", "２００３年１２月３１日", "2003-12-31"),
    ],
)
def test_written_dates(text: str, surface: str, value: str) -> None:
    assert (surface, value, None, None) in _of(text, "date")


def test_year_interval_is_one_date_not_a_duration() -> None:
    text = "二〇〇〇年至二〇〇五年间，移植数量迅速增加。"
    assert _of(text, "date") == [("二〇〇〇年至二〇〇五年", "2000/2005", None, None)]
    assert _of(text, "quantity") == []  # not "五年" of duration


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("期间共有四萬一千五百例移植來源不明。", "四萬一千五百例", 41500),
        ("估计全国完成六萬餘例。", "六萬餘例", 60000),
        ("兩千多名醫生參加了培訓。", "兩千多名", 2000),
        ("约有3亿5千万人受到影响。", "3亿5千万人", 350_000_000),
        ("全院完成一万零二百例", "一万零二百例", 10200),
    ],
)
def test_compound_numerals_are_one_quantity(text: str, surface: str, value: int) -> None:
    assert _of(text, "quantity") == [(surface, value, None, None)]


@pytest.mark.parametrize(
    ("text", "body", "not_in_span"),
    [
        ("时任锦州市公安局局长王立军主持了会议。", "锦州市公安局", "时任"),
        ("時任錦州市公安局局長的王立軍出席。", "錦州市公安局", "時任"),
        ("原卫生部副部长黄洁夫表示，改革已经开始。", "卫生部", "原"),
        ("前重庆市公安局局长王立军被判刑。", "重庆市公安局", "前"),
    ],
)
def test_title_before_a_body_is_outside_its_span(text: str, body: str, not_in_span: str) -> None:
    orgs = [m.text for m in extract(text, "zh").mentions if m.type == "organization"]
    assert body in orgs
    assert not any(o.startswith(not_in_span) for o in orgs)


def test_big5_hkscs_file_reads_with_offsets_into_its_text(tmp_path: Path) -> None:
    # 邨 and 啱 are HKSCS characters that plain Big5 lacks
    text = "二〇一二年二月六日，王立軍進入美國駐成都總領事館。住喺石硤尾邨嘅居民話：「啱啱先知。」"
    path = tmp_path / "hk.txt"
    path.write_bytes(text.encode("big5hkscs"))
    app = typer.Typer()
    app.command("extract")(extract_command)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(app, ["extract", str(path), "--language", "zh"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout.splitlines()[0])
    read = {(m["type"], m["canonical"]) for m in doc["mentions"]}
    assert ("date", "2012-02-06") in read
    assert ("person", "王立军") in read
    assert ("organization", "美国驻成都总领事馆") in read
    for m in doc["mentions"]:
        assert m["selector"]["exact"] == m["text"]

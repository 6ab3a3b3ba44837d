"""The extract stage inside a case: mentions and quotes stored with spans that point into the text."""

from __future__ import annotations

import json
from pathlib import Path

from organwatch.case import Case
from tests.conftest import run_cli

ARTICLE = """<html><head><title>Former police chief at consulate</title>
<meta property="article:published_time" content="2012-02-09T09:30:00+08:00"></head><body><article>
<p>Wang Lijun, formerly the director of public security and vice mayor of Chongqing, fled on Feb. 6 to the
U.S. Consulate in Chengdu, officials said last week.</p>
<p>"He asked for a meeting," said Victoria Nuland, a State Department spokeswoman.</p>
<p>Wang later left the consulate.</p></article></body></html>"""


def test_mentions_are_stored_with_exact_spans(case: Case, tmp_path: Path) -> None:
    page = tmp_path / "wang.html"
    page.write_text(ARTICLE, encoding="utf-8")
    case.add([page], text=True, extract=True)
    (doc,) = list(case.documents())
    text = doc.text or ""
    mentions = case.mentions(doc.id)
    assert mentions, "nothing extracted"
    for mention in mentions:
        assert text[mention.start:mention.end] == mention.text
    people = {m.canonical for m in case.mentions(doc.id, "person")}
    assert "Wang Lijun" in people
    assert any(m.text == "Wang" and m.canonical == "Wang Lijun" for m in case.mentions(doc.id, "person"))
    dates = {m.text: m.canonical for m in case.mentions(doc.id, "date")}
    assert dates.get("Feb. 6") == "2012-02-06"  # resolved against the article's own date
    places = {m.canonical for m in case.mentions(doc.id, "place")}
    assert {"Chongqing", "Chengdu"} <= places
    quotes = case.quotes(doc.id)
    assert any("Nuland" in q.speaker for q in quotes)
    for quote in quotes:
        assert text[quote.start:quote.end] == quote.text


def test_reprocess_extract_replaces_instead_of_duplicating(case: Case, tmp_path: Path) -> None:
    page = tmp_path / "wang.html"
    page.write_text(ARTICLE, encoding="utf-8")
    case.add([page], text=True, extract=True)
    (doc,) = list(case.documents())
    before = case.mentions(doc.id)
    result = run_cli("reprocess", "--case", str(case.root), "--stage", "extract", check=True)
    assert "Extracted from 1 document(s)" in result.stdout
    after = case.mentions(doc.id)
    assert [(m.type, m.start, m.end) for m in after] == [(m.type, m.start, m.end) for m in before]
    shown = json.loads(run_cli("mentions", "--case", str(case.root), str(doc.id), "--type", "person",
                               "--format", "json", check=True).stdout)
    assert shown["document"] == doc.id and all(item["type"] == "person" for item in shown["items"])
    assert case.verify().ok

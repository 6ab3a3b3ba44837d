from __future__ import annotations

import csv
import io

from organwatch.papers.importers import parse, read_fulltext, sniff_format
from tests.papers.fixtures import CSV_ROWS, MEDLINE, PUBMED_XML, RIS


def _csv(rows: list[tuple[str, str, str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "year", "text"])
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_pubmed_xml_fields() -> None:
    batch = parse(PUBMED_XML.encode(), "pubmed.xml", "pubmed-xml")
    assert [r.id for r in batch.records] == ["90000001", "90000002"]
    first = batch.records[0]
    assert first.year == 2006 and first.language == "en" and first.journal.startswith("Journal of Invented")
    assert first.authors == ("Zhang Wei", "Li Na")
    assert "Xijing Hospital" in first.affiliations[0]
    assert first.abstract.startswith("METHODS: After brain death")
    assert first.extra["vernacular_title"] == "脑死亡供体心脏移植12例"
    assert batch.records[1].year == 2015


def test_malformed_xml_keeps_the_good_articles() -> None:
    broken = PUBMED_XML.replace("<ArticleTitle>Liver", "<ArticleTitle>Liver <b>").encode()
    batch = parse(broken, "bad.xml", "pubmed-xml")
    assert [r.id for r in batch.records] == ["90000001"]
    errors = [i.line() for i in batch.issues if i.severity == "error"]
    assert len(errors) == 1 and "article 2" in errors[0] and "90000002" in errors[0] and "\n" not in errors[0]
    assert parse(b"<notxml", "x.xml", "pubmed-xml").issues[0].kind == "unreadable"


def test_xml_entity_bomb_is_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b"<PubmedArticleSet><PubmedArticle>&b;</PubmedArticle></PubmedArticleSet>")
    batch = parse(bomb, "bomb.xml", "pubmed-xml")
    assert not batch.records and "entity" in batch.issues[-1].reason


def test_medline_continuations_and_missing_fields() -> None:
    batch = parse(MEDLINE.encode(), "export.nbib", "medline")
    first, second = batch.records
    assert first.title == "Lung transplantation: donor management and outcomes in a single centre."
    assert first.authors == ("Wang, Fang",) and first.year == 2012 and first.language == "en"
    assert second.id == "90000012" and second.abstract == ""


def test_ris_missing_tags_and_duplicates_are_per_record() -> None:
    batch = parse(RIS.encode("utf-8"), "refs.ris", "ris")
    assert [r.id for r in batch.records] == ["ris-1", "ris-3"]
    lines = [i.line() for i in batch.issues]
    assert any("no ID, AN or DO" in line for line in lines)
    assert any("ris-3" in line and "not closed" in line for line in lines)
    assert any("duplicate id" in line and "ris-1" in line for line in lines)
    assert batch.records[0].affiliations == ("解放军总医院心血管外科, 北京 100853",)


def test_csv_gb18030_is_detected() -> None:
    batch = parse(_csv(CSV_ROWS, "gb18030"), "excerpts.csv", "csv")
    assert [r.text for r in batch.records] == [row[2] for row in CSV_ROWS]
    assert any("gb18030" in i.reason for i in batch.issues)


def test_csv_problems_do_not_stop_the_batch() -> None:
    rows = [*CSV_ROWS, ("", "2001", "no id"), ("c1", "2002", "again"), ("c9", "soon", "bad year")]
    batch = parse(_csv(rows), "excerpts.csv", "csv")
    assert [r.id for r in batch.records] == ["c1", "c2", "c3", "c9"]
    reasons = " | ".join(i.reason for i in batch.issues)
    assert "empty id" in reasons and "duplicate id" in reasons and "not a year" in reasons
    no_id = parse(b"title,year\nx,2001\n", "t.csv", "csv")
    assert not no_id.records and "no id column" in no_id.issues[0].reason


def test_sniffing_and_fulltext_errors() -> None:
    assert sniff_format("a.xml", b"") == "pubmed-xml"
    assert sniff_format("export.txt", b"PMID- 1\n") == "medline"
    assert sniff_format("refs", b"TY  - JOUR\n") == "ris"
    assert sniff_format("0001.pdf", b"%PDF") == "fulltext"
    assert sniff_format("photo.jpg", b"\xff\xd8") is None
    text, reason = read_fulltext(b"%PDF-1.4\n garbage that is not a pdf", "0001.pdf")
    assert text is None and reason is not None and "PDF" in reason
    assert read_fulltext(b"", "0002.txt")[1] == "empty text file"
    assert read_fulltext("供体脑死亡".encode("gb18030"), "0003.txt")[0] == "供体脑死亡"

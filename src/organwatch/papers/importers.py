"""Read bibliographic exports into :class:`Record` objects, one problem per record, never a traceback.

Formats: PubMed XML (``efetch``), MEDLINE text (``.nbib``/``.medline``/``.txt`` starting with
``PMID-``), RIS, CSV (``id`` plus any of title, abstract, text, year, journal, authors, affiliations,
language; UTF-8, GB18030/GBK or Big5 detected), and full texts (``.txt`` or ``.pdf`` named by a record
id). A record with a problem is reported and skipped; the rest of the file is still read. XML is parsed
with ``defusedxml`` (no entity expansion, no external entities); when a file does not parse as a whole,
each ``<PubmedArticle>`` is parsed on its own so one broken record does not cost the others.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from organwatch.papers.records import ImportIssue, ParsedBatch, Record, clean_id, parse_year
from organwatch.text.encoding import decode_bytes

Format = Literal["pubmed-xml", "medline", "ris", "csv", "fulltext"]
FORMATS: tuple[Format, ...] = ("pubmed-xml", "medline", "ris", "csv", "fulltext")
#: Largest cell a CSV may hold (a full text in a ``text`` column); bigger cells are an error.
MAX_CSV_FIELD = 16 * 1024 * 1024

_CSV_ALIASES = {
    "id": "id", "pmid": "id", "docid": "id", "doc_id": "id", "record_id": "id", "an": "id",
    "title": "title", "ti": "title", "标题": "title", "题名": "title",
    "abstract": "abstract", "ab": "abstract", "摘要": "abstract",
    "text": "text", "fulltext": "text", "full_text": "text", "body": "text", "全文": "text",
    "year": "year", "py": "year", "date": "year", "年份": "year", "年": "year",
    "journal": "journal", "so": "journal", "source": "journal", "jt": "journal", "期刊": "journal",
    "authors": "authors", "author": "authors", "au": "authors", "作者": "authors",
    "affiliations": "affiliations", "affiliation": "affiliations", "ad": "affiliations", "单位": "affiliations",
    "机构": "affiliations", "language": "language", "la": "language", "lang": "language", "语言": "language",
}
_LIST_SPLIT = re.compile(r"\s*[;；\n]\s*")


def sniff_format(name: str, head: bytes) -> Format | None:
    """Guess the format of a file from its name and first bytes (None: not a bibliographic file)."""
    suffix = PurePath(name).suffix.lower()
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
    if suffix == ".xml" or start.startswith(b"<?xml") or b"<PubmedArticle" in start:
        return "pubmed-xml"
    if suffix == ".ris" or re.match(rb"TY  - ", start):
        return "ris"
    if suffix in (".nbib", ".medline") or re.match(rb"PMID- ", start):
        return "medline"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".txt", ".pdf"):
        return "fulltext"
    return None


def parse(data: bytes, source: str, fmt: Format) -> ParsedBatch:
    """Records of one bibliographic file (not full texts: see :func:`read_fulltext`)."""
    if fmt == "pubmed-xml":
        batch = parse_pubmed_xml(data, source)
    elif fmt == "medline":
        batch = parse_medline(_decode(data), source)
    elif fmt == "ris":
        batch = parse_ris(_decode(data), source)
    elif fmt == "csv":
        batch = parse_csv(data, source)
    else:
        raise ValueError(f"{fmt} is not a bibliographic format")
    return drop_duplicates(batch, source)


def _decode(data: bytes) -> str:
    return decode_bytes(data).text.replace("\r\n", "\n").replace("\r", "\n")


def drop_duplicates(batch: ParsedBatch, source: str) -> ParsedBatch:
    """Keep the first record of each id; report the others."""
    seen: dict[str, str] = {}
    kept: list[Record] = []
    for record in batch.records:
        if record.id in seen:
            batch.issues.append(ImportIssue(source, record.locator, f"duplicate id, already at {seen[record.id]}; "
                                            "kept the first", record_id=record.id, kind="duplicate"))
            continue
        seen[record.id] = record.locator
        kept.append(record)
    batch.records = kept
    return batch


# -- PubMed XML ------------------------------------------------------------------------------------

def parse_pubmed_xml(data: bytes, source: str) -> ParsedBatch:
    """``efetch -db pubmed -format xml`` output: ``PubmedArticleSet/PubmedArticle``."""
    batch = ParsedBatch()
    try:
        root = SafeET.fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        chunks = re.findall(rb"<PubmedArticle\b.*?</PubmedArticle>", data, flags=re.S)
        if not chunks:
            batch.issues.append(ImportIssue(source, "", f"not well-formed XML ({_xml_reason(exc)}) and no "
                                            "complete <PubmedArticle> element to recover", kind="unreadable"))
            return batch
        batch.issues.append(ImportIssue(source, "", f"not well-formed XML ({_xml_reason(exc)}); reading each "
                                        "<PubmedArticle> on its own", severity="warning", kind="unreadable"))
        for number, chunk in enumerate(chunks, 1):
            locator = f"article {number}"
            try:
                article = SafeET.fromstring(chunk)
            except (ParseError, DefusedXmlException) as inner:
                pmid = re.search(rb"<PMID[^>]*>\s*(\d+)", chunk)
                batch.issues.append(ImportIssue(source, locator, f"malformed XML: {_xml_reason(inner)}",
                                                record_id=pmid.group(1).decode() if pmid else None))
                continue
            _pubmed_article(article, source, locator, batch)
        return batch
    articles = [root] if root.tag == "PubmedArticle" else list(root.iter("PubmedArticle"))
    if not articles:
        batch.issues.append(ImportIssue(source, "", f"XML root <{root.tag}> holds no <PubmedArticle>: export "
                                        "with efetch -db pubmed -format xml", kind="unreadable"))
    for number, article in enumerate(articles, 1):
        _pubmed_article(article, source, f"article {number}", batch)
    return batch


def _xml_reason(exc: Exception) -> str:
    if isinstance(exc, DefusedXmlException):
        return "entity declarations are refused"
    return str(exc)


def _all_text(element: Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _pubmed_article(article: Element, source: str, locator: str, batch: ParsedBatch) -> None:
    citation = article.find("MedlineCitation")
    if citation is None:
        batch.issues.append(ImportIssue(source, locator, "no <MedlineCitation> element; skipped"))
        return
    pmid = clean_id(_all_text(citation.find("PMID")))
    if not pmid:
        batch.issues.append(ImportIssue(source, locator, "no <PMID>; skipped"))
        return
    art = citation.find("Article")
    title = _all_text(art.find("ArticleTitle")) if art is not None else ""
    vernacular = _all_text(art.find("VernacularTitle")) if art is not None else ""
    parts = []
    for node in (art.findall("Abstract/AbstractText") if art is not None else []):
        label = node.get("Label")
        text = _all_text(node)
        parts.append(f"{label}: {text}" if label else text)
    authors: list[str] = []
    affiliations: list[str] = []
    for author in (art.findall("AuthorList/Author") if art is not None else []):
        name = _all_text(author.find("CollectiveName")) or " ".join(
            p for p in (_all_text(author.find("LastName")), _all_text(author.find("ForeName"))) if p)
        if name:
            authors.append(name)
        for aff in author.findall("AffiliationInfo/Affiliation"):
            value = _all_text(aff)
            if value and value not in affiliations:
                affiliations.append(value)
    journal = _all_text(art.find("Journal/Title")) if art is not None else ""
    pub_date = art.find("Journal/JournalIssue/PubDate") if art is not None else None
    year = parse_year(_all_text(pub_date))
    language = _all_text(art.find("Language")) if art is not None else ""
    issues = []
    if not title and not vernacular:
        issues.append("no <ArticleTitle>")
    if year is None:
        issues.append("no publication year")
    for reason in issues:
        batch.issues.append(ImportIssue(source, locator, f"{reason}; record kept", severity="warning",
                                        record_id=pmid))
    extra: dict[str, Any] = {"vernacular_title": vernacular} if vernacular else {}
    batch.records.append(Record(pmid, title or vernacular, "\n".join(parts), year=year, journal=journal,
                                authors=tuple(authors), affiliations=tuple(affiliations),
                                language=_language(language), source_format="pubmed-xml", locator=locator,
                                extra=extra))


def _language(raw: str | None) -> str | None:
    value = (raw or "").strip().lower()
    return {"chi": "zh", "zho": "zh", "chinese": "zh", "中文": "zh", "eng": "en", "english": "en",
            "英文": "en"}.get(value, value or None)


# -- MEDLINE and RIS (tagged text) ----------------------------------------------------------------

_MEDLINE_TAG = re.compile(r"^([A-Z][A-Z0-9 ]{1,3})- ?(.*)$")
_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def _medline_records(text: str) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    fields: list[tuple[str, str]] = []
    first_line = 0
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            if fields:
                yield first_line, fields
                fields = []
            continue
        match = _MEDLINE_TAG.match(line)
        if match:
            if not fields:
                first_line = number
            fields.append((match.group(1).strip(), match.group(2).strip()))
        elif fields and line.startswith("      "):
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {line.strip()}")
        else:
            fields.append(("?", f"line {number}: {line.strip()[:60]}"))
    if fields:
        yield first_line, fields


def parse_medline(text: str, source: str) -> ParsedBatch:
    """PubMed's MEDLINE display format: ``TAG - value`` lines, records separated by blank lines."""
    batch = ParsedBatch()
    for line, fields in _medline_records(text):
        locator = f"line {line}"
        values = _group(fields)
        pmid = clean_id(_first(values, "PMID"))
        if not pmid:
            batch.issues.append(ImportIssue(source, locator, "record has no PMID tag; skipped"))
            continue
        strays = values.get("?", [])
        if strays:
            batch.issues.append(ImportIssue(source, locator, f"{len(strays)} line(s) without a tag ignored "
                                            f"({strays[0]})", severity="warning", record_id=pmid))
        affiliations = list(dict.fromkeys(values.get("AD", [])))
        batch.records.append(Record(
            pmid, _first(values, "TI") or _first(values, "TT"), " ".join(values.get("AB", [])),
            year=parse_year(_first(values, "DP")), journal=_first(values, "JT") or _first(values, "TA"),
            authors=tuple(values.get("FAU", []) or values.get("AU", [])), affiliations=tuple(affiliations),
            language=_language(_first(values, "LA")), source_format="medline", locator=locator))
    if not batch.records and not batch.issues:
        batch.issues.append(ImportIssue(source, "", "no MEDLINE records (no 'PMID- ' lines)", kind="unreadable"))
    return batch


def parse_ris(text: str, source: str) -> ParsedBatch:
    """RIS: ``TY  -`` opens a record, ``ER  -`` closes it. Missing tags are reported per record."""
    batch = ParsedBatch()
    fields: list[tuple[str, str]] | None = None
    start = 0
    stray = 0

    def close(end_tag: bool) -> None:
        assert fields is not None
        locator = f"record at line {start}"
        values = _group(fields)
        record_id = clean_id(_first(values, "ID") or _first(values, "AN") or _first(values, "DO"))
        if not record_id:
            batch.issues.append(ImportIssue(source, locator, "record has no ID, AN or DO tag to identify it; "
                                            "skipped"))
            return
        if not end_tag:
            batch.issues.append(ImportIssue(source, locator, "record not closed by 'ER  -'; read up to the next "
                                            "record", severity="warning", record_id=record_id))
        title = _first(values, "TI") or _first(values, "T1") or _first(values, "CT")
        if not title:
            batch.issues.append(ImportIssue(source, locator, "no TI/T1 title tag; record kept", severity="warning",
                                            record_id=record_id))
        abstract = " ".join(values.get("AB", []) or values.get("N2", []))
        authors = values.get("AU", []) or values.get("A1", [])
        batch.records.append(Record(
            record_id, title, abstract, year=parse_year(_first(values, "PY") or _first(values, "Y1")
                                                        or _first(values, "DA")),
            journal=_first(values, "JO") or _first(values, "T2") or _first(values, "JF") or _first(values, "JA"),
            authors=tuple(authors), affiliations=tuple(dict.fromkeys(values.get("AD", []))),
            language=_language(_first(values, "LA")), source_format="ris", locator=locator))

    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip()
        if not line:
            continue
        match = _RIS_TAG.match(line)
        if match is None:
            if fields is not None and fields:
                tag, value = fields[-1]
                fields[-1] = (tag, f"{value} {line.strip()}")
            else:
                stray += 1
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if fields is not None:
                close(False)
            fields, start = [], number
        elif tag == "ER":
            if fields is None:
                batch.issues.append(ImportIssue(source, f"line {number}", "'ER  -' without an open record "
                                                "(missing 'TY  -'); ignored", severity="warning"))
            else:
                close(True)
            fields = None
        elif fields is None:
            stray += 1
        else:
            fields.append((tag, value))
    if fields is not None:
        close(False)
    if stray:
        batch.issues.append(ImportIssue(source, "", f"{stray} line(s) outside any 'TY  -' record ignored",
                                        severity="warning"))
    if not batch.records and not any(i.severity == "error" for i in batch.issues):
        batch.issues.append(ImportIssue(source, "", "no RIS records (no 'TY  -' lines)", kind="unreadable"))
    return batch


def _group(fields: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for tag, value in fields:
        if value:
            grouped.setdefault(tag, []).append(value)
    return grouped


def _first(values: dict[str, list[str]], tag: str) -> str:
    found = values.get(tag)
    return found[0] if found else ""


# -- CSV ----------------------------------------------------------------------------------------------

def parse_csv(data: bytes, source: str) -> ParsedBatch:
    """A CSV with an ``id`` column and any of the record fields; the encoding is detected."""
    batch = ParsedBatch()
    decoded = decode_bytes(data)
    text = decoded.text
    if decoded.encoding not in ("utf-8", "ascii"):
        batch.issues.append(ImportIssue(source, "", f"decoded as {decoded.encoding} ({decoded.method})",
                                        severity="warning", kind="encoding"))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CSV_FIELD)
    try:
        _read_csv_rows(reader, source, batch)
    except csv.Error as exc:
        batch.issues.append(ImportIssue(source, f"line {reader.line_num}", f"malformed CSV ({exc}); the rest of "
                                        "the file was not read", kind="unreadable"))
    finally:
        csv.field_size_limit(old_limit)
    return batch


def _read_csv_rows(reader: Any, source: str, batch: ParsedBatch) -> None:
    header = next(reader, None)
    if not header:
        batch.issues.append(ImportIssue(source, "", "empty CSV (no header row)", kind="unreadable"))
        return
    columns = [_CSV_ALIASES.get(h.strip().lstrip("\ufeff").lower()) for h in header]
    if "id" not in columns:
        batch.issues.append(ImportIssue(source, "line 1", f"no id column (header: {', '.join(header)[:120]}); "
                                        "name one column id", kind="unreadable"))
        return
    for row in reader:
        locator = f"line {reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        values: dict[str, str] = {}
        for column, cell in zip(columns, row, strict=False):
            if column and column not in values:
                values[column] = cell.strip()
        if len(row) != len(header):
            batch.issues.append(ImportIssue(source, locator, f"{len(row)} cells for {len(header)} columns",
                                            severity="warning", record_id=values.get("id")))
        record_id = clean_id(values.get("id", ""))
        if not record_id:
            batch.issues.append(ImportIssue(source, locator, "empty id; row skipped"))
            continue
        year_text = values.get("year", "")
        year = parse_year(year_text)
        if year_text and year is None:
            batch.issues.append(ImportIssue(source, locator, f"year {year_text[:20]!r} is not a year; left empty",
                                            severity="warning", record_id=record_id))
        batch.records.append(Record(
            record_id, values.get("title", ""), values.get("abstract", ""), values.get("text", ""), year,
            values.get("journal", ""), tuple(a for a in _LIST_SPLIT.split(values.get("authors", "")) if a),
            tuple(a for a in _LIST_SPLIT.split(values.get("affiliations", "")) if a),
            _language(values.get("language")), "csv", locator=locator))


# -- full texts -----------------------------------------------------------------------------------

def read_fulltext(data: bytes, name: str) -> tuple[str | None, str | None]:
    """``(text, None)`` for a readable ``.txt``/``.pdf``, else ``(None, reason)``."""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".pdf":
        from organwatch.text.errors import TextExtractionError
        from organwatch.text.pdf import extract_pdf

        try:
            pdf = extract_pdf(data)
        except TextExtractionError as exc:
            return None, f"PDF not readable: {exc}"
        except Exception as exc:  # pypdf raises many types on hostile files; the batch must go on
            return None, f"PDF not readable: {type(exc).__name__}: {exc}"
        if not pdf.text.strip():
            return None, "PDF has no text layer (scanned pages need OCR first)"
        return pdf.text, None
    if suffix == ".txt":
        text = _decode(data)
        if not text.strip():
            return None, "empty text file"
        return text, None
    return None, f"not a full text ({suffix or 'no extension'}): use .txt or .pdf"

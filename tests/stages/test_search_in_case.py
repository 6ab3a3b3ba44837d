"""Search wired into a case: the text stage keeps the index in step; spans point into stored text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from organwatch.case import Case
from tests.conftest import run_cli


def write_pages(folder: Path) -> Path:
    folder.mkdir()
    (folder / "zh-hant.html").write_bytes(
        "<html><head><meta charset=big5><title>錦州</title></head><body><p>王立軍曾任錦州市公安局局長，"
        "該局的現場心理研究中心進行過器官移植相關研究。</p></body></html>".encode("big5"))
    (folder / "en.html").write_text(
        "<html><head><title>Waiting times</title><meta property='article:published_time' content='2007-01-31'>"
        "</head><body><p>Hospitals advertised liver transplants within one or two weeks, the report said."
        "</p></body></html>", encoding="utf-8")
    return folder


def test_cross_script_and_pinyin_search_in_a_case(case: Case, tmp_path: Path) -> None:
    case.add([write_pages(tmp_path / "pages")], text=True)
    for query in ("王立军", "王立軍", "Wang Lijun", "wáng lìjūn", "锦州 AND 公安局"):
        page = case.search(query)
        assert page.total == 1, query
        (hit,) = page.hits
        doc = case.document(str(hit.document_id))
        assert doc.text is not None and doc.text[hit.start:hit.end] == hit.quote
    assert case.search("liver", filters=None).total == 1
    result = json.loads(run_cli("search", "--case", str(case.root), "transplants", "--lang", "en", "--from", "2007",
                                "--format", "json", check=True).stdout)
    assert result["total"] == 1 and result["hits"][0]["title"] == "Waiting times"
    assert json.loads(run_cli("search", "--case", str(case.root), "transplants", "--lang", "zh", "--format",
                              "json", check=True).stdout)["total"] == 0
    bad = run_cli("search", "--case", str(case.root), "--limit", "0", "x")
    assert bad.returncode == 1 and bad.stderr.startswith("error: limit must be between")


def test_reprocess_keeps_the_index_in_step(case: Case, tmp_path: Path) -> None:
    case.add([write_pages(tmp_path / "pages")], text=True)
    case.reprocess("text")
    assert case.search("王立军").total == 1  # re-indexed, not duplicated
    assert case.sync_search_index() == 0  # nothing stale


def test_semantic_search_across_languages(case: Case, tmp_path: Path) -> None:
    case.add([write_pages(tmp_path / "pages")], text=True)
    assert case.embed() > 0
    page = case.search("police chief in Jinzhou", mode="semantic", limit=1)
    assert case.document(str(page.hits[0].document_id)).language == "zh-Hant"
    hybrid = case.search("等待时间 肝移植", mode="hybrid", limit=1)
    assert case.document(str(hybrid.hits[0].document_id)).language == "en"


def test_every_hit_names_its_source(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "untitled"
    folder.mkdir()
    (folder / "witness-statement.txt").write_text("The surgeon described a kidney removed at night.\n",
                                                  encoding="utf-8")
    case.add([folder], text=True)
    (hit,) = case.search("kidney").hits
    capture = next(case.captures())
    assert hit.capture_id == capture.id and hit.original_name == "witness-statement.txt"
    assert hit.captured_at == capture.captured_at and hit.source == "witness-statement.txt"
    data = json.loads(run_cli("search", "--case", str(case.root), "kidney", "--format", "json", check=True).stdout)
    first = data["hits"][0]
    assert first["capture_id"] == capture.id and first["original_name"] == "witness-statement.txt"
    assert first["source"] == "witness-statement.txt" and first["captured_at"] == capture.captured_at
    table = run_cli("search", "--case", str(case.root), "kidney", check=True).stdout
    assert "witness-statement.txt" in table and capture.id[:12] in table and capture.captured_at in table


def test_semantic_search_names_the_command_then_works_after_add(case: Case, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("Hospitals promised a matching liver within a week.\n", encoding="utf-8")
    case.add([folder], text=True)  # ORGANWATCH_EMBED is off in tests: nothing embedded
    refused = run_cli("search", "--case", str(case.root), "--semantic", "liver transplant")
    assert refused.returncode == 1 and "`organwatch embed --case" in refused.stderr
    assert "Case.embed" not in refused.stderr and "()" not in refused.stderr
    monkeypatch.setenv("ORGANWATCH_EMBED", "auto")
    (folder / "b.txt").write_text("器官移植的等待时间只有几天。\n", encoding="utf-8")
    done: list[tuple[int, int]] = []
    case.add([folder], text=True, on_embed=lambda n, total: done.append((n, total)))
    assert done and done[-1][0] == done[-1][1] > 0  # the new document was embedded, with progress
    page = case.search("waiting time for an organ", mode="semantic", limit=1)
    assert page.hits and page.hits[0].original_name == "b.txt"

"""The library does what the command line does: web archives split by ``Case.add``, every stage reprocessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from organwatch.case import Case, ReindexSummary, SplitArchive
from organwatch.errors import OrganWatchError
from organwatch.stages.extract import ExtractSummary
from organwatch.stages.text import TextSummary
from tests.text.warcbuild import page


def _warc(tmp_path: Path) -> Path:
    path = tmp_path / "crawl.warc"
    path.write_bytes(page("https://example.org/a.html", "a kidney") + page("https://example.org/b.html", "a heart"))
    return path


def test_add_splits_a_warc_into_captures_when_asked(case: Case, tmp_path: Path) -> None:
    told: list[SplitArchive] = []
    summary = case.add([_warc(tmp_path)], split_records=True, on_split=told.append)
    assert summary.added == 1 and len(summary.web_archives) == 1 and told == summary.web_archives
    split = summary.web_archives[0]
    assert split.summary.records >= 2 and split.summary.stored == 2 and split.problems == []
    assert len(list(case.captures())) == 3  # the WARC itself and one capture per page


def test_add_keeps_a_warc_whole_by_default(case: Case, tmp_path: Path) -> None:
    summary = case.add([_warc(tmp_path)])
    assert summary.web_archives == [] and len(list(case.captures())) == 1


def test_reprocess_runs_every_stage(case: Case, tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("Dr. Wang Lijun spoke in Jinzhou on 25 September 2006.", encoding="utf-8")
    case.add([tmp_path / "note.txt"], text=True)
    text = case.reprocess("text")
    assert isinstance(text, TextSummary) and text.documents == 1
    extracted = case.reprocess("extract")
    assert isinstance(extracted, ExtractSummary) and extracted.documents == 1 and extracted.mentions > 0
    indexed = case.reprocess("search")
    assert isinstance(indexed, ReindexSummary) and indexed.documents >= 0
    with pytest.raises(OrganWatchError, match="unknown stage 'pictures'"):
        case.reprocess("pictures")

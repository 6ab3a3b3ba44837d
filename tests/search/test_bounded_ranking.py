"""A query that matches very many documents ranks the newest of them and counts up to a cap, and says so.

The bounded ranking must be the unbounded one restricted to the newest matches: the same BM25 scores in
the same order, only fewer documents. Checked for single matches, set operations (words and trigram
tables, pinyin), LIKE plans and filters.
"""

from __future__ import annotations

import pytest

from organwatch.search import SearchFilters, search
from organwatch.search import service as search_service
from tests.search.conftest import Corpus


def _ids(page: object) -> list[int]:
    return [hit.document_id for hit in page.hits]  # type: ignore[attr-defined]


@pytest.fixture
def small_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_service, "RANK_LIMIT", 5)
    monkeypatch.setattr(search_service, "COUNT_LIMIT", 8)


def test_ranking_is_bounded_and_says_it_was_truncated(corpus: Corpus, small_bounds: None) -> None:
    ids = [corpus.add(f"Report {n}: the kidney ward " + "kidney " * (12 - n), published="2010") for n in range(12)]
    page = search(corpus.view(), "kidney", limit=20)
    assert page.truncated and not page.total_exact and page.total == 9
    # Only the five newest were ranked; among them the one that says "kidney" most comes first.
    assert set(_ids(page)) == set(ids[-5:])
    assert _ids(page)[0] == ids[-5]
    assert page.to_dict()["truncated"] is True and page.to_dict()["total_exact"] is False
    full = search(corpus.view(), "kidney", limit=20, rank_all=True)
    assert not full.truncated and full.total_exact and full.total == 12 and _ids(full)[0] == ids[0]
    assert _ids(page) == [doc for doc in _ids(full) if doc in ids[-5:]]
    rare = corpus.add("A lone mention of a pancreas.")
    narrow = search(corpus.view(), "pancreas")
    assert not narrow.truncated and narrow.total_exact and _ids(narrow) == [rare]


def test_exactly_the_limit_is_not_truncated(corpus: Corpus, small_bounds: None) -> None:
    for n in range(5):
        corpus.add(f"Liver unit note {n}.")
    page = search(corpus.view(), "liver")
    assert not page.truncated and page.total_exact and page.total == 5
    corpus.add("Liver unit note 5.")
    page = search(corpus.view(), "liver")
    assert page.truncated and page.total == 6 and page.total_exact and len(page.hits) == 5


def test_filters_apply_inside_the_window_which_widens_when_they_reject_most(
        corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_service, "RANK_LIMIT", 120)
    monkeypatch.setattr(search_service, "COUNT_LIMIT", 1000)
    old = [corpus.add(f"Heart centre statement {n}.", published="2001") for n in range(4)]
    mixed = [corpus.add(f"Heart centre statement {n} " + "heart " * (n % 7), published=("2005", "2015")[n % 2])
             for n in range(150)]
    late = search(corpus.view(), "heart", filters=SearchFilters(date_from="2010"), limit=1)
    # The window is the 120 newest matches; 60 of them are from 2015: enough for the page (52 ranked).
    window = [doc for doc in mixed[-120:] if mixed.index(doc) % 2]
    assert late.truncated and not late.total_exact and late.total == len(window) == 60
    full = search(corpus.view(), "heart", filters=SearchFilters(date_from="2010"), limit=60, rank_all=True)
    assert full.total == 75 and full.total_exact and not full.truncated
    best_in_window = next(doc for doc in _ids(full) if doc in window)
    assert _ids(late) == [best_in_window]
    # Only four documents from 2001: the window widens until every match has been ranked.
    early = search(corpus.view(), "heart", filters=SearchFilters(date_to="2002"))
    assert not early.truncated and early.total_exact and early.total == 4 and set(_ids(early)) == set(old)


def test_set_operations_rank_the_newest_candidates(corpus: Corpus, small_bounds: None) -> None:
    """English word OR a Chinese word: two tables, a UNION; ranked by the word table among the newest."""
    ids = []
    for n in range(6):
        ids.append(corpus.add(f"Kidney transplant figures {n}.", language="en"))
        ids.append(corpus.add(f"天津市第一中心医院肾脏移植数据{n}。", language="zh-Hans"))
    query = "kidney OR 第一中心医院"
    page = search(corpus.view(), query, limit=20)
    full = search(corpus.view(), query, limit=20, rank_all=True)
    assert full.total == 12 and not full.truncated
    newest = sorted(ids)[-5:]
    assert page.truncated and set(_ids(page)) == set(newest)
    assert _ids(page) == [doc for doc in _ids(full) if doc in newest]
    both = search(corpus.view(), "kidney AND figures NOT 3", limit=20)
    assert both.total == 5 and not both.truncated


def test_short_chinese_queries_scanned_with_like_are_bounded_too(corpus: Corpus, small_bounds: None,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from organwatch.search import fts

    monkeypatch.setattr(fts, "MAX_SHORT_EXPANSION", 0)  # force the LIKE scan for one character
    ids = [corpus.add(f"第{n}号文件提到肝移植。", language="zh-Hans") for n in range(9)]
    page = search(corpus.view(), "肝", limit=20)
    assert page.truncated and set(_ids(page)) == set(ids[-5:]) and page.total == 9 and not page.total_exact
    full = search(corpus.view(), "肝", limit=20, rank_all=True)
    assert full.total == 9 and set(_ids(full)) == set(ids)


def test_the_cli_says_more_than_and_how_to_rank_all(tmp_path: object, small_bounds: None) -> None:
    """The CLI phrasing, through the real command in-process (the bounds are patched in this process)."""
    from typer.testing import CliRunner

    import organwatch
    from organwatch.cli import app

    folder = tmp_path / "pages"  # type: ignore[operator]
    folder.mkdir()
    for n in range(12):
        (folder / f"p{n:02d}.txt").write_text(f"Kidney waiting list report number {n}.\n", encoding="utf-8")
    case = organwatch.init_case(tmp_path / "case")  # type: ignore[operator]
    case.add([folder], text=True, extract=False)
    result = CliRunner().invoke(app, ["search", "--case", str(case.root), "kidney"])
    assert result.exit_code == 0, result.output
    assert "of at least 9" in result.output and "--rank-all" in result.output
    result = CliRunner().invoke(app, ["search", "--case", str(case.root), "kidney", "--rank-all"])
    assert "of 12" in result.output and "--rank-all" not in result.output
    case.store.close()

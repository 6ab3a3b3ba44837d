"""A whole case on PostgreSQL, from the command line: init with --database and --blobs, add the sample
corpus, verify, search in English and Chinese (one and two characters too), read mentions — and the
same answers as the same corpus in a SQLite case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import organwatch
from organwatch.case import Case
from organwatch.search.results import SearchPage
from tests.conftest import REPO, run_cli
from tests.dbmode import new_cases_on_sqlite
from tests.store.conftest import fresh_database

QUERIES = ["Wang Lijun", "liver transplant", "transplant*", "kidney OR liver -waiting", "王立军", "王立軍",
           "器官移植", "器官", "肝", "移植 等待", '"waiting time"', "Kilgour"]


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory, pg_cluster: str) -> Iterator[tuple[Case, Case, Path]]:
    """The sample corpus in a SQLite case and in a PostgreSQL case (blobs in a separate folder)."""
    root = tmp_path_factory.mktemp("cases")
    env = {"ORGANWATCH_SYNC": "off", "ORGANWATCH_PROGRESS": "none", "ORGANWATCH_CAPTURED_BY": "test investigator"}
    url = fresh_database(pg_cluster)
    init = run_cli("init", str(root / "pg"), "--database", url, "--blobs", str(root / "shared-blobs"), env=env,
                   check=True)
    assert "Created case" in init.stdout
    with new_cases_on_sqlite():
        lite = organwatch.init_case(root / "lite")
    pg = organwatch.open_case(root / "pg")
    for case in (lite, pg):
        case.add([REPO / "sample"], text=True, extract=True)
    yield lite, pg, root
    lite.store.close()
    pg.store.close()


def _answer(page: SearchPage) -> tuple[int, set[int]]:
    """What a search found: the total and every document shown (duplicates collapsed into a hit included)."""
    found: set[int] = set()
    for hit in page.hits:
        found.add(hit.document_id)
        found.update(hit.duplicates)
    return page.total, found


def test_the_case_lives_on_the_server_and_its_bytes_in_the_shared_folder(cases: tuple[Case, Case, Path]) -> None:
    _, pg, root = cases
    config = (root / "pg" / "case.toml").read_text(encoding="utf-8")
    assert 'backend = "postgresql"' in config and "organwatch.db" not in config
    assert not (root / "pg" / "organwatch.db").exists()
    assert (root / "pg" / "blobs").resolve() == (root / "shared-blobs").resolve()
    with pg.store.view() as view:
        captures = view.archive.capture_ids()
    assert all(pg.blobs.path(c).resolve().is_relative_to((root / "shared-blobs").resolve()) for c in captures)
    verify = run_cli("verify", "--case", str(root / "pg"), "--format", "json", check=True)
    report = json.loads(verify.stdout)
    assert report["ok"] is True


def test_same_documents_mentions_and_search_results_as_sqlite(cases: tuple[Case, Case, Path]) -> None:
    lite, pg, _ = cases
    with lite.store.view() as a, pg.store.view() as b:
        assert a.archive.capture_ids() == b.archive.capture_ids()
        assert a.archive.count_captures() == b.archive.count_captures()
        docs_a = [(d.capture_id, d.locator, d.status, d.text) for d in a.documents.documents()]
        docs_b = [(d.capture_id, d.locator, d.status, d.text) for d in b.documents.documents()]
        assert docs_a == docs_b and len(docs_a) > 10
        ids = a.documents.ids()
        assert ids == b.documents.ids()
        for document_id in ids:
            assert [(m.type, m.text, m.start, m.end, m.canonical) for m in a.mentions.mentions(document_id)] == \
                [(m.type, m.text, m.start, m.end, m.canonical) for m in b.mentions.mentions(document_id)]
    assert any(lite.mentions(i, "person") for i in ids)
    for query in QUERIES:
        assert _answer(pg.search(query, limit=50)) == _answer(lite.search(query, limit=50)), query
    # Not vacuous: each kind of query finds something.
    assert pg.search("Wang Lijun").total >= 3 and pg.search("王立军").total >= 2
    assert pg.search("肝").total >= 1 and pg.search("器官").total >= 5
    assert pg.search("王立軍").total == pg.search("王立军").total


def test_search_and_mentions_from_the_command_line(cases: tuple[Case, Case, Path]) -> None:
    _, _, root = cases
    result = run_cli("search", "--case", str(root / "pg"), "器官", "--format", "json", check=True)
    assert json.loads(result.stdout)["total"] >= 5
    lite = run_cli("mentions", "--case", str(root / "lite"), "22", "--format", "json", check=True)
    pg = run_cli("mentions", "--case", str(root / "pg"), "22", "--format", "json", check=True)
    assert json.loads(pg.stdout) == json.loads(lite.stdout)

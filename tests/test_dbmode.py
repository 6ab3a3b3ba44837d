"""The suite's backend switch (``--db-url``) does what it says: every new case — library call or CLI — is on
the backend of the run, and a PostgreSQL run drops the databases its tests made."""

from __future__ import annotations

import tomllib
from pathlib import Path

import psycopg
import pytest

import organwatch
from organwatch.case import Case
from tests import dbmode
from tests.conftest import run_cli


def _expected(request: pytest.FixtureRequest) -> str:
    return "sqlite" if request.config.getoption("--db-url") == "sqlite" else "postgresql"


def test_every_new_case_is_on_the_backend_of_the_run(case: Case, tmp_path: Path,
                                                     request: pytest.FixtureRequest) -> None:
    assert case.store.backend == _expected(request)
    run_cli("init", str(tmp_path / "cli"), check=True)
    config = tomllib.loads((tmp_path / "cli" / "case.toml").read_text(encoding="utf-8"))
    assert config["store"]["backend"] == _expected(request)
    with dbmode.new_cases_on_sqlite():
        lite = organwatch.init_case(tmp_path / "lite")
    assert lite.store.backend == "sqlite"
    lite.store.close()


def test_each_case_of_a_test_has_its_own_database_and_they_are_dropped(
        tmp_path: Path, new_case_server: dbmode.Server | None) -> None:
    if new_case_server is None:
        pytest.skip("runs under --db-url postgresql")
    urls = []
    for name in ("one", "two"):
        organwatch.init_case(tmp_path / "sub" / name).store.close()
        url = dbmode.store_url(tmp_path / "sub" / name)
        assert url is not None
        urls.append(url)
    assert urls[0] != urls[1]
    assert dbmode.drop_case_databases(new_case_server.maintenance, tmp_path / "sub") == 2
    with psycopg.connect(new_case_server.maintenance) as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert not names & {url.rsplit("/", 1)[1] for url in urls}


def test_a_copied_case_folder_gets_a_copy_of_its_index(case: Case, tmp_path: Path) -> None:
    import shutil

    (tmp_path / "page.txt").write_text("Waiting time: two weeks.", encoding="utf-8")
    case.add([tmp_path / "page.txt"])
    case.store.close()
    shutil.copytree(case.root, tmp_path / "copy")
    dbmode.give_copy_its_own_index(tmp_path / "copy")
    dbmode.execute_in_index(tmp_path / "copy", "DELETE FROM observations")
    assert organwatch.open_case(case.root).verify().ok
    copy = organwatch.open_case(tmp_path / "copy")
    assert not copy.verify().ok
    copy.store.close()


def test_a_bad_db_url_is_refused() -> None:
    with pytest.raises(pytest.UsageError, match="use sqlite, postgresql"):
        dbmode.check_option("mysql://x")
    for good in ("sqlite", "postgresql", "postgresql://me@db.example/postgres"):
        dbmode.check_option(good)

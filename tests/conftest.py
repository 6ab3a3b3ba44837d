"""Shared fixtures: real case folders on disk, real files, the real CLI — on either storage backend.

``pytest --db-url postgresql`` runs the suite with every new case on PostgreSQL: a throwaway cluster
(tests/pgcluster.py) starts for the session and ``ORGANWATCH_NEW_CASE_DATABASE`` names it, so each
``init`` — library call or CLI subprocess — creates a fresh database of its own. ``--db-url
postgresql://me@host/postgres`` uses a running server instead (the user needs CREATEDB; the URL's
database is only connected to, never written). Each test's databases are dropped when it ends, and
the session's (module-scoped cases) when the session ends. Tests about the SQLite file itself carry
``@pytest.mark.sqlite_only("why")`` and are skipped there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import organwatch
from organwatch.case import Case
from tests import dbmode

REPO = Path(__file__).resolve().parents[1]
_LEFT_OUT = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db-url", default="sqlite", metavar="sqlite|postgresql|URL",
                     help="storage backend of every case the tests create: sqlite (default), postgresql (a "
                          "throwaway cluster for the session) or postgresql://user@host/db (a running server; "
                          "the user needs CREATEDB)")
    parser.addoption("--every-test", action="store_true",
                     help="with --db-url postgresql: also run the tests that create no case and open no store "
                          "(by default they run only on SQLite, where they behave the same)")


def pytest_configure(config: pytest.Config) -> None:
    dbmode.check_option(config.getoption("--db-url"))
    if config.getoption("--db-url") != "sqlite":
        # A case a test leaves open is closed at garbage collection, silently on SQLite; psycopg warns
        # instead. The test's databases are dropped (their sessions ended) when it finishes either way.
        config.addinivalue_line("filterwarnings", "ignore:.*was deleted while still open:ResourceWarning")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, skip the tests about the SQLite file itself, saying why, and leave out the tests that
    create no case and open no store (read from their sources, see ``dbmode.touches_a_store``)."""
    if config.getoption("--db-url") == "sqlite":
        return
    if not config.getoption("--every-test"):
        cache: dict[str, str] = {}
        kept = [item for item in items if dbmode.touches_a_store(item, cache)]
        left_out = [item for item in items if item not in set(kept)]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = kept
            config.stash[_LEFT_OUT] = len(left_out)
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "about the SQLite file"
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    left_out = config.stash.get(_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(f"--db-url {config.getoption('--db-url')}: {left_out} tests that create no case "
                                    "and open no store were left out (they run on SQLite; --every-test runs them)")


@pytest.fixture(scope="session", autouse=True)
def new_case_server(request: pytest.FixtureRequest,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[dbmode.Server | None]:
    """The PostgreSQL server that new cases go to, or None on SQLite.

    Set in the process environment for the whole session, so that module-scoped fixtures (set up before
    any test's own fixtures) create their cases there too.
    """
    option = request.config.getoption("--db-url")
    if option == "sqlite":
        yield None
        return
    with dbmode.server(option) as server:
        previous = os.environ.get("ORGANWATCH_NEW_CASE_DATABASE")
        os.environ["ORGANWATCH_NEW_CASE_DATABASE"] = server.new_cases
        try:
            yield server
        finally:
            if previous is None:
                os.environ.pop("ORGANWATCH_NEW_CASE_DATABASE", None)
            else:
                os.environ["ORGANWATCH_NEW_CASE_DATABASE"] = previous
            dbmode.drop_case_databases(server.maintenance, tmp_path_factory.getbasetemp())


@pytest.fixture(autouse=True)
def _quiet_settings(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
                    new_case_server: dbmode.Server | None) -> Iterator[None]:
    """Tests run with plain progress lines and without whole-disk syncs (speed; not durability).

    On PostgreSQL, new cases go to the session's server, and the databases of cases made in the test's
    own temporary folder are dropped when it ends.
    """
    for name in list(os.environ):
        if name.startswith("ORGANWATCH_"):
            monkeypatch.delenv(name)
    own_folder: Path | None = None
    if new_case_server is not None:
        monkeypatch.setenv("ORGANWATCH_NEW_CASE_DATABASE", new_case_server.new_cases)
        own_folder = request.getfixturevalue("tmp_path")
    monkeypatch.setenv("ORGANWATCH_SYNC", "off")
    monkeypatch.setenv("ORGANWATCH_EMBED", "off")  # embedding is slow: only the tests that need it turn it on
    monkeypatch.setenv("ORGANWATCH_PROGRESS", "lines")
    monkeypatch.setenv("ORGANWATCH_CAPTURED_BY", "test investigator")
    yield
    if new_case_server is not None and own_folder is not None:
        dbmode.drop_case_databases(new_case_server.maintenance, own_folder)


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    """A fresh case in a temporary folder."""
    opened = organwatch.init_case(tmp_path / "case", name="test case")
    yield opened
    opened.store.close()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A small folder of real files: HTML, text in GB18030, a PDF header, nested folders."""
    root = tmp_path / "corpus"
    (root / "pages" / "deep").mkdir(parents=True)
    (root / "pages" / "hospital.html").write_text(
        "<!doctype html><html><head><title>Liver transplant centre</title></head>"
        "<body><p>Waiting time: one to two weeks.</p></body></html>", encoding="utf-8")
    (root / "pages" / "deep" / "notice.txt").write_bytes("器官移植等待时间两周".encode("gb18030"))
    (root / "report.pdf").write_bytes(small_pdf("Kilgour and Matas estimated 41,500 unexplained transplants."))
    (root / "notes.md").write_text("# Notes\n\nKilgour and Matas, 2006.\n", encoding="utf-8")
    return root


def small_pdf(text: str) -> bytes:
    """A real one-page PDF holding ``text`` (fpdf2, with a fixed date so the bytes are stable)."""
    import datetime

    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime.datetime(2016, 6, 22, tzinfo=datetime.UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def run_cli(*args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = (),
            check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``python -m organwatch`` in a real subprocess."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run([*prefix, sys.executable, "-m", "organwatch", *args], capture_output=True, text=True,
                            env=full_env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"organwatch {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result

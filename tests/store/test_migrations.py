"""Migrations per area, adoption of cases made before them, and the backend chosen by case.toml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlean

import organwatch
from organwatch.errors import CaseError
from organwatch.store import open_store
from organwatch.store.sqlite import migrations
from tests.conftest import run_cli

EN_PAGE = ("<html><head><title>Waiting times</title></head><body><p>Hospitals advertised liver transplants "
           "within one or two weeks, said Huang Jiefu in Beijing on 3 March 2006.</p></body></html>")


def schema(path: Path) -> list[tuple[str, str]]:
    """Every table, index and trigger of a database with its SQL, without the migrations bookkeeping."""
    conn = sqlean.connect(str(path))
    try:
        return sorted((name, sql or "") for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name != 'migrations'"))
    finally:
        conn.close()


def legacy_database(path: Path, version: int) -> None:
    """A database as OrganWatch wrote it before per-area migrations: files 1..version, counted in user_version."""
    by_name = {(m.area, m.name): m.sql for m in migrations.available()}
    conn = sqlean.connect(str(path), isolation_level=None)
    try:
        for number in range(1, version + 1):
            for statement in migrations.statements(by_name[migrations.LEGACY[number]]):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()


def make_legacy(case_root: Path, version: int = 4) -> None:
    """Turn a case's database back into the single-sequence format it had before (same tables, no record)."""
    reference = case_root.parent / f"legacy-{version}.db"
    legacy_database(reference, version)
    legacy_tables = {name for name, _ in schema(reference)}
    conn = sqlean.connect(str(case_root / "organwatch.db"), isolation_level=None)
    try:
        conn.execute("DROP TABLE migrations")
        # Areas and tables added since (accounts, papers, the Han-character index...) did not exist in that
        # format; a virtual table's shadow tables go with it.
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                    "sql LIKE 'CREATE VIRTUAL%'").fetchall():
            if name not in legacy_tables:
                conn.execute(f"DROP TABLE {name}")
        virtual = tuple(f"{name}_" for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'").fetchall())
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                    "'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'").fetchall():
            if name not in legacy_tables and not name.startswith(virtual):
                conn.execute(f"DROP TABLE IF EXISTS {name}")
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                                    ).fetchall():
            if name not in legacy_tables:
                conn.execute(f"DROP INDEX IF EXISTS {name}")
        conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()


@pytest.mark.sqlite_only("turns the case's organwatch.db into the legacy SQLite format (user_version)")
def test_a_case_of_the_previous_format_opens_migrates_and_verifies(tmp_path: Path) -> None:
    root = tmp_path / "case"
    case = organwatch.init_case(root, name="older case")
    (tmp_path / "page.html").write_text(EN_PAGE, encoding="utf-8")
    case.add([tmp_path / "page.html"], text=True, extract=True)
    (document,) = list(case.documents())
    mentions = case.mentions(document.id)
    assert mentions
    case.store.close()
    make_legacy(root)
    reference = tmp_path / "reference.db"
    legacy_database(reference, 4)
    legacy_tables = {name for name, _ in schema(reference)}
    # exactly the schema the old files made (areas added since then bring tables of their own)
    assert [t for t in schema(root / "organwatch.db") if t[0] in legacy_tables] == schema(reference)

    reopened = organwatch.open_case(root)
    assert {(m.area, m.name) for m in reopened.store.migrations()} >= {
        ("archive", "0001_initial"), ("documents", "0001_documents"), ("search", "0001_search"),
        ("mentions", "0001_mentions")}
    conn = sqlean.connect(str(root / "organwatch.db"))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.FORMAT
    conn.close()
    assert reopened.verify().ok
    assert reopened.mentions(document.id) == mentions and reopened.search("transplants").total == 1
    reopened.store.close()
    result = run_cli("verify", "--case", str(root), "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout)["ok"] is True


def test_a_case_from_before_the_extract_stage_gains_its_tables(tmp_path: Path) -> None:
    db = tmp_path / "organwatch.db"
    legacy_database(db, 3)
    store = open_store(tmp_path, {"store": {"backend": "sqlite", "database": "organwatch.db"}})
    applied = store.migrate()
    # the mentions area, then areas added since and later migrations of the old areas
    assert ("mentions", "0001_mentions") in {(m.area, m.name) for m in applied}
    assert {(m.area, m.name) for m in applied} == {(m.area, m.name) for m in migrations.available()} - {
        ("archive", "0001_initial"), ("documents", "0001_documents"), ("search", "0001_search")}
    assert store.migrate() == []
    with store.view() as view:
        assert view.mentions.mentions(1) == [] and view.mentions.extract_run(1) is None


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    for version in (5, migrations.FORMAT + 1):
        db = tmp_path / f"v{version}.db"
        conn = sqlean.connect(str(db), isolation_level=None)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.close()
        with pytest.raises(CaseError, match="newer than this OrganWatch"):
            open_store(tmp_path, {"store": {"database": db.name}}).migrate()


def test_migration_sets_are_ordered_by_area_then_number() -> None:
    found = [(m.area, m.name) for m in migrations.available()]
    areas = list(dict.fromkeys(area for area, _ in found))
    assert areas[:4] == ["archive", "documents", "search", "mentions"]
    for area in areas:
        names = [name for a, name in found if a == area]
        assert names == sorted(names) and all(name[:4].isdigit() for name in names)


@pytest.mark.parametrize(("store_section", "message"), [
    ('backend = "postgres"', "unknown store backend 'postgres'"),
    ('backend = 3', "unknown store backend 3"),
    ('backend = ["sqlite"]', "unknown store backend"),
    ('backend = "sqlite"\ndatabase = "../elsewhere.db"', "must be a file name inside the case folder"),
    ('backend = "sqlite"\ndatabase = "/etc/passwd"', "must be a file name inside the case folder"),
])
def test_the_backend_comes_from_case_toml(tmp_path: Path, store_section: str, message: str) -> None:
    root = tmp_path / "case"
    organwatch.init_case(root).store.close()
    config = (root / "case.toml").read_text(encoding="utf-8")
    start = config.index("[store]")
    (root / "case.toml").write_text(config[:start] + "[store]\n" + store_section + "\n", encoding="utf-8")
    with pytest.raises(CaseError, match=message):
        organwatch.open_case(root)
    result = run_cli("list", "--case", str(root))
    assert result.returncode == 1 and result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1

"""``organwatch migrate``: a SQLite case moves to PostgreSQL and back, verifies on both sides, and
searches give the same results before and after."""

from __future__ import annotations

import json
from pathlib import Path

import organwatch
from tests.conftest import REPO, run_cli
from tests.store.conftest import fresh_database

QUERIES = ["Wang Lijun", "transplant*", "王立军", "器官", "肝", "Kilgour OR Matas"]


def _results(root: Path) -> dict[str, tuple[int, list[int]]]:
    case = organwatch.open_case(root)
    try:
        found = {}
        for query in QUERIES:
            page = case.search(query, limit=50)
            found[query] = (page.total, sorted({d for h in page.hits for d in (h.document_id, *h.duplicates)}))
        with case.store.view() as view:
            found["mentions"] = (len(view.mentions.mentions(5)), [m.text for m in view.mentions.mentions(22)])
        return found
    finally:
        case.store.close()


def test_sqlite_case_to_postgresql_and_back(tmp_path: Path, pg_cluster: str) -> None:
    root = tmp_path / "case"
    case = organwatch.init_case(root, name="moving case")
    case.add([REPO / "sample" / "en", REPO / "sample" / "zh"], text=True, extract=True)
    case.store.close()
    before = _results(root)
    assert before["王立军"][0] >= 1 and before["肝"][0] >= 1
    url = fresh_database(pg_cluster)
    moved = run_cli("migrate", "--from", str(root), "--to", url, "--format", "json", check=True)
    summary = json.loads(moved.stdout)
    assert summary["to"] == "postgresql" and summary["verified_after"] and summary["rows"]["documents"] >= 5
    assert 'backend = "postgresql"' in (root / "case.toml").read_text(encoding="utf-8")
    assert run_cli("verify", "--case", str(root)).returncode == 0
    assert _results(root) == before
    # Adding more evidence on the server works, and ids continue after the copied ones.
    on_pg = organwatch.open_case(root)
    on_pg.add([REPO / "sample" / "zh-hant"], text=True)
    with on_pg.store.view() as view:
        ids = view.documents.ids()
    on_pg.store.close()
    assert ids == sorted(set(ids)) and len(ids) > summary["rows"]["documents"]
    on_server = _results(root)
    # And back: the old SQLite file must be moved away first.
    refused = run_cli("migrate", "--from", str(root), "--to", "sqlite")
    assert refused.returncode == 1 and "move it out of the case folder" in refused.stderr
    (root / "organwatch.db").rename(tmp_path / "old.db")
    for suffix in ("-wal", "-shm"):
        (root / f"organwatch.db{suffix}").unlink(missing_ok=True)
    back = run_cli("migrate", "--from", str(root), "--to", "sqlite", check=True)
    assert "verified against the evidence log: OK" in back.stdout
    assert 'backend = "sqlite"' in (root / "case.toml").read_text(encoding="utf-8")
    assert run_cli("verify", "--case", str(root)).returncode == 0
    assert _results(root) == on_server

"""``organwatch migrate``: a SQLite case moves to PostgreSQL and back, verifies on both sides, and
searches give the same results before and after."""

from __future__ import annotations

import json
from pathlib import Path

import organwatch
from organwatch.search import INDEX_VERSION
from tests.conftest import REPO, run_cli
from tests.dbmode import new_cases_on_sqlite
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
    with new_cases_on_sqlite():
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


def test_copy_keeps_chunk_ids_vectors_and_nearest_neighbours(tmp_path: Path, pg_cluster: str) -> None:
    import numpy as np

    from organwatch.search.results import SearchFilters
    from organwatch.store import open_store
    from organwatch.store.postgres.transfer import copy_store
    from organwatch.store.records import ChunkVector, EmbedderRecord
    from tests.store.test_contract import add_document

    lite = open_store(tmp_path, {"store": {"backend": "sqlite"}})
    lite.migrate()
    for n, text in enumerate(["Liver transplants waited one week.", "器官移植等待时间两周。", "Rain closed roads."]):
        add_document(lite, text, n)
    with lite.view() as view:
        pending = view.embeddings.pending(0, 10)
    rng = np.random.default_rng(11)
    vectors = rng.normal(size=(len(pending), 16)).astype(np.float32)
    centre = np.zeros(16, dtype=np.float32)
    with lite.writer() as writer:
        writer.embeddings.reset(EmbedderRecord("test", "1", 16, centre.astype("<f4").tobytes()))
        writer.embeddings.put([ChunkVector(p.chunk_id, v.astype("<f2").tobytes(), np.packbits(v > 0).tobytes())
                               for p, v in zip(pending, vectors, strict=True)])
    server = open_store(tmp_path, {"store": {"backend": "postgresql", "url": fresh_database(pg_cluster)}})
    server.migrate()
    back = open_store(tmp_path / "back", {"store": {"backend": "sqlite"}})
    (tmp_path / "back").mkdir()
    back.migrate()
    copy_store(lite, server)
    copy_store(server, back)
    for store in (server, back):
        with lite.view() as a, store.view() as b:
            assert a.embeddings.embedded(SearchFilters()) == b.embeddings.embedded(SearchFilters())
            assert b.embeddings.vector_count() == len(pending) and b.embeddings.embedder() == a.embeddings.embedder()
            for v in vectors:
                code = np.packbits(v > 0).tobytes()
                assert b.embeddings.nearest(code, 1) == a.embeddings.nearest(code, 1)
            assert b.search.stale_documents(INDEX_VERSION) == [] and b.search.trigram_terms("器官", 5) == \
                a.search.trigram_terms("器官", 5)
    for store in (lite, server, back):
        store.close()

"""Moving a case's store between SQLite and PostgreSQL (``organwatch migrate``), both ways.

Everything in the store is copied row for row with its ids (the archive index, documents and their
links, mentions, papers, accounts, chunks with their vectors), except the full-text tables, which
each engine builds in its own form: they are rebuilt on the target from the documents, by the same
code that indexes a new document. The evidence log, keys and blobs stay where they are; the case
then points at its new store, and ``organwatch verify`` checks the result against the log.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from organwatch.errors import CaseError
from organwatch.store.base import Store
from organwatch.store.records import ChunkVector

# Tables both backends hold with the same columns, in an order that satisfies foreign keys.
TABLES = (
    "log_entries", "tree_heads", "captures", "observations", "documents", "document_links",
    "document_signatures", "document_bands", "paragraph_hashes", "mentions", "quotes", "extract_runs",
    "paper_records", "paper_import_issues", "paper_protocols", "paper_runs", "paper_decisions", "paper_reviews",
    "users", "user_sessions", "login_failures", "restrictions",
)
# Tables whose order is their rowid / id (paper_records: import order).
_ORDER = {"paper_records": "rowid", "log_entries": "seq", "observations": "seq", "captures": "first_seq"}
_BATCH = 1000


@contextmanager
def _raw(store: Store) -> Iterator[Any]:
    """A plain DB-API connection of a store, inside one transaction (committed on success)."""
    if store.backend == "sqlite":
        conn = store._connect()  # type: ignore[attr-defined]
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            conn.close()
        return
    conn = store._connect()  # type: ignore[attr-defined]
    try:
        with conn.transaction():
            yield conn
    finally:
        conn.close()


def _columns(conn: Any, backend: str, table: str) -> list[str]:
    if backend == "sqlite":
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    return [row[0] for row in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND table_schema = "
        "current_schema() ORDER BY ordinal_position", (table,))]


def _placeholder(backend: str) -> str:
    return "?" if backend == "sqlite" else "%s"


def _rows(conn: Any, backend: str, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    order = _ORDER.get(table, "id" if "id" in columns else "rowid")
    if backend != "sqlite":
        order = "seq" if table == "paper_records" else ("ctid" if order == "rowid" else order)
    sql = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
    if backend == "sqlite":
        yield from (tuple(row) for row in conn.execute(sql))
        return
    with conn.cursor(name=f"copy_{table}") as cursor:
        cursor.itersize = _BATCH
        cursor.execute(sql)
        yield from (tuple(row) for row in cursor)


def _insert(conn: Any, backend: str, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    marks = ", ".join([_placeholder(backend)] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    if backend == "sqlite":
        conn.executemany(sql, rows)
    else:
        with conn.cursor() as cursor:
            cursor.executemany(sql, [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows])


def _is_empty(store: Store) -> bool:
    with store.view() as view:
        return view.archive.log_position().size == 0 and view.documents.count() == 0


def copy_store(source: Store, target: Store, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every row of ``source`` into the empty, migrated ``target``; return rows copied per table."""
    if not _is_empty(target):
        raise CaseError("the target store is not empty: migrate into a new, empty database")
    counts: dict[str, int] = {}
    with _raw(source) as src, _raw(target) as dst:
        for table in TABLES:
            src_cols = _columns(src, source.backend, table)
            dst_cols = set(_columns(dst, target.backend, table))
            columns = [c for c in src_cols if c in dst_cols]
            batch: list[tuple[Any, ...]] = []
            counts[table] = 0
            for row in _rows(src, source.backend, table, columns):
                batch.append(row)
                if len(batch) >= _BATCH:
                    _insert(dst, target.backend, table, columns, batch)
                    counts[table] += len(batch)
                    batch = []
            _insert(dst, target.backend, table, columns, batch)
            counts[table] += len(batch)
            if progress is not None:
                progress(table, counts[table])
        state = src.execute("SELECT size, entries_bytes, heads_count, heads_bytes, frontier FROM log_state").fetchone()
        mark = _placeholder(target.backend)
        dst.execute(f"UPDATE log_state SET size = {mark}, entries_bytes = {mark}, heads_count = {mark}, "
                    f"heads_bytes = {mark}, frontier = {mark} WHERE id = 1", tuple(state))
    counts["search"] = _rebuild_search(source, target)
    if target.backend == "postgresql":
        _advance_identities(target)
    return counts


def _rebuild_search(source: Store, target: Store) -> int:
    """Index the documents the source had indexed, then give the target the source's chunks (ids and
    vectors kept) and index records. Works a batch at a time: memory stays flat however large the case."""
    from organwatch.search import index_entry

    with source.view() as view:
        ids = view.documents.ids(status="ok")
        embedder = view.embeddings.embedder()
    done = 0
    for begin in range(0, len(ids), _BATCH):
        part = ids[begin:begin + _BATCH]
        with source.view() as view:
            documents = view.documents.get_many(part)
            records = {i: view.search.entry(i) for i in part}
        with target.writer() as writer:
            for document_id in part:
                doc, record = documents.get(document_id), records.get(document_id)
                entry = None if doc is None or record is None else index_entry(doc.text, doc.title)
                if entry is None or record is None:
                    continue
                writer.search.put(document_id, dataclasses.replace(
                    entry, chunks=(), index_version=record.index_version, indexed_at=record.indexed_at,
                    text_sha256=record.text_sha256 or entry.text_sha256))
                done += 1
    with _raw(target) as dst:
        dst.execute("DELETE FROM search_chunks")
    if embedder is not None:
        with target.writer() as writer:
            writer.embeddings.reset(embedder)
    centre = np.frombuffer(embedder.centre, dtype="<f4") if embedder is not None else None
    mark = _placeholder(source.backend)
    last = 0
    while True:
        with _raw(source) as src:
            chunks = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in src.execute(
                f"SELECT id, document_id, start_char, end_char, embedding FROM search_chunks WHERE id > {mark} "
                f"ORDER BY id LIMIT {_BATCH}", (last,))]
        if not chunks:
            return done
        last = int(chunks[-1][0])
        with _raw(target) as dst:
            _insert(dst, target.backend, "search_chunks", ["id", "document_id", "start_char", "end_char", "embedding"],
                    [(c[0], c[1], c[2], c[3], None) for c in chunks])
        if centre is not None:
            _copy_vectors(target, centre, chunks)


def _copy_vectors(target: Store, centre: Any, chunks: list[tuple[Any, ...]]) -> None:
    """The chunks' vectors with their binary codes (taken again from the float16 copies, around the centre)."""
    vectors = []
    for chunk_id, _, _, _, embedding in chunks:
        if embedding is None:
            continue
        values = np.frombuffer(embedding, dtype="<f2").astype(np.float32)
        vectors.append(ChunkVector(int(chunk_id), bytes(embedding), np.packbits(values - centre > 0).tobytes()))
    with target.writer() as writer:
        writer.embeddings.put(vectors)


def _advance_identities(target: Store) -> None:
    """After rows were copied with their ids, start each identity sequence above the largest id."""
    with _raw(target) as conn:
        rows = conn.execute("SELECT table_name, column_name FROM information_schema.columns WHERE is_identity = 'YES' "
                            "AND table_schema = current_schema()").fetchall()
        for table, column in rows:
            if table == "migrations":
                continue
            conn.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), greatest((SELECT max({column}) FROM {table}), "
                         "1), (SELECT max({column}) FROM {table}) IS NOT NULL)".replace("{column}", column)
                         .replace("{table}", table), (table, column))


_STORE_TABLE = re.compile(r"^\[store\]\n(?:(?!\[).*\n?)*", re.MULTILINE)


def point_case_at(case_file: Path, section: str) -> None:
    """Replace the ``[store]`` table of a ``case.toml`` (written atomically)."""
    text = case_file.read_text(encoding="utf-8")
    if _STORE_TABLE.search(text):
        text = _STORE_TABLE.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    temporary = case_file.with_suffix(".toml.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(case_file)


def migrate_case(root: Path, destination: str,
                 progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Move the store of the case in ``root`` to ``destination`` (a ``postgresql://`` URL, or ``sqlite``
    for the case folder's own file), verify the case on its new store, and point ``case.toml`` at it.

    The old store is left as it was (a fallback); if verification fails, ``case.toml`` is put back.
    """
    from organwatch.case import CASE_FILE, DB_FILE, Case
    from organwatch.store.postgres.connection import check_url, remember, without_password
    from organwatch.store.postgres.store import PostgresStore
    from organwatch.store.sqlite import SQLiteStore

    case = Case(root)
    source = case.store
    target: Store
    if destination == "sqlite":
        if source.backend == "sqlite":
            raise CaseError(f"{root}: the case is already on SQLite")
        path = root / DB_FILE
        if path.exists():
            raise CaseError(f"{path} exists (an older copy?): move it out of the case folder first")
        target = SQLiteStore(path)
        section = f'[store]\nbackend = "sqlite"\ndatabase = "{DB_FILE}"\n'
    else:
        url = check_url(destination)
        if source.backend == "postgresql" and getattr(source, "where", None) == PostgresStore(url).where:
            raise CaseError(f"{root}: the case is already on that database")
        target = PostgresStore(url)
        remember(url)
        section = f'[store]\nbackend = "postgresql"\nurl = "{without_password(url)}"\n'
    target.migrate()
    before = case.verify()
    with case.writer():  # nobody appends to the log while its index moves
        counts = copy_store(source, target, progress)
    source.close()
    target.close()
    case_file = root / CASE_FILE
    previous = case_file.read_text(encoding="utf-8")
    point_case_at(case_file, section)
    moved = Case(root)
    try:
        report = moved.verify()
    finally:
        moved.store.close()
    if not report.ok:
        case_file.write_text(previous, encoding="utf-8")
        raise CaseError(f"{root}: the case does not verify on its new store, so it stays on {source.backend}: "
                        + "; ".join(f.message for f in report.findings[:3]))
    return {"from": source.backend, "to": target.backend, "rows": counts, "verified_before": before.ok,
            "verified_after": report.ok}

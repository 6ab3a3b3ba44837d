"""The archive index on PostgreSQL: the same tables and JSON text columns as on SQLite, so
``organwatch verify`` compares a PostgreSQL case with its log exactly as it does a SQLite one."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from organwatch.errors import CaseError
from organwatch.model import Capture, Observation
from organwatch.store.base import ArchiveIndexWriter
from organwatch.store.postgres.connection import stream
from organwatch.store.records import INDEX_TABLES, IndexBatch, LogEntryRecord, LogPosition, TreeHeadRecord
from organwatch.store.sqlite.archive import WEB_ARCHIVES, observation

Connection = Any  # psycopg.Connection[Row]


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _index_table(table: str) -> tuple[str, tuple[str, ...]]:
    if table not in INDEX_TABLES:
        raise ValueError(f"{table!r} is not an index table of the archive ({', '.join(INDEX_TABLES)})")
    return INDEX_TABLES[table]


class PostgresArchiveIndex(ArchiveIndexWriter):
    """Archive index over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def log_position(self) -> LogPosition:
        row = self.conn.execute("SELECT size, entries_bytes, heads_count, heads_bytes, frontier FROM log_state "
                                "WHERE id = 1").fetchone()
        if row is None:
            raise CaseError("the database has no log position: it is not an OrganWatch case index; "
                            "run `organwatch verify`")
        last = self.conn.execute("SELECT max(tree_size) FROM tree_heads").fetchone()[0] or 0
        frontier = tuple((int(height), str(digest)) for height, digest in json.loads(row["frontier"]))
        return LogPosition(int(row["size"]), int(row["entries_bytes"]), int(row["heads_count"]),
                           int(row["heads_bytes"]), frontier, int(last))

    def captures_first_logged_at(self, seqs: Sequence[int]) -> set[str]:
        if not seqs:
            return set()
        rows = self.conn.execute("SELECT id FROM captures WHERE first_seq = ANY(%s)", (list(seqs),))
        return {str(r[0]) for r in rows}

    def index_row(self, table: str, key: Any) -> tuple[Any, ...] | None:
        key_col, columns = _index_table(table)
        row = self.conn.execute(f"SELECT {','.join(columns)} FROM {table} WHERE {key_col} = %s", (key,)).fetchone()
        return None if row is None else tuple(row)

    def index_keys(self, table: str) -> Iterator[tuple[Any, int]]:
        key_col, _ = _index_table(table)
        seq_col = "first_seq" if table == "captures" else "seq"
        # Byte order for text keys (as SQLite sorts them), whatever the database's collation.
        order = f'{key_col} COLLATE "C"' if table == "captures" else key_col
        for row in stream(self.conn, f"SELECT {key_col}, {seq_col} FROM {table} ORDER BY {order}"):
            yield row[0], int(row[1])

    def log_entries(self) -> Iterator[LogEntryRecord]:
        for row in stream(self.conn, "SELECT seq, type, leaf_hash, time, capture_id FROM log_entries ORDER BY seq"):
            yield LogEntryRecord(int(row[0]), row[1], row[2], row[3], row[4])

    def tree_heads(self) -> list[TreeHeadRecord]:
        return [TreeHeadRecord(int(r[0]), r[1], int(r[2]), r[3], r[4], r[5]) for r in self.conn.execute(
            "SELECT tree_size, root_hash, prev_tree_size, timestamp, key_id, signature FROM tree_heads "
            "ORDER BY tree_size")]

    def _observations(self, capture_ids: list[str]) -> dict[str, list[Observation]]:
        found: dict[str, list[Observation]] = {c: [] for c in capture_ids}
        if capture_ids:
            for row in self.conn.execute("SELECT * FROM observations WHERE capture_id = ANY(%s) ORDER BY seq",
                                         (capture_ids,)):
                found[row["capture_id"]].append(observation(row))
        return found

    def _captures(self, rows: list[Any]) -> list[Capture]:
        observations = self._observations([row["id"] for row in rows])
        return [Capture(row["id"], int(row["size"]), row["media_type"], int(row["first_seq"]), row["captured_at"],
                        tuple(observations[row["id"]])) for row in rows]

    def capture(self, capture_id: str) -> Capture | None:
        rows = self.conn.execute("SELECT * FROM captures WHERE id = %s", (capture_id,)).fetchall()
        return self._captures(rows)[0] if rows else None

    def captures_with_prefix(self, prefix: str, limit: int) -> list[Capture]:
        rows = self.conn.execute("SELECT * FROM captures WHERE id >= %s AND id < %s ORDER BY id LIMIT %s",
                                 (prefix, prefix + "g", limit)).fetchall()
        return self._captures(rows)

    def captures(self, limit: int | None = None, offset: int = 0) -> Iterator[Capture]:
        # A page at a time, each page after the last one's position (keyset): a case of millions of
        # captures never sits in memory, and late pages cost no more than early ones.
        page = 500
        done = 0
        rows = self.conn.execute("SELECT * FROM captures ORDER BY first_seq LIMIT %s OFFSET %s",
                                 (page if limit is None else min(page, limit), offset)).fetchall()
        while rows:
            yield from self._captures(rows)
            done += len(rows)
            if limit is not None and done >= limit:
                return
            size = page if limit is None else min(page, limit - done)
            rows = self.conn.execute("SELECT * FROM captures WHERE first_seq > %s ORDER BY first_seq LIMIT %s",
                                     (rows[-1]["first_seq"], size)).fetchall()

    def capture_ids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT id FROM captures ORDER BY first_seq")]

    def count_captures(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM captures").fetchone()[0])

    def observations(self, capture_id: str) -> list[Observation]:
        return self._observations([capture_id])[capture_id]

    def observations_of(self, capture_ids: Iterable[str]) -> dict[str, list[Observation]]:
        return self._observations(list(dict.fromkeys(capture_ids)))

    # -- writes -------------------------------------------------------------------------------------

    def add(self, batch: IndexBatch) -> None:
        with self.conn.cursor() as cursor:
            if batch.entries:
                cursor.executemany("INSERT INTO log_entries (seq, type, leaf_hash, time, capture_id) "
                                   "VALUES (%s, %s, %s, %s, %s)",
                                   [(e.seq, e.type, e.leaf_hash, e.time, e.capture_id) for e in batch.entries])
            if batch.captures:
                cursor.executemany("INSERT INTO captures (id, size, media_type, first_seq, captured_at) "
                                   "VALUES (%s, %s, %s, %s, %s)",
                                   [(c.id, c.size, c.media_type, c.first_seq, c.captured_at) for c in batch.captures])
                # In the same transaction: every new capture awaits the text stage, and a new web archive the
                # split of its records, until they are done (an interrupted add is finished by the next one).
                since = batch.captures[0].captured_at
                cursor.executemany("INSERT INTO pending_work (kind, ref, since) VALUES (%s, %s, %s) "
                                   "ON CONFLICT (kind, ref) DO NOTHING",
                                   [(kind, c.id, since) for c in batch.captures
                                    for kind in (("text", "import") if c.media_type in WEB_ARCHIVES else ("text",))])
            if batch.observations:
                cursor.executemany(
                    "INSERT INTO observations (seq, capture_id, source_url, original_name, original_path, "
                    "captured_at, captured_by, tool, note, file_modified, extra) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [(o.seq, capture_id, o.source_url, o.original_name, o.original_path, o.captured_at,
                      o.captured_by, _json(o.tool), o.note, o.file_modified, _json(o.extra))
                     for capture_id, o in batch.observations])

    def add_tree_head(self, head: TreeHeadRecord) -> None:
        self.conn.execute("INSERT INTO tree_heads (tree_size, root_hash, prev_tree_size, timestamp, key_id, "
                          "signature) VALUES (%s, %s, %s, %s, %s, %s)",
                          (head.tree_size, head.root_hash, head.prev_tree_size, head.timestamp, head.key_id,
                           head.signature))

    def set_log_position(self, position: LogPosition) -> None:
        self.conn.execute(
            "UPDATE log_state SET size = %s, entries_bytes = %s, heads_count = %s, heads_bytes = %s, frontier = %s "
            "WHERE id = 1",
            (position.size, position.entries_bytes, position.heads_count, position.heads_bytes,
             json.dumps([list(node) for node in position.frontier])))

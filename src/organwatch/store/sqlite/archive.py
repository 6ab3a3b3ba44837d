"""The archive index in SQLite: ``log_state``, ``log_entries``, ``tree_heads``, ``captures``, ``observations``.

Every row here is derived from ``log/entries.jsonl`` and can be rebuilt from it. JSON fields of an
observation (``tool``, ``extra``) are stored as ``json.dumps(value, sort_keys=True)``, which is what
``organwatch verify`` expects to find (see :mod:`organwatch.archive.index`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from organwatch.errors import CaseError
from organwatch.model import Capture, Observation
from organwatch.store.base import ArchiveIndexWriter
from organwatch.store.records import INDEX_TABLES, IndexBatch, LogEntryRecord, LogPosition, TreeHeadRecord

WEB_ARCHIVES = frozenset({"application/warc", "application/wacz", "application/x-internet-archive"})
Connection = Any  # sqlean.Connection


def observation(row: Any) -> Observation:
    """An ``observations`` row as a model record."""
    return Observation(row["seq"], row["source_url"], row["original_name"], row["original_path"],
                       row["captured_at"], row["captured_by"], json.loads(row["tool"]), row["note"],
                       row["file_modified"], json.loads(row["extra"]) if row["extra"] else None)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


class SQLiteArchiveIndex(ArchiveIndexWriter):
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
        return LogPosition(row["size"], row["entries_bytes"], row["heads_count"], row["heads_bytes"], frontier,
                           int(last))

    def captures_first_logged_at(self, seqs: Sequence[int]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(seqs), 500):
            part = list(seqs[start:start + 500])
            marks = ",".join("?" * len(part))
            found.update(r[0] for r in self.conn.execute(f"SELECT id FROM captures WHERE first_seq IN ({marks})",
                                                         part))
        return found

    def index_row(self, table: str, key: Any) -> tuple[Any, ...] | None:
        key_col, columns = _index_table(table)
        row = self.conn.execute(f"SELECT {','.join(columns)} FROM {table} WHERE {key_col} = ?", (key,)).fetchone()
        return None if row is None else tuple(row)

    def index_keys(self, table: str) -> Iterator[tuple[Any, int]]:
        key_col, _ = _index_table(table)
        seq_col = "first_seq" if table == "captures" else "seq"
        yield from ((key, seq) for key, seq in self.conn.execute(
            f"SELECT {key_col}, {seq_col} FROM {table} ORDER BY {key_col}"))

    def log_entries(self) -> Iterator[LogEntryRecord]:
        for row in self.conn.execute("SELECT seq, type, leaf_hash, time, capture_id FROM log_entries ORDER BY seq"):
            yield LogEntryRecord(*tuple(row))

    def tree_heads(self) -> list[TreeHeadRecord]:
        return [TreeHeadRecord(*tuple(row)) for row in self.conn.execute(
            "SELECT tree_size, root_hash, prev_tree_size, timestamp, key_id, signature FROM tree_heads "
            "ORDER BY tree_size")]

    def _capture(self, row: Any) -> Capture:
        observations = tuple(observation(r) for r in self.conn.execute(
            "SELECT * FROM observations WHERE capture_id = ? ORDER BY seq", (row["id"],)))
        return Capture(row["id"], row["size"], row["media_type"], row["first_seq"], row["captured_at"], observations)

    def capture(self, capture_id: str) -> Capture | None:
        row = self.conn.execute("SELECT * FROM captures WHERE id = ?", (capture_id,)).fetchone()
        return None if row is None else self._capture(row)

    def captures_with_prefix(self, prefix: str, limit: int) -> list[Capture]:
        # Ids are lower-case hex: every id starting with the prefix sorts between it and prefix + "g".
        rows = self.conn.execute("SELECT * FROM captures WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
                                 (prefix, prefix + "g", limit)).fetchall()
        return [self._capture(row) for row in rows]

    def captures(self, limit: int | None = None, offset: int = 0) -> Iterator[Capture]:
        rows = self.conn.execute("SELECT * FROM captures ORDER BY first_seq LIMIT ? OFFSET ?",
                                 (-1 if limit is None else limit, offset))
        for row in rows:
            yield self._capture(row)

    def capture_ids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT id FROM captures ORDER BY first_seq")]

    def count_captures(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM captures").fetchone()[0])

    def observations(self, capture_id: str) -> list[Observation]:
        return [observation(r) for r in self.conn.execute(
            "SELECT * FROM observations WHERE capture_id = ? ORDER BY seq", (capture_id,))]

    # -- writes -------------------------------------------------------------------------------------

    def add(self, batch: IndexBatch) -> None:
        if batch.entries:
            self.conn.executemany("INSERT INTO log_entries (seq, type, leaf_hash, time, capture_id) "
                                  "VALUES (?, ?, ?, ?, ?)",
                                  [(e.seq, e.type, e.leaf_hash, e.time, e.capture_id) for e in batch.entries])
        if batch.captures:
            self.conn.executemany("INSERT INTO captures (id, size, media_type, first_seq, captured_at) "
                                  "VALUES (?, ?, ?, ?, ?)",
                                  [(c.id, c.size, c.media_type, c.first_seq, c.captured_at) for c in batch.captures])
            # In the same transaction: every new capture awaits the text stage, and a new web archive the
            # split of its records, until they are done (an interrupted add is finished by the next one).
            since = batch.captures[0].captured_at
            self.conn.executemany("INSERT OR IGNORE INTO pending_work (kind, ref, since) VALUES (?, ?, ?)",
                                  [(kind, c.id, since) for c in batch.captures
                                   for kind in (("text", "import") if c.media_type in WEB_ARCHIVES else ("text",))])
        if batch.observations:
            self.conn.executemany(
                "INSERT INTO observations (seq, capture_id, source_url, original_name, original_path, captured_at, "
                "captured_by, tool, note, file_modified, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(o.seq, capture_id, o.source_url, o.original_name, o.original_path, o.captured_at, o.captured_by,
                  _json(o.tool), o.note, o.file_modified, _json(o.extra)) for capture_id, o in batch.observations])

    def add_tree_head(self, head: TreeHeadRecord) -> None:
        self.conn.execute("INSERT INTO tree_heads (tree_size, root_hash, prev_tree_size, timestamp, key_id, "
                          "signature) VALUES (?, ?, ?, ?, ?, ?)",
                          (head.tree_size, head.root_hash, head.prev_tree_size, head.timestamp, head.key_id,
                           head.signature))

    def set_log_position(self, position: LogPosition) -> None:
        self.conn.execute(
            "UPDATE log_state SET size = ?, entries_bytes = ?, heads_count = ?, heads_bytes = ?, frontier = ? "
            "WHERE id = 1",
            (position.size, position.entries_bytes, position.heads_count, position.heads_bytes,
             json.dumps([list(node) for node in position.frontier])))


def _index_table(table: str) -> tuple[str, tuple[str, ...]]:
    if table not in INDEX_TABLES:
        raise ValueError(f"{table!r} is not an index table of the archive ({', '.join(INDEX_TABLES)})")
    return INDEX_TABLES[table]

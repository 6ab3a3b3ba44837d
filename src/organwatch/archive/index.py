"""How each log entry is indexed in the database: one function, used to write and to verify.

Because ``verify`` compares the database with what this module *would* write for every entry,
the index and its check cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

OBSERVATION_FIELDS = ("source_url", "original_name", "original_path", "captured_at", "captured_by",
                      "tool", "note", "file_modified", "extra")
_JSON_FIELDS = ("tool", "extra")

# table -> (key column, columns in insert order)
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "log_entries": ("seq", ("seq", "type", "leaf_hash", "time", "capture_id")),
    "captures": ("id", ("id", "size", "media_type", "first_seq", "captured_at")),
    "observations": ("seq", ("seq", "capture_id", *OBSERVATION_FIELDS)),
}


def rows_for_entry(seq: int, entry: dict[str, Any], leaf_hex: str) -> dict[str, list[tuple[Any, ...]]]:
    """The database rows, per table, that index one log entry."""
    kind = entry.get("type")
    capture = entry.get("capture") if kind in ("capture", "observation") else None
    rows: dict[str, list[tuple[Any, ...]]] = {
        "log_entries": [(seq, kind, leaf_hex, entry.get("time"), capture)],
    }
    if kind == "capture":
        # .get: verify runs this on entries that may have been damaged; the writer always has all three.
        rows["captures"] = [(capture, entry.get("size"), entry.get("media_type"), seq, entry.get("captured_at"))]
    if kind in ("capture", "observation"):
        values = [entry.get(f) for f in OBSERVATION_FIELDS]
        for name in _JSON_FIELDS:
            value = entry.get(name)
            values[OBSERVATION_FIELDS.index(name)] = None if value is None else json.dumps(value, sort_keys=True)
        rows["observations"] = [(seq, capture, *values)]
    return rows


def head_row(head: dict[str, Any]) -> tuple[Any, ...]:
    """The ``tree_heads`` row for a signed tree head."""
    return (head["tree_size"], head["root_hash"], head["prev_tree_size"], head["timestamp"], head["key_id"],
            head["signature"])


def insert_entries(conn: Any, items: Iterable[tuple[int, dict[str, Any], str]]) -> None:
    """Write the rows for many ``(seq, entry, leaf hex)``, one statement per table."""
    grouped: dict[str, list[tuple[Any, ...]]] = {table: [] for table in TABLES}
    for seq, entry, leaf_hex in items:
        for table, rows in rows_for_entry(seq, entry, leaf_hex).items():
            grouped[table].extend(rows)
    for table, rows in grouped.items():
        if rows:
            columns = TABLES[table][1]
            placeholders = ",".join("?" * len(columns))
            conn.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({placeholders})", rows)


def insert_entry(conn: Any, seq: int, entry: dict[str, Any], leaf_hex: str) -> None:
    """Write the rows for one entry."""
    insert_entries(conn, [(seq, entry, leaf_hex)])


def insert_head(conn: Any, head: dict[str, Any]) -> None:
    """Write the row for one tree head."""
    conn.execute("INSERT INTO tree_heads VALUES (?,?,?,?,?,?)", head_row(head))

"""How each log entry is indexed in the store: one mapping, used to write and to verify.

:func:`records_for_entry` gives the records the store writes; :func:`rows_for_entry` the same as table
rows, which ``verify`` compares with the database. Because both come from one mapping, the index and
its check cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from organwatch.model import Capture, Observation
from organwatch.store.records import OBSERVATION_FIELDS, IndexBatch, LogEntryRecord, TreeHeadRecord

_JSON_FIELDS = ("tool", "extra")


def records_for_entry(seq: int, entry: dict[str, Any], leaf_hex: str) -> IndexBatch:
    """What indexing one log entry adds to the store: the entry, and for a capture or an observation the
    capture and the sighting."""
    kind = entry.get("type")
    capture: Any = entry.get("capture") if kind in ("capture", "observation") else None
    record = LogEntryRecord(seq, kind, leaf_hex, entry.get("time"), capture)
    if kind not in ("capture", "observation"):
        return IndexBatch(entries=(record,))
    values: list[Any] = [entry.get(f) for f in OBSERVATION_FIELDS]
    sighting = Observation(seq, *values)
    # .get: verify runs this on entries that may have been damaged; the writer always has all three.
    size: Any = entry.get("size")
    media_type: Any = entry.get("media_type")
    captured_at: Any = entry.get("captured_at")
    captures = (Capture(capture, size, media_type, seq, captured_at, ()),) if kind == "capture" else ()
    return IndexBatch((record,), captures, ((capture, sighting),))


def batch_for(items: Iterable[tuple[int, dict[str, Any], str]]) -> IndexBatch:
    """The records of many ``(seq, entry, leaf hex)``, for one write."""
    entries: list[LogEntryRecord] = []
    captures: list[Capture] = []
    observations: list[tuple[str, Observation]] = []
    for seq, entry, leaf_hex in items:
        one = records_for_entry(seq, entry, leaf_hex)
        entries.extend(one.entries)
        captures.extend(one.captures)
        observations.extend(one.observations)
    return IndexBatch(tuple(entries), tuple(captures), tuple(observations))


def rows_for_entry(seq: int, entry: dict[str, Any], leaf_hex: str) -> dict[str, list[tuple[Any, ...]]]:
    """The index rows, per table (columns as in :data:`TABLES`), that one log entry should have."""
    batch = records_for_entry(seq, entry, leaf_hex)
    rows: dict[str, list[tuple[Any, ...]]] = {
        "log_entries": [(e.seq, e.type, e.leaf_hash, e.time, e.capture_id) for e in batch.entries],
    }
    if batch.captures:
        rows["captures"] = [(c.id, c.size, c.media_type, c.first_seq, c.captured_at) for c in batch.captures]
    if batch.observations:
        rows["observations"] = [
            (o.seq, capture, *(_json(v) if f in _JSON_FIELDS else v
                               for f, v in zip(OBSERVATION_FIELDS, _observation_values(o), strict=True)))
            for capture, o in batch.observations]
    return rows


def _observation_values(o: Observation) -> tuple[Any, ...]:
    return (o.source_url, o.original_name, o.original_path, o.captured_at, o.captured_by, o.tool, o.note,
            o.file_modified, o.extra)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def head_record(head: dict[str, Any]) -> TreeHeadRecord:
    """The index record of a signed tree head."""
    return TreeHeadRecord(head["tree_size"], head["root_hash"], head["prev_tree_size"], head["timestamp"],
                          head["key_id"], head["signature"])

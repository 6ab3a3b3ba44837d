"""``organwatch rebuild-index``: make organwatch.db again from the log and the blobs.

The database is only an index: every row of the evidence tables follows from a log entry (see
:mod:`organwatch.archive.index`), and documents, the search index and mentions follow from the
blobs through the text and extract stages. So a deleted, truncated or garbage database loses
nothing: this rebuilds it.

The log is checked first (every tree head's signature, the key against ``case.created``, the
roots against the entries): an index rebuilt from an altered log would make the alteration look
legitimate, so a damaged log is refused with the reason and left to ``organwatch verify``. The old
database file is kept beside the new one (``organwatch.db.damaged-<time>``), never deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from organwatch.archive import signing
from organwatch.archive.commit import LOCK_FILE, acquire_lock, write_state
from organwatch.archive.index import batch_for, head_record
from organwatch.archive.log import LogState, iter_lines, tree_head_valid, utc_now
from organwatch.archive.merkle import StreamingRoot, leaf_hash
from organwatch.errors import CaseError
from organwatch.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from organwatch.case import Case

_CHUNK = 10_000


@dataclass
class RebuildReport:
    """What the rebuild indexed and re-derived, and where the old database went."""

    entries: int = 0
    tree_heads: int = 0
    captures: int = 0
    documents: int = 0
    text_failed: int = 0
    mentions: int = 0
    quotes: int = 0
    kept_as: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**self.__dict__, "kept_as": str(self.kept_as) if self.kept_as else None}


def _signed_log(case: Case) -> tuple[list[dict[str, Any]], int, int, int]:
    """The signed heads and how far they reach: ``(heads, size, entries bytes, heads bytes)``; refuses damage."""
    try:
        public = signing.load_public_key(case.keys_dir)
    except (OSError, ValueError) as exc:
        raise CaseError(f"{case.keys_dir}: the case's public key cannot be read ({exc}); cannot rebuild") from None
    kid = signing.key_id(public)
    heads: list[dict[str, Any]] = []
    heads_bytes = 0
    previous = 0
    for line in iter_lines(case.log.heads_path):
        if not line.complete:
            break  # a torn last head: an interrupted write, never indexed
        try:
            head = json.loads(line.data)
        except (ValueError, UnicodeDecodeError):
            head = None
        where = f"log/tree-heads.jsonl line {line.number + 1}"
        if not isinstance(head, dict) or not isinstance(head.get("tree_size"), int):
            raise CaseError(f"{where}: not a tree head; the log is damaged: run `organwatch verify`")
        if head.get("key_id") != kid or not tree_head_valid(head, public):
            raise CaseError(f"{where}: not validly signed by the case key {kid[:16]}...; the log is damaged or "
                            "re-signed: run `organwatch verify`")
        if head.get("prev_tree_size") != previous or head["tree_size"] < previous:
            raise CaseError(f"{where}: does not follow the tree head before it; run `organwatch verify`")
        previous = head["tree_size"]
        heads.append(head)
        heads_bytes = line.offset + len(line.data) + 1
    if not heads:
        raise CaseError(f"{case.root}: the log holds no signed tree head; nothing to rebuild from")
    size = heads[-1]["tree_size"]
    return heads, size, 0, heads_bytes


def _entries(case: Case, size: int, created_key: list[str]) -> Iterator[tuple[int, dict[str, Any], bytes, int]]:
    for line in iter_lines(case.log.entries_path):
        if line.number >= size:
            return
        where = f"log/entries.jsonl line {line.number + 1}"
        try:
            entry = json.loads(line.data) if line.complete else None
        except (ValueError, UnicodeDecodeError):
            entry = None
        if not isinstance(entry, dict) or entry.get("seq") != line.number:
            raise CaseError(f"{where}: not the log entry the signed tree head covers; the log is damaged: run "
                            "`organwatch verify`")
        if line.number == 0 and entry.get("type") == "case.created":
            created_key.append(str(entry.get("key_id")))
        yield line.number, entry, line.data, line.offset + len(line.data) + 1


def rebuild_index(case: Case, progress: Callable[[str], None] | None = None) -> RebuildReport:
    """Rebuild the case database from its log and blobs, then re-read text, mentions and the search index."""
    say = progress or (lambda _message: None)
    report = RebuildReport()
    fd = acquire_lock(case.root / LOCK_FILE, case.lock_wait, case.on_lock_wait)
    try:
        heads, size, _, heads_bytes = _signed_log(case)
        by_size = {h["tree_size"]: h for h in heads}
        kid = signing.key_id(signing.load_public_key(case.keys_dir))
        created: list[str] = []
        # First pass: check every root against the entries before anything is written.
        stream = StreamingRoot()
        entries_bytes = 0
        for seq, _entry, data, end in _entries(case, size, created):
            stream.append(leaf_hash(data))
            entries_bytes = end
            head = by_size.get(seq + 1)
            if head is not None and head["root_hash"] != stream.root().hex():
                raise CaseError(f"log entries 0-{seq}: they do not hash to the signed tree head of size {seq + 1}; "
                                "the log was altered: run `organwatch verify`")
        if stream.size != size:
            raise CaseError(f"log/entries.jsonl holds {stream.size} entries but a signed tree head covers {size}; "
                            "run `organwatch verify`")
        if created and created[0] != kid:
            raise CaseError(f"keys/ holds key {kid[:16]}..., but the case was created with key {created[0][:16]}...; "
                            "the key pair was replaced: run `organwatch verify`")
        say(f"log checked: {size} signed entries, {len(heads)} tree heads")
        if not isinstance(case.store, SQLiteStore):
            raise CaseError(f"{case.root}: rebuild-index rebuilds the embedded SQLite index; a {case.store.backend} "
                            "store is rebuilt with `organwatch migrate` from a SQLite copy")
        case.store.close()
        db = case.store.path
        if db.exists():
            stamp = utc_now().replace(":", "").replace("-", "")[:15]
            report.kept_as = db.with_name(f"{db.name}.damaged-{stamp}")
            os.replace(db, report.kept_as)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        store = SQLiteStore(db)
        store.migrate()
        stream = StreamingRoot()
        with store.writer() as writer:
            batch: list[tuple[int, dict[str, Any], str]] = []
            for seq, entry, data, _end in _entries(case, size, []):
                leaf = leaf_hash(data)
                stream.append(leaf)
                batch.append((seq, entry, leaf.hex()))
                if entry.get("type") == "capture":
                    report.captures += 1
                if len(batch) >= _CHUNK:
                    writer.archive.add(batch_for(batch))
                    batch = []
            writer.archive.add(batch_for(batch))
            for head in heads:
                writer.archive.add_tree_head(head_record(head))
            write_state(writer, LogState(size, entries_bytes, len(heads), heads_bytes, size, stream))
        report.entries, report.tree_heads = size, len(heads)
        case.store = store
        case.index_damage = None
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # nobody holds it any more
        os.close(fd)  # closing the descriptor releases the lock
    say(f"index rebuilt: {report.entries} entries, {report.captures} captures; reading text again")
    text = case.reprocess("text")
    report.documents, report.text_failed = text.documents, text.failed
    say(f"text read: {report.documents} documents; extracting mentions")
    extracted = case.extract()
    report.mentions, report.quotes = extracted.mentions, extracted.quotes
    return report


def index_problem(case: Case) -> str | None:
    """Why the case's index cannot answer questions (damaged, or missing while the log is not), or None."""
    import sqlean

    from organwatch.archive.verify import rebuild_hint

    db = getattr(case.store, "path", case.root)
    hint = rebuild_hint(case)
    if case.index_damage:
        return f"{db}: the case index is damaged ({case.index_damage}); {hint}"
    try:
        with case.store.view() as view:
            indexed = view.archive.log_position().size
            heads = len(view.archive.tree_heads())
    except sqlean.DatabaseError as exc:
        return f"{db}: the case index is damaged ({exc}); {hint}"
    except CaseError:
        indexed, heads = 0, 0  # no log position at all: an empty or foreign database
    if not indexed and heads == 0 and any(
            line.complete for line in iter_lines(case.log.heads_path)):
        return f"{db}: the case index is missing or empty although the log holds signed evidence; {hint}"
    return None

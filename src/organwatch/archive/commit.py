"""The single path by which evidence events enter a case: lock, recover, append, sign, index.

Order of a commit (under an exclusive ``flock`` on ``<case>/.lock``, so processes take turns):

1. staged bytes are flushed to disk (``ORGANWATCH_SYNC=batch``);
2. the batch's entries are appended to ``log/entries.jsonl`` and its signed tree head to
   ``log/tree-heads.jsonl`` — the log is the source of truth, so this is the commit point;
3. staged blobs are moved into ``blobs/``;
4. the database indexes the entries and the head, and records how far it has indexed.

A process killed at any point leaves one of a few states that :meth:`LogWriter.recover` (run
first by every writer) completes or rolls back: entries without a tree head are cut (they were
never indexed, and re-running the add writes them again); signed entries not yet indexed are
indexed and their staged blobs moved into place.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from organwatch.archive.blobs import BlobStore
from organwatch.archive.index import batch_for, head_record
from organwatch.archive.log import ENTRY_VERSION, EvidenceLog, LogState, iter_lines, parse_head, utc_now
from organwatch.archive.merkle import StreamingRoot, leaf_hash
from organwatch.errors import CaseError
from organwatch.store import Session, Store, Writer
from organwatch.store.records import LogPosition

LOCK_FILE = ".lock"


@dataclass
class Recovery:
    """What recovery found and did: entries indexed late, entries cut, blobs moved, files cleaned."""

    indexed: int = 0
    cut: int = 0
    blobs_placed: int = 0
    staging_removed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def happened(self) -> bool:
        """True when an interrupted write was found."""
        return bool(self.indexed or self.cut or self.blobs_placed)


def read_state(session: Session) -> LogState:
    """The log position the store has indexed, with the Merkle frontier to extend it."""
    position = session.archive.log_position()
    root = StreamingRoot.resume(position.frontier)
    if root.size != position.size:
        raise CaseError("the database's log position is inconsistent; run `organwatch verify`")
    return LogState(position.size, position.entries_bytes, position.heads_count, position.heads_bytes,
                    position.last_head_size, root)


def write_state(writer: Writer, state: LogState) -> None:
    """Record how far the store has indexed the log."""
    writer.archive.set_log_position(LogPosition(state.size, state.entries_bytes, state.heads_count,
                                                state.heads_bytes, tuple(state.root_state.frontier()),
                                                state.last_head_size))


def lock_holder(lock_path: Path) -> str:
    """Who holds the case lock, as its holder wrote it: ``PID 123 (organwatch add ...) since <time>``."""
    try:
        data = json.loads(lock_path.read_bytes()[:4096] or b"{}")
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict) or "pid" not in data:
        return "another process (it did not say which)"
    from organwatch.archive.display import printable

    command = printable(str(data.get("command", "?")))[:200]
    return f"PID {data.get('pid')} ({command}) since {printable(str(data.get('since', '?')))}"


def acquire_lock(lock_path: Path, wait: float | None = None,
                 on_wait: Callable[[str], None] | None = None) -> int:
    """Take the case lock and write who holds it into the lock file; return its descriptor.

    When another process holds it, ``on_wait`` is told who (once), and the lock is waited for up
    to ``wait`` seconds (``None``: as long as it takes); past that a :class:`CaseError` names the holder.
    """
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = lock_holder(lock_path)
            if on_wait is not None:
                limit = "as long as it takes" if wait is None else f"up to {wait:g} s"
                on_wait(f"waiting for the case lock, held by {holder} ({limit})")
            deadline = None if wait is None else time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise CaseError(f"the case is locked by {lock_holder(lock_path)}; waited {wait:g} s. "
                                        "Try again when it has finished, or give a longer --wait") from None
                    time.sleep(0.05)
        holder_info = {"pid": os.getpid(), "command": " ".join(["organwatch", *sys.argv[1:]])[:500],
                       "since": utc_now()}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder_info).encode("utf-8"), 0)
        except OSError:
            pass  # a full disk must not stop the write that would report it; the holder stays unnamed
    except BaseException:
        os.close(fd)
        raise
    return fd


class LogWriter:
    """Exclusive writer of a case for the duration of a ``with`` block."""

    def __init__(self, case_root: Path, store: Store, log: EvidenceLog, blobs: BlobStore,
                 private: Ed25519PrivateKey, sync: bool, *, wait: float | None = None,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self._wait = wait
        self._on_wait = on_wait
        self._lock_path = case_root / LOCK_FILE
        self.store = store
        self.log = log
        self.blobs = blobs
        self._private = private
        self._sync = sync
        self._fd: int | None = None
        self._shared: AbstractContextManager[None] | None = None
        self.state: LogState | None = None
        self.recovery = Recovery()

    def __enter__(self) -> LogWriter:
        self._fd = acquire_lock(self._lock_path, self._wait, self._on_wait)
        try:
            # Machines sharing one database take turns too (a no-op for a store on this machine only).
            shared = self.store.append_lock()
            shared.__enter__()
            self._shared = shared
            self.recovery = self.recover()
            self.recovery.staging_removed = self.blobs.remove_abandoned_areas()
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._release()

    def _release(self) -> None:
        shared, self._shared = self._shared, None
        if shared is not None:
            shared.__exit__(None, None, None)
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def recover(self) -> Recovery:
        """Bring database and blobs level with the log; cut a torn or unsigned tail."""
        report = Recovery()
        with self.store.writer() as writer:
            state = read_state(writer)
            entries_len = _size(self.log.entries_path)
            heads_len = _size(self.log.heads_path)
            if state.size == 0 and state.heads_count == 0 and any(
                    line.complete for line in iter_lines(self.log.heads_path)):
                # Not an interrupted add: the index was deleted or replaced. Re-indexing here would
                # trust the log unchecked; rebuild-index verifies it first.
                from organwatch.archive.verify import REBUILD_HINT, SERVER_REBUILD_HINT

                hint = REBUILD_HINT if self.store.backend == "sqlite" else SERVER_REBUILD_HINT
                raise CaseError(f"{self._lock_path.parent}: the index is missing or empty although the log holds "
                                f"signed entries; {hint.format(root=self._lock_path.parent)}")
            if entries_len < state.entries_bytes or heads_len < state.heads_bytes:
                raise CaseError("the evidence log is shorter than what the database has indexed: it may have "
                                "been altered; run `organwatch verify` and restore the case from a backup")
            if entries_len == state.entries_bytes and heads_len == state.heads_bytes:
                self.state = state
                return report
            # Tree heads written after the last indexed one.
            new_heads: list[dict[str, Any]] = []
            heads_end = state.heads_bytes
            for line in iter_lines(self.log.heads_path, state.heads_bytes):
                head = parse_head(line.data) if line.complete else None
                if head is None:
                    break
                new_heads.append(head)
                heads_end = line.offset + len(line.data) + 1
            signed = new_heads[-1]["tree_size"] if new_heads else state.last_head_size
            # Entries covered by a tree head but not indexed: index them and place their blobs.
            offset = state.entries_bytes
            for line in iter_lines(self.log.entries_path, state.entries_bytes, state.size):
                if not line.complete or line.number >= signed:
                    break
                entry = json.loads(line.data)
                leaf = leaf_hash(line.data)
                if entry.get("type") == "capture" and self._place_recovered(entry["capture"]):
                    report.blobs_placed += 1
                writer.archive.add(batch_for([(line.number, entry, leaf.hex())]))
                state.root_state.append(leaf)
                state.size += 1
                offset = line.offset + len(line.data) + 1
                report.indexed += 1
            if state.size < signed:
                raise CaseError(f"the log has {state.size} entries but a tree head covers {signed}; "
                                "run `organwatch verify`")
            for head in new_heads:
                writer.archive.add_tree_head(head_record(head))
            state.entries_bytes = offset
            state.heads_count += len(new_heads)
            state.heads_bytes = heads_end
            state.last_head_size = signed
            # Whatever follows is unsigned (an interrupted batch) or torn: cut it.
            report.cut = sum(1 for _ in iter_lines(self.log.entries_path, offset))
            os.truncate(self.log.entries_path, offset)
            if _size(self.log.heads_path) > heads_end:
                os.truncate(self.log.heads_path, heads_end)
            write_state(writer, state)
        if report.cut:
            report.notes.append(f"cut {report.cut} unsigned log entries left by an interrupted add")
        if report.indexed:
            report.notes.append(f"indexed {report.indexed} log entries left unindexed by an interrupted add")
        self.state = state
        return report

    def _place_recovered(self, sha256: str) -> bool:
        if self.blobs.exists(sha256):
            return False
        for staged in self.blobs.staged_copies(sha256):
            self.blobs.place(staged, sha256)
            return True
        return False  # verify will report the missing blob

    def commit(self, entries: list[dict[str, Any]], staged: dict[str, Path]) -> list[tuple[int, dict[str, Any]]]:
        """Log, sign, place and index one batch; ``staged`` maps new captures' hashes to staged files."""
        if self.state is None:
            raise RuntimeError("LogWriter.commit outside its `with` block")
        if not entries:
            return []
        if self._sync and staged:
            os.sync()  # the bytes must be on disk before the log says they exist
        written, head = self.log.append_batch(self.state, entries, self._private, self._sync)
        written_entries = [{**entry, "seq": seq, "v": ENTRY_VERSION} for (seq, _, _), entry in
                           zip(written, entries, strict=True)]
        for entry in entries:
            if entry.get("type") == "capture":
                self.blobs.place(staged[entry["capture"]], entry["capture"])
        with self.store.writer() as writer:
            writer.archive.add(batch_for((seq, entry, leaf.hex()) for (seq, _, leaf), entry in
                                         zip(written, written_entries, strict=True)))
            writer.archive.add_tree_head(head_record(head))
            write_state(writer, self.state)
        return [(seq, entry) for (seq, _, _), entry in zip(written, entries, strict=True)]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0

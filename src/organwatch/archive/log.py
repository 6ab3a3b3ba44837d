"""The evidence log: append-only entries plus signed tree heads, as two JSON-lines files.

``log/entries.jsonl`` holds one canonical-JSON entry per line; the bytes of a line (without its
newline) are exactly the leaf data of the Merkle tree (RFC 9162). ``log/tree-heads.jsonl`` holds
one signed tree head (STH) per committed batch. The log is the source of truth for evidence
events; the database only indexes it and can be rebuilt from it.

A batch is written as: all entry lines in one append, then its tree head. A crash between the
two leaves entries that no tree head covers and that the database never indexed: that tail is an
interrupted batch, which ``verify`` reports as a warning and the next write truncates.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from organwatch.archive import signing
from organwatch.archive.canonical import canonical_json
from organwatch.archive.merkle import StreamingRoot, leaf_hash
from organwatch.model.clock import utc_now as utc_now  # where the archive code has always found it

ENTRIES_FILE = "entries.jsonl"
HEADS_FILE = "tree-heads.jsonl"
ENTRY_VERSION = 1


@dataclass(frozen=True)
class RawLine:
    """One line of a JSON-lines file: its bytes (without newline), byte offset and completeness."""

    number: int
    offset: int
    data: bytes
    complete: bool


def iter_lines(path: Path, offset: int = 0, first_number: int = 0) -> Iterator[RawLine]:
    """Stream the lines of a file from byte ``offset``; a last line without newline is incomplete."""
    if not path.exists():
        return
    with open(path, "rb") as fh:
        fh.seek(offset)
        for number, line in enumerate(fh, start=first_number):
            complete = line.endswith(b"\n")
            yield RawLine(number, offset, line[:-1] if complete else line, complete)
            offset += len(line)


def head_message(head: dict[str, Any]) -> bytes:
    """The bytes a tree head's signature covers: the head without its signature, canonical."""
    return canonical_json({k: v for k, v in head.items() if k != "signature"})


def make_tree_head(size: int, root: bytes, prev_size: int, private: Ed25519PrivateKey) -> dict[str, Any]:
    """A signed tree head for a tree of ``size`` leaves with hash ``root``."""
    head: dict[str, Any] = {
        "v": ENTRY_VERSION,
        "tree_size": size,
        "root_hash": root.hex(),
        "prev_tree_size": prev_size,
        "timestamp": utc_now(),
        "key_id": signing.key_id(private.public_key()),
    }
    head["signature"] = signing.sign(private, head_message(head))
    return head


def tree_head_valid(head: dict[str, Any], public: Ed25519PublicKey) -> bool:
    """True when the head carries a valid signature by ``public``."""
    signature = head.get("signature")
    return isinstance(signature, str) and signing.signature_valid(public, head_message(head), signature)


@dataclass
class LogState:
    """What a writer needs to extend the log: sizes, byte lengths and the tree's right edge."""

    size: int
    entries_bytes: int
    heads_count: int
    heads_bytes: int
    last_head_size: int
    root_state: StreamingRoot


def parse_head(data: bytes) -> dict[str, Any] | None:
    """A tree-head line parsed, or None when it is not a tree head at all."""
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(value, dict) and isinstance(value.get("tree_size"), int):
        return value
    return None


class EvidenceLog:
    """The two files of ``log/``. Writers must hold the case lock."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries_path = root / ENTRIES_FILE
        self.heads_path = root / HEADS_FILE

    def iter_heads(self) -> Iterator[tuple[RawLine, dict[str, Any] | None]]:
        """Every complete tree-head line with its parsed head (None when unparsable)."""
        for line in iter_lines(self.heads_path):
            if line.complete:
                yield line, parse_head(line.data)

    def append_batch(self, state: LogState, entries: list[dict[str, Any]], private: Ed25519PrivateKey,
                     sync: bool) -> tuple[list[tuple[int, bytes, bytes]], dict[str, Any]]:
        """Append entries (numbered from ``state.size``) and their signed tree head.

        Returns ``[(seq, line bytes, leaf hash)]`` and the head; updates ``state`` in place.
        """
        written: list[tuple[int, bytes, bytes]] = []
        lines = []
        for entry in entries:
            seq = state.size + len(written)
            data = canonical_json({**entry, "seq": seq, "v": ENTRY_VERSION})
            leaf = leaf_hash(data)
            written.append((seq, data, leaf))
            lines.append(data + b"\n")
        payload = b"".join(lines)
        self.root.mkdir(parents=True, exist_ok=True)
        _append(self.entries_path, payload, sync)
        for _, _, leaf in written:
            state.root_state.append(leaf)
        state.size += len(written)
        state.entries_bytes += len(payload)
        head = make_tree_head(state.size, state.root_state.root(), state.last_head_size, private)
        head_line = canonical_json(head) + b"\n"
        _append(self.heads_path, head_line, sync)
        state.heads_count += 1
        state.heads_bytes += len(head_line)
        state.last_head_size = state.size
        return written, head


def _append(path: Path, payload: bytes, sync: bool) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(payload)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)

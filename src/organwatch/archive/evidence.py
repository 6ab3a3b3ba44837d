"""The evidence archive of one case folder: write-once blobs, the signed log, the signing keys and the
store that indexes them, bundled so that the code which adds, records or looks up evidence takes this one
object instead of the whole case.

>>> # archive = Archive(Path("mycase"), store); archive.add(["report.pdf"]); archive.capture("3f2a1b")
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from organwatch import settings
from organwatch.archive import signing
from organwatch.archive.blobs import BlobStore
from organwatch.archive.captures import AddResult, AddSummary, CaptureMetadata, add_paths
from organwatch.archive.commit import LogWriter
from organwatch.archive.log import EvidenceLog, iter_lines, utc_now
from organwatch.errors import UnknownCaptureError
from organwatch.model import Capture
from organwatch.store import Store


class Archive:
    """Blobs (``blobs/``), log (``log/``), keys (``keys/``) and the store of one case folder."""

    def __init__(self, root: Path, store: Store, name: str | None = None) -> None:
        self.root = root
        self.store = store
        self.name = name or root.name
        self.blobs = BlobStore(root / "blobs")
        self.log = EvidenceLog(root / "log")
        self.keys_dir = root / "keys"
        #: How long writers wait for another process's case lock (None: until it is free), and whom to tell.
        self.lock_wait: float | None = None
        self.on_lock_wait: Callable[[str], None] | None = None

    # -- writing ---------------------------------------------------------------------------------

    @contextmanager
    def writer(self, *, wait: float | None = None,
               on_wait: Callable[[str], None] | None = None) -> Iterator[LogWriter]:
        """Exclusive access to append evidence events (recovers an interrupted write first).

        ``wait``: how long to wait for another process's case lock (None: until it is free); ``on_wait`` is
        told who holds it.
        """
        private = signing.load_private_key(self.keys_dir)
        with LogWriter(self.root, self.store, self.log, self.blobs, private,
                       settings.get("ORGANWATCH_SYNC") == "batch",
                       wait=self.lock_wait if wait is None else wait,
                       on_wait=on_wait or self.on_lock_wait) as writer:
            yield writer

    def default_captured_by(self) -> str:
        """Who is recorded as capturing when nobody is named."""
        return str(settings.get("ORGANWATCH_CAPTURED_BY"))

    def add(self, paths: Iterable[str | Path], meta: CaptureMetadata | None = None, *,
            on_result: Callable[[AddResult], None] | None = None, max_size: int | None = None,
            batch_size: int | None = None,
            after_commit: Callable[[list[AddResult]], None] | None = None,
            follow_links: bool = False) -> AddSummary:
        """Add files and folders (recursively); see :mod:`organwatch.archive.captures`."""
        return add_paths(self, paths, meta,
                         max_size=max_size or settings.get("ORGANWATCH_MAX_FILE_SIZE"),
                         batch_size=batch_size or settings.get("ORGANWATCH_BATCH_SIZE"),
                         on_result=on_result, after_commit=after_commit, follow_links=follow_links)

    def log_event(self, event: dict[str, Any]) -> int:
        """Append one evidence event (an export, a decision) in its own signed batch; return its seq."""
        with self.writer() as writer:
            return writer.commit([{"time": utc_now(), **event}], {})[0][0]

    # -- reading ---------------------------------------------------------------------------------

    def capture(self, ref: str) -> Capture:
        """The capture whose id is ``ref`` or starts with it (at least 4 hex characters)."""
        ref = ref.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{4,64}", ref):
            raise UnknownCaptureError(f"{ref!r} is not a capture id: give at least 4 hexadecimal characters "
                                      "of the SHA-256 (see `organwatch list`)")
        with self.store.view() as view:
            found = view.archive.captures_with_prefix(ref, 6)
        if not found:
            raise UnknownCaptureError(f"no capture with id {ref!r} in case {self.name!r}")
        if len(found) > 1:
            shown = ", ".join(c.id[:16] for c in found[:5])
            raise UnknownCaptureError(f"{ref!r} matches several captures ({shown}...): give more characters")
        return found[0]

    def captures(self, limit: int | None = None, offset: int = 0) -> Iterator[Capture]:
        """Captures in the order they were first logged."""
        with self.store.view() as view:
            yield from view.archive.captures(limit, offset)

    def count_captures(self) -> int:
        """Number of captures."""
        with self.store.view() as view:
            return view.archive.count_captures()

    def blob_path(self, capture_id: str) -> Path:
        """Where the original bytes of a capture are (read-only)."""
        return self.blobs.path(capture_id)

    def log_entries(self) -> Iterator[dict[str, Any]]:
        """Every complete log entry, parsed, in log order (streams); damaged lines are left to ``verify``."""
        for line in iter_lines(self.log.entries_path):
            if line.complete:
                try:
                    entry = json.loads(line.data)
                except (ValueError, UnicodeDecodeError):
                    continue
                if isinstance(entry, dict):
                    yield entry

    def tree_heads(self) -> list[dict[str, Any]]:
        """Every signed tree head in the log."""
        return [head for _, head in self.log.iter_heads() if head is not None]

    def key_id(self) -> str:
        """Fingerprint of this case's public key: publish it so others can check bundles."""
        return signing.key_id(signing.load_public_key(self.keys_dir))

"""Write-once storage of original bytes, named by their SHA-256.

Bytes are streamed into ``blobs/.staging/`` while being hashed (one read, one write, one hash
per chunk), and moved to ``blobs/ab/cd/<sha256>`` only after the log entry naming them is written.
A crash therefore leaves either staged files, which are not evidence and are cleaned up, or a
logged blob still in staging, which recovery moves into place. Stored blobs are made read-only.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from organwatch.archive.sniff import SNIFF_BYTES
from organwatch.errors import OrganWatchError

CHUNK = 1024 * 1024
STAGING = ".staging"
AREA_LOCK = ".lock"
_SHA_RE = re.compile(r"[0-9a-f]{64}")


class FileTooLargeError(OrganWatchError):
    """The input grew past the size limit while it was being read."""


@dataclass(frozen=True)
class StagedBlob:
    """Bytes written to staging: their hash, size, first bytes (for sniffing) and staged path."""

    sha256: str
    size: int
    head: bytes
    path: Path


@dataclass(frozen=True)
class StrayFile:
    """A file under ``blobs/`` that is not where a blob would be."""

    path: Path


class BlobStore:
    """The ``blobs/`` folder of a case."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / STAGING
        self._made: set[Path] = set()  # blob folders known to exist (saves a mkdir per blob)

    def path(self, sha256: str) -> Path:
        """Where the blob with this hash lives."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        """True when the blob is in place."""
        return self.path(sha256).is_file()

    def place(self, staged_path: Path, sha256: str) -> None:
        """Move a staged file to its final, read-only place (or drop it if the blob is there)."""
        final = self.path(sha256)
        if final.exists():
            staged_path.unlink(missing_ok=True)
            return
        if final.parent not in self._made:
            final.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(final.parent)
        os.chmod(staged_path, 0o444)
        os.replace(staged_path, final)

    def staged_copies(self, sha256: str) -> list[Path]:
        """Staged files holding exactly these bytes (left by an interrupted add); hashes them to find out."""
        return [p for p in self.staging_files() if hash_file(p) == sha256]

    def staging_files(self) -> list[Path]:
        """Every file in staging, in all areas."""
        return sorted(p for p in self.staging.glob("*/*") if p.name != AREA_LOCK) if self.staging.is_dir() else []

    def area(self) -> StagingArea:
        """A private staging folder for this process (see :class:`StagingArea`)."""
        return StagingArea(self.staging)

    def remove_abandoned_areas(self) -> int:
        """Delete staging areas whose owner process is gone; return files removed."""
        removed = 0
        if not self.staging.is_dir():
            return 0
        for folder in self.staging.iterdir():
            lock = folder / AREA_LOCK
            try:
                fd = os.open(lock, os.O_RDWR)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)  # still in use by a live process
                continue
            try:
                for item in folder.iterdir():
                    if item.name != AREA_LOCK:
                        item.unlink(missing_ok=True)
                        removed += 1
                lock.unlink(missing_ok=True)
                folder.rmdir()
            except OSError:
                pass
            finally:
                os.close(fd)
        return removed

    def iter_stored(self) -> Iterator[tuple[str, Path] | StrayFile]:
        """Every stored blob as ``(sha256, path)``, and files that are not where a blob would be."""
        if not self.root.is_dir():
            return
        for first in sorted(os.scandir(self.root), key=lambda e: e.name):
            if first.name == STAGING:
                continue
            if not first.is_dir(follow_symlinks=False):
                yield StrayFile(Path(first.path))
                continue
            for dirpath, _dirnames, filenames in os.walk(first.path):
                for name in sorted(filenames):
                    path = Path(dirpath) / name
                    if _SHA_RE.fullmatch(name) and path == self.path(name):
                        yield name, path
                    else:
                        yield StrayFile(path)


class StagingArea:
    """A process's own folder under ``blobs/.staging``, locked while the process lives.

    Other processes never delete an area whose lock is held, so concurrent adds cannot remove each
    other's staged files; an area whose lock is free belongs to a dead process and may be cleaned.
    """

    def __init__(self, staging: Path) -> None:
        self.folder = staging / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._fd: int | None = None

    def __enter__(self) -> StagingArea:
        self.folder.mkdir(parents=True)
        self._fd = os.open(self.folder / AREA_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        for item in self.folder.iterdir():
            if item.name != AREA_LOCK:
                item.unlink(missing_ok=True)
        (self.folder / AREA_LOCK).unlink(missing_ok=True)
        self.folder.rmdir()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def stage(self, source: io.BufferedIOBase, max_size: int) -> StagedBlob:
        """Copy ``source`` here while hashing it; raise FileTooLargeError past ``max_size``."""
        # Named at random, not by hash: renaming after hashing would cost a metadata write per file,
        # and recovery finds a logged blob among staged files by hashing them (see staged_copies).
        target = self.folder / f"{uuid.uuid4().hex}.part"
        digest = hashlib.sha256()
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        size = 0
        head = b""
        try:
            with open(target, "wb") as out:
                while True:
                    n = source.readinto(view)
                    if not n:
                        break
                    size += n
                    if size > max_size:
                        raise FileTooLargeError(size)
                    chunk = view[:n]
                    if len(head) < SNIFF_BYTES:
                        head += bytes(chunk[: SNIFF_BYTES - len(head)])
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return StagedBlob(digest.hexdigest(), size, head, target)


def hash_file(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(path, "rb") as fh:
        while n := fh.readinto(view):
            digest.update(view[:n])
    return digest.hexdigest()

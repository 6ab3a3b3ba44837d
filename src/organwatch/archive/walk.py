"""Enumerate the files to add, lazily, with a clear reason for each one that cannot be read.

Folders are walked depth-first with an explicit stack (no recursion limit), one directory listing
in memory at a time, so a corpus of any size streams. Symbolic links are followed, but a link that
leads back to a folder already on the current path is reported as a loop instead of followed.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InputFile:
    """A regular file to add: where it is, how to name it, and what ``stat`` said."""

    path: Path
    display: str
    original_path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class InputError:
    """A path that cannot be added, and why, in words a user can act on."""

    display: str
    reason: str


def display_path(path: str | Path) -> str:
    """A path as printable text, with undecodable bytes shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def os_reason(exc: OSError) -> str:
    """A short reason for an ``OSError``."""
    reasons = {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOENT: "no such file or directory",
        errno.ELOOP: "symbolic link loop (too many levels of links)",
        errno.ENAMETOOLONG: "file name too long",
        errno.EIO: "input/output error while reading",
        errno.ENOTDIR: "a component of the path is not a folder",
    }
    return reasons.get(exc.errno or 0, (exc.strerror or str(exc)).lower())


def _valid_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _classify(path: Path, display: str, original: str, st: os.stat_result) -> InputFile | InputError | None:
    if stat.S_ISREG(st.st_mode):
        return InputFile(path, display, original, st.st_size, st.st_mtime_ns)
    if stat.S_ISDIR(st.st_mode):
        return None
    kind = "a named pipe" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "a device"
    return InputError(display, f"not a regular file ({kind})")


def iter_inputs(paths: Sequence[str | Path]) -> Iterator[InputFile | InputError]:
    """Yield every file under ``paths`` (files or folders), or an error for each one that fails.

    ``original_path`` is the path relative to the parent of the argument, so adding
    ``/home/me/pages/`` records ``pages/a.html`` and never the investigator's home folder.
    """
    for arg in paths:
        path = Path(arg)
        display = display_path(path)
        if not _valid_name(str(path)):
            yield InputError(display, "file name is not valid UTF-8; rename it and add it again")
            continue
        try:
            st = path.stat()
        except OSError as exc:
            yield InputError(display, os_reason(exc))
            continue
        name = path.resolve().name if path.name in ("", ".", "..") else path.name
        found = _classify(path, display, name, st)
        if found is not None:
            yield found
            continue
        yield from _walk(path, name, (st.st_dev, st.st_ino))


def _walk(top: Path, top_name: str, top_key: tuple[int, int]) -> Iterator[InputFile | InputError]:
    # Each stack item: folder path, its recorded name, and the (device, inode) of it and its ancestors.
    stack: list[tuple[Path, str, frozenset[tuple[int, int]]]] = [(top, top_name, frozenset({top_key}))]
    while stack:
        folder, rel, ancestors = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield InputError(display_path(folder), os_reason(exc))
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            display = display_path(path)
            if not _valid_name(entry.name):
                yield InputError(display, "file name is not valid UTF-8; rename it and add it again")
                continue
            try:
                st = entry.stat(follow_symlinks=True)
            except FileNotFoundError:
                yield InputError(display, "broken symbolic link (its target does not exist)")
                continue
            except OSError as exc:
                yield InputError(display, os_reason(exc))
                continue
            original = f"{rel}/{entry.name}"
            found = _classify(path, display, original, st)
            if found is not None:
                yield found
                continue
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                yield InputError(display, "symbolic link loop: it leads back to a folder that contains it")
                continue
            subfolders.append((path, original, ancestors | {key}))
        stack.extend(reversed(subfolders))

"""Enumerate the files to add, lazily, with a clear reason for each one that cannot be read.

Folders are walked depth-first with an explicit stack (no recursion limit), one directory listing
in memory at a time, so a corpus of any size streams.

What is never read, because archiving it would leak or corrupt the chain of custody:

- an OrganWatch case folder (``case.toml`` beside ``keys/`` and ``log/``), any case, not only the
  open one: it is skipped with a note, so adding a parent folder never archives a case's private
  key, log or database;
- anything inside a case's ``keys/`` folder, whichever way it is reached;
- the open case itself.

A symbolic link whose target lies outside the added folder is refused (a planted link to
``~/.ssh`` or to the case key would otherwise become evidence), unless the user asks for it with
``follow_links``; a followed link is recorded with its target in the capture's provenance. A link
that leads back to a folder already on the current path is reported as a loop instead of followed.
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
    #: The symbolic link this file was reached through and what it points to, when one was followed.
    link: dict[str, str] | None = None


@dataclass(frozen=True)
class InputError:
    """A path that cannot be added, and why, in words a user can act on.

    ``skipped`` marks what is left out on purpose (a case folder inside the added folder) rather
    than a file that failed.
    """

    display: str
    reason: str
    skipped: bool = False


def is_case_folder(path: str | Path) -> bool:
    """True for an OrganWatch case folder (``case.toml``, ``keys/`` and ``log/`` together)."""
    folder = Path(path)
    return (folder / "case.toml").is_file() and (folder / "keys").is_dir() and (folder / "log").is_dir()


def protected_reason(real: str, protect: Sequence[str]) -> str | None:
    """Why a resolved path must not be read (inside a case's keys, a case folder, the open case), or None."""
    for root in protect:
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return "it is inside the case being added to (a case cannot archive its own files)"
    current = real
    while True:
        parent = os.path.dirname(current)
        if is_case_folder(current):
            if current == real:
                return "it is an OrganWatch case folder; its log, database and signing key are never archived"
            inside = os.path.relpath(real, current).split(os.sep)[0]
            if inside == "keys":
                return "it is inside a case's keys/ folder; signing keys are never archived"
        if parent == current:
            return None
        current = parent


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


def _classify(path: Path, display: str, original: str, st: os.stat_result,
              link: dict[str, str] | None = None) -> InputFile | InputError | None:
    if stat.S_ISREG(st.st_mode):
        return InputFile(path, display, original, st.st_size, st.st_mtime_ns, link)
    if stat.S_ISDIR(st.st_mode):
        return None
    kind = "a named pipe" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "a device"
    return InputError(display, f"not a regular file ({kind})")


def iter_inputs(paths: Sequence[str | Path], *, follow_links: bool = False,
                protect: Sequence[str | Path] = ()) -> Iterator[InputFile | InputError]:
    """Yield every file under ``paths`` (files or folders), or an error for each one that fails.

    ``original_path`` is the path relative to the parent of the argument, so adding
    ``/home/me/pages/`` records ``pages/a.html`` and never the investigator's home folder.
    ``protect`` names folders never to read (the open case); see the module notes for the rest.
    """
    guarded = [os.path.realpath(p) for p in protect]
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
        real = os.path.realpath(path)
        refused = protected_reason(real, guarded)
        if refused is not None:
            yield InputError(display, f"not added: {refused}")
            continue
        name = path.resolve().name if path.name in ("", ".", "..") else path.name
        link = _link_record(path, name, real) if path.is_symlink() else None
        found = _classify(path, display, name, st, link)
        if found is not None:
            yield found
            continue
        yield from _walk(path, name, (st.st_dev, st.st_ino), real, follow_links, guarded)


def _link_record(path: Path, original: str, real: str) -> dict[str, str]:
    try:
        target = os.readlink(path)
    except OSError:
        target = real
    return {"link": original, "target": os.fsencode(target).decode("utf-8", "backslashreplace"),
            "resolved": os.fsencode(real).decode("utf-8", "backslashreplace")}


def _inside(real: str, top_real: str) -> bool:
    return real == top_real or real.startswith(top_real.rstrip(os.sep) + os.sep)


# Each stack item of the walk: folder path, its recorded name, the (device, inode) of it and its
# ancestors, and the followed link it was reached through (None when it is inside the added folder).
_Item = tuple[Path, str, frozenset[tuple[int, int]], dict[str, str] | None]


def _walk(top: Path, top_name: str, top_key: tuple[int, int], top_real: str, follow_links: bool,
          guarded: list[str]) -> Iterator[InputFile | InputError]:
    stack: list[_Item] = [(top, top_name, frozenset({top_key}), None)]
    while stack:
        folder, rel, ancestors, via = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield InputError(display_path(folder), os_reason(exc))
            continue
        subfolders: list[_Item] = []
        for entry in entries:
            path = Path(entry.path)
            display = display_path(path)
            if not _valid_name(entry.name):
                yield InputError(display, "file name is not valid UTF-8; rename it and add it again")
                continue
            original = f"{rel}/{entry.name}"
            link = via
            if entry.is_symlink():
                real = os.path.realpath(path)
                refused = protected_reason(real, guarded)
                if refused is not None:
                    yield InputError(display, f"symbolic link not followed: {refused}")
                    continue
                if via is None and not _inside(real, top_real):
                    if not follow_links:
                        yield InputError(display, "symbolic link to a place outside the added folder "
                                         f"({display_path(real)}): not followed (add that place itself, or use "
                                         "--follow-links to follow such links and record their targets)")
                        continue
                    link = _link_record(path, original, real)
            elif entry.is_dir(follow_symlinks=False) and is_case_folder(path):
                yield InputError(display, "skipped: an OrganWatch case folder (its log, database and signing key "
                                 "are never archived)", skipped=True)
                continue
            try:
                st = entry.stat(follow_symlinks=True)
            except FileNotFoundError:
                yield InputError(display, "broken symbolic link (its target does not exist)")
                continue
            except OSError as exc:
                yield InputError(display, os_reason(exc))
                continue
            found = _classify(path, display, original, st, link)
            if found is not None:
                yield found
                continue
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                yield InputError(display, "symbolic link loop: it leads back to a folder that contains it")
                continue
            if link is not None and link is not via and is_case_folder(path):
                yield InputError(display, "skipped: a link to an OrganWatch case folder (its log, database and "
                                 "signing key are never archived)", skipped=True)
                continue
            subfolders.append((path, original, ancestors | {key}, link))
        stack.extend(reversed(subfolders))

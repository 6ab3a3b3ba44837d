"""Every ``ORGANWATCH_*`` environment variable, declared once.

Each setting is a :class:`Setting` (name, default, help, parser), the way datasette declares its
settings, so that the README table and a test can check that every one is documented. Read them
through :func:`get` so that a test can change the environment and see the new value.

Example::

    >>> from organwatch import settings
    >>> settings.get("ORGANWATCH_MAX_FILE_SIZE")
    2147483648
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from organwatch.errors import OrganWatchError

_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2,
          "g": 1000**3, "gb": 1000**3, "gib": 1024**3, "t": 1000**4, "tb": 1000**4, "tib": 1024**4}


def parse_size(text: str) -> int:
    """Parse a byte size such as ``2147483648``, ``500MB`` or ``2 GiB``.

    >>> parse_size("2 GiB")
    2147483648
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {text!r} (use a number of bytes, or e.g. 500MB, 2GiB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"must be at least 1, not {value}")
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, not {text!r}")
        return text

    return parse


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return f"uid {os.getuid()}"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default, one-line help and parser."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting("ORGANWATCH_CASE", ".", "Case folder used when a command gets no --case."),
    Setting("ORGANWATCH_CAPTURED_BY", None,
            "Who is recorded as having captured evidence (default: the operating-system user name)."),
    Setting("ORGANWATCH_MAX_FILE_SIZE", 2 * 1024**3,
            "Largest file `add` accepts, in bytes or with a unit (500MB, 2GiB).", parse_size),
    Setting("ORGANWATCH_BATCH_SIZE", 500,
            "Files per committed batch of `add`; each batch ends with a signed tree head.", _positive_int),
    Setting("ORGANWATCH_SYNC", "batch",
            "`batch`: flush archived bytes to disk before each batch is logged; `off`: leave it to the OS.",
            _choice("batch", "off")),
    Setting("ORGANWATCH_REFERENCE_DATA", None,
            "Folder of reference data sets for `make eval` (default: ../shared/data beside the repository)."),
    Setting("ORGANWATCH_PROGRESS", "auto",
            "`auto`: progress bar on a terminal, plain lines otherwise; `bar`; `lines`; `none`.",
            _choice("auto", "bar", "lines", "none")),
    Setting("ORGANWATCH_EMBED", "auto",
            "`auto`: `add` embeds new documents for semantic search when the semantic extra is installed; "
            "`off`: only `organwatch embed` does.", _choice("auto", "off")),
    Setting("ORGANWATCH_JOBS", None,
            "Worker processes that read text, extract and index during `add` and `reprocess` "
            "(default: the number of cores; `--jobs` overrides it).", _positive_int),
    Setting("ORGANWATCH_DATABASE_URL", None,
            "PostgreSQL URL (postgresql://user:password@host/db) of a case on a team server; used instead of "
            "the password-less URL in case.toml when it names the same host and database."),
    Setting("ORGANWATCH_NEW_CASE_DATABASE", None,
            "PostgreSQL URL where `init` without --database puts a new case: a URL naming a database uses "
            "that (empty) database; one naming only the server (postgresql://me@host/) creates a database "
            "per case (needs CREATEDB). Unset: a SQLite file in the case folder."),
    Setting("ORGANWATCH_DATABASE_WAIT", 30,
            "Seconds to keep retrying a PostgreSQL server that refuses connections (restarting) before failing.",
            _positive_int),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class SettingError(OrganWatchError, ValueError):
    """An ``ORGANWATCH_*`` variable holds a value that cannot be used."""


def get(name: str) -> Any:
    """Return the current value of setting ``name``, parsed, or its default when unset."""
    setting = _BY_NAME[name]
    raw = os.environ.get(name)
    if raw is None or raw == "":
        if name == "ORGANWATCH_CAPTURED_BY":
            return _default_user()
        return setting.default
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise SettingError(f"{name}={raw!r}: {exc}") from None

"""What every command module shares: options, output formats, consoles and the one-line error handling.

Kept light at import time (typer and rich only): the case, the store and the stages are imported when a
command runs, so that ``organwatch --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from organwatch import settings
from organwatch.errors import OrganWatchError

if TYPE_CHECKING:
    from organwatch.case import Case

# Off a terminal, rich would wrap tables at 80 columns; pipes and files get wide lines instead.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(str, Enum):
    """Output formats."""

    table = "table"
    json = "json"
    jsonl = "jsonl"


CaseOption = Annotated[Path | None, typer.Option("--case", "-c", help="Case folder (default: $ORGANWATCH_CASE, "
                                                 "else the current folder).", show_default=False)]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table for people, json/jsonl for machines.")]
WaitOption = Annotated[float | None, typer.Option("--wait", help="Seconds to wait for the case lock when another "
                                                  "process holds it (default: until it is free).",
                                                  show_default=False)]


def printable(text: object) -> str:
    """Text with control and bidi characters escaped (the archive's display rule, imported when used)."""
    from organwatch.archive.display import printable as archive_printable

    return archive_printable(text)


def _show(text: object) -> str:
    """Text from evidence or the user, safe for the terminal: controls and bidi characters escaped, no markup."""
    return escape(printable(text))


def _fail(message: str) -> NoReturn:
    """Print ``error: MESSAGE`` on one line and exit with status 1."""
    err.print(f"error: {_show(message)}")
    raise typer.Exit(1)


def _index_damaged(exc: Exception) -> str:
    return (f"the case index organwatch.db cannot be used ({exc}); rebuild it from the log and the blobs with "
            "`organwatch rebuild-index --case CASE`")


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the errors a user can act on into one line and exit 1; anything else is a bug and keeps its trace."""
    import sqlean

    try:
        yield
    except (OrganWatchError, settings.SettingError) as exc:
        _fail(str(exc))
    except sqlean.DatabaseError as exc:
        _fail(_index_damaged(exc))


def _open(case: Path | None) -> Case:
    from organwatch.case import open_case

    with _errors():
        return open_case(case)
    raise AssertionError("unreachable")


def _lock_waiting(case: Case, wait: float | None) -> None:
    """Say who holds the case lock when a write has to wait for it, and for how long to wait."""
    if wait is not None and wait < 0:
        _fail("--wait must be 0 or more seconds")
    case.lock_wait = wait
    case.on_lock_wait = lambda message: err.print(_show(message))


def _emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=1) + "\n")

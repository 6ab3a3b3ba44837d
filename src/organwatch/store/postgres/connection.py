"""Connecting to PostgreSQL: URLs, rows that read like SQLite's, and errors a person can act on.

Rows come back as :class:`Row`, a tuple that can also be read by column name and turned into a dict
(as ``sqlite3.Row``), so the integrity checks that still run raw SQL read both backends alike.
A server that cannot be reached, or refuses the credentials, becomes one :class:`~organwatch.errors.CaseError`
naming the host and what to do, never a driver traceback; the URL's password is never shown.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.rows import RowMaker

from organwatch.errors import CaseError
from organwatch.store.errors import StoreUnavailableError

_CURSORS = itertools.count()
CONNECT_TIMEOUT = 10  # seconds to wait for a server before saying it is unreachable


class Row(tuple[Any, ...]):
    """A result row readable by position and by column name (``row["id"]``, ``dict(row)``)."""

    _names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._names.index(key))
            except ValueError:
                raise KeyError(key) from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """Column names, in order."""
        return list(self._names)


def row_factory(cursor: psycopg.Cursor[Any]) -> RowMaker[Row]:
    """A psycopg row factory making :class:`Row`."""
    names = tuple(column.name for column in cursor.description or ())
    cls = type("Row", (Row,), {"_names": names, "__slots__": ()})

    def make(values: Sequence[Any]) -> Row:
        return cls(values)  # type: ignore[no-any-return]

    return make


def redact(url: str) -> str:
    """The URL without its password (for messages and ``case.toml``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable database URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def where(url: str) -> str:
    """``host:port/database`` of a URL, for messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or 5432
    except ValueError:
        return redact(url)
    return f"{host}:{port}{parts.path or '/'}"


def check_url(url: str) -> str:
    """The URL if it is a ``postgresql://`` URL, else a CaseError saying what one looks like."""
    if not re.match(r"^postgres(ql)?://", url):
        raise CaseError(f"{redact(url)!r} is not a PostgreSQL URL: use postgresql://user[:password]@host[:port]/database")
    return url


def explain(url: str, exc: BaseException) -> CaseError:
    """A one-line CaseError for a failed connection or a connection lost mid-way (a StoreUnavailableError
    when the server is out of reach)."""
    text = " ".join(str(exc).split())
    target = where(url)
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered \
            or "authentication failed" in lowered or ("role" in lowered and "does not exist" in lowered):
        return CaseError(f"PostgreSQL at {target} refused the credentials ({text}); check the user and password "
                         "in the database URL (or PGPASSWORD / ~/.pgpass)")
    if "database" in lowered and "does not exist" in lowered:
        return CaseError(f"PostgreSQL at {target}: the database does not exist; create it (createdb) or fix the URL")
    if "connection refused" in lowered or "timeout" in lowered or "could not translate host name" in lowered \
            or "no route to host" in lowered or "is the server running" in lowered:
        return StoreUnavailableError(f"cannot reach PostgreSQL at {target} ({text}); check that the server runs "
                                     "and accepts TCP connections from this machine, then try again")
    if "terminat" in lowered or "server closed the connection" in lowered or "consuming input failed" in lowered \
            or "connection is closed" in lowered or "connection is lost" in lowered:
        return StoreUnavailableError(f"lost the connection to PostgreSQL at {target} ({text}); the interrupted "
                                     "write was rolled back: run the same command again to resume")
    return CaseError(f"PostgreSQL at {target}: {text}")


def connect(url: str, *, read_only: bool = False) -> psycopg.Connection[Row]:
    """A new connection, or a CaseError naming the host.

    A read-only connection runs each statement on its own (autocommit, like a SQLite read connection)
    and refuses writes; a writable one groups statements in transactions.
    """
    try:
        conn = psycopg.connect(check_url(url), row_factory=row_factory, connect_timeout=CONNECT_TIMEOUT,
                               application_name="organwatch", autocommit=read_only,
                               options="-c default_transaction_read_only=on" if read_only else None)
    except psycopg.Error as exc:
        raise explain(url, exc) from None
    return conn


def stream(conn: psycopg.Connection[Any], sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
    """Rows of a query read through a server-side cursor, a batch at a time (other queries may run on the
    same connection meanwhile, which a client-side stream would forbid)."""
    # Outside a transaction (a read session) the cursor must be WITH HOLD to outlive its statement.
    with conn.cursor(name=f"organwatch_{next(_CURSORS)}", withhold=conn.autocommit) as cursor:
        cursor.itersize = 2000
        cursor.execute(sql, params)
        yield from cursor


def without_password(url: str) -> str:
    """The URL with its password removed (what a case folder may keep)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


_KNOWN: dict[str, str] = {}


def remember(url: str) -> None:
    """Keep a URL with its password for this process (a case created now is opened with it)."""
    _KNOWN[where(url)] = url


def with_known_password(url: str) -> str:
    """The remembered URL for the same server and database, or ``url`` itself."""
    return _KNOWN.get(where(url), url)

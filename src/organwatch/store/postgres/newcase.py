"""Where a new case's index goes when ``init`` is given no ``--database``: ``ORGANWATCH_NEW_CASE_DATABASE``.

A team that keeps every case on one server sets it once. A URL naming a database is used as it is (it
must be empty, as with ``--database``); a URL naming only the server (``postgresql://me@db.example/``)
gets a fresh database per case, named after the case folder, with the folder's path as the database's
comment so that whoever runs the server can tell which case owns which database.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from organwatch.errors import CaseError
from organwatch.store.postgres.connection import check_url, explain, redact, where

COMMENT_PREFIX = "OrganWatch case "
_MAINTENANCE = ("postgres", "template1")  # databases to connect to for CREATE DATABASE, in order


def names_database(url: str) -> bool:
    """Whether a ``postgresql://`` URL names a database (a path after the host)."""
    return urlsplit(url).path.strip("/") != ""


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_name(case_root: Path) -> str:
    """A new database's name: ``organwatch_`` + the folder name in lower-case ASCII + a random suffix.

    >>> import re; bool(re.fullmatch(r"organwatch_my_case_[0-9a-f]{8}", database_name(Path("/x/My Case"))))
    True
    """
    slug = re.sub(r"[^a-z0-9]+", "_", case_root.name.lower()).strip("_")[:30] or "case"
    return f"organwatch_{slug}_{secrets.token_hex(4)}"


def maintenance_connection(server_url: str) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection to the server's ``postgres`` (else ``template1``) database, to create databases."""
    last: psycopg.Error | None = None
    for database in _MAINTENANCE:
        try:
            return psycopg.connect(_with_database(server_url, database), autocommit=True, connect_timeout=10,
                                   application_name="organwatch")
        except psycopg.Error as exc:
            last = exc
            if "does not exist" not in str(exc):
                break
    assert last is not None
    raise explain(server_url, last) from None


def new_case_database(server_url: str, case_root: Path) -> str:
    """The URL of the database a new case at ``case_root`` should use, creating it when the URL names none."""
    check_url(server_url)
    if names_database(server_url):
        return server_url
    name = database_name(case_root)
    conn = maintenance_connection(server_url)
    try:
        try:
            conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0")
                         .format(sql.Identifier(name)))
        except psycopg.errors.InsufficientPrivilege:
            user = urlsplit(server_url).username or "this user"
            raise CaseError(f"PostgreSQL at {where(server_url)}: {user} may not create databases; grant it "
                            f"(ALTER ROLE {user} CREATEDB) or set ORGANWATCH_NEW_CASE_DATABASE to a URL naming "
                            "an empty database") from None
        except psycopg.Error as exc:
            raise CaseError(f"PostgreSQL at {redact(server_url)}: cannot create a database for the new case "
                            f"({' '.join(str(exc).split())})") from None
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(name), sql.Literal(COMMENT_PREFIX + str(case_root.resolve()))))
    finally:
        conn.close()
    return _with_database(server_url, name)


def with_server_password(url: str, server_url: str | None) -> str:
    """``url`` with the password of ``server_url`` (``ORGANWATCH_NEW_CASE_DATABASE``) when ``url`` has none and
    both name the same user on the same server: a case created on that server opens in a later process too.

    >>> with_server_password("postgresql://me@db:5432/c1", "postgresql://me:pw@db/")
    'postgresql://me:pw@db:5432/c1'
    >>> with_server_password("postgresql://you@db/c1", "postgresql://me:pw@db/")
    'postgresql://you@db/c1'
    """
    if not server_url:
        return url
    try:
        mine, server = urlsplit(url), urlsplit(server_url)
        same = (mine.password is None and server.password is not None and mine.username == server.username
                and (mine.hostname or "localhost") == (server.hostname or "localhost")
                and (mine.port or 5432) == (server.port or 5432))
    except ValueError:
        return url
    if not same:
        return url
    host = mine.netloc.rsplit("@", 1)[1]
    netloc = f"{mine.username}:{server.password}@{host}"
    return urlunsplit((mine.scheme, netloc, mine.path, mine.query, mine.fragment))

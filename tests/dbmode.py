"""The storage backend the suite runs on (``pytest --db-url``): SQLite, a throwaway PostgreSQL cluster, or a
PostgreSQL server of your own.

On PostgreSQL, ``ORGANWATCH_NEW_CASE_DATABASE`` names the server without a database, so every ``init``
creates a fresh database, commented with its case folder's path; :func:`drop_case_databases` drops the
databases of the cases under a folder (a test's temporary folder when it ends, the session's at the end).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import sqlean
from psycopg import sql

from organwatch.store.postgres.newcase import COMMENT_PREFIX, database_name, maintenance_connection, names_database
from tests.pgcluster import throwaway_cluster


@dataclass(frozen=True)
class Server:
    """Where the session's new cases go (``new_cases``: a URL naming no database) and a database to connect
    to for creating and dropping them (``maintenance``); ``throwaway``: the session's own cluster."""

    new_cases: str
    maintenance: str
    throwaway: bool


def check_option(option: str) -> None:
    """Refuse a ``--db-url`` that is neither ``sqlite``, ``postgresql`` nor a ``postgresql://`` URL."""
    if option in ("sqlite", "postgresql") or option.startswith(("postgresql://", "postgres://")):
        return
    raise pytest.UsageError(f"--db-url {option!r}: use sqlite, postgresql (a throwaway cluster) or "
                            "postgresql://user@host/database (a running server; the user needs CREATEDB)")


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


@contextlib.contextmanager
def server(option: str) -> Iterator[Server]:
    """The server of a ``--db-url`` other than ``sqlite``: started (and removed) here for ``postgresql``."""
    if option == "postgresql":
        with throwaway_cluster() as url:
            yield Server(_with_path(url, "/"), url, throwaway=True)
        return
    maintenance = option if names_database(option) else _with_path(option, "/postgres")
    try:
        psycopg.connect(maintenance, connect_timeout=10).close()
    except psycopg.Error as exc:
        raise pytest.UsageError(f"--db-url: cannot connect to {option}: {' '.join(str(exc).split())}") from None
    yield Server(_with_path(option, "/"), maintenance, throwaway=False)


def drop_case_databases(maintenance: str, folder: Path) -> int:
    """Drop the databases of the cases created in ``folder`` or below it; return how many."""
    owner = COMMENT_PREFIX + str(folder.resolve())
    with psycopg.connect(maintenance, autocommit=True) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT datname FROM pg_database WHERE shobj_description(oid, 'pg_database') = %s "
            "OR starts_with(shobj_description(oid, 'pg_database'), %s)", (owner, owner + "/"))]
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    return len(names)


def give_copy_its_own_index(root: Path) -> None:
    """After copying a case folder: on PostgreSQL, point the copy at a copy of the database (a folder copy
    alone would share the original's index, as two folders naming one server database do)."""
    config = tomllib.loads((root / "case.toml").read_text(encoding="utf-8"))
    url = config.get("store", {}).get("url")
    if config.get("store", {}).get("backend") != "postgresql" or not isinstance(url, str):
        return
    source = urlsplit(url).path.strip("/")
    name = database_name(root)
    with maintenance_connection(_with_path(url, "/")) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(source)))
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(name), sql.Literal(COMMENT_PREFIX + str(root.resolve()))))
    text = (root / "case.toml").read_text(encoding="utf-8")
    (root / "case.toml").write_text(text.replace(json.dumps(url), json.dumps(_with_path(url, "/" + name))),
                                    encoding="utf-8")


def store_url(root: Path) -> str | None:
    """The ``postgresql://`` URL of a case's index, or None when the case keeps a SQLite file."""
    section = tomllib.loads((root / "case.toml").read_text(encoding="utf-8")).get("store", {})
    return str(section["url"]) if section.get("backend") == "postgresql" else None


def execute_in_index(root: Path, statement: str, params: tuple[object, ...] = ()) -> None:
    """Run one SQL statement on a case's index behind the store's back (to damage it), on either backend."""
    url = store_url(root)
    if url is None:
        conn = sqlean.connect(str(root / "organwatch.db"), isolation_level=None)
        conn.execute(statement, params)
        conn.close()
        return
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute(statement.replace("?", "%s"), params)  # type: ignore[arg-type]


@contextlib.contextmanager
def new_cases_on_sqlite() -> Iterator[None]:
    """Within the block, ``init`` makes SQLite cases whatever ``--db-url`` says (for tests that compare or move
    a SQLite case to PostgreSQL)."""
    saved = os.environ.pop("ORGANWATCH_NEW_CASE_DATABASE", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["ORGANWATCH_NEW_CASE_DATABASE"] = saved


# What a test (or a fixture it uses, or a test helper it imports) writes when it may create a case or open a
# store: a test none of whose sources says any of these behaves the same on every backend.
STORE_WORDS = ("init_case", "open_case", "Case(", '"init"', "open_store", "Store(", ".store", "case_db",
               "DATABASE", "pg_", "migrate", "organwatch.db", "--case", "case.toml", "Workbench")


def _source(obj: object, cache: dict[str, str]) -> str:
    module = inspect.getmodule(obj)
    path = getattr(module, "__file__", None)
    if module is None or path is None:
        return ""
    if path not in cache:
        try:
            cache[path] = Path(path).read_text(encoding="utf-8")
        except OSError:
            cache[path] = ""
    return cache[path]


def touches_a_store(item: pytest.Item, cache: dict[str, str]) -> bool:
    """Whether a test may create a case or open a store, read from the source of its module, of the modules
    defining the fixtures it uses and of the tests' own helper modules it imports (when in doubt: yes)."""
    module = getattr(item, "module", None)
    if module is None or not module.__name__.startswith("tests"):
        return True
    sources = [_source(module, cache)]
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        for definition in (info.name2fixturedefs.get(name, ()) if info is not None else ()):
            if name not in ("tmp_path", "tmp_path_factory", "monkeypatch", "request", "new_case_server",
                            "_quiet_settings") and definition.func.__module__ != "tests.conftest":
                sources.append(_source(definition.func, cache))
    if "case" in getattr(item, "fixturenames", ()):
        return True
    for value in vars(module).values():
        owner = getattr(value, "__module__", None) or getattr(value, "__name__", "")
        if isinstance(owner, str) and owner.startswith("tests") and owner not in (module.__name__, "tests.conftest"):
            sources.append(_source(value, cache))
    return any(word in source for source in sources for word in STORE_WORDS)

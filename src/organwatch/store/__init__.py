"""Storage of a case's index and derived data: one :class:`~organwatch.store.base.Store` interface
(:mod:`.base`), SQLite by default (:mod:`.sqlite`), chosen by ``[store] backend`` in ``case.toml``.

>>> sorted(BACKENDS)
['postgresql', 'sqlite']
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from organwatch.errors import CaseError
from organwatch.store.base import Session, Store, View, Writer

# backend name -> "module:class"; a backend is imported only when a case uses it.
BACKENDS = {"sqlite": "organwatch.store.sqlite:SQLiteStore",
            "postgresql": "organwatch.store.postgres:PostgresStore"}
DEFAULT_DATABASE = "organwatch.db"

__all__ = ["BACKENDS", "Session", "Store", "View", "Writer", "open_store"]


def open_store(root: Path, config: dict[str, Any]) -> Store:
    """The store a case's ``case.toml`` names (``[store] backend``, default ``sqlite``), not yet migrated.

    The database file (``[store] database``) must be a plain file name inside the case folder.
    """
    section = config.get("store", {})
    if not isinstance(section, dict):
        raise CaseError(f"{root / 'case.toml'}: [store] must be a table (backend = \"sqlite\")")
    backend = section.get("backend", "sqlite")
    if not isinstance(backend, str) or backend not in BACKENDS:
        known = ", ".join(sorted(BACKENDS))
        raise CaseError(f"{root / 'case.toml'}: unknown store backend {backend!r} in [store]; use one of: {known}")
    if backend == "postgresql":
        return _open_postgres(root, section)
    database = section.get("database", DEFAULT_DATABASE)
    if (not isinstance(database, str) or not database or database in (".", "..") or "/" in database
            or "\\" in database or "\x00" in database):
        raise CaseError(f"{root / 'case.toml'}: [store] database must be a file name inside the case folder, "
                        f"not {database!r}")
    module_name, class_name = BACKENDS[backend].split(":")
    cls: Any = getattr(importlib.import_module(module_name), class_name)
    store: Store = cls(root / database)
    return store


def _open_postgres(root: Path, section: dict[str, Any]) -> Store:
    """A PostgreSQL store from ``[store] url`` (written without its password: the password comes from
    ``ORGANWATCH_DATABASE_URL`` naming the same server and database, ``ORGANWATCH_NEW_CASE_DATABASE`` naming
    the same server and user, ``PGPASSWORD`` or ``~/.pgpass``)."""
    from organwatch import settings
    from organwatch.store.postgres.connection import check_url, where, with_known_password
    from organwatch.store.postgres.newcase import with_server_password

    url = section.get("url")
    override = settings.get("ORGANWATCH_DATABASE_URL")
    if url is None and override:
        url = override  # a store named only by the environment (a team's shared setting)
    if not isinstance(url, str) or not url:
        raise CaseError(f"{root / 'case.toml'}: [store] backend = \"postgresql\" needs url = \"postgresql://...\" "
                        "(or ORGANWATCH_DATABASE_URL)")
    check_url(url)
    if override and where(override) == where(url):
        url = override
    url = with_known_password(url)
    url = with_server_password(url, settings.get("ORGANWATCH_NEW_CASE_DATABASE"))
    module_name, class_name = BACKENDS["postgresql"].split(":")
    cls: Any = getattr(importlib.import_module(module_name), class_name)
    store: Store = cls(url)
    return store

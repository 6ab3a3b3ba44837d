"""Named migration sets per area for PostgreSQL, recorded in the ``migrations`` table (as on SQLite).

Each area owns ``schema/<area>/NNNN_name.sql``; areas apply in :data:`AREAS` order, then any other
folder by name. Migrations run under a transaction-level advisory lock, so several machines opening
the same database at once apply each one exactly once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import psycopg

from organwatch.errors import CaseError
from organwatch.store.records import AppliedMigration
from organwatch.store.sqlite.migrations import Migration

AREAS = ("archive", "documents", "search", "mentions", "entities", "claims", "pending")
MIGRATION_LOCK = 0x6F77_6D69  # advisory lock key while migrating ("owmi")
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

TABLE = """CREATE TABLE IF NOT EXISTS migrations (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    area TEXT NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (area, name)
)"""


def available() -> list[Migration]:
    """Every PostgreSQL migration shipped, areas in :data:`AREAS` order then by name, files by number."""
    root = resources.files("organwatch.store.postgres").joinpath("schema")
    folders = {item.name: item for item in root.iterdir() if item.is_dir() and not item.name.startswith(("_", "."))}
    order = [a for a in AREAS if a in folders] + sorted(set(folders) - set(AREAS))
    found: list[Migration] = []
    for area in order:
        files = []
        for item in folders[area].iterdir():
            if item.name.endswith(".sql"):
                if not _FILE.match(item.name):
                    raise CaseError(f"store migration {area}/{item.name} is not named NNNN_name.sql")
                files.append(Migration(area, item.name[:-4], item.read_text(encoding="utf-8")))
        found.extend(sorted(files, key=lambda m: m.name))
    return found


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def applied(conn: psycopg.Connection[Any]) -> list[AppliedMigration]:
    """The migrations recorded in a database, in the order applied (empty before the table exists)."""
    if conn.execute("SELECT to_regclass('migrations')").fetchone()[0] is None:  # type: ignore[index]
        return []
    return [AppliedMigration(r[0], r[1], r[2])
            for r in conn.execute("SELECT area, name, applied_at FROM migrations ORDER BY seq")]


def migrate(conn: psycopg.Connection[Any], where: str) -> list[AppliedMigration]:
    """Apply every migration not yet recorded, each in its own transaction; return those applied now."""
    done: list[AppliedMigration] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(TABLE)
    for migration in available():
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                if conn.execute("SELECT 1 FROM migrations WHERE area = %s AND name = %s",
                                (migration.area, migration.name)).fetchone() is not None:
                    continue
                conn.execute(migration.sql.encode("utf-8"))
                record = AppliedMigration(migration.area, migration.name, _now())
                conn.execute("INSERT INTO migrations (area, name, applied_at) VALUES (%s, %s, %s)",
                             (record.area, record.name, record.applied_at))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise CaseError(f"{where}: migration {migration.area}/{migration.name} needs a privilege the user lacks "
                            f"({' '.join(str(exc).split())}); ask the database owner to run it once, or to "
                            "`CREATE EXTENSION pg_trgm`") from None
        done.append(record)
    return done

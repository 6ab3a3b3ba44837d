"""Named migration sets, one per area, recorded per area in the ``migrations`` table.

Each area owns a folder ``schema/<area>/`` of ``NNNN_name.sql`` files, applied in number order and
recorded as ``(area, "NNNN_name")`` once applied, so areas grow their schemas independently: a new
migration of one area never renumbers another's. Areas are applied in :data:`AREAS` order (an area's
tables may refer to an earlier area's), then any other folder in name order, so a new area needs no
code here: add ``schema/<area>/0001_<name>.sql``.

A case made before per-area migrations counted one sequence in ``PRAGMA user_version`` (1 to 4): those
four files are exactly the first migration of the four core areas (:data:`LEGACY`), so such a case is
adopted by recording them as applied. ``user_version`` is then set to :data:`FORMAT`, which older
OrganWatch versions refuse to open ("newer than this OrganWatch understands") instead of writing a
schema they do not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from organwatch.errors import CaseError
from organwatch.store.records import AppliedMigration

Connection = Any  # a sqlean connection (the package ships no type hints)

AREAS = ("archive", "documents", "search", "mentions")
LEGACY = {1: ("archive", "0001_initial"), 2: ("documents", "0001_documents"), 3: ("search", "0001_search"),
          4: ("mentions", "0001_mentions")}
FORMAT = 1000  # user_version of a store whose migrations are recorded per area
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

TABLE = """CREATE TABLE IF NOT EXISTS migrations (
    area TEXT NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (area, name)
)"""


@dataclass(frozen=True)
class Migration:
    """One migration file of one area."""

    area: str
    name: str
    sql: str


def available() -> list[Migration]:
    """Every migration shipped, areas in :data:`AREAS` order then by name, each area's files by number."""
    root = resources.files("organwatch.store.sqlite").joinpath("schema")
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


def statements(sql: str) -> list[str]:
    """Split a migration file into statements (our files hold no semicolons inside literals)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def applied(c: Connection) -> list[AppliedMigration]:
    """The migrations recorded in a database, in the order applied (empty before the table exists)."""
    if c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone() is None:
        return []
    return [AppliedMigration(r[0], r[1], r[2])
            for r in c.execute("SELECT area, name, applied_at FROM migrations ORDER BY rowid")]


def migrate(c: Connection, where: str) -> list[AppliedMigration]:
    """Adopt a legacy database, then apply every migration not yet recorded; return those applied now.

    Each migration runs in its own ``BEGIN IMMEDIATE`` transaction and checks again inside it, so two
    processes opening a case at once apply each migration once.
    """
    c.execute("BEGIN IMMEDIATE")
    try:
        version = int(c.execute("PRAGMA user_version").fetchone()[0])
        if version > FORMAT or (version != FORMAT and version > max(LEGACY)):
            raise CaseError(f"{where}: store format {version} is newer than this OrganWatch understands; "
                            "upgrade OrganWatch")
        c.execute(TABLE)
        if version != FORMAT:
            # A store counted by user_version: its migrations are the first of each core area.
            c.executemany("INSERT OR IGNORE INTO migrations (area, name, applied_at) VALUES (?, ?, ?)",
                          [(*LEGACY[n], _now()) for n in sorted(LEGACY) if n <= version])
            c.execute(f"PRAGMA user_version = {FORMAT}")
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    done: list[AppliedMigration] = []
    for migration in available():
        c.execute("BEGIN IMMEDIATE")
        try:
            if c.execute("SELECT 1 FROM migrations WHERE area = ? AND name = ?",
                         (migration.area, migration.name)).fetchone() is not None:
                c.execute("ROLLBACK")
                continue
            for statement in statements(migration.sql):
                c.execute(statement)
            record = AppliedMigration(migration.area, migration.name, _now())
            c.execute("INSERT INTO migrations (area, name, applied_at) VALUES (?, ?, ?)",
                      (record.area, record.name, record.applied_at))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        done.append(record)
    return done

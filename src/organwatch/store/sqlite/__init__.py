"""The SQLite backend of the store: one repository module per area, migrations per area in ``schema/<area>/``."""

from organwatch.store.sqlite.store import SQLiteStore, SQLiteView

__all__ = ["SQLiteStore", "SQLiteView"]

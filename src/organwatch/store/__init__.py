"""Storage of a case's index: one ``Store`` interface, SQLite by default."""

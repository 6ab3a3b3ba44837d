"""The PostgreSQL store (psycopg 3): the same repositories as SQLite, for a team sharing one case."""

from organwatch.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]

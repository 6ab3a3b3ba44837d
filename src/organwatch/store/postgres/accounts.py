"""Accounts and restricted evidence on PostgreSQL: users, sessions, login failures, restrictions, and the
restriction-aware reads of documents, captures and log entries (tables of the ``accounts`` area)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from organwatch.store.base import AccountsWriter
from organwatch.store.records import Principal, UserRecord

Connection = Any  # psycopg.Connection[Row]


def hidden_documents_sql(viewer: Principal) -> tuple[str, list[Any]]:
    """A sub-select of the ids of documents ``viewer`` may not see, with its parameters."""
    sql = ("SELECT rd.id FROM documents rd JOIN restrictions rr ON rr.capture_id = rd.capture_id "
           "AND rr.locator = rd.locator GROUP BY rd.id HAVING count(*) FILTER (WHERE rr.principal = ANY(%s)) = 0")
    return sql, [list(viewer.principals)]


def _user(row: Any) -> UserRecord:
    return UserRecord(row["name"], row["role"], row["password_hash"], row["created_at"], bool(row["disabled"]))


def _visible_clause(viewer: Principal, alias: str = "d") -> tuple[str, list[Any]]:
    if viewer.sees_everything:
        return "TRUE", []
    hidden, params = hidden_documents_sql(viewer)
    return f"{alias}.id NOT IN ({hidden})", params


def _hidden_captures_clause(viewer: Principal, column: str) -> tuple[str, list[Any]]:
    if viewer.sees_everything:
        return "TRUE", []
    hidden, params = hidden_documents_sql(viewer)
    return (f"({column} IS NULL OR {column} NOT IN (SELECT hd.capture_id FROM documents hd WHERE hd.id IN ({hidden})))",
            params)


class PostgresAccounts(AccountsWriter):
    """Accounts and restrictions over one PostgreSQL connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get_user(self, name: str) -> UserRecord | None:
        """The account called ``name``, if any."""
        row = self.conn.execute("SELECT * FROM users WHERE name = %s", (name,)).fetchone()
        return None if row is None else _user(row)

    def list_users(self) -> list[UserRecord]:
        """Every account, by name."""
        return [_user(r) for r in self.conn.execute("SELECT * FROM users ORDER BY name")]

    def upsert_user(self, name: str, role: str, password_hash: str, created_at: str) -> bool:
        """Create the account, or replace its role and password; True when it is new. Ends its sessions."""
        existed = self.conn.execute("SELECT 1 FROM users WHERE name = %s", (name,)).fetchone() is not None
        self.conn.execute("INSERT INTO users (name, role, password_hash, created_at) VALUES (%s, %s, %s, %s) "
                     "ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, "
                     "disabled = 0", (name, role, password_hash, created_at))
        self.conn.execute("DELETE FROM user_sessions WHERE user_name = %s", (name,))
        return not existed

    def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace a hash (argon2 parameters changed since it was made)."""
        self.conn.execute("UPDATE users SET password_hash = %s WHERE name = %s", (password_hash, name))

    def create_session(self, token_hash: str, user_name: str, lifetime: float) -> None:
        """Store a new session (by the hash of its token) and drop expired ones."""
        now = time.time()
        self.conn.execute("DELETE FROM user_sessions WHERE expires_at < %s", (now,))
        self.conn.execute("INSERT INTO user_sessions VALUES (%s, %s, %s, %s)",
                          (token_hash, user_name, now, now + lifetime))

    def session_user(self, token_hash: str) -> UserRecord | None:
        """The enabled account a live session belongs to."""
        row = self.conn.execute("SELECT u.* FROM user_sessions s JOIN users u ON u.name = s.user_name "
                           "WHERE s.token_hash = %s AND s.expires_at > %s AND u.disabled = 0",
                           (token_hash, time.time())).fetchone()
        return None if row is None else _user(row)

    def delete_session(self, token_hash: str) -> None:
        """End one session (log out)."""
        self.conn.execute("DELETE FROM user_sessions WHERE token_hash = %s", (token_hash,))

    def record_login_failure(self, user_name: str, client: str) -> None:
        """Remember one failed login (for rate limiting)."""
        self.conn.execute("INSERT INTO login_failures (user_name, client, at) VALUES (%s, %s, %s)",
                     (user_name[:128], client[:128], time.time()))

    def recent_login_failures(self, user_name: str, client: str, window: float) -> tuple[int, int]:
        """Failed logins in the last ``window`` seconds: ``(for this user name, from this client)``."""
        since = time.time() - window
        by_user = self.conn.execute("SELECT count(*) FROM login_failures WHERE user_name = %s AND at > %s",
                               (user_name[:128], since)).fetchone()[0]
        by_client = self.conn.execute("SELECT count(*) FROM login_failures WHERE client = %s AND at > %s",
                                 (client[:128], since)).fetchone()[0]
        return int(by_user), int(by_client)

    def clear_login_failures(self, user_name: str, older_than: float) -> None:
        """Forget a user's failures after a successful login, and everyone's old ones."""
        self.conn.execute("DELETE FROM login_failures WHERE user_name = %s OR at < %s", (user_name[:128], older_than))

    def restriction_of(self, capture_id: str, locator: str) -> tuple[str, ...]:
        """The principals a document is restricted to (empty when it is not restricted)."""
        return tuple(r[0] for r in self.conn.execute(
            "SELECT principal FROM restrictions WHERE capture_id = %s AND locator = %s ORDER BY principal",
            (capture_id, locator)))

    def set_restriction(self, capture_id: str, locator: str, principals: Sequence[str], seq: int) -> None:
        """Replace a document's restriction (no principals: lift it)."""
        self.conn.execute("DELETE FROM restrictions WHERE capture_id = %s AND locator = %s", (capture_id, locator))
        if principals:
            with self.conn.cursor() as cursor:
                cursor.executemany("INSERT INTO restrictions VALUES (%s, %s, %s, %s)",
                                   [(capture_id, locator, p, seq) for p in principals])

    def restricted_documents(self) -> list[dict[str, Any]]:
        """Every restricted document with its principals (for admins)."""
        rows = self.conn.execute("SELECT d.id, d.title, r.capture_id, r.locator, "
                                 "string_agg(r.principal, ',' ORDER BY r.principal) AS principals FROM restrictions r "
                                 "LEFT JOIN documents d ON d.capture_id = r.capture_id "
                                 "AND d.locator = r.locator GROUP BY d.id, d.title, r.capture_id, r.locator "
                                 "ORDER BY d.id NULLS FIRST, r.capture_id, r.locator").fetchall()
        return [dict(r) for r in rows]

    def document_visible(self, viewer: Principal, document_id: int) -> bool:
        """Whether ``viewer`` may see document ``document_id`` (unknown ids are not visible)."""
        if self.conn.execute("SELECT 1 FROM documents WHERE id = %s", (document_id,)).fetchone() is None:
            return False
        if viewer.sees_everything:
            return True
        hidden, params = hidden_documents_sql(viewer)
        return self.conn.execute(f"SELECT 1 WHERE %s IN ({hidden})", (document_id, *params)).fetchone() is None

    def capture_visible(self, viewer: Principal, capture_id: str) -> bool:
        """Whether ``viewer`` may see a capture: it exists and none of its documents is hidden from them."""
        if self.conn.execute("SELECT 1 FROM captures WHERE id = %s", (capture_id,)).fetchone() is None:
            return False
        if viewer.sees_everything:
            return True
        hidden, params = hidden_documents_sql(viewer)
        row = self.conn.execute(f"SELECT 1 FROM documents WHERE capture_id = %s AND id IN ({hidden}) LIMIT 1",
                           (capture_id, *params)).fetchone()
        return row is None

    def is_restricted_document(self, document_id: int) -> bool:
        """Whether a document has any restriction at all."""
        return self.conn.execute("SELECT 1 FROM documents d JOIN restrictions r ON r.capture_id = d.capture_id "
                            "AND r.locator = d.locator WHERE d.id = %s LIMIT 1", (document_id,)).fetchone() is not None

    def is_restricted_capture(self, capture_id: str) -> bool:
        """Whether any document of a capture is restricted."""
        return self.conn.execute("SELECT 1 FROM restrictions WHERE capture_id = %s LIMIT 1",
                            (capture_id,)).fetchone() is not None

    def document_counts(self, viewer: Principal) -> dict[str, Any]:
        """Visible documents by status and by language, visible captures, and (admins only) restricted ones."""
        where, params = _visible_clause(viewer)
        by_status = {r[0]: int(r[1]) for r in self.conn.execute(
            f"SELECT status, count(*) FROM documents d WHERE {where} GROUP BY status", params)}
        by_language = {(r[0] or "unknown"): int(r[1]) for r in self.conn.execute(
            f"SELECT language, count(*) FROM documents d WHERE {where} AND status = 'ok' GROUP BY language "
            "ORDER BY count(*) DESC, language", params)}
        cap_where, cap_params = _hidden_captures_clause(viewer, "c.id")
        captures = int(self.conn.execute(f"SELECT count(*) FROM captures c WHERE {cap_where}",
                                         cap_params).fetchone()[0])
        counts: dict[str, Any] = {"documents": sum(by_status.values()), "documents_ok": by_status.get("ok", 0),
                                  "documents_failed": by_status.get("failed", 0), "by_language": by_language,
                                  "captures": captures}
        if self.conn.execute("SELECT to_regclass('mentions')").fetchone()[0] is not None:
            counts["mentions"] = int(self.conn.execute(
                f"SELECT count(*) FROM mentions m JOIN documents d ON d.id = m.document_id WHERE {where}",
                params).fetchone()[0])
        if viewer.sees_everything:
            counts["restricted"] = int(self.conn.execute(
                "SELECT count(*) FROM (SELECT DISTINCT capture_id, locator FROM restrictions) r").fetchone()[0])
        return counts

    def recent_events(self, viewer: Principal, limit: int) -> list[dict[str, Any]]:
        """The latest evidence events the viewer may know about, newest first.

        Captures of hidden documents are left out, and so are access and restriction events for anyone
        but admins: knowing that someone read a restricted document already says it exists.
        """
        where, params = _hidden_captures_clause(viewer, "e.capture_id")
        if not viewer.sees_everything:
            where += " AND e.type NOT IN ('access', 'restriction')"
        rows = self.conn.execute(
            f"SELECT e.seq, e.type, e.time, e.capture_id, o.original_name, o.source_url, o.captured_by "
            f"FROM log_entries e LEFT JOIN observations o ON o.seq = e.seq WHERE {where} "
            f"ORDER BY e.seq DESC LIMIT %s", (*params, limit)).fetchall()
        return [dict(r) for r in rows]

    def log_entry_meta(self, seqs: Iterable[int]) -> list[dict[str, Any]]:
        """Index rows (seq, type, time, leaf hash) of some log entries, with the first tree head covering each."""
        wanted = sorted(set(seqs))
        if not wanted:
            return []
        rows = self.conn.execute(
            "SELECT e.seq, e.type, e.time, e.leaf_hash, (SELECT min(h.tree_size) FROM tree_heads h "
            "WHERE h.tree_size > e.seq) AS head_size FROM log_entries e "
            "WHERE e.seq = ANY(%s) ORDER BY e.seq", (wanted,)).fetchall()
        return [dict(r) for r in rows]

    def visible_links(self, viewer: Principal, document_id: int) -> list[dict[str, Any]]:
        """Duplicate and repeated-paragraph links of a document, to documents the viewer may see."""
        where, params = _visible_clause(viewer)
        rows = self.conn.execute(
            f"SELECT l.*, d.id AS other, d.title AS other_title FROM document_links l JOIN documents d "
            f"ON d.id = CASE WHEN l.a = %s THEN l.b ELSE l.a END WHERE (l.a = %s OR l.b = %s) AND {where} "
            "ORDER BY l.id",
            (document_id, document_id, document_id, *params)).fetchall()
        return [dict(r) for r in rows]

    def capture_documents(self, viewer: Principal, capture_id: str) -> list[dict[str, Any]]:
        """The visible documents of a capture (id, locator, title)."""
        where, params = _visible_clause(viewer)
        rows = self.conn.execute(f"SELECT d.id, d.locator, d.title FROM documents d WHERE d.capture_id = %s "
                                 f"AND {where} "
                            "ORDER BY d.id", (capture_id, *params)).fetchall()
        return [dict(r) for r in rows]

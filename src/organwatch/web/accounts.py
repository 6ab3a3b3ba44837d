"""Accounts: argon2id password hashes, login with rate limiting, and server-side sessions.

A session is a random 256-bit token in an HttpOnly cookie; only its SHA-256 is stored, so a copy of the
database does not let anyone log in. Failed logins are counted per user name and per client address;
past the limit, logins are refused before the password is even checked.

>>> # add_user(case, "alice", "investigator", "a long passphrase")
>>> # login(case, "alice", "a long passphrase", client="127.0.0.1").viewer.role  -> 'investigator'
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from organwatch.archive.log import utc_now
from organwatch.case import Case
from organwatch.errors import OrganWatchError
from organwatch.web.access import Viewer, check_role, check_user_name

SESSION_LIFETIME = 12 * 3600.0
FAILURE_WINDOW = 15 * 60.0
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
MIN_PASSWORD_CHARS = 10
_HASHER = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class LoginError(OrganWatchError):
    """Wrong user name or password (deliberately not saying which)."""


class LoginRateLimitedError(OrganWatchError):
    """Too many failed logins recently; try again later."""


@dataclass(frozen=True)
class Session:
    """A logged-in session: the cookie token (given to the browser once) and who it is for."""

    token: str
    viewer: Viewer


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password(password: str) -> str:
    """Return ``password`` if it is long enough to resist guessing."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise OrganWatchError(f"the password is too short: use at least {MIN_PASSWORD_CHARS} characters")
    return password


def add_user(case: Case, name: str, role: str, password: str) -> bool:
    """Create an account (or reset its role and password, ending its sessions); True when new."""
    check_user_name(name)
    check_role(role)
    check_password(password)
    hashed = _HASHER.hash(password)
    with case.store.writer() as session:
        return session.accounts.upsert_user(name, role, hashed, utc_now())


def login(case: Case, name: str, password: str, client: str) -> Session:
    """Check a password and open a session, or raise :class:`LoginError` / :class:`LoginRateLimitedError`."""
    name = name.strip()[:128]
    with case.store.view() as session:
        by_user, by_client = session.accounts.recent_login_failures(name, client, FAILURE_WINDOW)
        user = session.accounts.get_user(name)
    if by_user >= MAX_FAILURES_PER_USER or by_client >= MAX_FAILURES_PER_CLIENT:
        raise LoginRateLimitedError(f"too many failed logins; wait {int(FAILURE_WINDOW // 60)} minutes and try again")
    ok = False
    try:
        ok = _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or user.disabled:
        with case.store.writer() as session:
            session.accounts.record_login_failure(name, client)
        raise LoginError("wrong user name or password")
    token = secrets.token_urlsafe(32)
    with case.store.writer() as session:
        if _HASHER.check_needs_rehash(user.password_hash):
            session.accounts.set_password_hash(user.name, _HASHER.hash(password))
        session.accounts.clear_login_failures(user.name, time.time() - FAILURE_WINDOW)
        session.accounts.create_session(token_hash(token), user.name, SESSION_LIFETIME)
    return Session(token, Viewer(user.name, user.role))


def session_viewer(case: Case, token: str | None) -> Viewer | None:
    """Who a session cookie belongs to (None when absent, unknown, expired or the account is disabled)."""
    if not token or len(token) > 200:
        return None
    with case.store.view() as session:
        user = session.accounts.session_user(token_hash(token))
    return None if user is None else Viewer(user.name, user.role)


def logout(case: Case, token: str | None) -> None:
    """End a session."""
    if token:
        with case.store.writer() as session:
            session.accounts.delete_session(token_hash(token))

-- 0008: web workbench accounts, sessions, login failures and restricted documents.
-- Users and sessions are operational state, not evidence; restriction changes are also written to the
-- evidence log as events, and this table is their index.

CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'investigator', 'reviewer', 'viewer')),
    password_hash TEXT NOT NULL,      -- argon2id, PHC string
    created_at TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE user_sessions (
    token_hash TEXT PRIMARY KEY,      -- SHA-256 of the cookie token (the token itself is never stored)
    user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_name);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    user_name TEXT NOT NULL,
    client TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (user_name, at);
CREATE INDEX login_failures_client ON login_failures (client, at);

-- A document is restricted when it has rows here: only the named principals ('user:alice',
-- 'role:investigator') and admins may see it. Keyed by capture and locator, not document number,
-- so a restriction survives the text stage re-reading the capture.
CREATE TABLE restrictions (
    capture_id TEXT NOT NULL,
    locator TEXT NOT NULL,
    principal TEXT NOT NULL,
    seq INTEGER NOT NULL,             -- the evidence-log entry that set it
    PRIMARY KEY (capture_id, locator, principal)
);

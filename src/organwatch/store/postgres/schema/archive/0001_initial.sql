-- 0001: the evidence index. Every row here is derived from log/entries.jsonl and can be rebuilt.
-- Same tables and columns as the SQLite store, so `organwatch verify` compares them the same way.

CREATE TABLE log_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL,
    entries_bytes BIGINT NOT NULL,
    heads_count BIGINT NOT NULL,
    heads_bytes BIGINT NOT NULL,
    frontier TEXT NOT NULL
);
INSERT INTO log_state VALUES (1, 0, 0, 0, 0, '[]');

CREATE TABLE log_entries (
    seq BIGINT PRIMARY KEY,
    type TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    time TEXT NOT NULL,
    capture_id TEXT
);
CREATE INDEX log_entries_capture ON log_entries (capture_id);

CREATE TABLE tree_heads (
    tree_size BIGINT PRIMARY KEY,
    root_hash TEXT NOT NULL,
    prev_tree_size BIGINT NOT NULL,
    timestamp TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);

CREATE TABLE captures (
    id TEXT COLLATE "C" PRIMARY KEY,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    first_seq BIGINT NOT NULL REFERENCES log_entries (seq),
    captured_at TEXT NOT NULL
);
CREATE INDEX captures_first_seq ON captures (first_seq);

CREATE TABLE observations (
    seq BIGINT PRIMARY KEY REFERENCES log_entries (seq),
    capture_id TEXT NOT NULL REFERENCES captures (id),
    source_url TEXT,
    original_name TEXT,
    original_path TEXT,
    captured_at TEXT NOT NULL,
    captured_by TEXT NOT NULL,
    tool TEXT NOT NULL,
    note TEXT,
    file_modified TEXT,
    extra TEXT
);
CREATE INDEX observations_capture ON observations (capture_id);

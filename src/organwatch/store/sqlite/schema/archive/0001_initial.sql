-- archive 0001 (once schema 1): the evidence index. Every row here is derived from log/entries.jsonl and can be rebuilt.

CREATE TABLE log_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL,            -- entries indexed
    entries_bytes INTEGER NOT NULL,   -- bytes of log/entries.jsonl indexed
    heads_count INTEGER NOT NULL,     -- tree heads indexed
    heads_bytes INTEGER NOT NULL,     -- bytes of log/tree-heads.jsonl indexed
    frontier TEXT NOT NULL            -- right edge of the Merkle tree, JSON [[height, hex], ...]
);
INSERT INTO log_state VALUES (1, 0, 0, 0, 0, '[]');

CREATE TABLE log_entries (
    seq INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    time TEXT NOT NULL,
    capture_id TEXT
);
CREATE INDEX log_entries_capture ON log_entries (capture_id);

CREATE TABLE tree_heads (
    tree_size INTEGER PRIMARY KEY,
    root_hash TEXT NOT NULL,
    prev_tree_size INTEGER NOT NULL,
    timestamp TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);

CREATE TABLE captures (
    id TEXT PRIMARY KEY,               -- the SHA-256 of the bytes, hex
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    first_seq INTEGER NOT NULL REFERENCES log_entries (seq),
    captured_at TEXT NOT NULL
);
CREATE INDEX captures_first_seq ON captures (first_seq);

CREATE TABLE observations (
    seq INTEGER PRIMARY KEY REFERENCES log_entries (seq),
    capture_id TEXT NOT NULL REFERENCES captures (id),
    source_url TEXT,
    original_name TEXT,
    original_path TEXT,
    captured_at TEXT NOT NULL,
    captured_by TEXT NOT NULL,
    tool TEXT NOT NULL,                -- JSON {"name": ..., "version": ..., "method": ...}
    note TEXT,
    file_modified TEXT,
    extra TEXT                         -- JSON: what a capture tool knows besides (HTTP exchange, capture set)
);
CREATE INDEX observations_capture ON observations (capture_id);

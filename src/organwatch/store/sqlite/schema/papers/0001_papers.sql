-- 0006: literature screening. Bibliographic records imported from captures, screening protocols as
-- run, per-paper decisions with reasons, and human coding. All derived from the evidence log: the
-- records can be rebuilt from their captures, decisions by re-running the stored protocol, and
-- reviews are also logged as evidence events.

CREATE TABLE paper_records (
    id TEXT PRIMARY KEY,                  -- PMID, RIS id, CSV id or full-text file stem
    id_key TEXT NOT NULL,                 -- matching key (numeric ids without leading zeros)
    title TEXT NOT NULL DEFAULT '',
    abstract TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    year INTEGER,
    journal TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '[]',   -- JSON list
    affiliations TEXT NOT NULL DEFAULT '[]',
    language TEXT,
    source_format TEXT NOT NULL,
    capture_id TEXT REFERENCES captures (id),
    locator TEXT NOT NULL DEFAULT '',
    fulltext_capture_id TEXT REFERENCES captures (id),
    fulltext_locator TEXT,
    imported_at TEXT NOT NULL
);
CREATE INDEX paper_records_key ON paper_records (id_key);

CREATE TABLE paper_import_issues (
    id INTEGER PRIMARY KEY,
    capture_id TEXT,
    source TEXT NOT NULL,
    locator TEXT NOT NULL,
    record_id TEXT,
    severity TEXT NOT NULL,               -- error | warning
    kind TEXT NOT NULL,                   -- invalid | duplicate | unmatched | unreadable | encoding
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE paper_protocols (
    sha256 TEXT PRIMARY KEY,              -- of the YAML text
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    yaml TEXT NOT NULL,
    stored_at TEXT NOT NULL
);

CREATE TABLE paper_runs (
    id INTEGER PRIMARY KEY,
    protocol_sha256 TEXT NOT NULL REFERENCES paper_protocols (sha256),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    records INTEGER NOT NULL DEFAULT 0,
    tool_version TEXT NOT NULL
);

CREATE TABLE paper_decisions (
    run_id INTEGER NOT NULL REFERENCES paper_runs (id) ON DELETE CASCADE,
    record_id TEXT NOT NULL REFERENCES paper_records (id),
    decision TEXT NOT NULL,               -- included | excluded
    stage TEXT NOT NULL,                  -- the stage that excluded it, or the last stage
    score INTEGER,
    flags TEXT NOT NULL DEFAULT '{}',     -- JSON: check name -> bool
    reasons TEXT NOT NULL DEFAULT '[]',   -- JSON: stage, code, message, field, start, end, quote
    PRIMARY KEY (run_id, record_id)
);
CREATE INDEX paper_decisions_included ON paper_decisions (run_id, decision);

CREATE TABLE paper_reviews (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES paper_runs (id) ON DELETE CASCADE,
    record_id TEXT NOT NULL,
    score INTEGER NOT NULL,               -- 0 | 1 | 2
    note TEXT,
    reviewer TEXT NOT NULL,
    log_seq INTEGER NOT NULL,             -- the evidence event that records the decision
    decided_at TEXT NOT NULL
);
CREATE INDEX paper_reviews_record ON paper_reviews (run_id, record_id);

-- claims 0001: the claims stage. Claim instances per document, groups across documents, reviewers' decisions.

CREATE TABLE claim_instances (
    key TEXT PRIMARY KEY,                -- "<document id>:<start>-<end>", stable across re-derivation
    document_id BIGINT NOT NULL,         -- no foreign key: a document deleted since is reported, not silently
                                         -- dropped, until the claims stage runs again over the case
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    claim TEXT NOT NULL,                 -- JSON: the claim (text, stance, speaker, subject, predicate, value...)
    outlet TEXT,
    author TEXT,
    published TEXT
);
CREATE INDEX claim_instances_document ON claim_instances (document_id, start_char);

-- Which documents the claims stage has seen, with which code.
CREATE TABLE claim_runs (
    document_id BIGINT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    version TEXT NOT NULL
);

CREATE TABLE claim_groups (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,           -- order of first appearance
    predicate TEXT NOT NULL,
    period TEXT,
    value DOUBLE PRECISION,
    origins TEXT NOT NULL DEFAULT '[]',  -- JSON list of independent origins
    contradicts TEXT NOT NULL DEFAULT '[]'  -- JSON list of [other group id, reason]
);

CREATE TABLE claim_group_members (
    group_id TEXT NOT NULL REFERENCES claim_groups (id) ON DELETE CASCADE,
    key TEXT NOT NULL,                   -- claim_instances.key (no foreign key: groups are replaced as a whole)
    position INTEGER NOT NULL,
    PRIMARY KEY (group_id, key)
);
CREATE INDEX claim_group_members_key ON claim_group_members (key);

-- Reviewers' merges and splits, each already an evidence event in the signed log (seq).
CREATE TABLE claim_decisions (
    seq BIGINT PRIMARY KEY,
    action TEXT NOT NULL,                -- merge | split
    keys TEXT NOT NULL,                  -- JSON list of claim instance keys
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);

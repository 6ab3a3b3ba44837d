-- 0007: entity resolution. Derived tables are rebuilt by each resolution run; mentions are never rewritten
-- (a mention gains a separate link to its entity). Reviewer decisions are kept across runs.

CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,                  -- person | organization | place
    schema TEXT NOT NULL,                -- FollowTheMoney schema: Person, Organization, PublicBody, Address
    name TEXT NOT NULL,
    resolver_version TEXT NOT NULL
);
CREATE INDEX entities_type ON entities (type, name);

CREATE TABLE entity_aliases (
    entity_id TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    script TEXT NOT NULL,                -- Latin | Hans | Hant | Other
    romanisation TEXT,
    mentions INTEGER NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    PRIMARY KEY (entity_id, name)
);
CREATE INDEX entity_aliases_name ON entity_aliases (name);

CREATE TABLE mention_links (
    mention_id INTEGER PRIMARY KEY REFERENCES mentions (id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    method TEXT NOT NULL,
    score REAL NOT NULL
);
CREATE INDEX mention_links_entity ON mention_links (entity_id);

CREATE TABLE entity_relations (
    id INTEGER PRIMARY KEY,
    schema TEXT NOT NULL,                -- Occupancy | Membership | Employment | Associate | UnknownLink
    subject TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    object TEXT REFERENCES entities (id) ON DELETE CASCADE,
    position TEXT,
    role TEXT,
    start_date TEXT,
    end_date TEXT,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    quote TEXT NOT NULL,
    method TEXT NOT NULL
);
CREATE INDEX entity_relations_subject ON entity_relations (subject);
CREATE INDEX entity_relations_object ON entity_relations (object);

CREATE TABLE entity_events (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL,                  -- ISO 8601 at its precision
    precision TEXT NOT NULL,             -- year | month | day | week | range
    kind TEXT NOT NULL,
    actors TEXT NOT NULL,                -- JSON list of entity ids
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    quote TEXT NOT NULL
);

CREATE TABLE merge_suggestions (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    score REAL NOT NULL,
    features TEXT NOT NULL,              -- JSON list of {feature, score, detail}
    PRIMARY KEY (a, b)
);

-- Reviewer decisions, keyed on names so they survive re-extraction; each is also an event in the evidence log.
CREATE TABLE resolution_decisions (
    seq INTEGER PRIMARY KEY,             -- the evidence log entry recording it
    kind TEXT NOT NULL,                  -- merge | split
    a TEXT NOT NULL,                     -- JSON list of identities ("person:王立军")
    b TEXT NOT NULL,
    reason TEXT NOT NULL
);

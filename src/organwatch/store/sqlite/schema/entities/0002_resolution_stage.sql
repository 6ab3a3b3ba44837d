-- entities 0002: resolution becomes a stage that can run incrementally. Each document's local entities
-- (one actor as one document names it) are kept with their name keys, so new documents re-resolve only the
-- blocks their keys touch. Relations and events cite local entities and carry the entity id they resolve to
-- (remapped when a block is re-resolved), so they no longer cascade away when an entity id changes.
-- The derived tables are emptied: the next run of the stage rebuilds them; reviewer decisions are kept.

DELETE FROM merge_suggestions;
DELETE FROM mention_links;
DELETE FROM entity_aliases;
DROP TABLE entity_relations;
DROP TABLE entity_events;
DELETE FROM entities;

CREATE TABLE resolution_locals (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    identity TEXT NOT NULL,              -- decision key ("person:王立军")
    data TEXT NOT NULL,                  -- JSON: keys, gazetteer, partial, context, titles, years, surfaces, mentions
    entity_id TEXT,                      -- the entity it resolved to (NULL until its block is resolved)
    UNIQUE (document_id, type, name)
);
CREATE INDEX resolution_locals_identity ON resolution_locals (identity);
CREATE INDEX resolution_locals_entity ON resolution_locals (entity_id);

-- Name keys of local entities: exact keys (blocks) and, prefixed with "~", fuzzy keys (review candidates).
CREATE TABLE resolution_keys (
    key TEXT NOT NULL,
    local_id INTEGER NOT NULL REFERENCES resolution_locals (id) ON DELETE CASCADE,
    PRIMARY KEY (key, local_id)
) WITHOUT ROWID;
CREATE INDEX resolution_keys_local ON resolution_keys (local_id);

-- Which documents the stage has resolved, and with which resolver version.
CREATE TABLE resolution_documents (
    document_id INTEGER PRIMARY KEY,
    resolver_version TEXT NOT NULL,
    resolved_at TEXT NOT NULL
);

CREATE TABLE entity_relations (
    id INTEGER PRIMARY KEY,
    schema TEXT NOT NULL,                -- Occupancy | Membership | Employment | Associate | UnknownLink
    subject_local INTEGER NOT NULL REFERENCES resolution_locals (id) ON DELETE CASCADE,
    object_local INTEGER REFERENCES resolution_locals (id) ON DELETE CASCADE,
    subject TEXT,                        -- entity ids the locals resolve to
    object TEXT,
    position TEXT,
    role TEXT,
    start_date TEXT,
    end_date TEXT,
    document_id INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    quote TEXT NOT NULL,
    method TEXT NOT NULL
);
CREATE INDEX entity_relations_subject ON entity_relations (subject);
CREATE INDEX entity_relations_object ON entity_relations (object);
CREATE INDEX entity_relations_locals ON entity_relations (subject_local, object_local);
CREATE INDEX entity_relations_document ON entity_relations (document_id);

CREATE TABLE entity_events (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL,                  -- ISO 8601 at its precision
    precision TEXT NOT NULL,             -- year | month | day | week | range
    kind TEXT NOT NULL,
    actor_locals TEXT NOT NULL,          -- JSON list of resolution_locals ids
    actors TEXT NOT NULL,                -- JSON list of the entity ids they resolve to
    document_id INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    quote TEXT NOT NULL
);
CREATE INDEX entity_events_document ON entity_events (document_id);

-- A re-resolved block drops the suggestions naming its entities on either side.
CREATE INDEX merge_suggestions_b ON merge_suggestions (b);
CREATE INDEX entity_relations_object_local ON entity_relations (object_local);

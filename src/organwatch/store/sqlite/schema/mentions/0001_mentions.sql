-- mentions 0001 (once schema 4): the extract stage. Mentions and quotes of each document, with exact spans.

CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    type TEXT NOT NULL,                  -- person | organization | place | date | quantity
    text TEXT NOT NULL,                  -- documents.text[start_char:end_char]
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    canonical TEXT,
    value TEXT,                          -- JSON: ISO date, number or null
    unit TEXT,
    low REAL,
    high REAL,
    role TEXT,                           -- e.g. published / updated for dates
    prefix TEXT,                         -- W3C text-quote selector context, to re-anchor after re-extraction
    suffix TEXT,
    method TEXT,
    extractor TEXT NOT NULL,
    extractor_version TEXT NOT NULL
);
CREATE INDEX mentions_document ON mentions (document_id, type);
CREATE INDEX mentions_canonical ON mentions (type, canonical);

CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    speaker TEXT NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    kind TEXT NOT NULL,                  -- direct | reported
    speaker_start INTEGER,
    speaker_end INTEGER,
    method TEXT,
    extractor TEXT NOT NULL,
    extractor_version TEXT NOT NULL
);
CREATE INDEX quotes_document ON quotes (document_id);
CREATE INDEX quotes_speaker ON quotes (speaker);

-- Which documents the extract stage has seen, with which code, and what it warned about.
CREATE TABLE extract_runs (
    document_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    extractor_version TEXT NOT NULL,
    doc_date TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    processed_at TEXT NOT NULL
);

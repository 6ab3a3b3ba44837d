-- documents 0001 (once schema 2): the text stage. Derived data: recomputable from captures, stamped with the code version.

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    capture_id TEXT NOT NULL REFERENCES captures (id),
    locator TEXT NOT NULL DEFAULT '',       -- where in the capture ('' = whole file, 'warc:offset=123')
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT,                             -- one-line reason when status = 'failed'
    media_type TEXT,
    title TEXT,
    author TEXT,
    outlet TEXT,
    published TEXT,                         -- ISO 8601 date at its precision, as the source states it
    canonical_url TEXT,
    source_url TEXT,
    captured_at TEXT,
    encoding TEXT,
    encoding_method TEXT,
    language TEXT,                          -- en | zh-Hans | zh-Hant | other
    mixed_language INTEGER NOT NULL DEFAULT 0,
    text TEXT,
    text_sha256 TEXT,
    chars INTEGER NOT NULL DEFAULT 0,
    paragraphs TEXT NOT NULL DEFAULT '[]',  -- JSON [[start, end, language], ...] in code points of text
    pages TEXT NOT NULL DEFAULT '[]',       -- JSON [[page, start, end], ...]
    warnings TEXT NOT NULL DEFAULT '[]',    -- JSON list of strings
    extractor TEXT,
    extractor_version TEXT,
    pipeline_version TEXT,
    processed_at TEXT NOT NULL,
    UNIQUE (capture_id, locator)
);
CREATE INDEX documents_status ON documents (status);
CREATE INDEX documents_published ON documents (published);
CREATE INDEX documents_text_sha256 ON documents (text_sha256);

-- Near-duplicate links between documents (syndicated copies) and repeated paragraphs.
CREATE TABLE document_links (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('duplicate', 'near-duplicate', 'paragraph')),
    a INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    b INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    similarity REAL NOT NULL,
    a_start INTEGER, a_end INTEGER,         -- paragraph spans for kind = 'paragraph'
    b_start INTEGER, b_end INTEGER,
    method TEXT NOT NULL
);
CREATE INDEX document_links_a ON document_links (a);
CREATE INDEX document_links_b ON document_links (b);

-- MinHash signatures, so new documents are compared without re-reading old texts.
CREATE TABLE document_signatures (
    document_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    signature BLOB NOT NULL
);

-- LSH band keys of each signature: candidates for near-duplicates are found by index look-up,
-- so memory stays flat however many documents the case holds.
CREATE TABLE document_bands (
    band INTEGER NOT NULL,
    key BLOB NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE
);
CREATE INDEX document_bands_key ON document_bands (band, key);
CREATE INDEX document_bands_document ON document_bands (document_id);

-- Hashes of folded paragraphs (long enough not to be boilerplate), to link repeated paragraphs.
CREATE TABLE paragraph_hashes (
    hash BLOB NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL
);
CREATE INDEX paragraph_hashes_hash ON paragraph_hashes (hash);
CREATE INDEX paragraph_hashes_document ON paragraph_hashes (document_id);

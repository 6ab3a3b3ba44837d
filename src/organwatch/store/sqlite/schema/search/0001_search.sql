-- search 0001 (once schema 3): search. Derived data, rebuilt from documents by organwatch.search.sync_index.
-- Both full-text tables are contentless (the text lives in documents): the index holds only tokens,
-- and snippets and spans are computed from documents.text. contentless_delete lets a document be
-- removed or replaced by rowid (= documents.id).

-- Substring search: trigrams of the OpenCC-simplified, case- and accent-folded text, so 王立军 finds
-- 王立軍 and the reverse. Trigrams cannot match one or two characters: see search/fts.py.
CREATE VIRTUAL TABLE search_trigram USING fts5 (
    body, title,
    tokenize = 'trigram remove_diacritics 1', content = '', contentless_delete = 1
);

-- Ranked word search: jieba words of the simplified text plus the English words (unicode61 alone
-- would take a whole run of Chinese as one token), and joined pinyin keys of name-like words.
CREATE VIRTUAL TABLE search_words USING fts5 (
    body, title, pinyin,
    tokenize = 'unicode61 remove_diacritics 2', content = '', contentless_delete = 1
);

-- The trigram vocabulary: a one- or two-character query becomes the OR of the trigrams that start with it.
CREATE VIRTUAL TABLE search_trigram_vocab USING fts5vocab (search_trigram, row);
-- The word vocabulary by column: which pinyin keys exist, so "Wang Lijun" is tried as a name only when one does.
CREATE VIRTUAL TABLE search_words_vocab USING fts5vocab (search_words, col);

-- pinyin key -> the simplified Han forms that produced it, to point a pinyin hit at its characters.
CREATE TABLE search_pinyin_forms (
    key TEXT NOT NULL,
    form TEXT NOT NULL,
    PRIMARY KEY (key, form)
) WITHOUT ROWID;

-- What is indexed, from which text, by which version of the indexer. No foreign key: this is the
-- record of what the full-text tables hold, and must outlive a documents row deleted without
-- organwatch.search.remove_document, so sync_index can clean up after it.
CREATE TABLE search_documents (
    document_id INTEGER PRIMARY KEY,
    text_sha256 TEXT,
    index_version TEXT NOT NULL,
    indexed_at TEXT NOT NULL
);

-- Semantic search: each document cut into chunks with their spans. embedding is NULL until the
-- (slow, separate) embedding step fills it: a float16 copy used to re-rank the binary vec0 search.
-- AUTOINCREMENT: a chunk id is never reused, so a stale vector can never be attached to a new chunk.
CREATE TABLE search_chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    embedding BLOB
);
CREATE INDEX search_chunks_document ON search_chunks (document_id);
CREATE INDEX search_chunks_pending ON search_chunks (document_id) WHERE embedding IS NULL;
CREATE INDEX search_chunks_embedded ON search_chunks (document_id) WHERE embedding IS NOT NULL;

-- The embedder whose vectors the case holds (one per case), and the centre used to binarise them.
CREATE TABLE search_embedder (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    dimension INTEGER NOT NULL,
    centre BLOB NOT NULL
);

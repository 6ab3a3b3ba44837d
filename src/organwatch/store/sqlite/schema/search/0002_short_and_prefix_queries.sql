-- search 0002: short Chinese queries and prefix queries through indexes, not scans.
--
-- One- and two-character Chinese queries, not a scan of every text:
-- Trigrams cannot match fewer than three characters, and a common character starts thousands of
-- trigrams; this table holds each Han character of the simplified text as a token, with a "0" token
-- between runs, so that "肝" is a one-token query and "肝移" the phrase "肝 移" (adjacent characters).
-- Documents indexed before this table existed are re-indexed by `organwatch reprocess --stage search`;
-- until then short queries keep the old path (see search_documents_version below).
CREATE VIRTUAL TABLE search_chars USING fts5 (
    body, title,
    tokenize = 'unicode61', content = '', contentless_delete = 1
);

-- Finds documents indexed by older code in O(log n): short queries use search_chars only when none is left.
CREATE INDEX search_documents_version ON search_documents (index_version);

-- Prefix queries (transpl*): FTS5 merges the doclists of every term with the prefix before it can walk
-- them, all of them, however few hits are wanted. The words the index holds that start with a Latin
-- letter or a digit, folded as the word table folds them, let such a prefix become an OR of its words,
-- which FTS5 walks lazily. Words are never removed (a word with no document left matches nothing).
CREATE TABLE search_terms (
    term TEXT PRIMARY KEY
) WITHOUT ROWID;

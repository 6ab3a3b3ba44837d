"""Keeping the search index in step with ``documents`` (called inside the text stage's write transaction).

For each document we write one row in each full-text table (rowid = document id):

* ``search_trigram``: the OpenCC-simplified text and title (same length as the original, see
  :mod:`organwatch.search.folding`), for substring search in either script;
* ``search_words``: the jieba words of the simplified text (English passes through as it is), the
  title likewise, and the pinyin keys of name-like words;

and the document's chunks for the (separate, slower) embedding step. Indexing never loads the
sqlite-vec extension: vectors of a replaced document are left behind, unreachable (their chunk
rows are gone and chunk ids are never reused), and purged by the next embedding run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from organwatch.search.chunks import chunk_spans
from organwatch.search.folding import HAN_RUN, has_han
from organwatch.search.names import name_keys
from organwatch.text.chinese import segment, to_simplified_aligned

Connection = Any  # sqlean.Connection: the package ships no type hints
INDEX_VERSION = "1"
# Two spaces after the text give its last one or two characters a trigram of their own, so that a
# one- or two-character query also finds them at the very end (see fts.short_term_trigrams).
TRIGRAM_PAD = "  "


def _words_and_names(text: str) -> tuple[str, dict[str, set[str]]]:
    """The text with each Han run replaced by its space-separated jieba words (search mode), plus the
    pinyin keys of name-like words (key → simplified forms)."""
    names: dict[str, set[str]] = {}
    if not has_han(text):
        return text, names
    parts: list[str] = []
    last = 0
    for run in HAN_RUN.finditer(text):
        parts.append(text[last:run.start()])
        words = [token.simplified for token in segment(run.group(), search=True)]
        for word in words:
            for key in name_keys(word):
                names.setdefault(key, set()).add(word)
        parts.append(" " + " ".join(words) + " ")
        last = run.end()
    parts.append(text[last:])
    return "".join(parts), names


def index_document(conn: Connection, document_id: int, text: str | None, title: str | None = None,
                   language: str | None = None) -> None:
    """Index (or re-index) one document's text and title for full-text search, and cut it into chunks.

    Call it in the same transaction that writes the ``documents`` row. ``language`` is accepted for
    the record but not needed: Chinese is recognised by its characters, so mixed texts work.

    >>> index_document(conn, 12, "王立軍於2012年二月…", "重慶事件", "zh-Hant")  # doctest: +SKIP
    """
    del language  # segmentation is decided per run of Han characters, not per document
    remove_document(conn, document_id)
    body = text or ""
    head = title or ""
    if not body and not head:
        return
    simplified_body = to_simplified_aligned(body)
    simplified_head = to_simplified_aligned(head)
    conn.execute("INSERT INTO search_trigram (rowid, body, title) VALUES (?, ?, ?)",
                 (document_id, simplified_body + TRIGRAM_PAD, simplified_head + TRIGRAM_PAD))
    words_body, names = _words_and_names(simplified_body)
    words_head, head_names = _words_and_names(simplified_head)
    for key, forms in head_names.items():
        names.setdefault(key, set()).update(forms)
    conn.execute("INSERT INTO search_words (rowid, body, title, pinyin) VALUES (?, ?, ?, ?)",
                 (document_id, words_body, words_head, " ".join(sorted(names))))
    if names:
        conn.executemany("INSERT OR IGNORE INTO search_pinyin_forms (key, form) VALUES (?, ?)",
                         [(key, form) for key, forms in names.items() for form in forms])
    conn.executemany("INSERT INTO search_chunks (document_id, start_char, end_char) VALUES (?, ?, ?)",
                     [(document_id, start, end) for start, end in chunk_spans(body)])
    conn.execute("INSERT INTO search_documents (document_id, text_sha256, index_version, indexed_at) "
                 "VALUES (?, ?, ?, ?)",
                 (document_id, hashlib.sha256(body.encode("utf-8")).hexdigest(), INDEX_VERSION,
                  datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")))


def remove_document(conn: Connection, document_id: int) -> None:
    """Take a document out of the index (before its row is deleted, or when its text failed)."""
    conn.execute("DELETE FROM search_trigram WHERE rowid = ?", (document_id,))
    conn.execute("DELETE FROM search_words WHERE rowid = ?", (document_id,))
    conn.execute("DELETE FROM search_chunks WHERE document_id = ?", (document_id,))
    conn.execute("DELETE FROM search_documents WHERE document_id = ?", (document_id,))


def reindex_document(conn: Connection, document_id: int) -> bool:
    """Index a document from its ``documents`` row, or remove it if it is gone or failed.

    The simplest hook for the text stage: ``index_hook=lambda conn, id, doc: reindex_document(conn, id)``.
    Returns True if the document is now indexed.
    """
    row = conn.execute("SELECT text, title, language, status FROM documents WHERE id = ?",
                       (document_id,)).fetchone()
    if row is None or row[3] != "ok" or not (row[0] or row[1]):
        remove_document(conn, document_id)
        return False
    index_document(conn, document_id, row[0], row[1], row[2])
    return True


def stale_documents(conn: Connection) -> list[int]:
    """Ids of documents whose index entry is missing, outdated, or left over from a deleted document."""
    query = """
        SELECT d.id FROM documents d LEFT JOIN search_documents s ON s.document_id = d.id
        WHERE d.status = 'ok' AND (s.document_id IS NULL OR s.index_version != ? OR s.text_sha256 IS NOT d.text_sha256)
        UNION
        SELECT s.document_id FROM search_documents s LEFT JOIN documents d ON d.id = s.document_id
        WHERE d.id IS NULL OR d.status != 'ok'
        ORDER BY 1
    """
    return [int(row[0]) for row in conn.execute(query, (INDEX_VERSION,))]


def sync_index(conn: Connection, ids: Iterable[int] | None = None,
               progress: Callable[[int, int], None] | None = None) -> int:
    """Bring the index up to date (all stale documents, or the given ids); return how many were touched.

    Run it after upgrading a case made before search existed, or after a new ``INDEX_VERSION``.
    ``progress(done, total)`` is called after each document.
    """
    todo = list(ids) if ids is not None else stale_documents(conn)
    for done, document_id in enumerate(todo, 1):
        reindex_document(conn, document_id)
        if progress is not None:
            progress(done, len(todo))
    return len(todo)

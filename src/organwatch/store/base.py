"""The storage interface: a :class:`Store` hands out read sessions (:class:`View`) and the one write
session (:class:`Writer`), each holding a typed repository per area.

::

    with store.view() as view:
        doc = view.documents.get(12)                       # a model Document, never a row
        for mention in view.mentions.mentions(12, "person"):
            ...
    with store.writer() as writer:                         # one transaction: all or nothing
        document_id = writer.documents.upsert(document)
        writer.search.put(document_id, entry)

Areas and their repositories (read side / write side):

======================  ==========================================  ==========================================
area                    reads                                       writes
======================  ==========================================  ==========================================
``archive``             :class:`ArchiveIndexView`                   :class:`ArchiveIndexWriter`
``documents``           :class:`DocumentsView`                      :class:`DocumentsWriter`
``mentions``            :class:`MentionsView`                       :class:`MentionsWriter`
``search``              :class:`SearchIndexView`                    :class:`SearchIndexWriter`
``embeddings``          :class:`EmbeddingsView`                     :class:`EmbeddingsWriter`
``papers``              :class:`PapersView`                         :class:`PapersWriter`
``accounts``            :class:`AccountsView`                       :class:`AccountsWriter`
``entities``            :class:`EntitiesView`                       :class:`EntitiesWriter`
``claims``              :class:`ClaimsView`                         :class:`ClaimsWriter`
======================  ==========================================  ==========================================

Every write goes through :meth:`Store.writer`: SQLite allows one writer at a time, so a process funnels its
writes through one connection (other processes take turns on the database lock), and a view cannot write.

Adding an area (entities, claims, literature screening) follows the same pattern: a pair of abstract
repositories here (``XView`` with the reads, ``XWriter(XView)`` adding the writes, taking and returning
records of :mod:`organwatch.model` or :mod:`organwatch.store.records`); a field on :class:`View` and
:class:`Writer`; an implementation per backend (``store/sqlite/x.py``) and the area's migrations
(``store/sqlite/schema/x/0001_....sql``); and its behaviours in ``tests/store/test_contract.py``, which
every backend must pass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, ClassVar

from organwatch.claims.weigh import ClaimGroup, GroupDecision, Reported
from organwatch.model import Capture, Document, DocumentLink, Observation, StoredMention, StoredQuote
from organwatch.papers.protocols import Protocol
from organwatch.papers.records import ImportIssue, Record
from organwatch.papers.screen import ScreenResult
from organwatch.resolve.merge import Decision, Entity, LocalEntity, Suggestion
from organwatch.resolve.relations import Relation
from organwatch.resolve.timeline import EventReport
from organwatch.store.records import (
    AppliedMigration,
    ChunkVector,
    DocumentFilters,
    EmbeddedChunk,
    EmbedderRecord,
    ExtractRun,
    IndexBatch,
    IndexedDocument,
    LogEntryRecord,
    LogPosition,
    ParagraphHash,
    PendingChunk,
    PendingWork,
    Plan,
    Principal,
    SearchEntry,
    Signature,
    TreeHeadRecord,
    UserRecord,
)

# -- archive index ----------------------------------------------------------------------------------------


class ArchiveIndexView(ABC):
    """The index of the evidence log: log position, entries, tree heads, captures and their sightings."""

    @abstractmethod
    def log_position(self) -> LogPosition:
        """How far the log is indexed (with the size of the newest indexed tree head)."""

    @abstractmethod
    def log_entries(self) -> Iterator[LogEntryRecord]:
        """Every indexed entry, in log order."""

    @abstractmethod
    def tree_heads(self) -> list[TreeHeadRecord]:
        """Every indexed tree head, by size."""

    @abstractmethod
    def capture(self, capture_id: str) -> Capture | None:
        """The capture with this exact id (with its sightings), or None."""

    @abstractmethod
    def captures_with_prefix(self, prefix: str, limit: int) -> list[Capture]:
        """Up to ``limit`` captures whose id starts with ``prefix``, by id."""

    @abstractmethod
    def captures(self, limit: int | None = None, offset: int = 0) -> Iterator[Capture]:
        """Captures in the order they were first logged (consume within the session)."""

    @abstractmethod
    def capture_ids(self) -> list[str]:
        """Every capture id, in the order first logged."""

    @abstractmethod
    def count_captures(self) -> int:
        """Number of captures."""

    @abstractmethod
    def captures_first_logged_at(self, seqs: Sequence[int]) -> set[str]:
        """Ids of the captures whose first log entry is one of ``seqs``."""

    @abstractmethod
    def index_row(self, table: str, key: Any) -> tuple[Any, ...] | None:
        """One stored index row, as the columns :data:`organwatch.archive.index.TABLES` lists for ``table``
        (``log_entries``, ``captures``, ``observations``), for ``verify`` to compare with the log; None if absent."""

    @abstractmethod
    def index_keys(self, table: str) -> Iterator[tuple[Any, int]]:
        """``(key, log seq)`` of every row of an index table, by key (consume within the session)."""

    @abstractmethod
    def observations(self, capture_id: str) -> list[Observation]:
        """The sightings of a capture, in log order (empty when unknown)."""

    def observations_of(self, capture_ids: Iterable[str]) -> dict[str, list[Observation]]:
        """The sightings of several captures, each in log order (a server store reads them in one query:
        a page of search hits would otherwise cost a round trip per hit)."""
        return {capture_id: self.observations(capture_id) for capture_id in capture_ids}


class ArchiveIndexWriter(ArchiveIndexView):
    """Writes of the archive index (only ever from the log: the log is the source of truth)."""

    @abstractmethod
    def add(self, batch: IndexBatch) -> None:
        """Index a batch of log entries with the captures and sightings they add."""

    @abstractmethod
    def add_tree_head(self, head: TreeHeadRecord) -> None:
        """Index a signed tree head."""

    @abstractmethod
    def set_log_position(self, position: LogPosition) -> None:
        """Record how far the log is indexed (``last_head_size`` is derived from the heads, not stored)."""


# -- documents ----------------------------------------------------------------------------------------------


class DocumentsView(ABC):
    """Documents read from captures, their duplicate links, and what near-duplicate detection keeps."""

    @abstractmethod
    def get(self, document_id: int) -> Document | None:
        """One document, or None."""

    @abstractmethod
    def get_many(self, document_ids: Sequence[int]) -> dict[int, Document]:
        """The documents among ``document_ids`` that exist, by id."""

    @abstractmethod
    def documents(self, capture_id: str | None = None) -> Iterator[Document]:
        """Documents in id order (of one capture, or all; consume within the session)."""

    @abstractmethod
    def ids(self, status: str | None = None, capture_ids: Sequence[str] | None = None) -> list[int]:
        """Document ids in order (of one status, of some captures)."""

    @abstractmethod
    def capture_ids(self, status: str | None = None) -> list[str]:
        """The distinct captures that hold documents (of one status), by id."""

    @abstractmethod
    def count(self, status: str | None = None) -> int:
        """Number of documents (of one status, or all)."""

    @abstractmethod
    def text_sha256(self, document_id: int) -> str | None:
        """The SHA-256 of a document's text (None when it has none or is unknown)."""

    @abstractmethod
    def links(self, document_id: int) -> list[DocumentLink]:
        """Every link of a document, either end, by link id."""

    @abstractmethod
    def duplicate_pairs(self, document_ids: Sequence[int]) -> list[tuple[int, int]]:
        """``(a, b)`` of every duplicate or near-duplicate link touching ``document_ids`` (at most 400)."""

    @abstractmethod
    def same_text(self, text_sha256: str, exclude: int) -> list[int]:
        """Ids of other ``ok`` documents whose text has this SHA-256."""

    @abstractmethod
    def band_candidates(self, keys: Sequence[tuple[int, bytes]]) -> set[int]:
        """Documents that share any ``(band, key)`` of a MinHash LSH banding."""

    @abstractmethod
    def signature(self, document_id: int) -> Signature | None:
        """A document's stored MinHash signature, or None."""

    @abstractmethod
    def repeated_paragraphs(self, paragraph_hash: bytes, exclude: int, limit: int) -> list[ParagraphHash]:
        """Paragraphs of other documents with this folded-paragraph hash."""


class DocumentsWriter(DocumentsView):
    """Writes of documents. Replacing a document keeps its id and forgets its links and signatures."""

    @abstractmethod
    def upsert(self, document: Document) -> int:
        """Store a document by ``(capture_id, locator)`` and return its id (``document.id`` is ignored).

        A document already stored there is replaced in place: same id, every field from ``document``,
        and its links, signature, band keys and paragraph hashes are dropped (the caller recomputes them).
        """

    @abstractmethod
    def delete(self, document_id: int) -> None:
        """Delete a document with everything that hangs on it (links, mentions, chunks)."""

    @abstractmethod
    def add_link(self, link: DocumentLink) -> int:
        """Store a link (``link.id`` is ignored); return its id."""

    @abstractmethod
    def add_signature(self, document_id: int, signature: bytes, bands: Sequence[tuple[int, bytes]]) -> None:
        """Store a document's MinHash signature and its LSH band keys."""

    @abstractmethod
    def add_paragraph(self, paragraph: ParagraphHash) -> None:
        """Store the hash of one folded paragraph."""


# -- mentions and quotes ----------------------------------------------------------------------------------------


class MentionsView(ABC):
    """What the extract stage stored for each document."""

    @abstractmethod
    def mentions(self, document_id: int, mention_type: str | None = None) -> list[StoredMention]:
        """A document's mentions (of one type), in text order."""

    @abstractmethod
    def quotes(self, document_id: int) -> list[StoredQuote]:
        """A document's quotes, in text order."""

    @abstractmethod
    def documents_naming(self, mention_type: str, name: str, limit: int = 50) -> list[int]:
        """Ids of documents with a mention of this type whose text or canonical name is ``name``."""

    @abstractmethod
    def extract_run(self, document_id: int) -> ExtractRun | None:
        """When and with which code the extract stage last read a document."""


class MentionsWriter(MentionsView):
    """Writes of the extract stage's results."""

    @abstractmethod
    def replace(self, document_id: int, mentions: Sequence[StoredMention], quotes: Sequence[StoredQuote],
                run: ExtractRun) -> None:
        """Replace everything stored for a document by a new run's results (their ``id`` is ignored)."""


# -- search index -----------------------------------------------------------------------------------------------


class FullTextRanking(ABC):
    """The documents a query plan matches, ranked (lower score is better), read a window at a time.

    Given a ``limit``, a backend ranks only the newest ``limit`` matches (the highest document ids) of a
    query that matches more, to bound the work; it then sets ``truncated`` once ``top`` has run."""

    truncated: bool = False

    @abstractmethod
    def top(self, n: int) -> list[tuple[int, float]]:
        """The best ``n`` documents with their scores, best first (ties: smaller id first)."""

    @abstractmethod
    def count(self, cap: int | None = None) -> tuple[int, bool]:
        """``(n, exact)``: how many documents match, or, when counting stopped early (about ``cap``
        matches examined, or only a truncated ranking's window), ``exact`` False and ``n`` a lower bound."""

    @abstractmethod
    def matching(self, document_ids: Sequence[int]) -> set[int]:
        """Which of ``document_ids`` match."""


class SearchIndexView(ABC):
    """The full-text index: its vocabularies, query plans run against it, and its bookkeeping."""

    @abstractmethod
    def trigram_terms(self, prefix: str, limit: int) -> list[str]:
        """Indexed trigrams that start with ``prefix`` (at most ``limit``)."""

    def indexed_at_least(self, index_version: str) -> bool:
        """True when this backend keeps the Han-character table (``Match("chars", ...)``) and the word list
        (:meth:`word_terms`) and every document was indexed at ``index_version`` or later (so none lacks
        its entries). Backends without them answer False: one- and two-character queries then go through
        trigrams or a scan, and ``prefix*`` stays a prefix query."""
        return False

    def word_terms(self, prefix: str, limit: int) -> list[str] | None:
        """Indexed words (folded, starting with a Latin letter or digit) that start with ``prefix``, at most
        ``limit``; None when this backend keeps no word list."""
        return None

    @abstractmethod
    def has_pinyin_key(self, key: str) -> bool:
        """True when some indexed document has a name with this joined pinyin key."""

    @abstractmethod
    def pinyin_forms(self, key: str) -> list[str]:
        """The simplified Han forms indexed under a pinyin key."""

    @abstractmethod
    def ranking(self, plan: Plan, rank_expression: str | None, filters: DocumentFilters,
                limit: int | None = None) -> FullTextRanking:
        """The documents ``plan`` matches among those ``filters`` keep, ranked (the newest ``limit`` only,
        when more match and a limit is given).

        A single :class:`~organwatch.store.records.Match` is ranked by its own table; anything else is
        ranked by ``rank_expression`` on the word table (unranked, score 0, when None). Raises
        :class:`~organwatch.search.SearchQueryError` when the engine cannot read an expression.
        """

    @abstractmethod
    def entry(self, document_id: int) -> IndexedDocument | None:
        """What the index records about one document, or None when it is not indexed."""

    @abstractmethod
    def stale_documents(self, index_version: str) -> list[int]:
        """Documents not indexed, indexed from another text or version, or indexed but gone or failed."""


class SearchIndexWriter(SearchIndexView):
    """Writes of the full-text index."""

    @abstractmethod
    def put(self, document_id: int, entry: SearchEntry) -> None:
        """Index (or re-index) one document, replacing what was there, and record its chunks."""

    @abstractmethod
    def remove(self, document_id: int) -> None:
        """Take a document out of the index (its chunks too)."""


# -- embeddings ---------------------------------------------------------------------------------------------------


class EmbeddingsView(ABC):
    """Chunk vectors for semantic search, and the embedder that made them."""

    @abstractmethod
    def embedder(self) -> EmbedderRecord | None:
        """The embedder of this case's vectors, or None before the first embedding run."""

    @abstractmethod
    def pending_count(self, document_ids: Sequence[int] | None = None) -> int:
        """How many chunks still need a vector (of the given documents, or of all)."""

    @abstractmethod
    def pending(self, after: int, limit: int, document_ids: Sequence[int] | None = None) -> list[PendingChunk]:
        """Up to ``limit`` chunks without a vector whose id is above ``after``, by id (of at most 500
        given documents, or of all)."""

    @abstractmethod
    def embedded_count(self) -> int:
        """How many chunks have a vector."""

    @abstractmethod
    def vector_count(self) -> int:
        """How many binary codes the nearest-neighbour index holds (stale ones included until purged)."""

    @abstractmethod
    def embedded(self, filters: DocumentFilters, chunk_ids: Sequence[int] | None = None) -> list[EmbeddedChunk]:
        """Embedded chunks of documents ``filters`` keeps (all, or those among at most 500 ``chunk_ids``)."""

    @abstractmethod
    def nearest(self, code: bytes, k: int) -> list[int]:
        """Ids of the ``k`` chunks whose binary codes are nearest (Hamming) to ``code``."""


class EmbeddingsWriter(EmbeddingsView):
    """Writes of chunk vectors."""

    @abstractmethod
    def reset(self, embedder: EmbedderRecord) -> None:
        """Start over with another embedder: every vector dropped, the new embedder recorded."""

    @abstractmethod
    def purge_stale(self) -> None:
        """Drop codes of chunks that were re-indexed or deleted since they were embedded."""

    @abstractmethod
    def put(self, vectors: Sequence[ChunkVector]) -> None:
        """Store chunk vectors and their binary codes."""


# -- literature screening ---------------------------------------------------------------------------------


class PapersView(ABC):
    """Bibliographic records imported from captures, screening runs with their protocol, decisions, reviews."""

    @abstractmethod
    def find_record(self, record_id: str) -> Record | None:
        """The stored record with this id, or else the only one with the same matching key."""

    @abstractmethod
    def records(self) -> Iterator[Record]:
        """Every stored record, in import order."""

    @abstractmethod
    def count_records(self) -> dict[str, int]:
        """Records by source format."""

    @abstractmethod
    def issue_counts(self) -> dict[str, int]:
        """Import errors by kind (warnings are not counted)."""

    @abstractmethod
    def latest_run(self, protocol_name: str | None = None) -> dict[str, Any] | None:
        """The newest finished run (of one protocol, if named), with its protocol."""

    @abstractmethod
    def run_by_id(self, run_id: int) -> dict[str, Any] | None:
        """One run with its protocol."""

    @abstractmethod
    def results(self, run_id: int) -> list[ScreenResult]:
        """Stored decisions of a run, in record import order."""

    @abstractmethod
    def record_origin(self, record_id: str) -> tuple[str | None, str | None] | None:
        """``(capture id, locator)`` of the stored record with exactly this id, or None."""

    @abstractmethod
    def import_issues(self, limit: int = 500) -> list[dict[str, Any]]:
        """Import problems (source, locator, severity, reason), oldest first."""

    @abstractmethod
    def reviews(self, run_id: int) -> dict[str, dict[str, Any]]:
        """The latest human coding of each record of a run."""


class PapersWriter(PapersView):
    """Writes of literature screening (reviews are also logged as evidence events by the caller)."""

    @abstractmethod
    def insert_record(self, record: Record) -> None:
        """Store a new record (the caller has checked that its id is new)."""

    @abstractmethod
    def attach_fulltext(self, record_id: str, text: str, capture_id: str, locator: str) -> None:
        """Give a record its full text (only if it has none: stored text is never replaced)."""

    @abstractmethod
    def insert_issues(self, issues: Iterable[ImportIssue], capture_id: str | None) -> None:
        """Keep import problems, for the user and for the PRISMA counts (duplicates removed)."""

    @abstractmethod
    def start_run(self, protocol: Protocol, tool_version: str) -> int:
        """Store the protocol text (once) and open a run; return its id."""

    @abstractmethod
    def save_results(self, run_id: int, results: list[ScreenResult]) -> None:
        """Store the decisions of a run and close it."""

    @abstractmethod
    def add_review(self, run_id: int, record_id: str, score: int, note: str | None, reviewer: str,
                   log_seq: int) -> None:
        """Store one human coding decision (already logged as an evidence event)."""


# -- accounts and restricted evidence ---------------------------------------------------------------------


class AccountsView(ABC):
    """Users, sessions and login failures of the workbench, document restrictions, and the reads that leave
    out what a viewer may not see (restricted content must never leak through counts, links or the log)."""

    @abstractmethod
    def get_user(self, name: str) -> UserRecord | None:
        """The account called ``name``, if any."""

    @abstractmethod
    def list_users(self) -> list[UserRecord]:
        """Every account, by name."""

    @abstractmethod
    def session_user(self, token_hash: str) -> UserRecord | None:
        """The enabled account a live session belongs to."""

    @abstractmethod
    def recent_login_failures(self, user_name: str, client: str, window: float) -> tuple[int, int]:
        """Failed logins in the last ``window`` seconds: ``(for this user name, from this client)``."""

    @abstractmethod
    def restriction_of(self, capture_id: str, locator: str) -> tuple[str, ...]:
        """The principals a document is restricted to (empty when it is not restricted)."""

    @abstractmethod
    def restricted_documents(self) -> list[dict[str, Any]]:
        """Every restricted document with its principals (for admins)."""

    @abstractmethod
    def document_visible(self, viewer: Principal, document_id: int) -> bool:
        """Whether ``viewer`` may see document ``document_id`` (unknown ids are not visible)."""

    @abstractmethod
    def capture_visible(self, viewer: Principal, capture_id: str) -> bool:
        """Whether ``viewer`` may see a capture: it exists and none of its documents is hidden from them."""

    @abstractmethod
    def is_restricted_document(self, document_id: int) -> bool:
        """Whether a document has any restriction at all."""

    @abstractmethod
    def is_restricted_capture(self, capture_id: str) -> bool:
        """Whether any document of a capture is restricted."""

    @abstractmethod
    def document_counts(self, viewer: Principal) -> dict[str, Any]:
        """Visible documents by status and by language, visible captures, and (admins only) restricted ones."""

    @abstractmethod
    def recent_events(self, viewer: Principal, limit: int) -> list[dict[str, Any]]:
        """The latest evidence events the viewer may know about, newest first.

    Captures of hidden documents are left out, and so are access and restriction events for anyone
    but admins: knowing that someone read a restricted document already says it exists.
    """

    @abstractmethod
    def log_entry_meta(self, seqs: Iterable[int]) -> list[dict[str, Any]]:
        """Index rows (seq, type, time, leaf hash) of some log entries, with the first tree head covering each."""

    @abstractmethod
    def visible_links(self, viewer: Principal, document_id: int) -> list[dict[str, Any]]:
        """Duplicate and repeated-paragraph links of a document, to documents the viewer may see."""

    @abstractmethod
    def capture_documents(self, viewer: Principal, capture_id: str) -> list[dict[str, Any]]:
        """The visible documents of a capture (id, locator, title)."""


class AccountsWriter(AccountsView):
    """Writes of accounts and restrictions (restriction changes are also logged as evidence events)."""

    @abstractmethod
    def upsert_user(self, name: str, role: str, password_hash: str, created_at: str) -> bool:
        """Create the account, or replace its role and password; True when it is new. Ends its sessions."""

    @abstractmethod
    def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace a hash (argon2 parameters changed since it was made)."""

    @abstractmethod
    def create_session(self, token_hash: str, user_name: str, lifetime: float) -> None:
        """Store a new session (by the hash of its token) and drop expired ones."""

    @abstractmethod
    def delete_session(self, token_hash: str) -> None:
        """End one session (log out)."""

    @abstractmethod
    def record_login_failure(self, user_name: str, client: str) -> None:
        """Remember one failed login (for rate limiting)."""

    @abstractmethod
    def clear_login_failures(self, user_name: str, older_than: float) -> None:
        """Forget a user's failures after a successful login, and everyone's old ones."""

    @abstractmethod
    def set_restriction(self, capture_id: str, locator: str, principals: Sequence[str], seq: int) -> None:
        """Replace a document's restriction (no principals: lift it)."""



# -- entities ---------------------------------------------------------------------------------------------


class EntitiesView(ABC):
    """Actors resolved across documents and scripts: entities, aliases, mention links, relations, events,
    merge suggestions, and the reviewers' merge and split decisions (which survive every re-resolution)."""

    @abstractmethod
    def count(self) -> int:
        """Number of entities."""

    @abstractmethod
    def linked_mentions(self) -> list[tuple[int, int, str]]:
        """``(document id, start, entity id)`` of every mention linked to an entity, in document and text order."""

    @abstractmethod
    def decisions(self) -> list[Decision]:
        """Reviewer decisions in the order they were logged."""

    @abstractmethod
    def entities(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Entities (of one type), with how many mentions and documents each has, most mentioned first."""

    @abstractmethod
    def entity(self, entity_id: str) -> dict[str, Any] | None:
        """One entity by id, or None."""

    @abstractmethod
    def aliases(self, entity_id: str) -> list[dict[str, Any]]:
        """The names of an entity with their script, romanisation, count and validity dates."""

    @abstractmethod
    def all_aliases(self) -> list[dict[str, Any]]:
        """Every alias of every entity, with the entity type (to look names up)."""

    @abstractmethod
    def mentions_of(self, entity_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """Mentions linked to an entity, in document and text order, with their selector context."""

    @abstractmethod
    def relations(self, entity_id: str | None = None) -> list[dict[str, Any]]:
        """Relations (of one entity, either end), dated ones first, each with its cited span."""

    @abstractmethod
    def events(self) -> list[EventReport]:
        """Dated events in date order, each with its cited span."""

    @abstractmethod
    def suggestions(self) -> list[Suggestion]:
        """Merge suggestions, best first, with their per-feature explanations."""

    @abstractmethod
    def document_links(self) -> list[tuple[int, int]]:
        """Pairs of documents that are duplicates or reprints of each other (they count once as sources)."""

    @abstractmethod
    def identities_of(self, entity_id: str) -> list[str]:
        """Decision keys of every name the entity was resolved from."""

    @abstractmethod
    def unresolved_documents(self, version: str) -> list[int]:
        """Documents with text whose local entities are missing or from another resolver version."""

    @abstractmethod
    def components(self) -> Iterator[list[int]]:
        """The connected blocks of all local entities, in bounded memory (for a full run)."""


class EntitiesWriter(EntitiesView):
    """Writes of the resolution stage: per document its local entities (with name keys), per block of
    connected names its entities; reviewers' decisions are appended."""

    @abstractmethod
    def write_decision(self, seq: int, decision: Decision, reason: str) -> None:
        """Record a reviewer's merge or split (already logged as an evidence event with this seq)."""

    @abstractmethod
    def reset_resolution(self) -> None:
        """Forget every derived row before a full run; decisions stay."""

    @abstractmethod
    def replace_document(self, document_id: int, locals_: list[LocalEntity], relations: list[Relation],
                         version: str, at: str) -> tuple[list[int], set[str]]:
        """Replace a document's local entities and relations (dropping its events); return the new local ids
        and the entities its former locals belonged to."""

    @abstractmethod
    def add_events(self, document_id: int, events: list[EventReport]) -> None:
        """Store a document's events, their actors given as local entity ids."""

    @abstractmethod
    def local_ids_of(self, identities: set[str]) -> list[int]:
        """Local entities named by these decision keys."""

    @abstractmethod
    def block_closure(self, seeds: set[int], entities: set[str], must: list[tuple[str, str]]) -> list[int]:
        """Every local entity connected to the seeds by exact name keys, current entities or reviewers' merges."""

    @abstractmethod
    def load_locals(self, local_ids: list[int]) -> list[tuple[int, LocalEntity, str | None]]:
        """Local entities by id, with the entity each resolved to last time."""

    @abstractmethod
    def entity_exists(self, entity_id: str) -> bool:
        """Whether an entity id is in use."""

    @abstractmethod
    def write_block(self, members: list[tuple[int, LocalEntity, Entity]], old: set[str], version: str) -> None:
        """Write one block's entities, links and remapped relations/events; drop its former entities."""

    @abstractmethod
    def fuzzy_keys_of(self, local_ids: list[int]) -> list[str]:
        """Review neighbourhoods of these local entities."""

    @abstractmethod
    def all_fuzzy_keys(self) -> Iterator[str]:
        """Every review neighbourhood, in order."""

    @abstractmethod
    def fuzzy_block(self, key: str) -> list[tuple[str, int, str]]:
        """``(name, first local id, entity id)`` of each distinct name in a neighbourhood, in name order."""

    @abstractmethod
    def identities_in(self, entity_id: str) -> set[str]:
        """Decision keys of an entity's local entities."""

    @abstractmethod
    def write_suggestions(self, suggestions: list[Suggestion]) -> None:
        """Add review suggestions, keeping the best score per pair."""


# -- claims ---------------------------------------------------------------------------------------------


class ClaimsView(ABC):
    """Attributed claims of the case as the claims stage stored them: instances per document, the groups
    across documents (with independent origins and contradictions), and reviewers' group decisions."""

    @abstractmethod
    def instances(self, document_id: int | None = None) -> list[Reported]:
        """Claim instances (of one document), in document and text order."""

    @abstractmethod
    def groups(self) -> list[ClaimGroup]:
        """Every group with its members (as stored instances), origins and contradictions, in stored order."""

    @abstractmethod
    def run_version(self, document_id: int) -> str | None:
        """The claims code version that last processed a document, or None when none has."""

    @abstractmethod
    def processed(self) -> dict[int, str]:
        """Document id → claims code version, for every document the stage processed."""

    @abstractmethod
    def decisions(self) -> list[GroupDecision]:
        """Reviewers' merge and split decisions on groups, in the order they were logged."""


class ClaimsWriter(ClaimsView):
    """Writes of the claims stage: instances are replaced per document, groups as a whole; decisions are
    appended (they are evidence events, already in the signed log). Deleting a document leaves its claim
    instances until the stage removes them, so what was said in a source deleted since can be reported."""

    @abstractmethod
    def replace_instances(self, document_id: int, instances: Sequence[Reported], version: str) -> None:
        """Replace one document's claim instances and mark it processed by ``version``."""

    @abstractmethod
    def remove(self, document_id: int) -> None:
        """Forget one document's claim instances and run (the document is gone from the case)."""

    @abstractmethod
    def replace_groups(self, groups: Sequence[ClaimGroup]) -> None:
        """Replace every group (members are referred to by instance key)."""

    @abstractmethod
    def add_decision(self, decision: GroupDecision) -> None:
        """Record a reviewer's merge or split."""


# -- pending work -------------------------------------------------------------------------------------------------


class PendingView(ABC):
    """Work started and not finished (an interrupted ``add``), so the next run can finish it and ``verify``
    can say so. Kinds: ``import`` (a web archive's records not all split out), ``text`` (a capture the text
    stage, which also indexes, has not read), ``extract`` (a document the extract stage has not seen)."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """How many items of each kind are pending (kinds with none are left out)."""

    @abstractmethod
    def items(self, kind: str, limit: int | None = None) -> list[PendingWork]:
        """Pending items of one kind, oldest first."""


class PendingWriter(PendingView):
    """Marks work as pending, and done. Marking is idempotent: an item already pending keeps its ``since``."""

    @abstractmethod
    def add(self, kind: str, refs: Sequence[str], detail: str | None = None) -> None:
        """Record ``refs`` as pending work of ``kind``."""

    @abstractmethod
    def done(self, kind: str, refs: Sequence[str]) -> None:
        """Forget ``refs`` of ``kind`` (finished, or no longer wanted)."""


# -- sessions and the store -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A read session: one repository per area, over one consistent connection to the store."""

    archive: ArchiveIndexView
    documents: DocumentsView
    mentions: MentionsView
    search: SearchIndexView
    embeddings: EmbeddingsView
    papers: PapersView
    accounts: AccountsView
    entities: EntitiesView
    claims: ClaimsView
    pending: PendingView


@dataclass(frozen=True)
class Writer:
    """The write session: one transaction, committed when the ``with`` block ends without error."""

    archive: ArchiveIndexWriter
    documents: DocumentsWriter
    mentions: MentionsWriter
    search: SearchIndexWriter
    embeddings: EmbeddingsWriter
    papers: PapersWriter
    accounts: AccountsWriter
    entities: EntitiesWriter
    claims: ClaimsWriter
    pending: PendingWriter


Session = View | Writer


class Store(ABC):
    """A case's store: migrations per area, read sessions, and the single write session."""

    backend: ClassVar[str]

    @abstractmethod
    def migrate(self) -> list[AppliedMigration]:
        """Bring every area's schema up to date; return the migrations applied now (empty when current)."""

    @abstractmethod
    def migrations(self) -> list[AppliedMigration]:
        """Every migration applied to this store, in the order applied."""

    @abstractmethod
    def view(self) -> AbstractContextManager[View]:
        """A read session."""

    @abstractmethod
    def writer(self) -> AbstractContextManager[Writer]:
        """The write session (one at a time per process; a transaction committed on success)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections (the store can be used again; it reconnects)."""

    def append_lock(self) -> AbstractContextManager[None]:
        """Exclusive right to extend the evidence log, across every machine sharing this store.

        Held around a log writer's whole turn (read position, append, index). A store used from one
        machine needs nothing beyond the case folder's file lock, so the default holds nothing; a
        shared server overrides it.
        """
        return nullcontext()

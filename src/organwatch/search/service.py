"""``search()``: the one function the CLI, the Python API and the web workbench call.

Stages: parse the query (:mod:`.query`) → rank documents by full text (:mod:`.fts`), by meaning
(:mod:`.semantic`) or both fused (:mod:`.hybrid`) → keep one hit per duplicate cluster
(:mod:`.duplicates`) → point each hit of the page at its best span and cut a snippet (:mod:`.spans`).
"""

from __future__ import annotations

from organwatch.search.duplicates import collapse
from organwatch.search.embedder import Embedder
from organwatch.search.errors import SearchQueryError
from organwatch.search.fts import Compiler, rank_expression
from organwatch.search.hybrid import fuse
from organwatch.search.query import _UNSAFE, Node, parse, positive_terms
from organwatch.search.results import MODES, Hit, Mode, SearchFilters, SearchPage
from organwatch.search.semantic import ChunkHit, semantic_candidates
from organwatch.search.spans import DEFAULT_MARKERS, Located, locate, needles, quote_selector, snippet
from organwatch.store import Session
from organwatch.store.base import SearchIndexView
from organwatch.store.errors import QuerySyntaxError

MAX_LIMIT = 1000
MAX_OFFSET = 100_000
#: A full-text query matching more documents than this ranks (BM25) only the newest this many, and its
#: page says so (``truncated``); ``rank_all=True`` ranks every match. Scoring costs about a microsecond
#: per match, so an unbounded common word in a million-document case costs a second.
RANK_LIMIT = 5_000
#: Matches are counted up to this many; past it the page says "at least" (``total_exact`` False).
COUNT_LIMIT = 10_000
FUSION_DEPTH = 1000  # full-text ranks beyond this add less than 1/1060 to a fused score: cut for speed
MAX_WINDOW = 200_000  # ranked documents read at most to fill one page after collapsing duplicates
MAX_SEMANTIC_CHARS = 10_000


class _FullText:
    """The full-text side of one search: the ranking and what the span finder needs."""

    def __init__(self, index: SearchIndexView, tree: Node, filters: SearchFilters, rank_all: bool) -> None:
        compiler = Compiler(index)
        plan = compiler.compile(tree)
        self.terms = positive_terms(tree)
        self.pinyin_forms = compiler.pinyin_keys
        self.ranking = index.ranking(plan, rank_expression(self.terms, list(self.pinyin_forms)), filters,
                                     None if rank_all else RANK_LIMIT)
        self.count_cap = None if rank_all else COUNT_LIMIT


def _check(query: object, mode: str, limit: int, offset: int) -> None:
    if not isinstance(query, str):
        raise SearchQueryError(f"the query must be text, not {type(query).__name__}")
    if mode not in MODES:
        raise SearchQueryError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchQueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise SearchQueryError(f"offset must be between 0 and {MAX_OFFSET:,}, not {offset}")


def _semantic_text(query: str) -> str:
    text = " ".join(_UNSAFE.sub(" ", query).split())[:MAX_SEMANTIC_CHARS]
    if not text:
        raise SearchQueryError("the query has nothing to search for: type a few words or a passage")
    return text


def _need_embedder(embedder: Embedder | None, mode: str) -> Embedder:
    if embedder is None:
        raise SearchQueryError(f"{mode} search needs an embedder: install the semantic extra "
                               "(pip install 'organwatch[semantic]') and run `organwatch embed --case <case>`")
    return embedder


def search(view: Session, query: str, *, mode: Mode = "fts", filters: SearchFilters | None = None,
           limit: int = 20, offset: int = 0, embedder: Embedder | None = None,
           markers: tuple[str, str] = DEFAULT_MARKERS, rank_all: bool = False) -> SearchPage:
    """Search the documents of a case; one page of hits, best first, one per duplicate cluster.

    ``mode``: ``fts`` (words, phrases, prefix*, AND/OR/NOT, pinyin names), ``semantic`` (by meaning,
    across languages; needs ``embedder`` and embedded documents) or ``hybrid`` (both, fused by
    reciprocal rank). ``view`` is a read session of the case's store (``with store.view() as view``).
    A full-text query matching more than :data:`RANK_LIMIT` documents ranks the newest of them and
    counts up to :data:`COUNT_LIMIT` (the page says so); ``rank_all`` ranks and counts every match.
    Malformed queries raise :class:`SearchQueryError`, never a storage error.

    >>> page = search(view, '王立军 OR "Wang Lijun"', filters=SearchFilters(date_from="2012"))  # doctest: +SKIP
    >>> hit = page.hits[0]; text[hit.start:hit.end]                                              # doctest: +SKIP
    '王立軍'
    """
    _check(query, mode, limit, offset)
    try:
        return _search(view, query, mode, filters or SearchFilters(), limit, offset, embedder, markers, rank_all)
    except QuerySyntaxError as exc:
        raise SearchQueryError(f"{exc}; put unusual words in double quotes") from exc


def _search(view: Session, query: str, mode: Mode, filters: SearchFilters, limit: int, offset: int,
            embedder: Embedder | None, markers: tuple[str, str], rank_all: bool) -> SearchPage:
    full_text: _FullText | None = None
    chunks: dict[int, ChunkHit] = {}
    total_exact = True
    if mode in ("fts", "hybrid"):
        tree = parse(query)
        full_text = _FullText(view.search, tree, filters, rank_all)
    if mode in ("semantic", "hybrid"):
        model = _need_embedder(embedder, mode)
        text = _semantic_text(" ".join(t.text for t in full_text.terms) if full_text is not None else query)
        want = min(2048, max(60, (offset + limit) * 2))
        chunks = {hit.document_id: hit for hit in semantic_candidates(view, model, text, filters, want)}
    if mode == "fts":
        assert full_text is not None
        n = (offset + limit) * 2 + 50
        while True:  # duplicates may eat the window: widen it until the page is full or the list ends
            window = full_text.ranking.top(n)
            page, has_more = collapse(view.documents, [doc for doc, _ in window], offset, limit)
            if has_more or len(window) < n or n >= MAX_WINDOW:
                break
            n *= 4
        scores = {doc: -score for doc, score in window}  # bm25: lower is better
        lexical = set(scores)
        total, total_exact = full_text.ranking.count(full_text.count_cap)
    elif mode == "semantic":
        scores = {doc: hit.similarity for doc, hit in chunks.items()}
        page, has_more = collapse(view.documents, list(scores), offset, limit)
        lexical = set()
        total = len(scores)
    else:
        assert full_text is not None
        fts_order = [doc for doc, _ in full_text.ranking.top(FUSION_DEPTH)]
        lexical = set(fts_order)
        scores = dict(fuse([fts_order, list(chunks)]))
        page, has_more = collapse(view.documents, list(scores), offset, limit)
        total = len(scores)
    outside = sorted({member for _, members in page for member in members} - set(scores))
    matched = set(scores) | (full_text.ranking.matching(outside) if full_text is not None and outside else set())
    clustered = [(doc, tuple(sorted((members & matched) - {doc}))) for doc, members in page]
    hits = _hits(view, clustered, scores, full_text, lexical, chunks, offset, markers)
    truncated = full_text is not None and full_text.ranking.truncated
    return SearchPage(query, mode, filters, limit, offset, total, tuple(hits), has_more, truncated, total_exact)


def _hits(view: Session, page: list[tuple[int, tuple[int, ...]]], scores: dict[int, float],
          full_text: _FullText | None, lexical: set[int], chunks: dict[int, ChunkHit], offset: int,
          markers: tuple[str, str]) -> list[Hit]:
    if not page:
        return []
    ids = [doc for doc, _ in page]
    rows = view.documents.get_many(ids)
    origins = _origins(view, {document.capture_id for document in rows.values()})
    patterns = needles(full_text.terms, full_text.pinyin_forms) if full_text is not None else []
    hits: list[Hit] = []
    for document_id, duplicates in page:
        document = rows.get(document_id)
        if document is None:
            continue  # indexed, then deleted without remove_document: sync_index cleans it up
        origin = origins.get(document.capture_id, (None, None, None))
        text: str = document.text or ""
        title: str = document.title or ""
        sides = (("fts", document_id in lexical), ("semantic", document_id in chunks))
        matched_by = tuple(name for name, present in sides if present)
        located: Located | None = None
        if document_id in lexical:
            located = locate(text, patterns) or locate(title, patterns, "title")
        if located is None and document_id in chunks:
            chunk = chunks[document_id]
            located = Located("text", chunk.start, chunk.end, ())
        source = title if located is not None and located.field == "title" else text
        found = located is not None
        if located is None:
            located = Located("text", 0, 0, ())
        cut, cut_start, cut_end, highlights = snippet(source, located, markers)
        exact, before, after = quote_selector(source, located.start, located.end)
        hits.append(Hit(
            document_id=document_id, rank=offset + len(hits) + 1, score=round(scores.get(document_id, 0.0), 6),
            field="title" if located.field == "title" else "text", start=located.start, end=located.end,
            quote=exact, prefix=before, suffix=after, snippet=cut, snippet_start=cut_start, snippet_end=cut_end,
            highlights=highlights, located=found, matched_by=matched_by, duplicates=duplicates,
            title=document.title, outlet=document.outlet, published=document.published,
            language=document.language, capture_id=document.capture_id, locator=document.locator,
            source_url=document.source_url or origin[0], original_name=origin[1],
            captured_at=document.captured_at or origin[2]))
    return hits


def _origins(view: Session, capture_ids: set[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
    """First sighting of each capture: its URL, its file name and when it was captured (a page at most)."""
    origins: dict[str, tuple[str | None, str | None, str | None]] = {}
    for capture_id, observations in view.archive.observations_of(sorted(capture_ids)).items():
        url = next((o.source_url for o in observations if o.source_url), None)
        name = next((o.original_name for o in observations if o.original_name), None)
        when = observations[0].captured_at if observations else None
        origins[capture_id] = (url, name, when)
    return origins

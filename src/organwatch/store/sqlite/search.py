"""The full-text index in SQLite: FTS5 tables ``search_trigram`` and ``search_words`` (contentless, rowid =
document id), their vocabularies, ``search_pinyin_forms``, ``search_documents`` and ``search_chunks``.

A query plan (:mod:`organwatch.store.records`) becomes SQL here: a :class:`Match` is one FTS5 ``MATCH``,
a :class:`Like` a scan of ``documents``, a :class:`SetOp` an ``INTERSECT`` / ``UNION`` / ``EXCEPT`` of its
parts. Every user term reaches SQLite as a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from organwatch.store.base import FullTextRanking, SearchIndexWriter
from organwatch.store.errors import QuerySyntaxError
from organwatch.store.records import DocumentFilters, IndexedDocument, Like, Match, Nothing, Plan, SearchEntry, SetOp

Connection = Any  # sqlean.Connection
WORDS_WEIGHTS = "1.0, 3.0, 1.0"  # bm25 weights: body, title (a title match counts more), pinyin
TRIGRAM_WEIGHTS = "1.0, 3.0"
_TABLES = {"words": "search_words", "trigram": "search_trigram", "chars": "search_chars"}


def filter_sql(filters: DocumentFilters, alias: str = "d") -> tuple[str, list[Any]]:
    """A WHERE fragment over ``documents`` (as ``alias``) and its parameters; ``"1"`` when unfiltered.

    Published dates are ISO 8601 at any precision: a range keeps documents whose date overlaps it.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if filters.date_from:
        clauses.append(f"{alias}.published || char(1114111) >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append(f"{alias}.published <= ? || char(1114111)")
        params.append(filters.date_to)
    if filters.language:
        if filters.language.lower() == "zh":
            clauses.append(f"{alias}.language LIKE 'zh%'")
        else:
            clauses.append(f"{alias}.language = ? COLLATE NOCASE")
            params.append(filters.language)
    if filters.outlet:
        clauses.append(f"{alias}.outlet = ? COLLATE NOCASE")
        params.append(filters.outlet)
    if filters.media_type:
        if filters.media_type.endswith("/*"):
            clauses.append(f"{alias}.media_type LIKE ? ESCAPE '\\'")
            params.append(filters.media_type[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        else:
            clauses.append(f"{alias}.media_type = ? COLLATE NOCASE")
            params.append(filters.media_type)
    visible_to = filters.visible_to
    if visible_to is not None:
        # Restricted documents the reader is not cleared for never match: they add nothing to totals,
        # snippets or "also in N documents".
        marks = ",".join("?" * len(visible_to)) or "NULL"
        clauses.append(f"{alias}.id NOT IN (SELECT rd.id FROM documents rd JOIN restrictions rr ON rr.capture_id = "
                       f"rd.capture_id AND rr.locator = rd.locator GROUP BY rd.id "
                       f"HAVING sum(rr.principal IN ({marks})) = 0)")
        params.extend(visible_to)
    return (" AND ".join(clauses) or "1"), params


def _table(name: str) -> str:
    try:
        return _TABLES[name]
    except KeyError:
        raise ValueError(f"no full-text table {name!r}: use words or trigram") from None


def _rowids_sql(plan: Plan, params: list[Any], floor: int | None = None,
                filters: DocumentFilters | None = None) -> str:
    """SQL selecting the matching document ids of a plan (one column ``id``), in ascending id order at
    every leaf: only ids >= ``floor`` when given, only documents ``filters`` keep when active.

    The floor and the filters go into every leaf (filtering distributes over union, intersection and
    difference): there FTS5 uses the floor to skip the older part of each doclist, and a set operation
    with ``ORDER BY id DESC`` merges its leaves lazily instead of building each one whole.
    """
    active = filters is not None and filters.active
    if isinstance(plan, Match):
        table = _table(plan.table)
        params.append(plan.expr)
        sql = f"SELECT {table}.rowid AS id FROM {table}"
        where = f" WHERE {table} MATCH ?"
        if floor is not None:
            where += f" AND {table}.rowid >= ?"
            params.append(floor)
        if active:
            assert filters is not None
            kept, filter_params = filter_sql(filters, "d")
            sql += f" JOIN documents d ON d.id = {table}.rowid"
            where += f" AND {kept}"
            params.extend(filter_params)
        return sql + where
    if isinstance(plan, Like):
        params.extend(p for pattern in plan.patterns for p in (pattern, pattern))
        tests = " OR ".join("d.text LIKE ? ESCAPE '\\' OR d.title LIKE ? ESCAPE '\\'" for _ in plan.patterns)
        sql = f"SELECT d.id AS id FROM documents d WHERE d.status = 'ok' AND ({tests})"
        if floor is not None:
            sql += " AND d.id >= ?"
            params.append(floor)
        if active:
            assert filters is not None
            kept, filter_params = filter_sql(filters, "d")
            sql += f" AND {kept}"
            params.extend(filter_params)
        return sql
    if isinstance(plan, SetOp):
        if plan.op not in ("INTERSECT", "UNION", "EXCEPT"):
            raise ValueError(f"unknown set operation {plan.op!r}")
        parts = []
        for item in plan.items:
            inner = _rowids_sql(item, params, floor, filters)
            parts.append(f"SELECT id FROM ({inner})" if isinstance(item, SetOp) else inner)
        return f" {plan.op} ".join(parts)
    return "SELECT NULL AS id WHERE 0"


#: A filtered query whose window of newest matches holds too few documents the filters keep widens the
#: window this many times (x4 each) before it ranks every match.
WIDENINGS = 3


class SQLiteRanking(FullTextRanking):
    """The documents a plan matches, ranked by BM25, read a window at a time.

    Common words match a large share of a big case, and BM25 costs a lookup per match. So with a
    ``limit``, when more than ``limit`` documents match, only the newest ``limit`` matches (the highest
    document ids) are considered: walking the doclists backwards finds the lowest id of that window,
    which then bounds every leaf of the ranking query, and ``truncated`` says so. Filters are applied
    inside the window; a window whose matches the filters mostly reject is widened (x4, at most
    :data:`WIDENINGS` times) until it fills the page, and after that every match is ranked.
    """

    def __init__(self, conn: Connection, plan: Plan, rank_expression: str | None, filters: DocumentFilters,
                 limit: int | None = None) -> None:
        self.conn = conn
        self.plan = plan
        self.rank_expression = rank_expression
        self.filters = filters
        self.empty = isinstance(plan, Nothing)
        self.window = limit  # None: rank every match
        self.widenings = 0
        self.floor: int | None = None  # lowest id of the window, when the window does not hold every match
        self._placed = False
        self.total: int | None = None  # exact count, once known
        self.truncated = False

    # -- SQL ------------------------------------------------------------------------------------
    def _ids(self, floor: int | None = None, *, filtered: bool = True) -> tuple[str, list[Any]]:
        """Matching ids (one column ``id``; may be a compound select), ascending in every leaf."""
        params: list[Any] = []
        return _rowids_sql(self.plan, params, floor, self.filters if filtered else None), params

    def _scored(self, floor: int | None) -> tuple[str, list[Any]]:
        """``(id, score)`` of every match the filters keep (>= ``floor``), lower score better.

        BM25 is the costly part, so it is a result column of a flat query: SQLite computes it only for
        rows that passed the floor and the filters.
        """
        plan = self.plan
        params: list[Any] = []
        if isinstance(plan, Match):
            table = _table(plan.table)
            weights = WORDS_WEIGHTS if plan.table == "words" else TRIGRAM_WEIGHTS  # chars: body, title too
            params.append(plan.expr)
            sql = f"SELECT {table}.rowid AS id, bm25({table}, {weights}) AS score FROM {table}"
            where = f" WHERE {table} MATCH ?"
            if floor is not None:
                where += f" AND {table}.rowid >= ?"
                params.append(floor)
            if self.filters.active:
                kept, filter_params = filter_sql(self.filters, "d")
                sql += f" JOIN documents d ON d.id = {table}.rowid"
                where += f" AND {kept}"
                params.extend(filter_params)
            return sql + where, params
        candidates, params = self._ids(floor)
        if self.rank_expression is None:
            return f"SELECT id, 0.0 AS score FROM ({candidates})", params
        # Materialised, or SQLite may run the ranking MATCH once per candidate; scored only for the
        # candidates, since bm25() is what costs.
        params.append(self.rank_expression)
        bound = ""
        if floor is not None:
            bound = " AND rowid >= ?"
            params.append(floor)
        return (f"WITH c AS MATERIALIZED ({candidates}), r AS MATERIALIZED (SELECT rowid AS id, "
                f"bm25(search_words, {WORDS_WEIGHTS}) AS score FROM search_words WHERE search_words MATCH ?{bound} "
                f"AND +rowid IN (SELECT id FROM c)) "
                f"SELECT c.id AS id, coalesce(r.score, 0.0) AS score FROM c LEFT JOIN r ON r.id = c.id"), params

    def _run(self, sql: str, params: Sequence[Any]) -> list[Any]:
        try:
            return list(self.conn.execute(sql, params).fetchall())
        except Exception as exc:  # sqlean.OperationalError: never shown raw to the user
            if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
                raise QuerySyntaxError(f"the full-text engine could not read this query ({exc})") from exc
            raise

    def _place(self) -> None:
        """Find the window's floor: the id of the ``window``-th newest match, if a newer one exists.

        Unfiltered, so the backwards walk is lazy: a set operation ordered by id merges its leaves.
        """
        self._placed = True
        self.floor, self.truncated = None, False
        if self.window is None or self.empty:
            return
        sql, params = self._ids(filtered=False)
        around = self._run(f"{sql} ORDER BY 1 DESC LIMIT 2 OFFSET ?", [*params, self.window - 1])
        if len(around) == 2:
            self.floor, self.truncated = int(around[0][0]), True

    def _widen(self) -> bool:
        """Widen the window (x4), or drop it after :data:`WIDENINGS` widenings; False when already whole."""
        if self.floor is None:
            return False
        self.widenings += 1
        self.window = None if self.window is None or self.widenings > WIDENINGS else self.window * 4
        self._place()
        return True

    # -- FullTextRanking ------------------------------------------------------------------------------
    def top(self, n: int) -> list[tuple[int, float]]:
        if self.empty:
            return []
        if not self._placed:
            self._place()
        while True:
            sql, params = self._scored(self.floor)
            if isinstance(self.plan, Match) or self.floor is not None:
                rows = self._run(f"SELECT id, score FROM ({sql}) ORDER BY 2, 1 LIMIT ?", [*params, n])
            else:  # set operations are costly to redo: count(*) OVER () counts in the same pass
                rows = self._run(f"SELECT id, score, count(*) OVER () FROM ({sql}) ORDER BY 2, 1 LIMIT ?",
                                 [*params, n])
                self.total = int(rows[0][2]) if rows else 0
            if len(rows) >= n or not self.filters.active or not self._widen():
                return [(int(row[0]), float(row[1])) for row in rows]

    def count(self, cap: int | None = None) -> tuple[int, bool]:
        if self.empty:
            return 0, True
        if self.total is not None:
            return self.total, True
        if cap is not None:
            if not self._placed:
                self._place()
            if self.floor is not None:
                sql, params = self._ids(self.floor if self.filters.active else None)
                counted = int(self._run(f"SELECT count(*) FROM ({sql} ORDER BY 1 DESC LIMIT ?)",
                                        [*params, cap + 1])[0][0])
                # Unfiltered: every match up to the cap. Filtered: those inside the window (a lower bound).
                return counted, counted <= cap and not self.filters.active
        sql, params = self._ids()
        self.total = int(self._run(f"SELECT count(*) FROM ({sql})", params)[0][0])
        return self.total, True

    def matching(self, document_ids: Sequence[int]) -> set[int]:
        if self.empty or not document_ids:
            return set()
        sql, params = self._ids()
        found: set[int] = set()
        for begin in range(0, len(document_ids), 400):
            batch = list(document_ids[begin:begin + 400])
            rows = self._run(f"SELECT id FROM ({sql}) WHERE id IN ({','.join('?' * len(batch))})", [*params, *batch])
            found.update(int(row[0]) for row in rows)
        return found


class SQLiteSearchIndex(SearchIndexWriter):
    """The full-text index over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def trigram_terms(self, prefix: str, limit: int) -> list[str]:
        return [str(row[0]) for row in self.conn.execute(
            "SELECT term FROM search_trigram_vocab WHERE term >= ? AND term < ? LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit))]

    def word_terms(self, prefix: str, limit: int) -> list[str] | None:
        return [str(row[0]) for row in self.conn.execute(
            "SELECT term FROM search_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit))]

    def indexed_at_least(self, index_version: str) -> bool:
        # min() and max() of an indexed column are each one B-tree descent.
        low = self.conn.execute("SELECT min(index_version) FROM search_documents").fetchone()[0]
        high = self.conn.execute("SELECT max(index_version) FROM search_documents").fetchone()[0]
        return low is None or (low >= index_version and high >= index_version)

    def has_pinyin_key(self, key: str) -> bool:
        # The forms table, not the FTS5 vocabulary: the vocabulary counts a word's whole doclist to answer,
        # tens of milliseconds for a common English word in a big case. A key whose documents were all
        # removed may linger here; it then adds an OR that matches nothing.
        return self.conn.execute("SELECT 1 FROM search_pinyin_forms WHERE key = ? LIMIT 1",
                                 (key,)).fetchone() is not None

    def pinyin_forms(self, key: str) -> list[str]:
        return [str(r[0]) for r in self.conn.execute("SELECT form FROM search_pinyin_forms WHERE key = ? ORDER BY form",
                                                     (key,))]

    def ranking(self, plan: Plan, rank_expression: str | None, filters: DocumentFilters,
                limit: int | None = None) -> FullTextRanking:
        return SQLiteRanking(self.conn, plan, rank_expression, filters, limit)

    def entry(self, document_id: int) -> IndexedDocument | None:
        row = self.conn.execute("SELECT document_id, text_sha256, index_version, indexed_at FROM search_documents "
                                "WHERE document_id = ?", (document_id,)).fetchone()
        return None if row is None else IndexedDocument(*tuple(row))

    def stale_documents(self, index_version: str) -> list[int]:
        query = """
            SELECT d.id FROM documents d LEFT JOIN search_documents s ON s.document_id = d.id
            WHERE d.status = 'ok' AND (s.document_id IS NULL OR s.index_version != ?
                                       OR s.text_sha256 IS NOT d.text_sha256)
            UNION
            SELECT s.document_id FROM search_documents s LEFT JOIN documents d ON d.id = s.document_id
            WHERE d.id IS NULL OR d.status != 'ok'
            ORDER BY 1
        """
        return [int(row[0]) for row in self.conn.execute(query, (index_version,))]

    def put(self, document_id: int, entry: SearchEntry) -> None:
        self.remove(document_id)
        self.conn.execute("INSERT INTO search_trigram (rowid, body, title) VALUES (?, ?, ?)",
                          (document_id, entry.trigram_body, entry.trigram_title))
        self.conn.execute("INSERT INTO search_words (rowid, body, title, pinyin) VALUES (?, ?, ?, ?)",
                          (document_id, entry.words_body, entry.words_title, entry.pinyin))
        if entry.han_body or entry.han_title:
            self.conn.execute("INSERT INTO search_chars (rowid, body, title) VALUES (?, ?, ?)",
                              (document_id, entry.han_body, entry.han_title))
        if entry.terms:
            self.conn.executemany("INSERT OR IGNORE INTO search_terms (term) VALUES (?)", [(t,) for t in entry.terms])
        if entry.pinyin_forms:
            self.conn.executemany("INSERT OR IGNORE INTO search_pinyin_forms (key, form) VALUES (?, ?)",
                                  list(entry.pinyin_forms))
        self.conn.executemany("INSERT INTO search_chunks (document_id, start_char, end_char) VALUES (?, ?, ?)",
                              [(document_id, start, end) for start, end in entry.chunks])
        self.conn.execute("INSERT INTO search_documents (document_id, text_sha256, index_version, indexed_at) "
                          "VALUES (?, ?, ?, ?)", (document_id, entry.text_sha256, entry.index_version,
                                                  entry.indexed_at))

    def remove(self, document_id: int) -> None:
        self.conn.execute("DELETE FROM search_trigram WHERE rowid = ?", (document_id,))
        self.conn.execute("DELETE FROM search_words WHERE rowid = ?", (document_id,))
        self.conn.execute("DELETE FROM search_chars WHERE rowid = ?", (document_id,))
        self.conn.execute("DELETE FROM search_chunks WHERE document_id = ?", (document_id,))
        self.conn.execute("DELETE FROM search_documents WHERE document_id = ?", (document_id,))

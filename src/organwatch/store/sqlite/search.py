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
_TABLES = {"words": "search_words", "trigram": "search_trigram"}


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


def _rowids_sql(plan: Plan, params: list[Any]) -> str:
    """SQL selecting the matching document ids of a plan (one column)."""
    if isinstance(plan, Match):
        params.append(plan.expr)
        table = _table(plan.table)
        return f"SELECT rowid AS id FROM {table} WHERE {table} MATCH ?"
    if isinstance(plan, Like):
        params.extend(p for pattern in plan.patterns for p in (pattern, pattern))
        tests = " OR ".join("text LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\'" for _ in plan.patterns)
        return f"SELECT id FROM documents WHERE status = 'ok' AND ({tests})"
    if isinstance(plan, SetOp):
        if plan.op not in ("INTERSECT", "UNION", "EXCEPT"):
            raise ValueError(f"unknown set operation {plan.op!r}")
        parts = [f"SELECT id FROM ({_rowids_sql(item, params)})" for item in plan.items]
        return f" {plan.op} ".join(parts)
    return "SELECT NULL AS id WHERE 0"


#: When set, a word query ranks (BM25) at most this many matching documents, the newest; more are counted,
#: and the ranking says it was truncated. Scoring every match of a common word costs in proportion to the case.
RANK_CANDIDATES = 0  # off: at 100,000 documents on 2 loaded cores bounding did not pay (see benchmarks/search.py)
_UNSET = object()


class SQLiteRanking(FullTextRanking):
    """The documents a plan matches, ranked by BM25, read a window at a time.

    Common words match a large share of a big case; fetching every id into Python would cost more than
    the search itself, so the caller asks for the top ``n`` and, separately, for the count.
    """

    def __init__(self, conn: Connection, plan: Plan, rank_expression: str | None, filters: DocumentFilters) -> None:
        self.conn = conn
        self.empty = isinstance(plan, Nothing)
        self.total: int | None = None
        self.single_table = isinstance(plan, Match)
        self.boundable = self.single_table and not filters.active
        where, filter_params = filter_sql(filters, "d")
        params: list[Any] = []
        ids: list[Any] = []
        if isinstance(plan, Match):
            table = _table(plan.table)
            weights = WORDS_WEIGHTS if plan.table == "words" else TRIGRAM_WEIGHTS
            sql = f"SELECT rowid AS id, bm25({table}, {weights}) AS score FROM {table} WHERE {table} MATCH ?"
            params.append(plan.expr)
            id_sql = f"SELECT rowid AS id FROM {table} WHERE {table} MATCH ?"
            ids.append(plan.expr)
        else:
            candidates = _rowids_sql(plan, params)
            id_sql = _rowids_sql(plan, ids)
            if filters.active:  # filter the candidates before ranking them, not after
                candidates = f"SELECT k.id FROM ({candidates}) k JOIN documents d ON d.id = k.id WHERE {where}"
                params.extend(filter_params)
            if rank_expression is None:
                sql = f"SELECT id, 0.0 AS score FROM ({candidates})"
            else:
                # Materialised, or SQLite may run the ranking MATCH once per candidate; scored only for
                # the candidates, since bm25() is what costs.
                sql = (f"WITH c AS MATERIALIZED ({candidates}), r AS MATERIALIZED (SELECT rowid AS id, "
                       f"bm25(search_words, {WORDS_WEIGHTS}) AS score FROM search_words WHERE search_words MATCH ? "
                       f"AND +rowid IN (SELECT id FROM c)) "
                       f"SELECT c.id AS id, coalesce(r.score, 0.0) AS score FROM c LEFT JOIN r ON r.id = c.id")
                params.append(rank_expression)
        if filters.active:
            if isinstance(plan, Match):
                sql = f"SELECT m.id, m.score FROM ({sql}) m JOIN documents d ON d.id = m.id WHERE {where}"
                params.extend(filter_params)
            id_sql = f"SELECT m.id FROM ({id_sql}) m JOIN documents d ON d.id = m.id WHERE {where}"
            ids.extend(filter_params)
        self._sql, self._params = sql, params
        self._id_sql, self._id_params = id_sql, ids
        self._floor: object = _UNSET
        self.truncated = False

    def _run(self, sql: str, params: Sequence[Any]) -> list[Any]:
        try:
            return list(self.conn.execute(sql, params).fetchall())
        except Exception as exc:  # sqlean.OperationalError: never shown raw to the user
            if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
                raise QuerySyntaxError(f"the full-text engine could not read this query ({exc})") from exc
            raise

    def _bound(self) -> int | None:
        """The lowest rowid among the newest :data:`RANK_CANDIDATES` matches, when more than that match."""
        if self._floor is _UNSET:
            first = self._run(f"{self._id_sql} ORDER BY 1 DESC LIMIT 1 OFFSET ?",
                              [*self._id_params, RANK_CANDIDATES - 1]) if RANK_CANDIDATES else []
            self._floor = int(first[0][0]) if first else None
            if self._floor is not None:
                self.total = self.count()
                self.truncated = self.total > RANK_CANDIDATES
        return self._floor  # type: ignore[return-value]

    def top(self, n: int) -> list[tuple[int, float]]:
        if self.empty:
            return []
        if self.single_table:  # counting a single MATCH again is cheap (no scores); a window would sort all
            floor = self._bound() if self.boundable else None
            if floor is not None:  # bm25 is what costs: score only the newest candidates
                rows = self._run(f"SELECT id, score FROM ({self._sql}) WHERE id >= ? ORDER BY 2, 1 LIMIT ?",
                                 [*self._params, floor, n])
                return [(int(row[0]), float(row[1])) for row in rows]
            rows = self._run(f"{self._sql} ORDER BY 2, 1 LIMIT ?", [*self._params, n])
        else:  # set operations are costly to redo: count(*) OVER () counts in the same pass
            rows = self._run(f"SELECT id, score, count(*) OVER () FROM ({self._sql}) ORDER BY 2, 1 LIMIT ?",
                             [*self._params, n])
            self.total = int(rows[0][2]) if rows else 0
        return [(int(row[0]), float(row[1])) for row in rows]

    def count(self) -> int:
        if self.empty:
            return 0
        if self.total is not None:
            return self.total
        return int(self._run(f"SELECT count(*) FROM ({self._id_sql})", self._id_params)[0][0])

    def matching(self, document_ids: Sequence[int]) -> set[int]:
        if self.empty or not document_ids:
            return set()
        found: set[int] = set()
        for begin in range(0, len(document_ids), 400):
            batch = list(document_ids[begin:begin + 400])
            rows = self._run(f"SELECT id FROM ({self._id_sql}) WHERE id IN ({','.join('?' * len(batch))})",
                             [*self._id_params, *batch])
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

    def has_pinyin_key(self, key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM search_words_vocab WHERE term = ? AND col = 'pinyin' LIMIT 1",
                                 (key,)).fetchone() is not None

    def pinyin_forms(self, key: str) -> list[str]:
        return [str(r[0]) for r in self.conn.execute("SELECT form FROM search_pinyin_forms WHERE key = ? ORDER BY form",
                                                     (key,))]

    def ranking(self, plan: Plan, rank_expression: str | None, filters: DocumentFilters) -> FullTextRanking:
        return SQLiteRanking(self.conn, plan, rank_expression, filters)

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
        self.conn.execute("DELETE FROM search_chunks WHERE document_id = ?", (document_id,))
        self.conn.execute("DELETE FROM search_documents WHERE document_id = ?", (document_id,))

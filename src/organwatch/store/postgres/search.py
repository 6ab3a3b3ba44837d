"""The full-text index on PostgreSQL: ``search_words`` (a ``tsvector`` per document, GIN-indexed),
``search_trigram`` (folded text and title, ``pg_trgm`` GIN indexes for substrings), the trigram
vocabulary, pinyin forms, ``search_documents`` and ``search_chunks``.

A query plan becomes SQL as on SQLite: a :class:`Match` on the word table is a ``tsquery`` (read from
the FTS5 expression by :mod:`.fulltext`), on the trigram table ``LIKE`` conditions over folded text
(pg_trgm serves them from its index for three characters or more); a :class:`Like` scans documents;
a :class:`SetOp` is ``INTERSECT`` / ``UNION`` / ``EXCEPT``. Scores are lower-is-better like BM25:
minus ``ts_rank_cd`` (cover density: every occurrence counts, terms close together count more; title
words count three times; divided by 1 + log of the document's length) for words, and a BM25-shaped
weight of substring occurrences for trigrams, so the same documents match on both backends and the
order is close (ties: smaller id first). ``ts_rank_cd`` rather than ``ts_rank``: on a generated
400-page corpus its top ten shared 31 of 50 documents with SQLite's BM25 over five English queries,
``ts_rank`` 3 of 50 (it favours short pages that mention a word once), for 20-80 % more ranking time
(a few milliseconds per thousand matches).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from organwatch.store.base import FullTextRanking, SearchIndexWriter
from organwatch.store.postgres import fulltext
from organwatch.store.records import DocumentFilters, IndexedDocument, Like, Match, Nothing, Plan, SearchEntry, SetOp

Connection = Any  # psycopg.Connection[Row]
AVERAGE_CHARS = 2000.0  # document length the trigram score normalises against (BM25's avgdl, fixed)


def filter_sql(filters: DocumentFilters, alias: str = "d") -> tuple[str, list[Any]]:
    """A WHERE fragment over ``documents`` (as ``alias``) and its parameters; ``TRUE`` when unfiltered."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.date_from:
        clauses.append(f"{alias}.published || chr(1114111) >= %s")
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append(f"{alias}.published <= %s || chr(1114111)")
        params.append(filters.date_to)
    if filters.language:
        if filters.language.lower() == "zh":
            clauses.append(f"{alias}.language LIKE 'zh%%'")
        else:
            clauses.append(f"lower({alias}.language) = lower(%s)")
            params.append(filters.language)
    if filters.outlet:
        clauses.append(f"lower({alias}.outlet) = lower(%s)")
        params.append(filters.outlet)
    if filters.media_type:
        if filters.media_type.endswith("/*"):
            clauses.append(f"lower({alias}.media_type) LIKE lower(%s)")
            params.append(filters.media_type[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        else:
            clauses.append(f"lower({alias}.media_type) = lower(%s)")
            params.append(filters.media_type)
    visible_to = filters.visible_to
    if visible_to is not None:
        clauses.append(f"{alias}.id NOT IN (SELECT rd.id FROM documents rd JOIN restrictions rr ON rr.capture_id = "
                       f"rd.capture_id AND rr.locator = rd.locator GROUP BY rd.id "
                       f"HAVING count(*) FILTER (WHERE rr.principal = ANY(%s)) = 0)")
        params.append(list(visible_to))
    return (" AND ".join(clauses) or "TRUE"), params


def _words_query(expr: str) -> str | None:
    return fulltext.to_tsquery(fulltext.parse(expr))


def _ids_sql(plan: Plan, params: list[Any]) -> str:
    """SQL selecting the matching document ids of a plan (one column, ``id``)."""
    if isinstance(plan, Match):
        if plan.table == "words":
            query = _words_query(plan.expr)
            if query is None:
                return "SELECT NULL::bigint AS id WHERE FALSE"
            params.append(query)
            return "SELECT document_id AS id FROM search_words WHERE vector @@ %s::tsquery"
        if plan.table == "trigram":
            condition = fulltext.trigram_condition(fulltext.parse(plan.expr), "t", params)
            return f"SELECT t.document_id AS id FROM search_trigram t WHERE {condition}"
        raise ValueError(f"no full-text table {plan.table!r}: use words or trigram")
    if isinstance(plan, Like):
        tests = []
        for pattern in plan.patterns:
            tests.append("text ILIKE %s OR title ILIKE %s")
            params.extend((pattern, pattern))
        return f"SELECT id FROM documents WHERE status = 'ok' AND ({' OR '.join(tests)})"
    if isinstance(plan, SetOp):
        if plan.op not in ("INTERSECT", "UNION", "EXCEPT"):
            raise ValueError(f"unknown set operation {plan.op!r}")
        return f" {plan.op} ".join(f"(SELECT id FROM ({_ids_sql(item, params)}) s)" for item in plan.items)
    return "SELECT NULL::bigint AS id WHERE FALSE"


def _trigram_scored(terms: Sequence[str], condition: str, params: list[Any]) -> str:
    """``(id, score)`` of the trigram rows matching ``condition``: minus a BM25-shaped weight of how often
    the terms occur (title three times), per document ``t``; ``params`` gets the score's parameters first.

    Each term's frequency is counted once per row (a ``LATERAL ... OFFSET 0`` the planner cannot inline,
    since it would copy the expression into the numerator and the denominator), in bytes (``octet_length``
    needs no character count; removing whole copies of a term makes the two counts equal), and the body's
    length in characters once: the score is the same as counting each term twice over in characters.
    """
    if not terms:
        return f"SELECT t.document_id AS id, 0.0::float8 AS score FROM search_trigram t WHERE {condition}"
    counts = []
    parts = []
    for n, term in enumerate(dict.fromkeys(terms)):
        counts.append(f"(octet_length(t.body) - octet_length(replace(t.body, %s, ''))) / octet_length(%s)::float8 "
                      f"+ 3 * (octet_length(t.title) - octet_length(replace(t.title, %s, ''))) "
                      f"/ octet_length(%s)::float8 AS f{n}")
        params.extend((term, term, term, term))
        parts.append(f"(f.f{n} * 2.2 / (f.f{n} + 1.2 * (0.25 + 0.75 * f.chars / {AVERAGE_CHARS})))")
    return (f"SELECT t.document_id AS id, -({' + '.join(parts)}) AS score FROM search_trigram t "
            f"CROSS JOIN LATERAL (SELECT length(t.body) AS chars, {', '.join(counts)} OFFSET 0) f "
            f"WHERE {condition}")


#: As on SQLite: a window whose matches the filters mostly reject widens (x4) this many times, then
#: every match is ranked.
WIDENINGS = 3


class PostgresRanking(FullTextRanking):
    """The documents a plan matches, ranked, read a window at a time (as on SQLite).

    With a ``limit``, when more match, only the newest ``limit`` matches are ranked (``ts_rank_cd`` and
    the trigram weight are computed for those rows only; the index still finds every match), filters
    apply inside that window, which widens when they reject most of it, and counting stops at a cap.
    """

    def __init__(self, conn: Connection, plan: Plan, rank_expression: str | None, filters: DocumentFilters,
                 limit: int | None = None) -> None:
        self.conn = conn
        self.window = limit
        self.widenings = 0
        self.floor: int | None = None
        self._placed = False
        self.truncated = False
        self.filtered = filters.active
        self.empty = isinstance(plan, Nothing)
        where, filter_params = filter_sql(filters, "d")
        params: list[Any] = []
        ids: list[Any] = []
        id_sql = _ids_sql(plan, ids)
        self._raw_id_sql, self._raw_id_params = id_sql, list(ids)
        if isinstance(plan, Match) and plan.table == "words":
            query = _words_query(plan.expr)
            if query is None:
                self.empty = True
                sql = "SELECT NULL::bigint AS id, 0.0::float8 AS score WHERE FALSE"
            else:
                sql = ("SELECT document_id AS id, -ts_rank_cd(%s::float4[], vector, %s::tsquery, 1)::float8 AS score "
                       "FROM search_words WHERE vector @@ %s::tsquery")
                params.extend((fulltext.RANK_WEIGHTS, query, query))
        elif isinstance(plan, Match):
            expr = fulltext.parse(plan.expr)
            condition_params: list[Any] = []
            condition = fulltext.trigram_condition(expr, "t", condition_params)
            sql = _trigram_scored(fulltext.trigram_terms(expr), condition, params)
            params.extend(condition_params)
        else:
            candidates = _ids_sql(plan, params)
            if filters.active:
                candidates = f"SELECT k.id FROM ({candidates}) k JOIN documents d ON d.id = k.id WHERE {where}"
                params.extend(filter_params)
            query = _words_query(rank_expression) if rank_expression else None
            if query is None:
                sql = f"SELECT c.id, 0.0::float8 AS score FROM ({candidates}) c"
            else:
                sql = (f"WITH c AS MATERIALIZED ({candidates}) SELECT c.id AS id, "
                       f"coalesce(-ts_rank_cd(%s::float4[], w.vector, %s::tsquery, 1), 0.0)::float8 AS score FROM c "
                       f"LEFT JOIN search_words w ON w.document_id = c.id AND w.vector @@ %s::tsquery")
                params.extend((fulltext.RANK_WEIGHTS, query, query))
        if filters.active:
            if isinstance(plan, Match):
                sql = f"SELECT m.id, m.score FROM ({sql}) m JOIN documents d ON d.id = m.id WHERE {where}"
                params.extend(filter_params)
            id_sql = f"SELECT m.id FROM ({id_sql}) m JOIN documents d ON d.id = m.id WHERE {where}"
            ids.extend(filter_params)
        self._sql, self._params = sql, params
        self._id_sql, self._id_params = id_sql, ids
        self.total: int | None = None

    def _place(self) -> None:
        """The window's floor: the id of the ``window``-th newest match (filters not applied), if a newer one
        exists."""
        self._placed = True
        self.floor, self.truncated = None, False
        if self.window is None or self.empty:
            return
        around = self.conn.execute(f"SELECT r.id FROM ({self._raw_id_sql}) r ORDER BY r.id DESC LIMIT 2 OFFSET %s",
                                   [*self._raw_id_params, self.window - 1]).fetchall()
        if len(around) == 2:
            self.floor, self.truncated = int(around[0][0]), True

    def _widen(self) -> bool:
        if self.floor is None:
            return False
        self.widenings += 1
        self.window = None if self.window is None or self.widenings > WIDENINGS else self.window * 4
        self._place()
        return True

    def top(self, n: int) -> list[tuple[int, float]]:
        if self.empty:
            return []
        if not self._placed:
            self._place()
        while True:
            if self.floor is None:
                rows = self.conn.execute(f"SELECT r.id, r.score, count(*) OVER () FROM ({self._sql}) r "
                                         f"ORDER BY r.score, r.id LIMIT %s", [*self._params, n]).fetchall()
                self.total = int(rows[0][2]) if rows else 0
            else:  # the floor is pushed down into the scan, so only the window's rows are scored
                rows = self.conn.execute(f"SELECT r.id, r.score FROM ({self._sql}) r WHERE r.id >= %s "
                                         f"ORDER BY r.score, r.id LIMIT %s", [*self._params, self.floor, n]).fetchall()
            if len(rows) >= n or not self.filtered or not self._widen():
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
                if self.filtered:  # those inside the window: a lower bound
                    counted = self.conn.execute(f"SELECT count(*) FROM ({self._id_sql}) r WHERE r.id >= %s",
                                                [*self._id_params, self.floor]).fetchone()[0]
                    return int(counted), False
                counted = self.conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM ({self._raw_id_sql}) r LIMIT %s) x",
                                            [*self._raw_id_params, cap + 1]).fetchone()[0]
                return int(counted), int(counted) <= cap
        self.total = int(self.conn.execute(f"SELECT count(*) FROM ({self._id_sql}) r",
                                           self._id_params).fetchone()[0])
        return self.total, True

    def matching(self, document_ids: Sequence[int]) -> set[int]:
        if self.empty or not document_ids:
            return set()
        rows = self.conn.execute(f"SELECT r.id FROM ({self._id_sql}) r WHERE r.id = ANY(%s)",
                                 [*self._id_params, [int(i) for i in document_ids]])
        return {int(row[0]) for row in rows}


class PostgresSearchIndex(SearchIndexWriter):
    """The full-text index over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def trigram_terms(self, prefix: str, limit: int) -> list[str]:
        return [str(row[0]) for row in self.conn.execute(
            "SELECT term FROM search_trigram_vocab WHERE term >= %s AND term < %s ORDER BY term LIMIT %s",
            (prefix, prefix + "\U0010ffff", limit))]

    def has_pinyin_key(self, key: str) -> bool:
        query = fulltext.to_tsquery(fulltext.Phrase(key, False, ("pinyin",)))
        if query is None:
            return False
        return self.conn.execute("SELECT 1 FROM search_words WHERE vector @@ %s::tsquery LIMIT 1",
                                 (query,)).fetchone() is not None

    def pinyin_forms(self, key: str) -> list[str]:
        return [str(r[0]) for r in self.conn.execute(
            "SELECT form FROM search_pinyin_forms WHERE key = %s ORDER BY form", (key,))]

    def ranking(self, plan: Plan, rank_expression: str | None, filters: DocumentFilters,
                limit: int | None = None) -> FullTextRanking:
        return PostgresRanking(self.conn, plan, rank_expression, filters, limit)

    def entry(self, document_id: int) -> IndexedDocument | None:
        row = self.conn.execute("SELECT document_id, text_sha256, index_version, indexed_at FROM search_documents "
                                "WHERE document_id = %s", (document_id,)).fetchone()
        return None if row is None else IndexedDocument(int(row[0]), row[1], row[2], row[3])

    def stale_documents(self, index_version: str) -> list[int]:
        query = """
            SELECT d.id FROM documents d LEFT JOIN search_documents s ON s.document_id = d.id
            WHERE d.status = 'ok' AND (s.document_id IS NULL OR s.index_version != %s
                                       OR s.text_sha256 IS DISTINCT FROM d.text_sha256)
            UNION
            SELECT s.document_id FROM search_documents s LEFT JOIN documents d ON d.id = s.document_id
            WHERE d.id IS NULL OR d.status != 'ok'
            ORDER BY 1
        """
        return [int(row[0]) for row in self.conn.execute(query, (index_version,))]

    def put(self, document_id: int, entry: SearchEntry) -> None:
        self.remove(document_id)
        body, title = fulltext.fold_query(entry.trigram_body), fulltext.fold_query(entry.trigram_title)
        self.conn.execute("INSERT INTO search_trigram (document_id, body, title) VALUES (%s, %s, %s)",
                          (document_id, body, title))
        terms = sorted(fulltext.windows(body) | fulltext.windows(title))
        if terms:  # sorted, so concurrent writers meet new vocabulary rows in the same order
            self.conn.execute("INSERT INTO search_trigram_vocab (term) SELECT t FROM unnest(%s::text[]) t "
                              "ON CONFLICT (term) DO NOTHING", (terms,))
        vector = fulltext.tsvector_literal(entry.words_title, entry.words_body, entry.pinyin)
        self.conn.execute("INSERT INTO search_words (document_id, vector) VALUES (%s, %s::tsvector)",
                          (document_id, vector))
        if entry.pinyin_forms:
            keys = [k for k, _ in entry.pinyin_forms]
            forms = [f for _, f in entry.pinyin_forms]
            self.conn.execute("INSERT INTO search_pinyin_forms (key, form) SELECT * FROM unnest(%s::text[], "
                              "%s::text[]) ON CONFLICT DO NOTHING", (keys, forms))
        if entry.chunks:
            with self.conn.cursor() as cursor:
                cursor.executemany("INSERT INTO search_chunks (document_id, start_char, end_char) VALUES (%s, %s, %s)",
                                   [(document_id, start, end) for start, end in entry.chunks])
        self.conn.execute("INSERT INTO search_documents (document_id, text_sha256, index_version, indexed_at) "
                          "VALUES (%s, %s, %s, %s)", (document_id, entry.text_sha256, entry.index_version,
                                                      entry.indexed_at))

    def remove(self, document_id: int) -> None:
        self.conn.execute("DELETE FROM search_trigram WHERE document_id = %s", (document_id,))
        self.conn.execute("DELETE FROM search_words WHERE document_id = %s", (document_id,))
        self.conn.execute("DELETE FROM search_chunks WHERE document_id = %s", (document_id,))
        self.conn.execute("DELETE FROM search_documents WHERE document_id = %s", (document_id,))

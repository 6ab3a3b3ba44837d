"""Full-text search: a parsed query becomes FTS5 MATCH expressions over two tables, ranked by BM25.

Where each term goes:

* Chinese (any Han character), three characters or more: the trigram table, as a quoted substring of
  the folded (simplified, lower-case) text. Exact recall: 王立军 finds 王立軍, 器官移植 finds 器官移植手术.
* Chinese of one or two characters (肝脏, 肝): trigrams cannot match them, so the term becomes the OR of
  the indexed trigrams that start with it (read from the trigram vocabulary; the text is padded so its
  last characters have trigrams too). When a single character starts too many trigrams, the term
  falls back to ``LIKE '%肝%'`` over the document text, in both scripts.
* Anything else (English words, numbers, Latin phrases, prefix*): the jieba/unicode61 word table.
  A run of two or three Latin words, or one word, that is a pinyin key of an indexed name ("Wang
  Lijun", "wáng lìjūn", "Wang Li-jun", "wanglijun") may also match that name's key.

A subtree whose terms all go to one table is one MATCH (FTS5 does AND/OR/NOT on its doclists, fast);
across tables, the pieces are combined with INTERSECT / UNION / EXCEPT. Every term reaches SQLite as a
double-quoted string, so FTS5 syntax in user input is inert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from organwatch.search.errors import SearchQueryError
from organwatch.search.folding import WORD_CHAR, fold, has_han
from organwatch.search.query import Node, Not, Or, Term
from organwatch.search.results import SearchFilters
from organwatch.text.chinese import normalise_pinyin, segment, to_traditional

Connection = Any  # sqlean.Connection
MAX_SHORT_EXPANSION = 400  # trigrams for one short term before it falls back to LIKE
WORDS_WEIGHTS = "1.0, 3.0, 1.0"  # bm25 weights: body, title (a title match counts more), pinyin
TRIGRAM_WEIGHTS = "1.0, 3.0"
_WORDS_COLUMNS = "{body title}"
_LAST_CODE_POINT = "\U0010ffff"


def quote(text: str) -> str:
    """An FTS5 string literal: double quotes, inner quotes doubled. Nothing inside is syntax."""
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class Match:
    """An FTS5 MATCH expression on one table (``words`` or ``trigram``)."""

    table: str
    expr: str


@dataclass(frozen=True)
class Like:
    """A LIKE scan of ``documents`` for short Chinese terms that start too many trigrams."""

    patterns: tuple[str, ...]


@dataclass(frozen=True)
class SetOp:
    """INTERSECT / UNION / EXCEPT of the rowids of the items."""

    op: str
    items: tuple[Plan, ...]


@dataclass(frozen=True)
class Nothing:
    """Matches no document (a short term no trigram starts with)."""


Plan = Match | Like | SetOp | Nothing


class Compiler:
    """Turns a query tree into a :data:`Plan`, looking up the trigram and pinyin vocabularies."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pinyin_keys: dict[str, list[str]] = {}  # Han forms found for each pinyin key that matched

    # -- leaves -------------------------------------------------------------------------------
    def term(self, term: Term) -> Plan:
        if has_han(term.text):
            folded = fold(term.text)
            if len(folded) >= 3:
                return Match("trigram", quote(folded))
            return self.short(term.text, folded)
        body = quote(term.text) + ("*" if term.prefix else "")
        plan: Plan = Match("words", f"{_WORDS_COLUMNS} : {body}")
        if not term.prefix:
            key = self.pinyin_key(term.text)
            if key is not None:
                plan = _or([plan, Match("words", f"pinyin : {quote(key)}")])
        return plan

    def short(self, text: str, folded: str) -> Plan:
        """One or two characters: the trigrams that start with them, or LIKE when there are too many."""
        rows = self.conn.execute(
            "SELECT term FROM search_trigram_vocab WHERE term >= ? AND term < ? LIMIT ?",
            (folded, folded + _LAST_CODE_POINT, MAX_SHORT_EXPANSION + 1)).fetchall()
        if len(rows) > MAX_SHORT_EXPANSION:
            variants = dict.fromkeys([text, folded, to_traditional(folded)])
            return Like(tuple("%" + _like_escape(v) + "%" for v in variants))
        if not rows:
            return Nothing()
        return Match("trigram", "(" + " OR ".join(quote(row[0]) for row in rows) + ")")

    def pinyin_key(self, text: str) -> str | None:
        """The joined pinyin key of a romanised name if some indexed name has it, else None."""
        key = normalise_pinyin(text).replace(" ", "")
        if not key or not key.isascii() or key in self.pinyin_keys:
            return key or None
        row = self.conn.execute("SELECT 1 FROM search_words_vocab WHERE term = ? AND col = 'pinyin' LIMIT 1",
                                (key,)).fetchone()
        if row is None:
            return None
        forms = [r[0] for r in self.conn.execute("SELECT form FROM search_pinyin_forms WHERE key = ?", (key,))]
        self.pinyin_keys[key] = forms
        return key

    # -- inner nodes ---------------------------------------------------------------------------
    def compile(self, node: Node) -> Plan:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Or):
            return _or([self.compile(item) for item in node.items])
        if isinstance(node, Not):
            return _not(self.compile(node.positive), self.compile(node.negative))
        return _and(self.and_items(node.items))

    def and_items(self, items: Sequence[Node]) -> list[Plan]:
        """Compile an AND, trying runs of 2–3 adjacent plain Latin words as one romanised name."""
        plans: list[Plan] = []
        i = 0
        while i < len(items):
            matched = False
            for size in (3, 2):
                run = items[i:i + size]
                if len(run) == size and all(_plain_latin(item) for item in run):
                    words = [item.text for item in run if isinstance(item, Term)]
                    key = self.pinyin_key(" ".join(words))
                    if key is not None:
                        together = _and([self.term(Term(word)) for word in words])
                        plans.append(_or([together, Match("words", f"pinyin : {quote(key)}")]))
                        i += size
                        matched = True
                        break
            if not matched:
                plans.append(self.compile(items[i]))
                i += 1
        return plans


def _plain_latin(node: Node) -> bool:
    return isinstance(node, Term) and not node.prefix and not node.phrase and not has_han(node.text)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _merge(plans: Sequence[Plan], operator: str) -> list[Plan]:
    """Fold Match plans of the same table into one expression (FTS5 evaluates it on its doclists)."""
    merged: dict[str, list[str]] = {}
    others: list[Plan] = []
    for plan in plans:
        if isinstance(plan, Match):
            merged.setdefault(plan.table, []).append(plan.expr)
        else:
            others.append(plan)
    out: list[Plan] = [Match(table, exprs[0] if len(exprs) == 1 else f" {operator} ".join(f"({e})" for e in exprs))
                       for table, exprs in merged.items()]
    return out + others


def _and(plans: list[Plan]) -> Plan:
    if any(isinstance(plan, Nothing) for plan in plans):
        return Nothing()
    merged = _merge(plans, "AND")
    return merged[0] if len(merged) == 1 else SetOp("INTERSECT", tuple(merged))


def _or(plans: list[Plan]) -> Plan:
    kept = [plan for plan in plans if not isinstance(plan, Nothing)]
    if not kept:
        return Nothing()
    merged = _merge(kept, "OR")
    return merged[0] if len(merged) == 1 else SetOp("UNION", tuple(merged))


def _not(positive: Plan, negative: Plan) -> Plan:
    if isinstance(positive, Nothing) or isinstance(negative, Nothing):
        return positive
    if isinstance(positive, Match) and isinstance(negative, Match) and positive.table == negative.table:
        return Match(positive.table, f"({positive.expr}) NOT ({negative.expr})")
    return SetOp("EXCEPT", (positive, negative))


def _rowids_sql(plan: Plan, params: list[Any]) -> str:
    """SQL selecting the matching document ids of a plan (one column)."""
    if isinstance(plan, Match):
        params.append(plan.expr)
        table = f"search_{plan.table}"
        return f"SELECT rowid AS id FROM {table} WHERE {table} MATCH ?"
    if isinstance(plan, Like):
        params.extend(p for pattern in plan.patterns for p in (pattern, pattern))
        tests = " OR ".join("text LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\'" for _ in plan.patterns)
        return f"SELECT id FROM documents WHERE status = 'ok' AND ({tests})"
    if isinstance(plan, SetOp):
        parts = [f"SELECT id FROM ({_rowids_sql(item, params)})" for item in plan.items]
        return f" {plan.op} ".join(parts)
    return "SELECT NULL AS id WHERE 0"


def rank_expression(terms: Sequence[Term], pinyin_keys: Sequence[str]) -> str | None:
    """An OR of every positive term in the word table, to rank candidates that came from set operations."""
    parts: list[str] = []
    for term in terms:
        if has_han(term.text):
            words = [token.simplified for token in segment(term.text) if WORD_CHAR.search(token.text)]
            parts.extend(quote(fold(word)) for word in words)
        else:
            parts.append(quote(term.text) + ("*" if term.prefix else ""))
    parts.extend(f"pinyin : {quote(key)}" for key in pinyin_keys)
    return " OR ".join(dict.fromkeys(parts)) if parts else None


class Ranking:
    """The documents a plan matches, ranked by BM25 (lower is better), read a window at a time.

    Common words match a large share of a big case; fetching every id into Python would cost more
    than the search itself, so the caller asks for the top ``n`` and, separately, for the count.
    """

    def __init__(self, conn: Connection, plan: Plan, terms: Sequence[Term], pinyin_keys: Sequence[str],
                 filters: SearchFilters) -> None:
        self.conn = conn
        self.empty = isinstance(plan, Nothing)
        self.total: int | None = None
        self.single_table = isinstance(plan, Match)
        where, filter_params = filters.sql("d")
        params: list[Any] = []
        ids: list[Any] = []
        if isinstance(plan, Match):
            table = f"search_{plan.table}"
            weights = WORDS_WEIGHTS if plan.table == "words" else TRIGRAM_WEIGHTS
            sql = f"SELECT rowid AS id, bm25({table}, {weights}) AS score FROM {table} WHERE {table} MATCH ?"
            params.append(plan.expr)
            id_sql = f"SELECT rowid AS id FROM {table} WHERE {table} MATCH ?"
            ids.append(plan.expr)
        else:
            candidates = _rowids_sql(plan, params)
            id_sql = _rowids_sql(plan, ids)
            if filters.active:  # filter the candidates before ranking them, not after
                candidates = (f"SELECT k.id FROM ({candidates}) k JOIN documents d ON d.id = k.id WHERE {where}")
                params.extend(filter_params)
            expression = rank_expression(terms, pinyin_keys)
            if expression is None:
                sql = f"SELECT id, 0.0 AS score FROM ({candidates})"
            else:
                # Materialised, or SQLite may run the ranking MATCH once per candidate; scored only for
                # the candidates, since bm25() is what costs.
                sql = (f"WITH c AS MATERIALIZED ({candidates}), r AS MATERIALIZED (SELECT rowid AS id, "
                       f"bm25(search_words, {WORDS_WEIGHTS}) AS score FROM search_words WHERE search_words MATCH ? "
                       f"AND +rowid IN (SELECT id FROM c)) "
                       f"SELECT c.id AS id, coalesce(r.score, 0.0) AS score FROM c LEFT JOIN r ON r.id = c.id")
                params.append(expression)
        if filters.active:
            if isinstance(plan, Match):
                sql = f"SELECT m.id, m.score FROM ({sql}) m JOIN documents d ON d.id = m.id WHERE {where}"
                params.extend(filter_params)
            id_sql = f"SELECT m.id FROM ({id_sql}) m JOIN documents d ON d.id = m.id WHERE {where}"
            ids.extend(filter_params)
        self._sql, self._params = sql, params
        self._id_sql, self._id_params = id_sql, ids

    def _run(self, sql: str, params: Sequence[Any]) -> list[Any]:
        try:
            return list(self.conn.execute(sql, params).fetchall())
        except Exception as exc:  # sqlean.OperationalError; never shown raw to the user
            if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
                raise SearchQueryError(f"the search engine could not read this query ({exc}); "
                                       "put unusual words in double quotes") from exc
            raise

    def top(self, n: int) -> list[tuple[int, float]]:
        """The best ``n`` documents with their BM25 scores, best first (ties: smaller id first)."""
        if self.empty:
            return []
        if self.single_table:  # counting a single MATCH again is cheap (no scores); a window would sort all
            rows = self._run(f"{self._sql} ORDER BY 2, 1 LIMIT ?", [*self._params, n])
        else:  # set operations are costly to redo: count(*) OVER () counts in the same pass
            rows = self._run(f"SELECT id, score, count(*) OVER () FROM ({self._sql}) ORDER BY 2, 1 LIMIT ?",
                             [*self._params, n])
            self.total = int(rows[0][2]) if rows else 0
        return [(int(row[0]), float(row[1])) for row in rows]

    def count(self) -> int:
        """How many documents match (known without a query once :meth:`top` has run)."""
        if self.empty:
            return 0
        if self.total is not None:
            return self.total
        return int(self._run(f"SELECT count(*) FROM ({self._id_sql})", self._id_params)[0][0])

    def matching(self, ids: Sequence[int]) -> set[int]:
        """Which of ``ids`` match."""
        if self.empty or not ids:
            return set()
        found: set[int] = set()
        for begin in range(0, len(ids), 400):
            batch = list(ids[begin:begin + 400])
            rows = self._run(f"SELECT id FROM ({self._id_sql}) WHERE id IN ({','.join('?' * len(batch))})",
                             [*self._id_params, *batch])
            found.update(int(row[0]) for row in rows)
        return found

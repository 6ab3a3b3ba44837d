"""Full-text search: a parsed query becomes FTS5 MATCH expressions over three tables, ranked by BM25.

Where each term goes:

* Chinese (any Han character), three characters or more: the trigram table, as a quoted substring of
  the folded (simplified, lower-case) text. Exact recall: 王立军 finds 王立軍, 器官移植 finds 器官移植手术.
* Chinese of one or two characters (肝脏, 肝): trigrams cannot match them, so the term goes to the
  Han-character table (each character a token: 肝 is one token, 肝脏 the phrase "肝 脏"), when the
  store has one and every document is in it. Otherwise (a backend without it, or a case indexed by
  older code until ``organwatch reprocess --stage search``) it becomes the OR of the indexed trigrams
  that start with it (the text is padded so its last characters have trigrams too), or, when a single
  character starts too many trigrams, ``LIKE '%肝%'`` over the document text, in both scripts.
* Anything else (English words, numbers, Latin phrases, prefix*): the jieba/unicode61 word table.
  A run of two or three Latin words, or one word, that is a pinyin key of an indexed name ("Wang
  Lijun", "wáng lìjūn", "Wang Li-jun", "wanglijun") may also match that name's key.

A subtree whose terms all go to one table is one MATCH (FTS5 does AND/OR/NOT on its doclists, fast);
across tables, the pieces are combined with INTERSECT / UNION / EXCEPT. The result is a plan
(:mod:`organwatch.store.records`) that the store runs and ranks by BM25. Every term is a double-quoted
string inside the expression, so FTS5 syntax in user input is inert.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from organwatch.search.folding import LATIN_START, WORD_CHAR, fold, fold_word, has_han
from organwatch.search.query import Node, Not, Or, Term
from organwatch.store.base import SearchIndexView
from organwatch.store.records import Like, Match, Nothing, Plan, SetOp
from organwatch.text.chinese import normalise_pinyin, segment, to_traditional

MAX_SHORT_EXPANSION = 400  # trigrams for one short term before it falls back to LIKE
COMPLETE_INDEX_VERSION = "2"  # the first index version that fills the Han-character table and the word list
MAX_PREFIX_EXPANSION = 64  # words for one prefix before it stays a prefix query
_ONE_WORD = re.compile(r"[^\W_]+")  # a phrase prefix ("liver transplant"*) stays a prefix query
_HAN_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORDS_COLUMNS = "{body title}"

__all__ = ["MAX_SHORT_EXPANSION", "Compiler", "Like", "Match", "Nothing", "Plan", "SetOp", "quote",
           "rank_expression"]


def quote(text: str) -> str:
    """An FTS5 string literal: double quotes, inner quotes doubled. Nothing inside is syntax."""
    return '"' + text.replace('"', '""') + '"'


class Compiler:
    """Turns a query tree into a :data:`Plan`, looking up the trigram and pinyin vocabularies."""

    def __init__(self, index: SearchIndexView) -> None:
        self.index = index
        self.pinyin_keys: dict[str, list[str]] = {}  # Han forms found for each pinyin key that matched
        self._complete: bool | None = None

    def complete_index(self) -> bool:
        """Whether the Han-character index and the word list hold every document (asked once per query)."""
        if self._complete is None:
            self._complete = self.index.indexed_at_least(COMPLETE_INDEX_VERSION)
        return self._complete

    def prefix(self, text: str) -> Plan:
        """``stem*``: the OR of the indexed words with that stem, when there are few enough; else FTS5's
        own prefix query (which merges every such word's doclist whole before it can be walked)."""
        stem = fold_word(text)
        if _ONE_WORD.fullmatch(stem) and LATIN_START.match(stem) and self.complete_index():
            words = self.index.word_terms(stem, MAX_PREFIX_EXPANSION + 1)
            if words is not None and len(words) <= MAX_PREFIX_EXPANSION:
                if not words:
                    return Nothing()
                return Match("words", f"{_WORDS_COLUMNS} : (" + " OR ".join(quote(w) for w in words) + ")")
        return Match("words", f"{_WORDS_COLUMNS} : {quote(text)}*")

    # -- leaves -------------------------------------------------------------------------------
    def term(self, term: Term) -> Plan:
        if has_han(term.text):
            folded = fold(term.text)
            if len(folded) >= 3:
                return Match("trigram", quote(folded))
            return self.short(term.text, folded)
        if term.prefix:
            return self.prefix(term.text)
        plan: Plan = Match("words", f"{_WORDS_COLUMNS} : {quote(term.text)}")
        key = self.pinyin_key(term.text)
        if key is not None:
            plan = _or([plan, Match("words", f"pinyin : {quote(key)}")])
        return plan

    def short(self, text: str, folded: str) -> Plan:
        """One or two characters: the Han-character index when every document has it; else the trigrams
        that start with them, or LIKE when there are too many."""
        if _HAN_ONLY.fullmatch(folded) and self.complete_index():
            return Match("chars", quote(" ".join(folded)))
        rows = self.index.trigram_terms(folded, MAX_SHORT_EXPANSION + 1)
        if len(rows) > MAX_SHORT_EXPANSION:
            variants = dict.fromkeys([text, folded, to_traditional(folded)])
            return Like(tuple("%" + _like_escape(v) + "%" for v in variants))
        if not rows:
            return Nothing()
        return Match("trigram", "(" + " OR ".join(quote(term) for term in rows) + ")")

    def pinyin_key(self, text: str) -> str | None:
        """The joined pinyin key of a romanised name if some indexed name has it, else None."""
        key = normalise_pinyin(text).replace(" ", "")
        if not key or not key.isascii() or key in self.pinyin_keys:
            return key or None
        if not self.index.has_pinyin_key(key):
            return None
        self.pinyin_keys[key] = self.index.pinyin_forms(key)
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

"""FTS5 query expressions read for PostgreSQL, and the index's tokens built the way FTS5 builds them.

The search layer plans a query as FTS5 ``MATCH`` expressions (quoted strings, ``term*``, ``AND`` /
``OR`` / ``NOT``, parentheses, ``{body title} :`` and ``pinyin :`` column filters). Here such an
expression becomes either a ``tsquery`` (the word table: a quoted string is a phrase of its tokens, a
column filter a weight restriction) or an SQL condition over the folded text (the trigram table: a
quoted string is a substring), so both backends answer the same plans.

Words are cut as FTS5's ``unicode61 remove_diacritics 2`` tokenizer cuts them (runs of letters and
digits, lower-cased, accents removed): the segmented text the search layer gives already has spaces
between jieba's Chinese words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from organwatch.store.errors import QuerySyntaxError

# tsvector weights: title A, pinyin B, body D (ranked 1.0, 0.33 and 0.33 by ts_rank's {D, C, B, A} array).
WEIGHTS = {"title": "A", "pinyin": "B", "body": "D"}
RANK_WEIGHTS = "{0.333, 0.0, 0.333, 1.0}"
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS_PER_WORD = 256
MAX_LEXEME_BYTES = 2046
MAX_VECTOR_BYTES = 900_000  # under PostgreSQL's 1 MB tsvector limit
_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """FTS5 ``unicode61 remove_diacritics 2`` tokens of ``text``."""
    out = []
    for match in _TOKEN.finditer(text):
        word = match.group().lower()
        if not word.isascii():
            decomposed = unicodedata.normalize("NFD", word)
            word = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
        out.append(word)
    return out


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title: str, body: str, pinyin: str) -> str:
    """The ``tsvector`` of a document as text: title words (A), then body words (D), then pinyin keys (B).

    A gap of two positions between columns keeps a phrase from running across them (FTS5 phrases stay
    within a column). Beyond PostgreSQL's limits (position 16383, 256 positions a word, 1 MB) a very
    long document keeps every word but loses some positions, so phrase matches deep in it may be missed.
    """
    positions: dict[str, dict[str, list[int]]] = {}
    position = 0
    for column, text in (("title", title), ("body", body), ("pinyin", pinyin)):
        weight = WEIGHTS[column]
        for word in tokens(text):
            position = min(position + 1, MAX_POSITION)
            if len(word.encode("utf-8")) > MAX_LEXEME_BYTES:
                continue
            slots = positions.setdefault(word, {}).setdefault(weight, [])
            if len(slots) < MAX_POSITIONS_PER_WORD and (not slots or slots[-1] != position):
                slots.append(position)
        position = min(position + 2, MAX_POSITION)
    parts: list[str] = []
    size = 0
    for word, by_weight in positions.items():
        marks = sorted((p, w) for w, ps in by_weight.items() for p in ps)
        seen: set[int] = set()
        kept = []
        for p, w in marks:  # one weight per position (the first column's)
            if p not in seen:
                seen.add(p)
                kept.append(f"{p}{'' if w == 'D' else w}")
        item = f"{_lexeme(word)}:{','.join(kept[:MAX_POSITIONS_PER_WORD])}"
        size += len(item.encode("utf-8")) + 1
        if size > MAX_VECTOR_BYTES:
            break
        parts.append(item)
    return " ".join(parts)


# -- reading FTS5 expressions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """A quoted string, maybe a prefix, maybe limited to some columns (None: every column)."""

    text: str
    prefix: bool
    columns: tuple[str, ...] | None


@dataclass(frozen=True)
class Op:
    """``AND`` / ``OR`` / ``NOT`` of two sub-expressions."""

    op: str
    left: Expr
    right: Expr


Expr = Phrase | Op
_LEX = re.compile(r'\s*(?:(?P<string>"(?:[^"]|"")*")|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[(){}:*]))')


class _Parser:
    def __init__(self, expr: str) -> None:
        self.items: list[tuple[str, str]] = []
        pos = 0
        while pos < len(expr):
            if expr[pos:].strip() == "":
                break
            match = _LEX.match(expr, pos)
            if match is None:
                raise QuerySyntaxError(f"the full-text engine could not read this query (near {expr[pos:pos + 20]!r})")
            kind = match.lastgroup or ""
            self.items.append((kind, match.group(kind)))
            pos = match.end()
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        item = self.peek()
        if item is None or (value is not None and item[1] != value):
            raise QuerySyntaxError(f"the full-text engine could not read this query (expected {value or 'more'})")
        self.at += 1
        return item

    def parse(self) -> Expr:
        expr = self.or_expr()
        extra = self.peek()
        if extra is not None:
            raise QuerySyntaxError(f"the full-text engine could not read this query (unexpected {extra[1]!r})")
        return expr

    def or_expr(self) -> Expr:
        left = self.and_expr()
        while self.peek() == ("word", "OR"):
            self.take()
            left = Op("OR", left, self.and_expr())
        return left

    def and_expr(self) -> Expr:
        left = self.not_expr()
        while True:
            item = self.peek()
            if item == ("word", "AND"):
                self.take()
            elif item is None or item in (("word", "OR"), ("punct", ")")):
                return left
            left = Op("AND", left, self.not_expr())

    def not_expr(self) -> Expr:
        left = self.primary(None)
        while self.peek() == ("word", "NOT"):
            self.take()
            left = Op("NOT", left, self.primary(None))
        return left

    def primary(self, columns: tuple[str, ...] | None) -> Expr:
        kind, value = self.take()
        if value == "(" and kind == "punct":
            inner = self.or_expr()
            self.take(")")
            return _restrict(inner, columns)
        if kind == "punct" and value == "{":
            names = []
            while self.peek() != ("punct", "}"):
                names.append(self.take()[1])
            self.take("}")
            self.take(":")
            return self.primary(tuple(names))
        if kind == "word" and self.peek() == ("punct", ":"):
            self.take(":")
            return self.primary((value,))
        if kind == "string":
            text = value[1:-1].replace('""', '"')
        elif kind == "word":
            text = value
        else:
            raise QuerySyntaxError(f"the full-text engine could not read this query (unexpected {value!r})")
        prefix = self.peek() == ("punct", "*")
        if prefix:
            self.take()
        return Phrase(text, prefix, columns)


def _restrict(expr: Expr, columns: tuple[str, ...] | None) -> Expr:
    if columns is None:
        return expr
    if isinstance(expr, Phrase):
        return Phrase(expr.text, expr.prefix, expr.columns or columns)
    return Op(expr.op, _restrict(expr.left, columns), _restrict(expr.right, columns))


def parse(expr: str) -> Expr:
    """The tree of an FTS5 expression (as the search layer writes them)."""
    return _Parser(expr).parse()


# -- to tsquery (word table) ------------------------------------------------------------------------------


def to_tsquery(expr: Expr) -> str | None:
    """A ``tsquery`` text for the word table, or None when nothing can match (a phrase without words)."""
    if isinstance(expr, Phrase):
        words = tokens(expr.text)
        if not words:
            return None
        weights = "".join(sorted(WEIGHTS[c] for c in expr.columns if c in WEIGHTS)) if expr.columns else ""
        if expr.columns and not weights:
            return None
        parts = [f"{_lexeme(w)}:{'*' if expr.prefix and i == len(words) - 1 else ''}{weights}"
                 for i, w in enumerate(words)]
        parts = [p[:-1] if p.endswith(":") else p for p in parts]
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"
    left, right = to_tsquery(expr.left), to_tsquery(expr.right)
    if expr.op == "AND":
        return None if left is None or right is None else f"({left} & {right})"
    if expr.op == "OR":
        if left is None or right is None:
            return left or right
        return f"({left} | {right})"
    if left is None or right is None:  # NOT
        return left
    return f"({left} & !{right})"


# -- to SQL (trigram table) ---------------------------------------------------------------------------------


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards escaped (backslash)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def trigram_condition(expr: Expr, alias: str, params: list[object]) -> str:
    """An SQL condition over ``alias.body`` / ``alias.title`` (folded text) for the trigram table."""
    if isinstance(expr, Phrase):
        text = fold_query(expr.text)
        if len(text) < 3:
            return "FALSE"  # FTS5's trigram tokenizer matches nothing shorter than a trigram
        columns = [c for c in (expr.columns or ("body", "title")) if c in ("body", "title")]
        if not columns:
            return "FALSE"
        tests = []
        for column in columns:
            tests.append(f"{alias}.{column} LIKE %s")
            params.append(like_pattern(text))
        return "(" + " OR ".join(tests) + ")"
    left = trigram_condition(expr.left, alias, params)
    right = trigram_condition(expr.right, alias, params)
    if expr.op == "NOT":
        return f"({left} AND NOT {right})"
    return f"({left} {expr.op} {right})"


def trigram_terms(expr: Expr) -> list[str]:
    """The folded strings of the positive phrases of a trigram expression (for scoring)."""
    if isinstance(expr, Phrase):
        text = fold_query(expr.text)
        return [text] if len(text) >= 3 else []
    if expr.op == "NOT":
        return trigram_terms(expr.left)
    return trigram_terms(expr.left) + trigram_terms(expr.right)


def fold_query(text: str) -> str:
    """Lower-case and accent-free, as FTS5's trigram tokenizer compares (``remove_diacritics 1``)."""
    from organwatch.search.folding import fold

    return fold(text)


def windows(text: str) -> set[str]:
    """Every 3-character window of a folded text (the trigram vocabulary FTS5 would hold)."""
    return {text[i:i + 3] for i in range(len(text) - 2)}

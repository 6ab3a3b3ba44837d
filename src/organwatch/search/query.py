"""The query language: words, "phrases", prefix*, AND / OR / NOT (any case), -word, parentheses.

Parsing never fails on odd input: an unclosed quote ends at the end of the query, stray parentheses
and dangling operators are dropped, FTS5 syntax characters are just characters (every term is
quoted when it reaches SQLite). What cannot be searched at all raises :class:`SearchQueryError`
with the reason: an empty query, only negated terms, a prefix of one letter, an over-long query.

Precedence is FTS5's: NOT binds tightest, then AND (also implicit between terms), then OR.

>>> tree = parse('"liver transplant" OR 肝脏 -kidney')
>>> tree.items[0]
Term(text='liver transplant', phrase=True, prefix=False)
>>> tree.items[1].negative
Term(text='kidney', phrase=False, prefix=False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from organwatch.search.errors import SearchQueryError

MAX_QUERY_CHARS = 2000
MAX_TERMS = 64
MAX_DEPTH = 16
MIN_PREFIX_CHARS = 2
OPERATORS = frozenset({"AND", "OR", "NOT"})
_SEARCHABLE = re.compile(r"[^\W_]")
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Term:
    """One word or phrase as the user typed it (without quotes or the trailing ``*``)."""

    text: str
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class And:
    """All items must match."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Any item may match."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """``positive`` matches and ``negative`` does not."""

    positive: Node
    negative: Node


Node = Term | And | Or | Not


@dataclass(frozen=True)
class _Neg:
    """A negated item while parsing; folded into :class:`Not` by its enclosing AND."""

    item: Node


_Token = tuple[str, str]  # (kind, value): kind in word, phrase, prefix-phrase, op, open, close, minus


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            close = query.find('"', i + 1)
            close = n if close < 0 else close
            text = query[i + 1:close]
            i = close + 1
            star = i < n and query[i] == "*"
            i += int(star)
            tokens.append(("prefix-phrase" if star else "phrase", text))
        elif ch in "()":
            tokens.append(("open" if ch == "(" else "close", ch))
            i += 1
        elif ch == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] not in "-)":
            tokens.append(("minus", ch))
            i += 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in '"()':
                j += 1
            word = query[i:j]
            i = j
            tokens.append(("op", word.upper()) if word.upper() in OPERATORS else ("word", word))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse_or(self, depth: int) -> Node | _Neg | None:
        items: list[Node | _Neg] = []
        item = self.parse_and(depth)
        if item is not None:
            items.append(item)
        while (token := self.peek()) is not None and token == ("op", "OR"):
            self.pos += 1
            item = self.parse_and(depth)
            if item is not None:
                items.append(item)
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        if any(isinstance(item, _Neg) for item in items):
            raise SearchQueryError("NOT (or -) cannot stand alone on one side of OR: write `a OR (b NOT c)`")
        return Or(tuple(item for item in items if not isinstance(item, _Neg)))

    def parse_and(self, depth: int) -> Node | _Neg | None:
        items: list[Node | _Neg] = []
        while (token := self.peek()) is not None and token != ("op", "OR") and token[0] != "close":
            if token == ("op", "AND"):
                self.pos += 1
                continue
            item = self.parse_unary(depth)
            if item is not None:
                items.append(item)
        if not items:
            return None
        positives = [item for item in items if not isinstance(item, _Neg)]
        negatives = [item.item for item in items if isinstance(item, _Neg)]
        if not positives:
            return _Neg(negatives[0] if len(negatives) == 1 else Or(tuple(negatives)))
        node: Node = positives[0] if len(positives) == 1 else And(tuple(positives))
        if negatives:
            node = Not(node, negatives[0] if len(negatives) == 1 else Or(tuple(negatives)))
        return node

    def parse_unary(self, depth: int) -> Node | _Neg | None:
        token = self.peek()
        assert token is not None
        if token in (("op", "NOT"), ("minus", "-")):
            self.pos += 1
            nxt = self.peek()
            if nxt is None or nxt[0] == "close" or nxt in (("op", "AND"), ("op", "OR")):
                return None  # a dangling NOT: nothing to negate
            item = self.parse_unary(depth)
            if item is None or isinstance(item, _Neg):
                return item.item if isinstance(item, _Neg) else None  # NOT NOT x is x
            return _Neg(item)
        self.pos += 1
        kind, value = token
        if kind == "open":
            if depth >= MAX_DEPTH:
                raise SearchQueryError(f"the query nests parentheses more than {MAX_DEPTH} deep")
            inner = self.parse_or(depth + 1)
            if (close := self.peek()) is not None and close[0] == "close":
                self.pos += 1
            return inner
        if kind in ("close", "op", "minus"):
            return None
        return self.term(value, phrase=kind != "word", prefix=kind == "prefix-phrase")

    def term(self, text: str, *, phrase: bool, prefix: bool) -> Term | None:
        if not phrase:
            stripped = text.rstrip("*")
            prefix = len(stripped) < len(text)
            text = stripped.replace("*", "")
        text = " ".join(text.split())
        if not _SEARCHABLE.search(text):
            return None  # punctuation or syntax characters only: nothing an index holds
        if prefix and len(text) < MIN_PREFIX_CHARS:
            raise SearchQueryError(f"{text}* is too short for a prefix search: give at least "
                                   f"{MIN_PREFIX_CHARS} characters before the *")
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise SearchQueryError(f"the query has more than {MAX_TERMS} terms: shorten it, or use semantic search "
                                   "to find documents like a passage")
        return Term(text, phrase=phrase and " " in text, prefix=prefix)


def parse(query: str) -> Node:
    """Parse a user query into a tree of :class:`Term`, :class:`And`, :class:`Or` and :class:`Not`.

    Raises :class:`SearchQueryError` when nothing can be searched.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"the query is {len(query):,} characters long; full-text search takes at most "
                               f"{MAX_QUERY_CHARS:,} (use semantic search to find documents like a long passage)")
    cleaned = _UNSAFE.sub(" ", query)
    parser = _Parser(_lex(cleaned))
    node: Node | _Neg | None = None
    while parser.pos < len(parser.tokens):  # a stray ")" ends parse_or early: keep going after it
        part = parser.parse_or(0)
        if parser.peek() is not None and parser.peek() == ("close", ")"):
            parser.pos += 1
        if part is None:
            continue
        node = part if node is None else _join_and(node, part)
    if node is None:
        raise SearchQueryError("the query has nothing to search for: type a word, a \"phrase\" or a name")
    if isinstance(node, _Neg):
        raise SearchQueryError("the query only says what to leave out: add at least one term to look for")
    return node


def _join_and(left: Node | _Neg, right: Node | _Neg) -> Node | _Neg:
    if isinstance(left, _Neg) and isinstance(right, _Neg):
        return _Neg(Or((left.item, right.item)))
    if isinstance(right, _Neg):
        assert not isinstance(left, _Neg)
        return Not(left, right.item)
    if isinstance(left, _Neg):
        return Not(right, left.item)
    return And((left, right))


def positive_terms(node: Node) -> list[Term]:
    """The terms a hit must or may contain (the ones to highlight), in query order."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return positive_terms(node.positive)
    return [term for item in node.items for term in positive_terms(item)]

"""The query parser: precedence, implicit AND, operators in any case, and forgiving syntax."""

from __future__ import annotations

import pytest

from organwatch.search import SearchQueryError
from organwatch.search.query import And, Not, Or, Term, parse, positive_terms


def test_precedence_not_and_or() -> None:
    assert parse("a b OR c NOT d") == Or((And((Term("a"), Term("b"))), Not(Term("c"), Term("d"))))
    assert parse("(a OR b) c") == And((Or((Term("a"), Term("b"))), Term("c")))
    assert parse("a or b") == parse("a OR b") == parse("a Or b")
    assert parse("a and b") == parse("a b")


def test_phrases_and_prefixes() -> None:
    assert parse('"liver  transplant"') == Term("liver transplant", phrase=True)
    assert parse('"liver trans"*') == Term("liver trans", phrase=True, prefix=True)
    assert parse("transpl*") == Term("transpl", prefix=True)
    assert parse('"王立军"') == Term("王立军")  # one word in quotes is that word
    assert parse('"unclosed phrase') == Term("unclosed phrase", phrase=True)


def test_negation_forms() -> None:
    assert parse("a -b") == parse("a NOT b") == parse("a not b") == Not(Term("a"), Term("b"))
    assert parse("Li-jun") == Term("Li-jun")  # a hyphen inside a word is not a minus
    assert parse("NOT b a") == Not(Term("a"), Term("b"))


def test_positive_terms_skip_negated_ones() -> None:
    assert positive_terms(parse('a "b c" -d (e OR ff*)')) == [Term("a"), Term("b c", phrase=True), Term("e"),
                                                               Term("ff", prefix=True)]


@pytest.mark.parametrize("query", ["", "   ", "AND OR NOT", "()", '""', "* ^ :", "NOT a", "-a -b"])
def test_unsearchable_queries_raise_one_typed_error(query: str) -> None:
    with pytest.raises(SearchQueryError):
        parse(query)


def test_limits() -> None:
    with pytest.raises(SearchQueryError, match="characters long"):
        parse("x" * 10_000)
    with pytest.raises(SearchQueryError, match="more than 64 terms"):
        parse(" ".join(f"w{i}" for i in range(65)))
    with pytest.raises(SearchQueryError, match="deep"):
        parse("(" * 40 + "a")

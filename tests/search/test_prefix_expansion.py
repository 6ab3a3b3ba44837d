"""``stem*`` becomes the OR of the indexed words with that stem (FTS5 walks an OR lazily; it merges a
prefix's doclists whole), with exactly the documents FTS5's own prefix query finds."""

from __future__ import annotations

import dataclasses

import pytest

from organwatch.search import fts as fts_module
from organwatch.search import search
from organwatch.search.fts import Compiler
from organwatch.search.index import index_entry, word_terms
from organwatch.search.query import parse
from organwatch.store.records import Match, Nothing
from tests.search.conftest import Corpus


def _found(corpus: Corpus, query: str) -> set[int]:
    return {hit.document_id for hit in search(corpus.view(), query, limit=100, rank_all=True).hits}


TEXTS = ["Transplant centres grew.", "TRANSPLANTS, transplanted; transplanté (French).", "Transport of organs.",
         "The transplantation law of 2007.", "A transpl- abbreviation.", "器官移植 transplant 王立军",
         "Nothing relevant here.", "Ошибка trans-plant", "Dvořák's transplantación"]


def test_word_terms_fold_as_the_word_index_does() -> None:
    assert word_terms("Dvořák ÉTUDE e\u0301tude Ёлка ΟΔΥΣΣΕΥΣ 2006a", "王立军 Wang") == (
        "2006a", "dvorak", "etude", "wang")


@pytest.mark.sqlite_only("the word list is kept by the SQLite store; PostgreSQL answers prefix* with a tsquery prefix")
def test_prefix_expands_to_the_same_documents_as_fts5s_own_prefix_query(corpus: Corpus,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [corpus.add(text) for text in TEXTS]
    plan = Compiler(corpus.view().search).compile(parse("transpl*"))
    assert isinstance(plan, Match) and plan.expr.startswith("{body title} : (") and '"transplante"' in plan.expr
    expanded = {query: _found(corpus, query) for query in ("transpl*", "Transpl*", "trans*", "dvo*", "zzz*",
                                                           "transpl* AND law", "transpl* NOT french")}
    assert expanded["transpl*"] == {ids[0], ids[1], ids[3], ids[4], ids[5], ids[8]}
    assert Compiler(corpus.view().search).compile(parse("zzz*")) == Nothing()
    monkeypatch.setattr(fts_module, "MAX_PREFIX_EXPANSION", 0)  # every prefix stays FTS5's prefix query
    assert Compiler(corpus.view().search).compile(parse("transpl*")) == Match("words", '{body title} : "transpl"*')
    assert {query: _found(corpus, query) for query in expanded} == expanded


@pytest.mark.sqlite_only("the word list is kept by the SQLite store; PostgreSQL answers prefix* with a tsquery prefix")
def test_documents_indexed_by_older_code_keep_the_prefix_query(corpus: Corpus) -> None:
    old = corpus.add("Transplants in the old index.")
    entry = index_entry("Transplants in the old index.")
    assert entry is not None
    with corpus.store.writer() as writer:  # as the previous index version wrote it: no word list
        writer.search.put(old, dataclasses.replace(entry, index_version="1", terms=(), han_body=""))
    assert Compiler(corpus.view().search).compile(parse("transpl*")) == Match("words", '{body title} : "transpl"*')
    assert _found(corpus, "transpl*") == {old}


@pytest.mark.sqlite_only("FTS5 expressions are the SQLite store's")
def test_a_phrase_prefix_stays_a_prefix_query(corpus: Corpus) -> None:
    doc = corpus.add("Liver transplantation at the centre.")
    plan = Compiler(corpus.view().search).compile(parse('"liver transplant"*'))
    assert plan == Match("words", '{body title} : "liver transplant"*')
    assert _found(corpus, '"liver transplant"*') == {doc}

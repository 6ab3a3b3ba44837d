"""One- and two-character Chinese queries: through the Han-character index, exact as a substring search.

Trigrams cannot match fewer than three characters; a common character starts thousands of trigrams, and
the old way out was a LIKE scan of every text. The character index answers the same question (does the
folded text contain these adjacent characters?) from doclists. Cases indexed by older code keep the old
path until every document has been re-indexed.
"""

from __future__ import annotations

import dataclasses

from organwatch.search import INDEX_VERSION, SearchFilters, search
from organwatch.search.fts import Compiler
from organwatch.search.index import han_characters, index_entry
from organwatch.search.query import parse
from organwatch.store.records import Like, Match
from tests.search.conftest import Corpus


def _has_character_index(corpus: Corpus) -> bool:
    """SQLite keeps the character table; PostgreSQL answers short queries from its trigrams (same results)."""
    return type(corpus.store).__name__ == "SQLiteStore"


def _found(corpus: Corpus, query: str) -> set[int]:
    return {hit.document_id for hit in search(corpus.view(), query, limit=100, rank_all=True).hits}


def test_han_characters_keep_runs_apart() -> None:
    assert han_characters("肝移植，肾 kidney 移") == "肝 移 植 0 肾 0 移"
    assert han_characters("no Chinese here") == ""
    assert han_characters("𠀀肝") == "肝"  # supplementary-plane characters stay with trigrams and LIKE


def test_one_and_two_characters_match_as_substrings_in_either_script(corpus: Corpus) -> None:
    liver = corpus.add("该院肝移植等待时间为两周。", language="zh-Hans")
    traditional = corpus.add("該院肝臟移植等待時間。", language="zh-Hant")
    apart = corpus.add("肝，移植另有安排。", language="zh-Hans")  # 肝 and 移 are not adjacent
    english = corpus.add("Liver transplants at the hospital.")
    plan = Compiler(corpus.view().search).compile(parse("肝"))
    assert (plan == Match("chars", '"肝"')) is _has_character_index(corpus)
    assert _found(corpus, "肝") == {liver, traditional, apart}
    assert _found(corpus, "肝移") == {liver}
    assert _found(corpus, "肝臟") == {traditional}  # traditional query, folded to 肝脏
    assert _found(corpus, "肝脏") == {traditional}
    assert _found(corpus, "脏移") == {traditional}
    assert _found(corpus, "移 AND 肝") == {liver, traditional, apart}
    assert _found(corpus, "肝 NOT 移植") == set()
    assert _found(corpus, "肝 OR liver") == {liver, traditional, apart, english}
    page = search(corpus.view(), "肝移")
    hit = page.hits[0]
    assert corpus.texts[liver][hit.start:hit.end] == "肝移"
    assert search(corpus.view(), "肝", filters=SearchFilters(language="zh-Hant")).total == 1


def test_titles_are_searched_too(corpus: Corpus) -> None:
    titled = corpus.add("Body in English only.", title="肾移植报告")
    assert _found(corpus, "肾") == {titled}


def test_a_case_indexed_by_older_code_keeps_the_scan_until_reindexed(corpus: Corpus) -> None:
    """A document indexed before the character table existed has no characters in it: short queries
    must not silently miss it, so they use trigrams or LIKE until `reprocess --stage search`."""
    old = corpus.add("旧文件：肝移植。", language="zh-Hans")
    new = corpus.add("新文件：肝移植。", language="zh-Hans")
    entry = index_entry("旧文件：肝移植。")
    assert entry is not None
    with corpus.store.writer() as writer:  # as the previous index version wrote it: no characters
        writer.search.put(old, dataclasses.replace(entry, index_version="1", han_body="", han_title=""))
    plan = Compiler(corpus.view().search).compile(parse("肝"))
    assert not isinstance(plan, Match) or plan.table != "chars"
    assert _found(corpus, "肝") == {old, new}
    with corpus.store.writer() as writer:
        from organwatch.search import sync_index

        assert sync_index(writer) == 1
    assert corpus.view().search.indexed_at_least(INDEX_VERSION) is _has_character_index(corpus)
    plan = Compiler(corpus.view().search).compile(parse("肝"))
    assert (plan == Match("chars", '"肝"')) is _has_character_index(corpus)
    assert _found(corpus, "肝") == {old, new}


def test_mixed_terms_still_use_trigrams_or_like(corpus: Corpus) -> None:
    doc = corpus.add("编号A肝的记录。", language="zh-Hans")
    plan = Compiler(corpus.view().search).compile(parse("A肝"))
    assert isinstance(plan, Match | Like) and getattr(plan, "table", "") != "chars"
    assert _found(corpus, "A肝") == {doc}

"""Full-text search on a real case database: scripts, short words, pinyin, the query language,
filters, pages, spans and snippets, duplicate clusters, and hostile input."""

from __future__ import annotations

from typing import Any

import pytest

from organwatch.search import SearchFilters, SearchQueryError, search
from organwatch.search import fts as fts_module
from organwatch.search.folding import fold
from tests.search.conftest import Corpus

TRAD = "重慶市公安局前局長王立軍於2012年2月6日進入美國駐成都總領事館。多家醫院宣稱肝臟移植等待時間只需一兩週。"
SIMP = "薄熙来在重庆担任市委书记，王立军是他的下属。曾庆红和单霁翔也出席了会议。"
ENGLISH = ("The former Chongqing police chief Wang Lijun entered the US consulate in Chengdu on 6 February 2012. "
           "Hospitals advertised liver transplantation with waiting times of one to two weeks.")


def ids(page: Any) -> list[int]:
    return [hit.document_id for hit in page.hits]


@pytest.fixture
def docs(corpus: Corpus) -> dict[str, int]:
    return {
        "trad": corpus.add(TRAD, title="王立軍事件", language="zh-Hant", published="2012-02-08", outlet="Apple Daily"),
        "simp": corpus.add(SIMP, title="重庆官场", language="zh-Hans", published="2011", outlet="Xinhua"),
        "en": corpus.add(ENGLISH, title="Wang Lijun affair", language="en", published="2012-02-07",
                         outlet="Reuters", media_type="application/pdf"),
        "kidney": corpus.add("Kidney transplant programmes expanded in 2006 across many military hospitals.",
                             title="Annual report", language="en", published="2006-09", outlet="reuters"),
    }


def test_simplified_query_finds_traditional_text_and_the_reverse(corpus: Corpus, docs: dict[str, int]) -> None:
    view = corpus.view()
    for query in ("王立军", "王立軍"):
        page = search(view, query)
        assert set(ids(page)) == {docs["trad"], docs["simp"]}
        quotes = {hit.document_id: hit.quote for hit in page.hits}
        assert quotes == {docs["trad"]: "王立軍", docs["simp"]: "王立军"}
    assert ids(search(view, "重庆市公安局")) == [docs["trad"]]  # a substring that is no jieba word


def test_two_character_word_in_traditional_text(corpus: Corpus, docs: dict[str, int]) -> None:
    view = corpus.view()
    for query in ("肝脏", "肝臟"):
        page = search(view, query)
        assert ids(page) == [docs["trad"]]
        assert page.hits[0].quote == "肝臟"


def test_single_character_and_end_of_text(corpus: Corpus, docs: dict[str, int]) -> None:
    view = corpus.view()
    assert set(ids(search(view, "肝"))) == {docs["trad"]}
    assert set(ids(search(view, "局"))) == {docs["trad"]}
    last = corpus.add("会议记录到此为止。结论：肝脏", language="zh-Hans")
    assert last in ids(search(view, "肝脏"))
    assert last in ids(search(view, "脏"))  # the very last character of the text
    assert ids(search(view, "鑫")) == []


def test_short_terms_fall_back_to_like(corpus: Corpus, docs: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fts_module, "MAX_SHORT_EXPANSION", 0)  # every short term now scans with LIKE
    view = corpus.view()
    page = search(view, "肝脏")
    assert ids(page) == [docs["trad"]] and page.hits[0].quote == "肝臟"
    assert set(ids(search(view, "会"))) == {docs["simp"]}
    assert set(ids(search(view, "军"))) == {docs["trad"], docs["simp"]}  # 軍 in one, 军 in the other


@pytest.mark.parametrize("query", ["Wang Lijun", "wang lijun", "wáng lìjūn", "Wang Li-jun", "wanglijun",
                                   "Lijun Wang", "Wang Li Jun", "WANG LIJUN", "wang2 li4jun1"])
def test_pinyin_finds_the_name_in_both_scripts(corpus: Corpus, docs: dict[str, int], query: str) -> None:
    page = search(corpus.view(), query)
    assert {docs["trad"], docs["simp"]} <= set(ids(page))
    quotes = {hit.document_id: hit.quote for hit in page.hits}
    assert quotes[docs["trad"]] == "王立軍" and quotes[docs["simp"]] == "王立军"


@pytest.mark.parametrize(("query", "name"), [
    ("Bo Xilai", "薄熙来"), ("Bao Xilai", "薄熙来"), ("Zeng Qinghong", "曾庆红"), ("Ceng Qinghong", "曾庆红"),
    ("Shan Jixiang", "单霁翔"), ("Dan Jixiang", "单霁翔"),
])
def test_surname_heteronyms(corpus: Corpus, docs: dict[str, int], query: str, name: str) -> None:
    page = search(corpus.view(), query)
    assert ids(page) == [docs["simp"]]
    assert page.hits[0].quote == name


def test_pinyin_is_not_fuzzy(corpus: Corpus, docs: dict[str, int]) -> None:
    view = corpus.view()
    assert ids(search(view, "Wang Weijun")) == []
    assert docs["en"] in ids(search(view, "Wang Lijun Chengdu"))
    assert set(ids(search(view, "Wang Lijun hospitals"))) == {docs["en"]}  # the name in pinyin, the rest as words
    # 重 is also a surname, so 重庆 is keyed like a name and "Chongqing" finds it in characters too.
    assert set(ids(search(view, "Wang Lijun Chongqing"))) == {docs["en"], docs["trad"], docs["simp"]}


def test_phrases_prefixes_and_booleans(corpus: Corpus, docs: dict[str, int]) -> None:
    view = corpus.view()
    assert ids(search(view, '"liver transplantation"')) == [docs["en"]]
    assert ids(search(view, '"transplantation liver"')) == []
    assert set(ids(search(view, "transplant*"))) == {docs["en"], docs["kidney"]}
    assert ids(search(view, '"liver transplant"*')) == [docs["en"]]
    assert ids(search(view, "kidney AND hospitals")) == [docs["kidney"]]
    assert ids(search(view, "kidney hospitals liver")) == []  # implicit AND
    assert set(ids(search(view, "kidney OR liver"))) == {docs["en"], docs["kidney"]}
    assert set(ids(search(view, "kidney or liver"))) == {docs["en"], docs["kidney"]}  # operators in any case
    assert ids(search(view, "hospitals NOT kidney")) == [docs["en"]]
    assert ids(search(view, "hospitals not kidney")) == [docs["en"]]
    assert ids(search(view, "hospitals -kidney")) == [docs["en"]]
    assert set(ids(search(view, "(kidney OR 王立军) NOT 薄熙来"))) == {docs["kidney"], docs["trad"]}
    assert ids(search(view, "王立军 AND consulate")) == []  # no document has both
    assert set(ids(search(view, "王立军 OR consulate"))) == {docs["trad"], docs["simp"], docs["en"]}
    assert ids(search(view, "王立军 NOT 薄熙来")) == [docs["trad"]]
    assert ids(search(view, "肝脏 -kidney")) == [docs["trad"]]


def test_filters(corpus: Corpus, docs: dict[str, int]) -> None:
    view = corpus.view()
    everyone = "王立军 OR transplant* OR Wang"
    assert set(ids(search(view, everyone))) == set(docs.values())

    def found(**filters: str) -> set[int]:
        return set(ids(search(view, everyone, filters=SearchFilters(**filters))))

    assert found(language="zh") == {docs["trad"], docs["simp"]}
    assert found(language="zh-Hant") == {docs["trad"]}
    assert found(language="en") == {docs["en"], docs["kidney"]}
    assert found(date_from="2012") == {docs["trad"], docs["en"]}
    assert found(date_from="2006", date_to="2011") == {docs["kidney"], docs["simp"]}
    assert found(date_to="2006") == {docs["kidney"]}
    assert found(date_from="2011-06") == {docs["trad"], docs["en"], docs["simp"]}  # "2011" overlaps June 2011 on
    assert found(date_from="2012-02-08") == {docs["trad"]}
    assert found(outlet="REUTERS") == {docs["en"], docs["kidney"]}
    assert found(media_type="application/pdf") == {docs["en"]}
    assert found(media_type="text/*") == {docs["trad"], docs["simp"], docs["kidney"]}
    assert found(language="en", date_from="2010") == {docs["en"]}
    with pytest.raises(SearchQueryError, match="not a date"):
        SearchFilters(date_from="last year")
    with pytest.raises(SearchQueryError, match="empty"):
        SearchFilters(date_from="2013", date_to="2012")


def test_pagination(corpus: Corpus) -> None:
    made = [corpus.add(f"Report {i}: the hospital performed {'transplants ' * (i % 5 + 1)}this year.")
            for i in range(25)]
    view = corpus.view()
    pages = [search(view, "transplants", limit=10, offset=offset) for offset in (0, 10, 20)]
    seen = [doc for page in pages for doc in ids(page)]
    assert sorted(seen) == sorted(made) and len(set(seen)) == 25
    assert [page.has_more for page in pages] == [True, True, False]
    assert all(page.total == 25 for page in pages)
    assert [hit.rank for hit in pages[1].hits] == list(range(11, 21))
    scores = [hit.score for page in pages for hit in page.hits]
    assert scores == sorted(scores, reverse=True)  # more mentions rank higher, across pages
    assert ids(search(view, "transplants", limit=10, offset=30)) == []
    with pytest.raises(SearchQueryError):
        search(view, "transplants", limit=0)


def test_spans_and_snippets(corpus: Corpus, docs: dict[str, int]) -> None:
    view = corpus.view()
    queries = ("王立军", "肝脏", "liver", "Wang Lijun", '"US consulate"', "transplant*", "重庆 OR Chengdu", "曾庆红")
    for query in queries:
        for hit in search(view, query, markers=("[", "]")).hits:
            text = corpus.texts[hit.document_id]
            assert hit.located and hit.field == "text"
            assert text[hit.start:hit.end] == hit.quote
            assert text[hit.start - len(hit.prefix):hit.start] == hit.prefix
            assert text[hit.end:hit.end + len(hit.suffix)] == hit.suffix
            assert hit.snippet_start <= hit.start < hit.end <= hit.snippet_end
            assert all(text[s:e] in hit.snippet for s, e in hit.highlights)
            assert "[" + text[hit.highlights[0][0]:hit.highlights[0][1]] + "]" in hit.snippet
    hit = search(view, "肝臟").hits[0]
    assert (hit.start, hit.end) == (TRAD.index("肝臟"), TRAD.index("肝臟") + 2)
    hit = search(view, "Wang Lijun").hits[0]
    assert hit.quote == "Wang Lijun"  # the two words, as one span
    phrase = search(view, '"waiting times"').hits[0]
    assert fold(phrase.quote) == "waiting times"


def test_title_only_match_points_into_the_title(corpus: Corpus, docs: dict[str, int]) -> None:
    hit = search(corpus.view(), "annual").hits[0]
    assert hit.document_id == docs["kidney"] and hit.field == "title"
    assert "Annual report"[hit.start:hit.end] == "Annual"


def test_duplicates_collapse_into_one_hit(corpus: Corpus) -> None:
    story = "A wire story about organ transplant tourism, syndicated by many outlets in {}."
    a, b, c = (corpus.add(story.format(year)) for year in (2019, 2020, 2021))
    alone = corpus.add("An independent report on organ transplant tourism.")
    quoted = corpus.add("Another report that repeats one paragraph on organ transplant tourism.")
    corpus.link(a, b)
    corpus.link(c, b, kind="duplicate")
    corpus.link(alone, quoted, kind="paragraph")  # repeated paragraphs do not make documents the same
    page = search(corpus.view(), "tourism")
    assert page.total == 5 and len(page.hits) == 3
    clustered = next(hit for hit in page.hits if hit.document_id in (a, b, c))
    assert set(clustered.duplicates) | {clustered.document_id} == {a, b, c}
    assert {hit.document_id for hit in page.hits} - {clustered.document_id} == {alone, quoted}
    assert all(hit.duplicates == () for hit in page.hits if hit is not clustered)
    filtered = search(corpus.view(), "tourism 2020")
    assert ids(filtered) == [b] and filtered.hits[0].duplicates == ()  # only matching documents are counted


HOSTILE = ['"', '""', '"""', "(", ")", "((a", "a))", "AND", "OR OR", "NOT", "*", "**", "^", ":", "body:", "{body}: x",
           "NEAR(a b)", 'a "b', "'", "; DROP TABLE documents; --", "\x00", "a\x00b", "\ud800", "王\udfff立军",
           "x" * 10_000, "王" * 10_000, "(" * 500 + "a", "a" + ")" * 500, "col:王立军", "-", "--", "- -",
           "title:x", "\\", "%", "_", "%肝%", "肝%", "a* OR b*", "NOT NOT", "a OR NOT b", "\u200b", "🙂",
           "wang" * 500, " ".join(["liver"] * 100), "0x00", "-1", "1e999", "NULL", "rowid:1", "search_words:x"]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_leak_sqlite_errors(corpus: Corpus, docs: dict[str, int], query: str) -> None:
    view = corpus.view()
    for mode in ("fts",):
        try:
            page = search(view, query, mode=mode)
        except SearchQueryError as exc:
            assert str(exc)  # a message the user can act on
        else:
            assert page.total >= 0
    assert view.documents.count() == 4


def test_empty_and_negative_only_queries_explain_themselves(corpus: Corpus, docs: dict[str, int]) -> None:
    view = corpus.view()
    with pytest.raises(SearchQueryError, match="nothing to search"):
        search(view, "   ")
    with pytest.raises(SearchQueryError, match="leave out"):
        search(view, "NOT kidney")
    with pytest.raises(SearchQueryError, match="at least 2 characters"):
        search(view, "k*")
    with pytest.raises(SearchQueryError, match="unknown search mode"):
        search(view, "kidney", mode="magic")  # type: ignore[arg-type]

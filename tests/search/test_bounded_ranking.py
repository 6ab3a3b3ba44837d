"""A word that matches very many documents is ranked within the newest candidates, and the page says so."""

from __future__ import annotations

import pytest

from organwatch.search import SearchFilters, search
from organwatch.store.sqlite import search as sqlite_search
from tests.search.conftest import Corpus


@pytest.mark.sqlite_only("bounded ranking (RANK_CANDIDATES) is implemented in the SQLite search only so far; "
                         "PostgreSQL ranks every match")
def test_ranking_is_bounded_and_says_it_was_truncated(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_search, "RANK_CANDIDATES", 5)
    ids = [corpus.add(f"Report {n}: the kidney ward " + "kidney " * (12 - n), published="2010") for n in range(12)]
    page = search(corpus.view(), "kidney", limit=20)
    assert page.total == 12 and page.truncated
    # Only the five newest were ranked; among them the one that says "kidney" most comes first.
    assert {hit.document_id for hit in page.hits} == set(ids[-5:])
    assert page.hits[0].document_id == ids[-5]
    assert page.to_dict()["truncated"] is True
    assert not search(corpus.view(), "Report", filters=SearchFilters(date_from="2010"), limit=20).truncated
    rare = corpus.add("A lone mention of a pancreas.")
    narrow = search(corpus.view(), "pancreas")
    assert not narrow.truncated and [h.document_id for h in narrow.hits] == [rare]

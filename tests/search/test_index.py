"""Index maintenance: re-indexing replaces, removal forgets, sync_index repairs what was missed."""

from __future__ import annotations

import doctest
import importlib

import pytest

from organwatch.search import reindex_document, remove_document, search, stale_documents, sync_index
from tests.search.conftest import Corpus


def test_reindex_replaces_the_old_words(corpus: Corpus) -> None:
    doc = corpus.add("The hospital performed liver transplants.")
    corpus.edit(doc, text="The clinic performed kidney transplants.")
    with corpus.store.writer() as writer:
        assert reindex_document(writer, doc)
    view = corpus.view()
    assert search(view, "kidney").total == 1
    assert search(view, "liver").total == 0


def test_removed_and_failed_documents_leave_the_index(corpus: Corpus) -> None:
    gone = corpus.add("器官移植中心的广告")
    failed = corpus.add("器官移植医院名单")
    corpus.edit(failed, status="failed", text=None)
    with corpus.store.writer() as writer:
        remove_document(writer, gone)
        writer.documents.delete(gone)
        assert not reindex_document(writer, failed)
    assert search(corpus.view(), "器官移植").total == 0


def test_sync_index_repairs_missed_documents(corpus: Corpus) -> None:
    indexed = corpus.add("Indexed document about transplants.")
    missed = corpus.add("A document the hook never saw: transplants.")
    orphan = corpus.add("Deleted without remove_document: transplants.")
    corpus.edit(indexed, text="Edited without re-indexing: organs.")
    with corpus.store.writer() as writer:
        remove_document(writer, missed)  # as if no hook had run for it
        writer.documents.delete(orphan)
        assert stale_documents(writer) == [indexed, missed, orphan]
        progress: list[tuple[int, int]] = []
        assert sync_index(writer, progress=lambda done, total: progress.append((done, total))) == 3
        assert progress[-1] == (3, 3) and stale_documents(writer) == []
    view = corpus.view()
    assert [hit.document_id for hit in search(view, "transplants").hits] == [missed]
    assert search(view, "organs").total == 1


@pytest.mark.parametrize("name", ["chunks", "folding", "names", "hybrid", "query", "results", "index"])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"organwatch.search.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0

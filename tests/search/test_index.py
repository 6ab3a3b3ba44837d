"""Index maintenance: re-indexing replaces, removal forgets, sync_index repairs what was missed."""

from __future__ import annotations

import doctest
import hashlib
import importlib

import pytest

from organwatch.search import reindex_document, remove_document, search, stale_documents, sync_index
from tests.search.conftest import Corpus


def test_reindex_replaces_the_old_words(corpus: Corpus) -> None:
    doc = corpus.add("The hospital performed liver transplants.")
    with corpus.store.writer() as conn:
        conn.execute("UPDATE documents SET text = 'The clinic performed kidney transplants.' WHERE id = ?", (doc,))
        assert reindex_document(conn, doc)
    conn = corpus.conn()
    assert search(conn, "kidney").total == 1
    assert search(conn, "liver").total == 0


def test_removed_and_failed_documents_leave_the_index(corpus: Corpus) -> None:
    gone = corpus.add("器官移植中心的广告")
    failed = corpus.add("器官移植医院名单")
    with corpus.store.writer() as conn:
        remove_document(conn, gone)
        conn.execute("DELETE FROM documents WHERE id = ?", (gone,))
        conn.execute("UPDATE documents SET status = 'failed', text = NULL WHERE id = ?", (failed,))
        assert not reindex_document(conn, failed)
    assert search(corpus.conn(), "器官移植").total == 0


def test_sync_index_repairs_missed_documents(corpus: Corpus) -> None:
    indexed = corpus.add("Indexed document about transplants.")
    missed = corpus.add("A document the hook never saw: transplants.")
    orphan = corpus.add("Deleted without remove_document: transplants.")
    with corpus.store.writer() as conn:
        edited = "Edited without re-indexing: organs."
        conn.execute("UPDATE documents SET text = ?, text_sha256 = ? WHERE id = ?",
                     (edited, hashlib.sha256(edited.encode()).hexdigest(), indexed))
        remove_document(conn, missed)  # as if no hook had run for it
        conn.execute("DELETE FROM documents WHERE id = ?", (orphan,))
        assert stale_documents(conn) == [indexed, missed, orphan]
        progress: list[tuple[int, int]] = []
        assert sync_index(conn, progress=lambda done, total: progress.append((done, total))) == 3
        assert progress[-1] == (3, 3) and stale_documents(conn) == []
    conn = corpus.conn()
    assert [hit.document_id for hit in search(conn, "transplants").hits] == [missed]
    assert search(conn, "organs").total == 1


@pytest.mark.parametrize("name", ["chunks", "folding", "names", "hybrid", "query", "results"])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"organwatch.search.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0

"""Every repository method the contract suite does not reach, run on SQLite and on PostgreSQL.

One scenario writes the same records through each backend and reads them back through every read
method; the two backends must give the same answers (ids, order and values), and some answers are
also checked against what they must be. Ranked lists are compared as sets: the engines' scores
(FTS5's BM25, PostgreSQL's ts_rank) agree on what matches, not always on the order of near ties.
Plus what only a server has: connection errors as one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from organwatch.errors import CaseError
from organwatch.model import DocumentLink, StoredMention
from organwatch.papers.protocols import parse_protocol
from organwatch.papers.records import ImportIssue, Record
from organwatch.papers.screen import Reason, ScreenResult
from organwatch.search.results import SearchFilters
from organwatch.store import Store, open_store
from organwatch.store.records import ExtractRun, IndexBatch, LogEntryRecord, Match, TreeHeadRecord
from tests.store.conftest import fresh_database
from tests.store.test_contract import TIME, add_capture, add_document, document

PROTOCOL = """\
name: contract-protocol
version: "1"
title: A protocol for the store contract
citation: written for the tests
stages:
  - name: eligibility
    kind: filter
"""


@dataclass(frozen=True)
class Reader:
    principals: tuple[str, ...]
    sees_everything: bool = False


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = open_store(tmp_path, {"store": {"backend": "sqlite"}})
    else:
        url = fresh_database(request.getfixturevalue("pg_cluster"))
        opened = open_store(tmp_path, {"store": {"backend": "postgresql", "url": url}})
    opened.migrate()
    yield opened
    opened.close()


def scenario(store: Store) -> dict[str, Any]:
    """Write one small case through every write method; read it through every read method."""
    seen: dict[str, Any] = {}
    a = add_document(store, "Liver transplants at the First Hospital took one week.", 0, title="Waiting times",
                     published="2006-03")
    b = add_document(store, "王立軍曾任錦州市公安局局長。", 1, language="zh-Hant", title="錦州")
    c = add_document(store, "Liver transplants at the First Hospital took one week.", 2, outlet="Sample Daily")
    with store.writer() as writer:
        capture = add_capture(writer, 3, "a failed file")
        failed = writer.documents.upsert(document(capture, None, status="failed"))
        writer.archive.add(IndexBatch((LogEntryRecord(4, "access", "ab" * 32, TIME, None),)))
        writer.archive.add_tree_head(TreeHeadRecord(5, "cd" * 32, 0, TIME, "key", "sig"))
        writer.documents.add_link(DocumentLink(0, "duplicate", a, c, 1.0, None, None, None, None, "sha256"))
        writer.documents.add_link(DocumentLink(0, "paragraph", a, b, 0.5, 0, 10, 2, 12, "paragraph-hash"))
        writer.documents.add_signature(c, b"\x01\x02\x03\x04", [(0, b"k0"), (1, b"k1")])
        from organwatch.store.records import ParagraphHash
        writer.documents.add_paragraph(ParagraphHash(b"h" * 8, a, 0, 10))
        writer.documents.add_paragraph(ParagraphHash(b"h" * 8, c, 5, 15))
        mention = StoredMention(0, a, "person", "Wang Lijun", 0, 10, "王立军", None, None, None, None, None,
                                None, None, "rule", "rules", "1")
        writer.mentions.replace(a, [mention], [], ExtractRun(a, "1", "2006-03", ("w",), TIME))
        writer.mentions.replace(b, [StoredMention(0, b, "place", "錦州", 7, 9, "Jinzhou", None, None, None, None,
                                                  None, None, None, "gazetteer", "rules", "1")], [],
                                ExtractRun(b, "1", None, (), TIME))
        # papers
        writer.papers.insert_record(Record("0012", "Organ procurement", "An abstract.", "", 2010, "J",
                                           ("A. Author",), ("Somewhere",), "en", "pubmed", capture, ""))
        writer.papers.insert_record(Record("r2", "Second", "", "", None, "", (), (), None, "csv", None, ""))
        writer.papers.attach_fulltext("r2", "full text", capture, "page:1")
        writer.papers.attach_fulltext("r2", "ignored: text is never replaced", capture, "page:2")
        writer.papers.insert_issues([ImportIssue("f.csv", "line 3", "no title"),
                                     ImportIssue("f.csv", "line 4", "odd", severity="warning")], capture)
        run = writer.papers.start_run(parse_protocol(PROTOCOL), "0.1")
        writer.papers.save_results(run, [ScreenResult("0012", "included", "eligibility", 2, {"x": True},
                                                      [Reason("eligibility", "ok", "fine", "title", 0, 5, "Organ")]),
                                         ScreenResult("r2", "excluded", "eligibility")])
        writer.papers.add_review(run, "r2", 1, "maybe", "alice", 9)
        writer.papers.add_review(run, "r2", 2, "yes", "bob", 10)
        # accounts
        seen["new_user"] = writer.accounts.upsert_user("alice", "investigator", "hash1", TIME)
        seen["again"] = writer.accounts.upsert_user("alice", "investigator", "hash2", TIME)
        writer.accounts.upsert_user("bob", "viewer", "hash3", TIME)
        writer.accounts.set_password_hash("bob", "hash4")
        writer.accounts.create_session("tok-a", "alice", 3600)
        writer.accounts.create_session("tok-b", "bob", 3600)
        writer.accounts.delete_session("tok-b")
        for _ in range(3):
            writer.accounts.record_login_failure("bob", "127.0.0.1")
        writer.accounts.record_login_failure("carol", "10.0.0.1")
        writer.accounts.clear_login_failures("carol", 0.0)
        d_b = writer.documents.get(b)
        assert d_b is not None
        writer.accounts.set_restriction(d_b.capture_id, "", ["user:alice", "role:investigator"], 4)
    alice, bob, admin = Reader(("user:alice",)), Reader(("user:bob", "role:viewer")), Reader((), True)
    with store.view() as view:
        first = view.documents.get(a)
        assert first is not None
        seen["capture"] = view.archive.capture(first.capture_id)
        seen["prefix"] = [x.id for x in view.archive.captures_with_prefix(first.capture_id[:3], 5)]
        seen["captures"] = [x.id for x in view.archive.captures()]
        seen["captures_window"] = [x.id for x in view.archive.captures(limit=2, offset=1)]
        seen["capture_ids"] = view.archive.capture_ids()
        seen["observations"] = view.archive.observations(first.capture_id)
        seen["no_observations"] = view.archive.observations("0" * 64)
        seen["heads"] = view.archive.tree_heads()
        seen["position"] = view.archive.log_position().last_head_size
        seen["ids_failed"] = view.documents.ids("failed")
        seen["ids_of_captures"] = view.documents.ids("ok", [first.capture_id])
        seen["capture_ids_ok"] = len(view.documents.capture_ids("ok"))
        seen["count_ok"] = (view.documents.count("ok"), view.documents.count("failed"), failed)
        seen["duplicates"] = view.documents.duplicate_pairs([a, b])
        seen["same_text"] = view.documents.same_text(first.text_sha256 if hasattr(first, "text_sha256")
                                                     else view.documents.text_sha256(a) or "", a)
        seen["bands"] = sorted(view.documents.band_candidates([(0, b"k0"), (1, b"zz")]))
        seen["repeated"] = view.documents.repeated_paragraphs(b"h" * 8, a, 5)
        seen["naming"] = (view.mentions.documents_naming("person", "王立军"),
                          view.mentions.documents_naming("place", "錦州"), view.mentions.documents_naming("place", "x"))
        seen["extract_run"] = view.mentions.extract_run(a)
        seen["records"] = [r.id for r in view.papers.records()]
        seen["find"] = (view.papers.find_record("12"), view.papers.find_record("nothing"))
        seen["counts"] = (view.papers.count_records(), view.papers.issue_counts())
        seen["origin"] = (view.papers.record_origin("r2"), view.papers.record_origin("none"))
        seen["issues"] = view.papers.import_issues()
        latest = view.papers.latest_run("contract-protocol")
        assert latest is not None
        seen["latest"] = {k: latest[k] for k in ("id", "records", "name", "version", "tool_version")}
        seen["run_by_id"] = view.papers.run_by_id(latest["id"]) == latest
        seen["no_run"] = (view.papers.latest_run("other"), view.papers.run_by_id(999))
        seen["results"] = view.papers.results(latest["id"])
        reviews = view.papers.reviews(latest["id"])
        seen["reviews"] = {k: (v["score"], v["reviewer"], v["note"]) for k, v in reviews.items()}
        user = view.accounts.get_user("alice")
        seen["users"] = [(u.name, u.role, u.password_hash, u.disabled) for u in view.accounts.list_users()]
        seen["user"] = (user is not None and user.password_hash, view.accounts.get_user("nobody"))
        seen["sessions"] = (view.accounts.session_user("tok-a"), view.accounts.session_user("tok-b"))
        seen["failures"] = (view.accounts.recent_login_failures("bob", "127.0.0.1", 60),
                            view.accounts.recent_login_failures("carol", "10.0.0.1", 60))
        seen["restriction"] = view.accounts.restriction_of(d_b.capture_id, "")
        seen["restricted"] = [(r["id"], r["principals"]) for r in view.accounts.restricted_documents()]
        seen["visible"] = [(view.accounts.document_visible(who, b), view.accounts.document_visible(who, a),
                            view.accounts.capture_visible(who, d_b.capture_id), view.accounts.document_visible(who, 99))
                           for who in (alice, bob, admin)]
        seen["is_restricted"] = (view.accounts.is_restricted_document(b), view.accounts.is_restricted_document(a),
                                 view.accounts.is_restricted_capture(d_b.capture_id))
        seen["counts_bob"] = view.accounts.document_counts(bob)
        seen["counts_admin"] = view.accounts.document_counts(admin)
        seen["events_bob"] = [(e["seq"], e["type"]) for e in view.accounts.recent_events(bob, 10)]
        seen["events_admin"] = [(e["seq"], e["type"]) for e in view.accounts.recent_events(admin, 10)]
        seen["meta"] = [(m["seq"], m["type"], m["head_size"]) for m in view.accounts.log_entry_meta([0, 4, 77])]
        seen["links_bob"] = [(x["other"], x["kind"]) for x in view.accounts.visible_links(bob, a)]
        seen["links_alice"] = [(x["other"], x["kind"]) for x in view.accounts.visible_links(alice, a)]
        seen["capture_docs"] = (view.accounts.capture_documents(bob, d_b.capture_id),
                                [d["id"] for d in view.accounts.capture_documents(alice, d_b.capture_id)])
        search = view.search
        seen["hidden_from_bob"] = search.ranking(Match("trigram", '"公安局"'), None,
                                                 SearchFilters(visible_to=bob.principals)).count()[0]
        seen["shown_to_alice"] = search.ranking(Match("trigram", '"公安局"'), None,
                                                SearchFilters(visible_to=alice.principals)).count()[0]
        seen["prefix_words"] = sorted(d for d, _ in search.ranking(Match("words", '{body title} : "transpl"*'), None,
                                                             SearchFilters()).top(5))
        seen["phrase"] = sorted(d for d, _ in search.ranking(Match("words", '"first hospital"'), None,
                                                       SearchFilters()).top(5))
        seen["not_phrase"] = search.ranking(Match("words", '"hospital first"'), None, SearchFilters()).count()[0]
        seen["title_only"] = search.ranking(Match("words", 'title : "waiting"'), None, SearchFilters()).count()[0]
        seen["media"] = search.ranking(Match("words", '"liver"'), None, SearchFilters(media_type="text/*")).count()[0]
        seen["dated"] = search.ranking(Match("words", '"liver"'), None, SearchFilters(date_to="2006")).count()[0]
        seen["two_chars"] = search.trigram_terms("锦州", 10)
    with store.writer() as writer:
        writer.accounts.set_restriction(d_b.capture_id, "", [], 6)
    with store.view() as view:
        seen["lifted"] = view.accounts.restriction_of(d_b.capture_id, "")
    return seen


def test_every_repository_method_answers_alike(store: Store, tmp_path: Path, pg_cluster: str) -> None:
    seen = scenario(store)
    # What the answers must be, whichever the backend.
    assert seen["new_user"] is True and seen["again"] is False
    assert seen["captures"] == seen["capture_ids"] and len(seen["captures"]) == 4
    assert seen["captures_window"] == seen["captures"][1:3]
    assert seen["duplicates"] == [(1, 3)] and seen["same_text"] == [3] and seen["bands"] == [3]
    assert [p.document_id for p in seen["repeated"]] == [3]
    assert seen["naming"] == ([1], [2], [])
    assert seen["records"] == ["0012", "r2"] and seen["find"][0].id == "0012"
    assert seen["counts"] == ({"csv": 1, "pubmed": 1}, {"invalid": 1})
    assert seen["reviews"] == {"r2": (2, "bob", "yes")}
    assert seen["sessions"][0].name == "alice" and seen["sessions"][1] is None
    assert seen["failures"] == ((3, 3), (0, 0))
    assert seen["visible"] == [(True, True, True, False), (False, True, False, False), (True, True, True, False)]
    assert seen["hidden_from_bob"] == 0 and seen["shown_to_alice"] == 1
    assert seen["links_bob"] == [(3, "duplicate")] and len(seen["links_alice"]) == 2
    assert seen["counts_bob"]["documents_ok"] == 2 and "restricted" not in seen["counts_bob"]
    assert seen["counts_admin"]["restricted"] == 1
    assert seen["phrase"] == [1, 3] and seen["not_phrase"] == 0 and seen["title_only"] == 1
    assert seen["prefix_words"] == [1, 3] and seen["dated"] == 1
    assert seen["two_chars"] and all(t.startswith("锦州") for t in seen["two_chars"])
    assert seen["lifted"] == ()
    # And the other backend answers the same.
    other_root = tmp_path / "other"
    other_root.mkdir()
    if store.backend == "sqlite":
        other = open_store(other_root, {"store": {"backend": "postgresql", "url": fresh_database(pg_cluster)}})
    else:
        other = open_store(other_root, {"store": {"backend": "sqlite"}})
    other.migrate()
    try:
        theirs = scenario(other)
    finally:
        other.close()
    for key in seen:
        assert _comparable(seen[key]) == _comparable(theirs[key]), key


def _comparable(value: Any) -> Any:
    """Drop what differs by nature between two runs (wall-clock times of papers and accounts)."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k not in ("created_at", "imported_at")}
    if isinstance(value, list | tuple):
        return type(value)(_comparable(v) for v in value)
    return value


# -- connection errors --------------------------------------------------------------------------------


def test_wrong_credentials_and_unreachable_server_are_one_line(pg_cluster: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGANWATCH_DATABASE_WAIT", "1")
    host_port = pg_cluster.split("@", 1)[1].split("/", 1)[0]
    wrong_user = open_store(tmp_path, {"store": {"backend": "postgresql",
                                                  "url": f"postgresql://nobody_here@{host_port}/organwatch_test"}})
    with pytest.raises(CaseError, match=r"^PostgreSQL at 127\.0\.0\.1:\d+/organwatch_test refused the credentials"):
        wrong_user.migrate()
    missing = open_store(tmp_path, {"store": {"backend": "postgresql", "url": pg_cluster + "_missing"}})
    with pytest.raises(CaseError, match="the database does not exist"):
        missing.migrate()
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = open_store(tmp_path, {"store": {"backend": "postgresql", "url": f"postgresql://me:secret@127.0.0.1:{port}/db"}})
    with pytest.raises(CaseError) as caught:
        down.migrate()
    message = str(caught.value)
    assert message.startswith(f"cannot reach PostgreSQL at 127.0.0.1:{port}/db") and "\n" not in message
    assert "secret" not in message
    with pytest.raises(CaseError, match="not a PostgreSQL URL"):
        open_store(tmp_path, {"store": {"backend": "postgresql", "url": "mysql://x@y/z"}})

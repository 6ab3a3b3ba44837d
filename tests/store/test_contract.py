"""The store contract: every repository behaviour, run against every backend on a real database.

A new backend joins by adding its name to ``BACKENDS`` (and whatever it needs to start, e.g. a server URL):
these tests, unchanged, are what it must pass.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from organwatch.claims.weigh import ClaimGroup, GroupDecision, Reported
from organwatch.model import Capture, Document, DocumentLink, Observation, StoredMention, StoredQuote
from organwatch.model.claims import Claim
from organwatch.search import INDEX_VERSION, index_entry
from organwatch.search.results import SearchFilters
from organwatch.store import BACKENDS, Store, Writer, open_store
from organwatch.store.errors import QuerySyntaxError
from organwatch.store.records import (
    ChunkVector,
    EmbedderRecord,
    ExtractRun,
    IndexBatch,
    Like,
    LogEntryRecord,
    LogPosition,
    Match,
    Nothing,
    ParagraphHash,
    SetOp,
    TreeHeadRecord,
)

TIME = "2024-05-01T10:00:00.000000Z"


@pytest.fixture(params=sorted(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path, {"store": {"backend": request.param}})
    opened.migrate()
    yield opened
    opened.close()


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sighting(seq: int, note: str | None = None, extra: dict[str, object] | None = None) -> Observation:
    return Observation(seq, "https://example.org/a", "a.html", "pages/a.html", TIME, "investigator",
                       {"name": "organwatch", "version": "0.1.0", "method": "file import"}, note,
                       "2024-04-30T09:00:00.000000Z", extra)


def add_capture(writer: Writer, seq: int, body: str, media_type: str = "text/html") -> str:
    capture = sha(body)
    writer.archive.add(IndexBatch((LogEntryRecord(seq, "capture", f"{seq:064x}", TIME, capture),),
                                  (Capture(capture, len(body), media_type, seq, TIME, ()),),
                                  ((capture, sighting(seq)),)))
    return capture


def document(capture: str, text: str | None, *, locator: str = "", title: str | None = None,
             language: str | None = "en", published: str | None = None, status: str = "ok",
             outlet: str | None = None) -> Document:
    return Document(0, capture, locator, status, None if status == "ok" else "unreadable", "text/html", title,
                    "A. Author", outlet, published, None, "https://example.org/a", TIME, "utf-8", "declared",
                    language, False, text, ((0, len(text or ""), "en"),) if text else (), (), ("short",),
                    "test-reader", "1", "1", TIME)


def add_document(store: Store, text: str, seq: int, **fields: object) -> int:
    with store.writer() as writer:
        capture = add_capture(writer, seq, f"bytes of {seq}: {text}")
        document_id = writer.documents.upsert(document(capture, text, **fields))  # type: ignore[arg-type]
        entry = index_entry(text, fields.get("title"))  # type: ignore[arg-type]
        assert entry is not None
        writer.search.put(document_id, entry)
    return document_id


# -- sessions and migrations -----------------------------------------------------------------------


def test_migrations_are_recorded_per_area_and_run_once(store: Store) -> None:
    applied = {(m.area, m.name) for m in store.migrations()}
    assert {("archive", "0001_initial"), ("documents", "0001_documents"), ("search", "0001_search"),
            ("mentions", "0001_mentions")} <= applied
    assert store.migrate() == []
    assert {(m.area, m.name) for m in store.migrations()} == applied


def test_a_failed_write_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(RuntimeError), store.writer() as writer:
        add_capture(writer, 0, "first")
        raise RuntimeError("interrupted")
    with store.view() as view:
        assert view.archive.count_captures() == 0 and list(view.archive.log_entries()) == []


def test_a_view_cannot_write(store: Store) -> None:
    with store.view() as view:
        for write in (lambda: view.documents.delete(1),  # type: ignore[attr-defined]
                      lambda: view.archive.add(IndexBatch((LogEntryRecord(0, "capture", "00", TIME, None),)))):  # type: ignore[attr-defined]
            with pytest.raises(Exception, match="(?i)read.?only"):  # each backend refuses in its own words
                write()
    with store.view() as view:
        assert list(view.archive.log_entries()) == []


# -- archive index -----------------------------------------------------------------------


def test_archive_index_round_trip(store: Store) -> None:
    with store.view() as view:
        assert view.archive.log_position() == LogPosition(0, 0, 0, 0, (), 0)
    extra = {"capture_set": "set-1", "role": "screenshot", "http": {"status": 200}}
    with store.writer() as writer:
        first = add_capture(writer, 1, "first")
        second = sha("second")
        writer.archive.add(IndexBatch(
            (LogEntryRecord(2, "capture", "ab" * 32, TIME, second), LogEntryRecord(3, "observation", "cd" * 32, TIME,
                                                                                   first),
             LogEntryRecord(4, "export", "ef" * 32, TIME, None)),
            (Capture(second, 6, "application/pdf", 2, TIME, ()),),
            ((second, sighting(2, extra=extra)), (first, sighting(3, note="seen again")))))
        writer.archive.add_tree_head(TreeHeadRecord(5, "12" * 32, 0, TIME, "key", "sig"))
        writer.archive.set_log_position(LogPosition(5, 900, 1, 300, ((0, "aa" * 32), (2, "bb" * 32)), 5))
    with store.view() as view:
        archive = view.archive
        assert archive.count_captures() == 2 and archive.capture_ids() == [first, second]
        one = archive.capture(first)
        assert one is not None and one.media_type == "text/html" and one.first_seq == 1
        assert [o.seq for o in one.observations] == [1, 3] and one.observations[1].note == "seen again"
        assert one.observations[0].tool == {"name": "organwatch", "version": "0.1.0", "method": "file import"}
        two = archive.capture(second)
        assert two is not None and two.observations[0].extra == extra
        assert archive.capture("0" * 64) is None
        assert [c.id for c in archive.captures_with_prefix(first[:6], 6)] == [first]
        assert {c.id for c in archive.captures_with_prefix("", 6)} == {first, second}
        assert [c.id for c in archive.captures(limit=1, offset=1)] == [second]
        assert archive.observations(second) == list(two.observations) and archive.observations("00" * 32) == []
        assert [(e.seq, e.type, e.capture_id) for e in archive.log_entries()] == [
            (1, "capture", first), (2, "capture", second), (3, "observation", first), (4, "export", None)]
        assert archive.tree_heads() == [TreeHeadRecord(5, "12" * 32, 0, TIME, "key", "sig")]
        assert archive.log_position() == LogPosition(5, 900, 1, 300, ((0, "aa" * 32), (2, "bb" * 32)), 5)


# -- documents -----------------------------------------------------------------------


def test_documents_insert_read_replace_delete(store: Store) -> None:
    with store.writer() as writer:
        capture = add_capture(writer, 0, "a web archive")
        first = writer.documents.upsert(document(capture, "Text of the first record.", locator="warc:offset=0",
                                                 title="First", published="2012-02"))
        second = writer.documents.upsert(document(capture, None, locator="error", status="failed"))
    with store.view() as view:
        got = view.documents.get(first)
        assert got == dataclasses.replace(document(capture, "Text of the first record.", locator="warc:offset=0",
                                                   title="First", published="2012-02"), id=first)
        assert view.documents.get(second) is not None and view.documents.get(999) is None
        assert view.documents.count() == 2 and view.documents.count("failed") == 1
        assert view.documents.ids() == [first, second] and view.documents.ids(status="ok") == [first]
        assert view.documents.ids(capture_ids=[capture]) == [first, second]
        assert view.documents.ids(status="ok", capture_ids=["0" * 64]) == []
        assert view.documents.capture_ids("failed") == [capture]
        assert [d.id for d in view.documents.documents(capture)] == [first, second]
        assert set(view.documents.get_many([first, second, 999])) == {first, second}
        assert view.documents.text_sha256(first) == sha("Text of the first record.")
        assert view.documents.text_sha256(second) is None
    with store.writer() as writer:  # same capture and locator: replaced in place, same id
        again = writer.documents.upsert(document(capture, "Read again.", locator="warc:offset=0", title=None))
    with store.view() as view:
        replaced = view.documents.get(first)
        assert again == first and replaced is not None and replaced.text == "Read again." and replaced.title is None
        assert view.documents.text_sha256(first) == sha("Read again.")
    with store.writer() as writer:
        writer.documents.delete(second)
    with store.view() as view:
        assert view.documents.ids() == [first]


def test_links_signatures_and_paragraphs(store: Store) -> None:
    a = add_document(store, "A wire story about transplant tourism.", 0)
    b = add_document(store, "A wire story about transplant tourism.", 1)
    c = add_document(store, "Another story.", 2)
    with store.writer() as writer:
        docs = writer.documents
        assert docs.same_text(sha("A wire story about transplant tourism."), b) == [a]
        dup = docs.add_link(DocumentLink(0, "duplicate", a, b, 1.0, None, None, None, None, "sha256 of text"))
        para = docs.add_link(DocumentLink(0, "paragraph", b, c, 1.0, 0, 10, 5, 15, "folded paragraph hash"))
        docs.add_signature(a, np.arange(4, dtype=np.uint32).tobytes(), [(0, b"k0"), (1, b"k1")])
        docs.add_signature(c, np.arange(4, dtype=np.uint32).tobytes(), [(1, b"k1"), (2, b"k2")])
        docs.add_paragraph(ParagraphHash(b"h" * 16, a, 0, 38))
        docs.add_paragraph(ParagraphHash(b"h" * 16, c, 2, 9))
    with store.view() as view:
        docs = view.documents
        links = docs.links(b)
        assert [link.id for link in links] == [dup, para]
        assert links[0] == DocumentLink(dup, "duplicate", a, b, 1.0, None, None, None, None, "sha256 of text")
        assert links[1].other(b) == c and (links[1].a_start, links[1].b_end) == (0, 15)
        assert docs.duplicate_pairs([b]) == [(a, b)] and docs.duplicate_pairs([c]) == []  # paragraphs are not
        assert docs.band_candidates([(1, b"k1")]) == {a, c} and docs.band_candidates([(0, b"zz")]) == set()
        signature = docs.signature(a)
        assert signature is not None and np.array_equal(np.frombuffer(signature.signature, dtype=np.uint32),
                                                        np.arange(4, dtype=np.uint32))
        assert signature.text_sha256 == sha("A wire story about transplant tourism.") and docs.signature(b) is None
        assert [(p.document_id, p.start, p.end) for p in docs.repeated_paragraphs(b"h" * 16, a, 50)] == [(c, 2, 9)]
    with store.writer() as writer:  # replacing a document forgets its links and near-duplicate data
        capture = writer.documents.get(a)
        assert capture is not None
        writer.documents.upsert(dataclasses.replace(capture, text="Rewritten."))
    with store.view() as view:
        assert view.documents.links(a) == [] and view.documents.signature(a) is None
        assert view.documents.band_candidates([(0, b"k0")]) == set()
        assert view.documents.repeated_paragraphs(b"h" * 16, c, 50) == []
        assert [link.id for link in view.documents.links(b)] == [para]


def test_deleting_a_document_takes_what_hangs_on_it(store: Store) -> None:
    a = add_document(store, "Hospital advertised liver transplants within a week.", 0)
    b = add_document(store, "Other text.", 1)
    with store.writer() as writer:
        writer.documents.add_link(DocumentLink(0, "near-duplicate", a, b, 0.9, None, None, None, None, "m"))
        writer.mentions.replace(a, [StoredMention(0, a, "place", "Hospital", 0, 8, "Hospital", None, None, None, None,
                                                  None, "", " advertised", "rule", "x", "1")], [],
                                ExtractRun(a, "1", None, (), TIME))
        writer.search.remove(a)
        writer.documents.delete(a)
    with store.view() as view:
        assert view.documents.links(b) == [] and view.mentions.mentions(a) == []
        assert view.mentions.extract_run(a) is None and view.embeddings.pending_count([a]) == 0


# -- mentions and quotes -----------------------------------------------------------------------


def test_mentions_and_quotes_are_replaced_per_document(store: Store) -> None:
    text = 'On 6 Feb 2012 Wang Lijun entered the consulate. "He asked for a meeting," said Victoria Nuland.'
    doc = add_document(store, text, 0)
    mentions = [
        StoredMention(0, doc, "person", "Wang Lijun", 14, 24, "Wang Lijun", None, None, None, None, None, "2012 ",
                      " entered", "en:name", "organwatch.extract.en/0.1.0", "0.1.0"),
        StoredMention(0, doc, "date", "6 Feb 2012", 3, 13, "2012-02-06", "2012-02-06", None, None, None, "event",
                      "On ", " Wang", "date:dmy", "organwatch.extract.date/0.1.0", "0.1.0"),
        StoredMention(0, doc, "quantity", "a meeting", 65, 74, "1", 1, "meeting", 1.0, 1.0, None, None, None,
                      "quantity", "organwatch.extract.quantity/0.1.0", "0.1.0"),
    ]
    quote = StoredQuote(0, doc, "Victoria Nuland", "He asked for a meeting,", 50, 73, "direct", 81, 96, "said",
                        "organwatch.extract.quotes/0.1.0", "0.1.0")
    with store.writer() as writer:
        writer.mentions.replace(doc, mentions, [quote], ExtractRun(doc, "0.1.0", "2012-02-06", ("w1",), TIME))
    with store.view() as view:
        stored = view.mentions.mentions(doc)
        assert [(m.type, m.start) for m in stored] == [("date", 3), ("person", 14), ("quantity", 65)]  # text order
        assert all(m.id > 0 and m.document_id == doc for m in stored)
        assert [dataclasses.replace(m, id=0) for m in stored] == [mentions[1], mentions[0], mentions[2]]
        assert stored[2].value == 1 and stored[0].value == "2012-02-06" and stored[1].value is None
        assert [m.text for m in view.mentions.mentions(doc, "person")] == ["Wang Lijun"]
        (got,) = view.mentions.quotes(doc)
        assert dataclasses.replace(got, id=0) == quote
        assert view.mentions.extract_run(doc) == ExtractRun(doc, "0.1.0", "2012-02-06", ("w1",), TIME)
    with store.writer() as writer:
        writer.mentions.replace(doc, mentions[:1], [], ExtractRun(doc, "0.2.0", None, (), TIME))
    with store.view() as view:
        assert [m.text for m in view.mentions.mentions(doc)] == ["Wang Lijun"] and view.mentions.quotes(doc) == []
        run = view.mentions.extract_run(doc)
        assert run is not None and run.extractor_version == "0.2.0"


# -- search index -----------------------------------------------------------------------


def test_search_index_add_query_remove(store: Store) -> None:
    liver = add_document(store, "Hospitals advertised liver transplants.", 0, published="2007-01-31",
                         outlet="Xinhua")
    kidney = add_document(store, "Kidney transplants in 2006.", 1, language="en", published="2006")
    chinese = add_document(store, "王立軍曾任錦州市公安局局長。", 2, language="zh-Hant", title="錦州")
    none = SearchFilters()
    with store.view() as view:
        index = view.search
        words = index.ranking(Match("words", '"transplants"'), None, none)
        assert {doc for doc, _ in words.top(10)} == {liver, kidney} and words.count() == (2, True)
        assert words.matching([liver, chinese]) == {liver}
        assert index.ranking(Match("trigram", '"王立军"'), None, none).top(5)[0][0] == chinese  # simplified
        either = index.ranking(SetOp("UNION", (Match("words", '"kidney"'), Match("trigram", '"公安局"'))),
                               '"kidney"', none)
        assert {doc for doc, _ in either.top(10)} == {kidney, chinese} and either.count() == (2, True)
        both = index.ranking(SetOp("INTERSECT", (Match("words", '"transplants"'), Like(("%liver%",)))), None, none)
        assert [doc for doc, _ in both.top(10)] == [liver]
        assert index.ranking(SetOp("EXCEPT", (Match("words", '"transplants"'), Match("words", '"kidney"'))), None,
                             none).count() == (1, True)
        nothing = index.ranking(Nothing(), None, none)
        assert nothing.top(5) == [] and nothing.count() == (0, True)
        dated = index.ranking(Match("words", '"transplants"'), None, SearchFilters(date_from="2007"))
        assert [doc for doc, _ in dated.top(10)] == [liver]
        assert index.ranking(Match("words", '"transplants"'), None, SearchFilters(outlet="xinhua")).count() == (1, True)
        assert index.ranking(Match("words", '"transplants"'), None, SearchFilters(language="zh")).count() == (0, True)
        with pytest.raises(QuerySyntaxError):
            index.ranking(Match("words", "AND AND ("), None, none).top(5)
        assert "王立军" in index.trigram_terms("王", 50) and index.trigram_terms("鑫", 50) == []
        assert index.has_pinyin_key("wanglijun") and not index.has_pinyin_key("wangweijun")
        assert index.pinyin_forms("wanglijun") == ["王立军"]
        entry = index.entry(liver)
        assert entry is not None and entry.text_sha256 == sha("Hospitals advertised liver transplants.")
        assert index.stale_documents(INDEX_VERSION) == []
        assert index.stale_documents(INDEX_VERSION + ".1") == [liver, kidney, chinese]
    with store.writer() as writer:
        writer.search.remove(kidney)
    with store.view() as view:
        assert view.search.ranking(Match("words", '"transplants"'), None, none).count() == (1, True)
        assert view.search.entry(kidney) is None and view.search.stale_documents(INDEX_VERSION) == [kidney]


# -- embeddings -----------------------------------------------------------------------


def test_embeddings_store_and_find_vectors(store: Store) -> None:
    a = add_document(store, "Waiting times for liver transplants were one to two weeks.", 0)
    b = add_document(store, "Rain closed the highways.", 1, language="zh-Hans")
    dimension = 16
    centre = np.zeros(dimension, dtype=np.float32)
    with store.view() as view:
        assert view.embeddings.embedder() is None and view.embeddings.vector_count() == 0
        assert view.embeddings.pending_count() == 2 and view.embeddings.pending_count([b]) == 1
        pending = view.embeddings.pending(0, 10)
    assert [(p.document_id, p.start) for p in pending] == [(a, 0), (b, 0)]
    assert pending[0].chunk_id == pending[0].first_chunk_id and pending[0].text is not None
    with store.writer() as writer:
        writer.embeddings.reset(EmbedderRecord("test-embedder", "1", dimension, centre.astype("<f4").tobytes()))
        rng = np.random.default_rng(7)
        vectors = rng.normal(size=(2, dimension)).astype(np.float32)
        writer.embeddings.put([ChunkVector(p.chunk_id, v.astype("<f2").tobytes(),
                                           np.packbits(v > 0).tobytes()) for p, v in zip(pending, vectors,
                                                                                          strict=True)])
    with store.view() as view:
        record = view.embeddings.embedder()
        assert record is not None and (record.name, record.dimension) == ("test-embedder", dimension)
        assert view.embeddings.pending_count() == 0 and view.embeddings.embedded_count() == 2
        assert view.embeddings.pending(0, 10) == [] and view.embeddings.vector_count() == 2
        chunks = view.embeddings.embedded(SearchFilters())
        assert {c.document_id for c in chunks} == {a, b}
        assert [c.document_id for c in view.embeddings.embedded(SearchFilters(language="zh"))] == [b]
        assert view.embeddings.embedded(SearchFilters(), [pending[0].chunk_id])[0].document_id == a
        restored = np.frombuffer(chunks[0].embedding, dtype="<f2")
        assert restored.shape == (dimension,)
        assert view.embeddings.nearest(np.packbits(vectors[1] > 0).tobytes(), 1) == [pending[1].chunk_id]
    entry = index_entry("Waiting times changed.", None)
    assert entry is not None
    with store.writer() as writer:  # re-indexing replaces the chunks: their old codes become stale
        writer.search.put(a, entry)
        writer.embeddings.purge_stale()
    with store.view() as view:
        assert view.embeddings.vector_count() == 1 and view.embeddings.pending_count([a]) == 1
    with store.writer() as writer:  # another embedder: start over
        writer.embeddings.reset(EmbedderRecord("other", "2", 8, np.zeros(8, dtype="<f4").tobytes()))
    with store.view() as view:
        assert view.embeddings.embedded_count() == 0 and view.embeddings.vector_count() == 0
        assert view.embeddings.pending_count() == 2


# -- claims -----------------------------------------------------------------------


def _claim_instance(doc: int, start: int, end: int, text: str, value: float | None = None) -> Reported:
    claim = Claim(text, start, end, "estimates", "David Kilgour", 0, 13, None, "transplants", value, None, None,
                  "transplants" if value else None, "2000/2005" if value else None, "test")
    return Reported(f"{doc}:{start}-{end}", claim, doc, "Outlet", None, "2006-07-06")


def test_claims_are_replaced_per_document_and_groups_as_a_whole(store: Store) -> None:
    a = add_document(store, "David Kilgour estimated 41,500 transplants.", 0)
    b = add_document(store, "David Kilgour estimated 41,500 transplants again.", 1)
    first, second = _claim_instance(a, 24, 42, "41,500 transplants", 41500.0), _claim_instance(b, 24, 42,
                                                                                               "41,500 transplants",
                                                                                               41500.0)
    with store.writer() as writer:
        writer.claims.replace_instances(a, [first], "v1")
        writer.claims.replace_instances(b, [second], "v1")
        writer.claims.replace_groups([ClaimGroup("g1", "transplants", "2000/2005", 41500.0, [first, second],
                                                 ["David Kilgour"], [("g2", "why")])])
    with store.view() as view:
        assert view.claims.instances(a) == [first] and view.claims.instances() == [first, second]
        (group,) = view.claims.groups()
        assert group.members == [first, second] and group.origins == ["David Kilgour"]
        assert group.contradicts == [("g2", "why")] and group.value == 41500.0
        assert view.claims.processed() == {a: "v1", b: "v1"} and view.claims.run_version(a) == "v1"
    with store.writer() as writer:  # re-running replaces, never duplicates
        writer.claims.replace_instances(a, [], "v2")
        writer.claims.replace_groups([ClaimGroup("g3", "transplants", None, None, [second], ["x"], [])])
    with store.view() as view:
        assert view.claims.instances() == [second] and view.claims.run_version(a) == "v2"
        assert [g.id for g in view.claims.groups()] == ["g3"]
    with store.writer() as writer:  # a deleted document's claims stay, to be reported, until removed
        writer.search.remove(b)
        writer.documents.delete(b)
    with store.view() as view:
        assert view.claims.instances() == [second] and view.claims.processed() == {a: "v2"}
    with store.writer() as writer:
        writer.claims.remove(b)
    with store.view() as view:
        assert view.claims.instances() == [] and view.claims.groups() == []


def test_claim_group_decisions_are_appended_in_order(store: Store) -> None:
    with store.writer() as writer:
        writer.claims.add_decision(GroupDecision(7, "split", ("3:0-5",), "other figure", "ann", TIME))
        writer.claims.add_decision(GroupDecision(4, "merge", ("1:0-5", "2:3-9"), "same estimate", "bob", TIME))
    with store.view() as view:
        assert view.claims.decisions() == [GroupDecision(4, "merge", ("1:0-5", "2:3-9"), "same estimate", "bob", TIME),
                                           GroupDecision(7, "split", ("3:0-5",), "other figure", "ann", TIME)]

"""Entity resolution over a case: the functions the CLI (and later the web app) call.

>>> # case = open_case("mycase"); resolve_case(case); profile(case, "Wang Lijun")["aliases"]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from organwatch.errors import OrganWatchError
from organwatch.resolve.merge import RESOLVER_VERSION, Decision, DocumentIn, mention_in
from organwatch.resolve.names import fold, has_han, name_keys, romanise
from organwatch.resolve.sentences import sentence_spans
from organwatch.resolve.timeline import Event, group_events
from organwatch.text.chinese import to_simplified


class ResolveError(OrganWatchError):
    """A resolution request that cannot be done as asked (unknown or ambiguous name, type mismatch)."""



def read_documents(case: Any) -> list[DocumentIn]:
    """Every readable document of the case with its stored mentions (typed records or dict rows)."""
    docs = []
    for document in case.documents():
        if getattr(document, "status", "ok") != "ok" or not document.text:
            continue
        mentions = [mention_in(m) for m in case.mentions(document.id)]
        docs.append(DocumentIn(document.id, document.text, mentions, document.language,
                               (document.published or "")[:10] or None, document.title))
    return docs


def resolve_case(case: Any) -> dict[str, int]:
    """Resolve every document again (a full run of the resolve stage); reviewer decisions are kept."""
    from organwatch.stages.resolve import resolve_documents

    summary = resolve_documents(case.store, full=True)
    with case.store.view() as session:
        links = len(session.entities.linked_mentions())
        relations = len(session.entities.relations())
        events = len(session.entities.events())
    return {"documents": summary.documents, "entities": summary.entities, "links": links,
            "relations": relations, "events": events, "suggestions": summary.suggestions}


def _ensure(case: Any) -> None:
    """Resolve the documents the stage has not seen yet (or saw with another resolver version)."""
    from organwatch.stages.resolve import resolve_documents

    with case.store.view() as session:
        stale = session.entities.unresolved_documents(RESOLVER_VERSION)
    if stale:
        resolve_documents(case.store, stale)


def list_entities(case: Any, kind: str | None = None) -> list[dict[str, Any]]:
    """Entities with their mention and document counts, most mentioned first."""
    _ensure(case)
    with case.store.view() as session:
        found: list[dict[str, Any]] = session.entities.entities(kind)
    return found


def find_entity(case: Any, query: str) -> str:
    """The entity a name or id designates; ambiguous or unknown names raise with what would help."""
    _ensure(case)
    with case.store.view() as session:
        if session.entities.entity(query):
            return str(query)
        rows = session.entities.all_aliases()
        everything = session.entities.entities()
    info = {e["id"]: e for e in everything}
    q = to_simplified(query).casefold().strip()
    exact = {r["entity_id"] for r in rows if to_simplified(r["name"]).casefold() == q}
    if not exact:
        keys = name_keys(query, "person") | name_keys(query, "organization")
        exact = {r["entity_id"] for r in rows if name_keys(r["name"], r["type"]) & keys}
    if len(exact) == 1:
        return str(exact.pop())
    if len(exact) > 1:
        parts = []
        for eid in sorted(exact, key=lambda e: -info[e]["mentions"]):
            with case.store.view() as session:
                rels = session.entities.relations(eid)[:2]
            hint = "; ".join(r["position"] or r["role"] or r["schema"] for r in rels) or "no relation read"
            parts.append(f"{eid} ({info[eid]['type']}, {info[eid]['documents']} document(s): {hint})")
        raise ResolveError(f"{query!r} names {len(exact)} entities: " + " | ".join(parts) + "; give an id")
    from rapidfuzz.distance import JaroWinkler

    folded = fold(romanise(query))
    scored = sorted({(JaroWinkler.similarity(folded, fold(romanise(r["name"]))), r["name"]) for r in rows},
                    reverse=True)
    latin = [n for s, n in scored if not has_han(n)][:3]
    han = [n for s, n in scored if has_han(n)][:3]
    hint = ", ".join(latin + han) or "none yet (run `organwatch extract` first)"
    raise ResolveError(f"no entity named {query!r}; nearest names: {hint}")


def profile(case: Any, query: str) -> dict[str, Any]:
    """One entity: names by script, roles with dates, relations, mentions and documents, each cited."""
    entity_id = find_entity(case, query)
    with case.store.view() as session:
        row = session.entities.entity(entity_id)
        assert row is not None
        names = {e["id"]: e["name"] for e in session.entities.entities()}
        rels = session.entities.relations(entity_id)
        mentions = session.entities.mentions_of(entity_id)
        aliases = session.entities.aliases(entity_id)
    by_script: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for alias in aliases:
        by_script[alias["script"]].append(alias)
    roles = [{"position": r["position"], "start": r["start_date"], "end": r["end_date"],
              "cite": _cite(r)} for r in rels if r["schema"] == "Occupancy" and r["subject"] == entity_id]
    others = [{"schema": r["schema"], "role": r["role"] or r["position"],
               "other": names.get(r["object"] if r["subject"] == entity_id else r["subject"], ""),
               "direction": "out" if r["subject"] == entity_id else "in", "cite": _cite(r)}
              for r in rels if r["schema"] != "Occupancy" or r["subject"] != entity_id]
    return {**row, "names": dict(by_script), "roles": roles, "relations": others,
            "documents": sorted({m["document_id"] for m in mentions}),
            "mentions": [{"document_id": m["document_id"], "start": m["start_char"], "end": m["end_char"],
                          "text": m["text"]} for m in mentions]}


def _cite(rel: dict[str, Any]) -> dict[str, Any]:
    return {"document_id": rel["document_id"], "start": rel["start_char"], "end": rel["end_char"],
            "quote": rel["quote"]}


def review(case: Any) -> list[dict[str, Any]]:
    """Suggested merges with their per-feature explanations."""
    _ensure(case)
    with case.store.view() as session:
        names = {e["id"]: (e["name"], e["type"]) for e in session.entities.entities()}
        return [{"a": s.a, "b": s.b, "a_name": names.get(s.a, ("?",))[0], "b_name": names.get(s.b, ("?",))[0],
                 "score": s.score, "features": [f.to_dict() for f in s.features]}
                for s in session.entities.suggestions()]


def _decide(case: Any, kind: str, a: list[str], b: list[str], reason: str, event: dict[str, Any]) -> int:
    seq = case.log_event({"type": f"resolve.{kind}", "a": a, "b": b, "reason": reason, **event})
    with case.store.writer() as session:
        session.entities.write_decision(seq, Decision(kind, a, b, seq), reason)
    from organwatch.stages.resolve import resolve_documents

    resolve_documents(case.store, [], identities=set(a) | set(b))
    return int(seq)


def merge(case: Any, first: str, second: str, reason: str) -> dict[str, Any]:
    """Merge two entities by a reviewer's decision (logged as evidence); different types are refused."""
    a, b = find_entity(case, first), find_entity(case, second)
    with case.store.view() as session:
        ea, eb = session.entities.entity(a), session.entities.entity(b)
        assert ea is not None and eb is not None
        if ea["type"] != eb["type"]:
            raise ResolveError(f"cannot merge {ea['name']!r} ({ea['type']}) with {eb['name']!r} ({eb['type']}): "
                               "an entity has one type; fix the mention types or leave them apart")
        if a == b:
            raise ResolveError(f"{first!r} and {second!r} are already one entity ({a})")
        ids_a, ids_b = session.entities.identities_of(a), session.entities.identities_of(b)
    seq = _decide(case, "merge", ids_a, ids_b, reason, {"entities": [a, b]})
    return {"seq": seq, "entity": find_entity(case, first), "merged": [a, b]}


def unmerge(case: Any, query: str, names: list[str], reason: str,
            documents: list[int] | None = None) -> dict[str, Any]:
    """Split the given names out of an entity and keep them apart from the rest (logged as evidence).

    With ``documents`` only those documents' uses of the names are split (a namesake in one article), and
    the names stay with the entity everywhere else.
    """
    entity_id = find_entity(case, query)
    with case.store.view() as session:
        ids = session.entities.identities_of(entity_id)
        row = session.entities.entity(entity_id)
        assert row is not None
        kind = row["type"]
        linked = {m["document_id"] for m in session.entities.mentions_of(entity_id, limit=1_000_000)}
    from organwatch.resolve.merge import identity

    split = sorted({identity(kind, n) for n in names})
    unknown = [s for s in split if s not in ids]
    if unknown:
        raise ResolveError(f"{', '.join(unknown)} not among the names of {entity_id}: choose from {', '.join(ids)}")
    if documents:
        outside = sorted(set(documents) - linked)
        if outside:
            raise ResolveError(f"document(s) {', '.join(map(str, outside))} do not mention {entity_id}: choose from "
                               f"{', '.join(map(str, sorted(linked)))}")
        split_keys = sorted(f"{s}@{d}" for s in split for d in documents)
        seq = _decide(case, "split", split_keys, ids, reason, {"entity": entity_id, "documents": documents})
        return {"seq": seq, "split": split_keys, "kept": ids}
    rest = [i for i in ids if i not in split]
    if not rest:
        raise ResolveError("nothing would remain of the entity: name only some of its names, or some documents")
    seq = _decide(case, "split", split, rest, reason, {"entity": entity_id})
    return {"seq": seq, "split": split, "kept": rest}


def reject(case: Any, first: str, second: str, reason: str) -> dict[str, Any]:
    """Reject a suggested merge: the two stay apart in later runs."""
    a, b = find_entity(case, first), find_entity(case, second)
    with case.store.view() as session:
        ids_a, ids_b = session.entities.identities_of(a), session.entities.identities_of(b)
    return {"seq": _decide(case, "split", ids_a, ids_b, reason, {"entities": [a, b], "rejected": True})}


def timeline(case: Any, query: str | None = None, start: str | None = None, end: str | None = None) -> list[Event]:
    """Events (of one entity, or all) between two dates, with every source and conflicts flagged."""
    entity_id = find_entity(case, query) if query else None
    with case.store.view() as session:
        reports = session.entities.events()
    events = group_events(reports)
    out = []
    for event in events:
        if entity_id and entity_id not in event.actors:
            continue
        if start and event.date[: len(start)] < start:
            continue
        if end and event.date[: len(end)] > end:
            continue
        out.append(event)
    return out


def entity_names(case: Any) -> dict[str, str]:
    with case.store.view() as session:
        return {e["id"]: e["name"] for e in session.entities.entities()}


def _co_mentions(case: Any) -> Iterator[tuple[str, str, int, int, int, str]]:
    with case.store.view() as session:
        rows = session.entities.linked_mentions()
        found = session.documents.get_many(sorted({r[0] for r in rows}))
        texts = {doc_id: doc.text or "" for doc_id, doc in found.items()}
    by_doc: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for doc_id, start, eid in rows:
        by_doc[doc_id].append((start, eid))
    for doc_id, items in by_doc.items():
        text = texts[doc_id]
        for s_start, s_end in sentence_spans(text):
            inside = sorted({eid for start, eid in items if s_start <= start < s_end})
            for i, a in enumerate(inside):
                for b in inside[i + 1 :]:
                    yield a, b, doc_id, s_start, s_end, text[s_start:s_end]


def case_graph(case: Any) -> Any:
    """The networkx graph of the case's actors (see :mod:`.graph`)."""
    from organwatch.resolve.graph import build_graph

    _ensure(case)
    with case.store.view() as session:
        entities = session.entities.entities()
        rels = session.entities.relations()
        links = session.entities.document_links()
    return build_graph(entities, rels, list(_co_mentions(case)), links)


def export_ftm(case: Any) -> Iterator[dict[str, Any]]:
    """FollowTheMoney entities of the case (see :mod:`.ftm`)."""
    from organwatch.resolve.ftm import ftm_entities

    _ensure(case)
    with case.store.view() as session:
        entities = session.entities.entities()
        names: dict[str, list[str]] = defaultdict(list)
        for row in session.entities.all_aliases():
            names[row["entity_id"]].append(row["name"])
        rels = session.entities.relations()
    return ftm_entities(entities, names, rels)


def describe_name(name: str) -> dict[str, Any]:
    """How a name is keyed (for people checking why two names did or did not meet)."""
    return {"name": name, "romanised": romanise(name), "folded": fold(name),
            "person_keys": sorted(name_keys(name, "person")),
            "organization_keys": sorted(name_keys(name, "organization"))}

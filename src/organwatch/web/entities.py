"""Resolved actors as a workbench reader may see them: the entity list, profiles, the graph and the timeline.

Entity resolution runs over the whole case, restricted documents included, so everything it derived is
filtered here by the documents the reader may see (the same check the document pages use): an entity
known only from a restricted document does not exist for that reader; a name, relation, event or graph
edge is shown only with evidence from a visible document; every count counts visible evidence only.

Big entities stay fast because a profile aggregates relations into groups (kind, role, other actor) with
their number of citations and independent sources, and pages the groups and the documents.

>>> # entity_list(case, viewer, kind="person", query="王立军"); entity_profile(case, viewer, "per-…")
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from organwatch.resolve import service as resolve
from organwatch.resolve.graph import independent_sources
from organwatch.resolve.names import fold, has_han, romanise, script_of
from organwatch.resolve.timeline import group_events
from organwatch.text.chinese import to_simplified
from organwatch.web.access import Viewer
from organwatch.web.claims import Visibility, visibility
from organwatch.web.services import NotFoundError, require

if TYPE_CHECKING:
    from organwatch.case import Case

LIST_PAGE = 50
RELATION_PAGE = 100
DOCUMENT_PAGE = 50
ROLE_LIMIT = 100
NAME_SAMPLE = 50  # mentions read to name another actor shown on a page
MENTION_LIMIT = 1_000_000
SEARCH_CANDIDATES = 500
MAX_DEPTH = 3
GRAPH_NODES = 150
EVIDENCE_SHOWN = 5
TYPES = ("person", "organization", "place")


def _norm(text: str) -> str:
    return to_simplified(text).casefold().strip()


def _alias_seen(alias: str, surface: str) -> bool:
    """Whether a visible surface form shows ``alias``: the alias is within it, or is it qualified by a place."""
    return alias in surface or alias.startswith(surface + " in ") or alias.endswith(" " + surface)


@dataclass
class Names:
    """An entity's names as seen in visible documents, with per-script grouping and visible mention counts."""

    display: str
    aliases: list[dict[str, Any]]
    mentions: list[dict[str, Any]]

    def by_script(self) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for alias in self.aliases:
            grouped[alias["script"]].append(alias)
        return dict(grouped)


def visible_names(session: Any, entity_id: str, seen: Visibility, limit: int = MENTION_LIMIT) -> Names | None:
    """The names of an entity that visible documents show, or None when no visible document mentions it."""
    mentions = [m for m in session.entities.mentions_of(entity_id, limit) if m["document_id"] in seen.ids]
    if not mentions:
        return None
    raw = Counter(m["text"] for m in mentions)
    surfaces: Counter[str] = Counter()
    for text, n in raw.items():  # normalise each distinct form once: an actor has few forms, many mentions
        surfaces[_norm(text)] += n
    aliases = []
    for alias in session.entities.aliases(entity_id):
        key = _norm(alias["name"])
        count = sum(n for s, n in surfaces.items() if _alias_seen(key, s))
        if count:
            aliases.append({**alias, "mentions": count})
    if not aliases:
        aliases = [{"name": text, "script": script_of(text), "romanisation": romanise(text) if has_han(text) else None,
                    "mentions": n, "valid_from": None, "valid_to": None} for text, n in raw.most_common()]
    row = session.entities.entity(entity_id)
    stored = row["name"] if row else ""
    names = [a["name"] for a in aliases]
    latin = [a["name"] for a in aliases if a["script"] == "Latin"]
    display = stored if stored in names else (latin[0] if latin else names[0])
    return Names(display, aliases, mentions)


def _counts(session: Any, seen: Visibility) -> dict[str, tuple[int, int]]:
    """Visible mentions and documents per entity."""
    mentions: Counter[str] = Counter()
    documents: dict[str, set[int]] = defaultdict(set)
    for doc_id, _start, entity_id in session.entities.linked_mentions():
        if doc_id in seen.ids:
            mentions[entity_id] += 1
            documents[entity_id].add(doc_id)
    return {e: (n, len(documents[e])) for e, n in mentions.items()}


# -- the list ---------------------------------------------------------------------------------------------------

@dataclass
class EntityList:
    """One page of entities."""

    rows: list[dict[str, Any]]
    total: int
    offset: int
    kind: str
    query: str

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "offset": self.offset, "type": self.kind or None, "query": self.query,
                "entities": self.rows}


def _matches(query: str, name: str) -> bool:
    key = _norm(query)
    if key in _norm(name):
        return True
    folded = fold(romanise(query)) if has_han(query) else fold(query)
    return bool(folded) and folded in fold(romanise(name))


def entity_list(case: Case, viewer: Viewer, kind: str = "", query: str = "", *, offset: int = 0,
                limit: int = LIST_PAGE) -> EntityList:
    """Entities ``viewer`` may see (of one type, named like ``query`` in either script), most mentioned first."""
    require(viewer, "read")
    if kind and kind not in TYPES:
        raise NotFoundError(f"unknown entity type {kind!r}: use one of {', '.join(TYPES)}")
    query = query.strip()[:200]
    seen = visibility(case, viewer)
    everything = resolve.list_entities(case, kind or None)
    with case.store.view() as session:
        counts = _counts(session, seen)
        rows = [e for e in everything if e["id"] in counts]
        if query:
            candidates = {a["entity_id"] for a in session.entities.all_aliases() if _matches(query, a["name"])}
            kept: list[dict[str, Any]] = []
            for row in rows:
                if row["id"] in candidates and len(kept) < SEARCH_CANDIDATES:
                    names = visible_names(session, row["id"], seen)
                    if names and any(_matches(query, a["name"]) for a in names.aliases):
                        kept.append(row)
            rows = kept
        rows.sort(key=lambda e: (-counts[e["id"]][0], e["name"]))
        page = []
        for row in rows[offset:offset + limit]:
            names = visible_names(session, row["id"], seen)
            assert names is not None
            mentions, documents = counts[row["id"]]
            page.append({"id": row["id"], "type": row["type"], "schema": row["schema"], "name": names.display,
                         "other_names": [a["name"] for a in names.aliases if a["name"] != names.display][:4],
                         "mentions": mentions, "documents": documents})
    return EntityList(page, len(rows), offset, kind, query)


# -- the profile ------------------------------------------------------------------------------------------------

@dataclass
class Profile:
    """One entity for one reader: names by script, roles, relation groups, documents, each page of them."""

    id: str
    type: str
    schema: str
    name: str
    names: dict[str, list[dict[str, Any]]]
    roles: list[dict[str, Any]]
    roles_total: int
    relations: list[dict[str, Any]]
    relations_total: int
    relation_citations: int
    relations_offset: int
    documents: list[dict[str, Any]]
    documents_total: int
    documents_offset: int
    mentions: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "extra"}


def _cite(rel: dict[str, Any]) -> dict[str, Any]:
    return {"document_id": rel["document_id"], "start": rel["start_char"], "end": rel["end_char"],
            "quote": rel["quote"]}


def _display_names(session: Any, ids: set[str], seen: Visibility) -> dict[str, str]:
    out = {}
    for entity_id in ids:
        names = visible_names(session, entity_id, seen, limit=NAME_SAMPLE)
        if names is not None:
            out[entity_id] = names.display
    return out


def entity_profile(case: Case, viewer: Viewer, entity_id: str, *, relations_offset: int = 0,
                   documents_offset: int = 0, relations_limit: int = RELATION_PAGE,
                   documents_limit: int = DOCUMENT_PAGE) -> Profile:
    """The profile of ``entity_id`` from the documents ``viewer`` may see; unknown and hidden look alike."""
    require(viewer, "read")
    seen = visibility(case, viewer)
    with case.store.view() as session:
        row = session.entities.entity(entity_id)
        names = visible_names(session, entity_id, seen) if row else None
        if row is None or names is None:
            raise NotFoundError(f"no entity {entity_id!r} (it may have been merged: search for it by name)")
        relations = [r for r in session.entities.relations(entity_id) if r["document_id"] in seen.ids]
        links = session.entities.document_links()
        roles_by: dict[tuple[Any, ...], dict[str, Any]] = {}
        groups: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r in relations:
            if r["schema"] == "Occupancy" and r["subject"] == entity_id:
                key = (r["position"], r["object"], r["start_date"], r["end_date"])
                role = roles_by.setdefault(key, {"position": r["position"] or r["role"] or "", "other": r["object"],
                                                 "start": r["start_date"], "end": r["end_date"], "cites": [],
                                                 "docs": set(), "citations": 0})
                role["citations"] += 1
                role["docs"].add(r["document_id"])
                if len(role["cites"]) < EVIDENCE_SHOWN:
                    role["cites"].append(_cite(r))
                continue
            outward = r["subject"] == entity_id
            other = r["object"] if outward else r["subject"]
            key = (r["schema"], r["role"] or r["position"], other, outward)
            group = groups.setdefault(key, {"schema": r["schema"], "role": r["role"] or r["position"] or "",
                                            "other": other, "direction": "out" if outward else "in",
                                            "citations": 0, "docs": set(), "cites": []})
            group["citations"] += 1
            group["docs"].add(r["document_id"])
            if len(group["cites"]) < EVIDENCE_SHOWN:
                group["cites"].append(_cite(r))
        roles = sorted(roles_by.values(), key=lambda x: (x["start"] is None, x["start"] or "", x["position"]))
        for role in roles[:ROLE_LIMIT]:
            role["sources"] = independent_sources(role.pop("docs"), links)
        for role in roles[ROLE_LIMIT:]:
            role.pop("docs")
        ranked = sorted(groups.values(), key=lambda g: (-g["citations"], g["schema"], g["role"]))
        page = ranked[relations_offset:relations_offset + relations_limit]
        for group in page:
            group["sources"] = independent_sources(group.pop("docs"), links)
        others = {g["other"] for g in page if g["other"]} | {r["other"] for r in roles[:ROLE_LIMIT] if r["other"]}
        shown = _display_names(session, others, seen)
        for item in (*page, *roles[:ROLE_LIMIT]):
            item["other_name"] = shown.get(item["other"] or "", "")
            if item["other"] and item["other"] not in shown:
                item["other"] = None  # an actor known only from documents this reader may not see
        per_doc = Counter(m["document_id"] for m in names.mentions)
        doc_ids = sorted(per_doc, key=lambda d: (-per_doc[d], d))
        doc_page = doc_ids[documents_offset:documents_offset + documents_limit]
        found = session.documents.get_many(doc_page)
    documents = [{"id": d, "title": found[d].title if d in found else "", "language": found[d].language
                  if d in found else "", "published": found[d].published if d in found else None,
                  "mentions": per_doc[d], "first": next(m for m in names.mentions if m["document_id"] == d)}
                 for d in doc_page]
    used = {c["document_id"] for item in (*page, *roles[:ROLE_LIMIT]) for c in item["cites"]} | set(doc_page)
    _log_access(case, viewer, seen, used, "entity")
    return Profile(entity_id, row["type"], row["schema"], names.display, names.by_script(), roles[:ROLE_LIMIT],
                   len(roles), page, len(ranked), len(relations), relations_offset, documents, len(doc_ids),
                   documents_offset, len(names.mentions))


def _log_access(case: Case, viewer: Viewer, seen: Visibility, used: set[int], action: str) -> None:
    shown = sorted(used & seen.restricted)
    if shown:
        case.log_event({"type": "access", "user": viewer.name, "role": viewer.role, "documents": shown,
                        "action": action})


# -- the timeline -----------------------------------------------------------------------------------------------

def entity_timeline(case: Case, viewer: Viewer, entity_id: str = "", start: str = "", end: str = "") -> dict[str, Any]:
    """Events (of one entity, or all) between two dates, grouped from visible reports only, conflicts flagged."""
    require(viewer, "read")
    seen = visibility(case, viewer)
    resolve.list_entities(case)  # resolves on first use
    with case.store.view() as session:
        if entity_id and (session.entities.entity(entity_id) is None
                          or visible_names(session, entity_id, seen) is None):
            raise NotFoundError(f"no entity {entity_id!r} (it may have been merged: search for it by name)")
        reports = [r for r in session.entities.events() if r.document_id in seen.ids]
        rows: list[dict[str, Any]] = []
        for event in group_events(reports):
            if entity_id and entity_id not in event.actors:
                continue
            if start and event.date[: len(start)] < start:
                continue
            if end and event.date[: len(end)] > end:
                continue
            rows.append(event.to_dict())
        actors = {a for e in rows for a in e["actors"]}
        names = _display_names(session, actors, seen)
    for row in rows:
        row["actors"] = [{"id": a, "name": names[a]} for a in row["actors"] if a in names]
        row["reports"] = [{k: v for k, v in r.items() if k != "actors"} for r in row["reports"]]
    _log_access(case, viewer, seen, {r["document_id"] for e in rows for r in e["reports"]}, "timeline")
    return {"entity": entity_id or None, "name": names.get(entity_id, "") if entity_id else "", "from": start or None,
            "to": end or None, "events": rows, "conflicts": sum(1 for e in rows if e["conflict"])}


# -- the graph --------------------------------------------------------------------------------------------------

class GraphCache:
    """The case's actor graph, rebuilt when the evidence log grows (new evidence, merges and splits)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._size = -1
        self._graph: Any = None

    def graph(self, case: Case) -> Any:
        size = case.log.entries_path.stat().st_size if case.log.entries_path.exists() else 0
        with self._lock:
            if self._graph is None or size != self._size:
                self._graph = resolve.case_graph(case)
                self._size = size
            return self._graph


def _visible_edge(data: dict[str, Any], seen: Visibility, links: list[tuple[int, int]]) -> dict[str, Any] | None:
    evidence = [e for e in data["evidence"] if e["document_id"] in seen.ids]
    if not evidence:
        return None
    stated = [e for e in evidence if e["kind"] != "co-mentioned"]
    return {"kinds": sorted({e["kind"] for e in evidence}), "stated": bool(stated),
            "sources": independent_sources({e["document_id"] for e in evidence}, links),
            "citations": len(evidence),
            "evidence": (stated + [e for e in evidence if e["kind"] == "co-mentioned"])[:EVIDENCE_SHOWN]}


def entity_graph(case: Case, viewer: Viewer, cache: GraphCache, entity_id: str, depth: int = 1,
                 max_nodes: int = GRAPH_NODES) -> dict[str, Any]:
    """The actors within ``depth`` steps of ``entity_id`` over edges with visible evidence, each edge with its
    evidence (quotes with their spans) and number of independent sources."""
    require(viewer, "read")
    depth = max(1, min(depth, MAX_DEPTH))
    seen = visibility(case, viewer)
    graph = cache.graph(case)
    with case.store.view() as session:
        counts = _counts(session, seen)
        links = session.entities.document_links()
        if entity_id not in graph or entity_id not in counts:
            raise NotFoundError(f"no entity {entity_id!r} (it may have been merged: search for it by name)")
        level = {entity_id: 0}
        frontier = [entity_id]
        edges: dict[tuple[str, str], dict[str, Any]] = {}
        truncated = False
        for step in range(1, depth + 1):
            following = []
            for node in frontier:
                for other in sorted(graph.neighbors(node), key=lambda o: -graph.edges[node, o]["sources"]):
                    if other not in counts:
                        continue
                    key = (min(node, other), max(node, other))
                    if key in edges:
                        continue
                    if other not in level and len(level) >= max_nodes:
                        truncated = True
                        continue
                    edge = _visible_edge(graph.edges[node, other], seen, links)
                    if edge is None:
                        continue
                    edges[key] = edge
                    if other not in level:
                        level[other] = step
                        following.append(other)
            frontier = following
        # edges between nodes already shown (so the picture is complete, not a star)
        for node in level:
            for other in graph.neighbors(node):
                key = (min(node, other), max(node, other))
                if other in level and key not in edges:
                    edge = _visible_edge(graph.edges[node, other], seen, links)
                    if edge is not None:
                        edges[key] = edge
        names = _display_names(session, set(level), seen)
    nodes = [{"id": n, "name": names.get(n, n), "type": graph.nodes[n]["type"], "depth": d,
              "mentions": counts[n][0]} for n, d in sorted(level.items(), key=lambda x: (x[1], names.get(x[0], "")))]
    edge_rows = [{"source": a, "target": b, "source_name": names.get(a, a), "target_name": names.get(b, b), **e}
                 for (a, b), e in sorted(edges.items(), key=lambda x: (-x[1]["sources"], -x[1]["citations"]))]
    _log_access(case, viewer, seen, {c["document_id"] for e in edge_rows for c in e["evidence"]}, "graph")
    return {"entity": entity_id, "name": names.get(entity_id, entity_id), "depth": depth, "nodes": nodes,
            "edges": edge_rows, "truncated": truncated}

"""The actor graph (networkx): relations as edges with their evidence, plus sentence co-mentions as weak edges.

Every edge keeps the citations that support it and the number of *independent* sources: documents linked
as duplicates or reprints count once. Shortest paths prefer stated relations (weight 1) over co-mentions
(weight 3), and every edge of a path carries its evidence.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import networkx as nx

CO_MENTION_WEIGHT = 3.0


def independent_sources(documents: set[int], links: list[tuple[int, int]]) -> int:
    """How many documents remain when duplicates and reprints are collapsed into one."""
    parent = {d: d for d in documents}

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in links:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    return len({find(d) for d in documents})


def build_graph(entities: list[dict[str, Any]], relations: list[dict[str, Any]],
                co_mentions: list[tuple[str, str, int, int, int, str]], links: list[tuple[int, int]]) -> nx.Graph:
    """Nodes are entities; an edge holds ``evidence`` (a list of citations) and ``sources``."""
    graph = nx.Graph()
    for e in entities:
        graph.add_node(e["id"], label=e["name"], type=e["type"], schema=e["schema"])
    evidence: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in relations:
        if r["object"] and r["object"] != r["subject"]:
            evidence[tuple(sorted((r["subject"], r["object"])))].append(
                {"kind": r["schema"], "role": r["role"] or r["position"], "document_id": r["document_id"],
                 "start": r["start_char"], "end": r["end_char"], "quote": r["quote"]})
    for a, b, doc, start, end, quote in co_mentions:
        if a != b:
            evidence[tuple(sorted((a, b)))].append(
                {"kind": "co-mentioned", "role": None, "document_id": doc, "start": start, "end": end,
                 "quote": quote})
    for (a, b), items in evidence.items():
        if a not in graph or b not in graph:
            continue
        stated = [i for i in items if i["kind"] != "co-mentioned"]
        kinds = sorted({i["kind"] for i in items})
        graph.add_edge(a, b, evidence=items, kinds=kinds, weight=1.0 if stated else CO_MENTION_WEIGHT,
                       sources=independent_sources({i["document_id"] for i in items}, links))
    return graph


def neighbourhood(graph: nx.Graph, node: str, depth: int = 1) -> nx.Graph:
    """The subgraph within ``depth`` steps of ``node``."""
    return graph.subgraph(nx.single_source_shortest_path_length(graph, node, cutoff=depth)).copy()


def shortest_paths(graph: nx.Graph, a: str, b: str, limit: int = 3) -> list[list[dict[str, Any]]]:
    """Up to ``limit`` lightest paths from ``a`` to ``b``, each a list of edges with their evidence."""
    if a not in graph or b not in graph or not nx.has_path(graph, a, b):
        return []
    found = []
    for path in nx.shortest_simple_paths(graph, a, b, weight="weight"):
        edges = []
        for u, v in itertools.pairwise(path):
            data = graph.edges[u, v]
            edges.append({"from": u, "to": v, "from_name": graph.nodes[u]["label"], "to_name": graph.nodes[v]["label"],
                          "kinds": data["kinds"], "sources": data["sources"], "evidence": data["evidence"][:5]})
        found.append(edges)
        if len(found) >= limit:
            break
    return found


def communities(graph: nx.Graph) -> list[list[str]]:
    """Groups of densely connected actors (greedy modularity), largest first."""
    if graph.number_of_edges() == 0:
        return [[n] for n in graph.nodes]
    groups = nx.algorithms.community.greedy_modularity_communities(graph, weight="weight")
    return [sorted(g) for g in sorted(groups, key=len, reverse=True)]


def exportable(graph: nx.Graph) -> nx.Graph:
    """A copy with only scalar attributes, as GraphML and GEXF require (evidence as a short text)."""
    out = nx.Graph()
    for node, data in graph.nodes(data=True):
        out.add_node(node, label=str(data.get("label", node)), type=str(data.get("type", "")))
    for u, v, data in graph.edges(data=True):
        cites = "; ".join(f"doc {i['document_id']} [{i['start']}-{i['end']}]" for i in data["evidence"][:10])
        out.add_edge(u, v, kinds=",".join(data["kinds"]), sources=int(data["sources"]),
                     weight=float(data["weight"]), evidence=cites)
    return out

"""What entity resolution adds to claims and dossiers: the actor's names in every script, the mentions linked
to it (so a claim is about it even when it is named by a title or another spelling), its roles with their
cited spans, and a figure of its relations.

Entity resolution is optional here: when the case has no entity for a name, dossiers fall back to the name
and the gazetteer.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from organwatch.case import Case

#: Most mention links read for one entity (bounded memory on a very large case).
MAX_LINKS = 20000


def find(case: Case, name: str) -> str | None:
    """The entity ``name`` designates; None when no entity has that name; ambiguous names raise with the
    candidates (as ``organwatch entity`` lists them)."""
    from organwatch.claims.service import ClaimsError
    from organwatch.resolve.service import ResolveError, find_entity

    try:
        return find_entity(case, name)
    except ResolveError as exc:
        if "entities:" in str(exc):
            raise ClaimsError(str(exc)) from None
        return None


def profile(case: Case, entity_id: str) -> dict[str, Any]:
    """The entity's profile (names by script, roles, relations), as entity resolution stores it."""
    from organwatch.resolve.service import profile as entity_profile

    return entity_profile(case, entity_id)


def linked_spans(case: Case, entity_id: str) -> dict[int, list[tuple[int, int]]]:
    """Document id → spans of the mentions linked to the entity."""
    with case.store.view() as view:
        rows = view.entities.mentions_of(entity_id, limit=MAX_LINKS)
    spans: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        spans.setdefault(int(row["document_id"]), []).append((int(row["start_char"]), int(row["end_char"])))
    return spans


def names_by_script(info: dict[str, Any], fallback: list[str]) -> dict[str, list[str]]:
    """The entity's aliases grouped by script (Latin, Hans, Hant…), else the fallback names split Latin/Han."""
    found: dict[str, list[str]] = {}
    for script, aliases in (info.get("names") or {}).items():
        names = [str(a["name"]) for a in aliases if a.get("name")]
        if names:
            found[str(script)] = list(dict.fromkeys(names))
    if found:
        return found
    return {"Latin": [n for n in fallback if not re.search(r"[\u4e00-\u9fff]", n)],
            "Han": [n for n in fallback if re.search(r"[\u4e00-\u9fff]", n)]}


def role_sentence(name: str, role: dict[str, Any], source: str) -> str:
    """A role as what a source says, never in the dossier's own voice.

    >>> role_sentence("Wang Lijun", {"position": "police chief", "start": "2003", "end": None}, "Harbour Ledger")
    'Harbour Ledger describes Wang Lijun as police chief (from 2003)'
    """
    dates = ""
    if role.get("start") and role.get("end"):
        dates = f" ({role['start']} to {role['end']})"
    elif role.get("start"):
        dates = f" (from {role['start']})"
    elif role.get("end"):
        dates = f" (until {role['end']})"
    return f"{source} describes {name} as {role.get('position') or 'holding a position'}{dates}"


_FONTS = ("DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei",
          "Droid Sans Fallback", "AR PL UMing CN")


def _fonts() -> list[str]:
    """Installed fonts to draw labels with, Latin first then Chinese (matplotlib falls back along the list)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in _FONTS if name in installed] or ["sans-serif"]


def relations_svg(case: Case, entity_id: str, *, limit: int = 25) -> str | None:
    """The entity and its nearest neighbours as an SVG figure (glyphs drawn as paths: no external font or
    file); None when it has no relation. Edges drawn solid are stated relations, dashed ones co-mentions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    from organwatch.resolve.graph import neighbourhood
    from organwatch.resolve.service import case_graph

    graph = case_graph(case)
    if entity_id not in graph:
        return None
    near = neighbourhood(graph, entity_id)
    if near.number_of_edges() == 0:
        return None
    if near.number_of_nodes() > limit:  # the strongest neighbours only, so the figure stays readable
        ranked = sorted(near.neighbors(entity_id), key=lambda n: -near.edges[entity_id, n]["weight"])
        near = near.subgraph([entity_id, *ranked[: limit - 1]]).copy()
    positions = nx.spring_layout(near, seed=7)
    plt.rcParams["svg.fonttype"] = "path"
    plt.rcParams["font.family"] = _fonts()
    figure, axes = plt.subplots(figsize=(7, 5))
    try:
        stated = [(a, b) for a, b, d in near.edges(data=True) if d.get("weight", 0) >= 1.0]
        mentioned = [(a, b) for a, b, d in near.edges(data=True) if d.get("weight", 0) < 1.0]
        nx.draw_networkx_edges(near, positions, edgelist=stated, ax=axes, width=1.6)
        nx.draw_networkx_edges(near, positions, edgelist=mentioned, ax=axes, style="dashed", alpha=0.5)
        colours = ["#8a1c1c" if n == entity_id else "#2c5d8a" for n in near.nodes]
        nx.draw_networkx_nodes(near, positions, ax=axes, node_color=colours, node_size=260)
        labels = {n: str(near.nodes[n].get("label") or n)[:40] for n in near.nodes}
        nx.draw_networkx_labels(near, positions, labels=labels, ax=axes, font_size=8,
                                font_family=plt.rcParams["font.family"])
        axes.set_axis_off()
        buffer = io.StringIO()
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a glyph missing from every font is drawn as a box, not an error
            figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    finally:
        plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]

"""Commands over resolved actors: entities, entity, review, merge, unmerge, timeline, graph, path, export ftm.

Light at import time (typer and rich only): networkx, pypinyin and OpenCC load when a command runs.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from organwatch.cli.common import CaseOption, _errors, out


class Format(str, Enum):
    table = "table"
    json = "json"


class TimelineFormat(str, Enum):
    table = "table"
    json = "json"
    html = "html"


class GraphFormat(str, Enum):
    table = "table"
    json = "json"
    graphml = "graphml"
    gexf = "gexf"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table for people, json for machines.")]


def _case(path: Path | None) -> Any:
    from organwatch.case import open_case

    return open_case(path)


def _json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=1, default=str) + "\n")


def entities(case: CaseOption = None, kind: Annotated[str | None, typer.Option(
        "--type", "-t", help="person, organization or place.")] = None, fmt: FormatOption = Format.table,
        refresh: Annotated[bool, typer.Option("--refresh", help="Resolve again before listing.")] = False) -> None:
    """List the actors resolved across documents.

    Example: organwatch entities --case mycase --type person
    """
    from organwatch.resolve import service

    with _errors():
        opened = _case(case)
        if refresh:
            service.resolve_case(opened)
        rows = service.list_entities(opened, kind)
    if fmt == Format.json:
        _json(rows)
        return
    table = Table("id", "type", "name", "mentions", "documents")
    for r in rows:
        table.add_row(r["id"], r["type"], escape(r["name"]), str(r["mentions"]), str(r["documents"]))
    out.print(table)


def entity(name: Annotated[str, typer.Argument(help="A name in any script, or an entity id.")],
           case: CaseOption = None, fmt: FormatOption = Format.table) -> None:
    """Profile of one actor: names by script, roles with dates, relations, mentions, documents (all cited).

    Example: organwatch entity --case mycase "Wang Lijun"
    """
    from organwatch.resolve import service

    with _errors():
        data = service.profile(_case(case), name)
    if fmt == Format.json:
        _json(data)
        return
    out.print(f"[bold]{escape(data['name'])}[/bold]  {data['id']} · {data['type']} ({data['schema']})")
    for script, names in data["names"].items():
        shown = ", ".join(f"{n['name']}" + (f" ({n['romanisation']})" if n["romanisation"] else "") for n in names)
        out.print(f"  names, {script}: {escape(shown)}")
    for role in data["roles"]:
        when = "–".join(x or "?" for x in (role["start"], role["end"])) if role["start"] or role["end"] else "undated"
        cite = role["cite"]
        out.print(f"  role: {escape(role['position'] or '')} [{when}] — doc {cite['document_id']} "
                  f"[{cite['start']}–{cite['end']}] “{escape(cite['quote'])}”")
    for rel in data["relations"]:
        cite = rel["cite"]
        out.print(f"  {rel['schema']} ({escape(str(rel['role']))}) {'→' if rel['direction'] == 'out' else '←'} "
                  f"{escape(rel['other'])} — doc {cite['document_id']} [{cite['start']}–{cite['end']}]")
    out.print(f"  {len(data['mentions'])} mention(s) in document(s) {', '.join(map(str, data['documents']))}")


def review(case: CaseOption = None, fmt: FormatOption = Format.table) -> None:
    """Suggested merges with the reasons feature by feature; accept with `merge A B`, refuse with `merge --reject`.

    Example: organwatch review --case mycase
    """
    from organwatch.resolve import service

    with _errors():
        rows = service.review(_case(case))
    if fmt == Format.json:
        _json(rows)
        return
    if not rows:
        out.print("No merge suggestions.")
    for r in rows:
        out.print(f"[bold]{r['score']:.2f}[/bold] {escape(r['a_name'])} ({r['a']}) ≟ {escape(r['b_name'])} ({r['b']})")
        for f in r["features"]:
            out.print(f"    {f['feature']}: {f['score']:.2f} — {escape(f['detail'])}")


def merge(first: Annotated[str, typer.Argument(help="Entity id or name.")],
          second: Annotated[str, typer.Argument(help="Entity id or name.")],
          reason: Annotated[str, typer.Option("--reason", help="Why: recorded in the evidence log.")],
          case: CaseOption = None, fmt: FormatOption = Format.table,
          reject: Annotated[bool, typer.Option("--reject", help="Keep the two apart instead (refuse a suggestion).")]
          = False) -> None:
    """Merge two entities, or with --reject keep them apart (a decision logged as evidence; survives re-resolution).

    Example: organwatch merge --case mycase per-1a2b3c4d5e per-6f7a8b9c0d --reason "same official, see doc 4"
    """
    from organwatch.resolve import service

    with _errors():
        if reject:
            rejected = service.reject(_case(case), first, second, reason)
            _json(rejected) if fmt == Format.json else out.print(f"Kept apart (log entry {rejected['seq']}).")
            return
        result = service.merge(_case(case), first, second, reason)
    _json(result) if fmt == Format.json else out.print(f"Merged into {result['entity']} (log entry {result['seq']}).")


def unmerge(name: Annotated[str, typer.Argument(help="Entity id or name.")],
            names: Annotated[list[str], typer.Argument(help="Names to split out of it.")],
            reason: Annotated[str, typer.Option("--reason", help="Why: recorded in the evidence log.")],
            case: CaseOption = None, fmt: FormatOption = Format.table) -> None:
    """Split names out of an entity and keep them apart in later runs (logged as evidence).

    Example: organwatch unmerge --case mycase "Wang Lijun" "王立军" --reason "a namesake in doc 7"
    """
    from organwatch.resolve import service

    with _errors():
        result = service.unmerge(_case(case), name, names, reason)
    _json(result) if fmt == Format.json else out.print(f"Split {', '.join(result['split'])} "
                                                        f"(log entry {result['seq']}).")


def timeline(name: Annotated[str | None, typer.Argument(help="Entity id or name (default: all).")] = None,
             case: CaseOption = None,
             start: Annotated[str | None, typer.Option("--from", help="Earliest date (1999, 1999-07).")] = None,
             end: Annotated[str | None, typer.Option("--to", help="Latest date.")] = None,
             fmt: Annotated[TimelineFormat, typer.Option("--format", "-f", help="table, json or html.")] =
             TimelineFormat.table) -> None:
    """Dated events with every source; reports that disagree on the date are flagged, never averaged.

    Example: organwatch timeline --case mycase "Wang Lijun" --from 1999 --to 2012 --format html > wang.html
    """
    from organwatch.resolve import service
    from organwatch.resolve.timeline import timeline_html

    with _errors():
        opened = _case(case)
        events = [e.to_dict() for e in service.timeline(opened, name, start, end)]
        names = service.entity_names(opened)
    if fmt == TimelineFormat.json:
        _json(events)
    elif fmt == TimelineFormat.html:
        sys.stdout.write(timeline_html(events, names, f"Timeline{': ' + name if name else ''}"))
    else:
        for e in events:
            flag = " [red]dates conflict[/red]" if e["conflict"] else ""
            actors = ", ".join(names.get(a, a) for a in e["actors"][:4])
            first = e["reports"][0]
            out.print(f"{e['date']:<11} {e['kind']:<16} {escape(actors)} · {e['sources']} source(s){flag}\n"
                      f"            doc {first['document_id']} [{first['start']}–{first['end']}] "
                      f"“{escape(first['text'][:140])}”")


def graph(name: Annotated[str, typer.Argument(help="Entity id or name at the centre.")], case: CaseOption = None,
          depth: Annotated[int, typer.Option("--depth", min=1, max=4, help="Steps from the entity.")] = 1,
          fmt: Annotated[GraphFormat, typer.Option("--format", "-f", help="table, json, graphml or gexf.")] =
          GraphFormat.table) -> None:
    """The actors around one entity, each edge with its evidence and number of independent sources.

    Example: organwatch graph --case mycase "Wang Lijun" --depth 2 --format graphml > wang.graphml
    """
    import networkx as nx

    from organwatch.resolve import service
    from organwatch.resolve.graph import communities, exportable, neighbourhood

    with _errors():
        opened = _case(case)
        centre = service.find_entity(opened, name)
        sub = neighbourhood(service.case_graph(opened), centre, depth)
    if fmt in (GraphFormat.graphml, GraphFormat.gexf):
        writer = nx.generate_graphml if fmt == GraphFormat.graphml else nx.generate_gexf
        for line in writer(exportable(sub)):
            sys.stdout.write(line + "\n")
        return
    edges = [{"a": u, "b": v, "a_name": sub.nodes[u]["label"], "b_name": sub.nodes[v]["label"], "kinds": d["kinds"],
              "sources": d["sources"], "evidence": d["evidence"][:5]} for u, v, d in sub.edges(data=True)]
    if fmt == GraphFormat.json:
        _json({"centre": centre, "nodes": [{"id": n, **d} for n, d in sub.nodes(data=True)], "edges": edges,
               "communities": communities(sub)})
        return
    for e in sorted(edges, key=lambda e: (-e["sources"], e["a_name"])):
        cite = e["evidence"][0]
        out.print(f"{escape(e['a_name'])} — {escape(e['b_name'])}: {', '.join(e['kinds'])}; {e['sources']} "
                  f"independent source(s); e.g. doc {cite['document_id']} [{cite['start']}–{cite['end']}]")


def path(first: Annotated[str, typer.Argument(help="Entity id or name.")],
         second: Annotated[str, typer.Argument(help="Entity id or name.")], case: CaseOption = None,
         fmt: FormatOption = Format.table) -> None:
    """Shortest paths between two actors, with the evidence for every edge (stated relations preferred).

    Example: organwatch path --case mycase "Wang Lijun" "Bo Xilai"
    """
    from organwatch.resolve import service
    from organwatch.resolve.graph import shortest_paths

    with _errors():
        opened = _case(case)
        a, b = service.find_entity(opened, first), service.find_entity(opened, second)
        paths = shortest_paths(service.case_graph(opened), a, b)
    if fmt == Format.json:
        _json(paths)
        return
    if not paths:
        out.print(f"No path between {escape(first)} and {escape(second)} in this case.")
    for number, edges in enumerate(paths, 1):
        out.print(f"[bold]path {number}[/bold]")
        for e in edges:
            cite = e["evidence"][0]
            out.print(f"  {escape(e['from_name'])} → {escape(e['to_name'])} ({', '.join(e['kinds'])}; "
                      f"{e['sources']} source(s)): doc {cite['document_id']} [{cite['start']}–{cite['end']}] "
                      f"“{escape(cite['quote'][:140])}”")


export_app = typer.Typer(help="Export resolved actors. Example: organwatch export ftm --case mycase > entities.json",
                         no_args_is_help=True)


@export_app.command("ftm")
def export_ftm(case: CaseOption = None) -> None:
    """FollowTheMoney entities, one JSON object per line (Aleph/OpenAleph and FtM tools read them).

    Example: organwatch export ftm --case mycase > entities.json
    """
    from organwatch.resolve import service

    with _errors():
        for item in service.export_ftm(_case(case)):
            sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")


COMMANDS = (entities, entity, review, merge, unmerge, timeline, graph, path)


app = typer.Typer()
for _command in COMMANDS:
    app.command()(_command)
app.add_typer(export_app, name="export")

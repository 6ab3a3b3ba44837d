"""Commands over the claims of a case: ``claims``, ``sources``, ``grade`` and ``dossier``.

Each calls one function of :mod:`organwatch.claims.service` and prints a table, or JSON with ``--format json``.
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

from organwatch.cli.common import CaseOption, _errors, _open, err, out


class Format(str, Enum):
    """Output formats."""

    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table for people, json for machines.")]


def _emit(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=1) + "\n")


def claims(case: CaseOption = None,
           about: Annotated[str | None, typer.Option("--about", help="Only claims naming this actor.")] = None,
           speaker: Annotated[str | None, typer.Option("--speaker", help="Only claims by this speaker.")] = None,
           contested: Annotated[bool, typer.Option("--contested", help="Only claims another claim contradicts.")
                                ] = False,
           min_sources: Annotated[int, typer.Option("--min-sources", help="Only claims with at least this many "
                                                    "independent sources.")] = 1,
           fmt: FormatOption = Format.table) -> None:
    """List attributed claims: who said what, where, how many independent sources, and what contradicts it.

    Example: organwatch claims --case mycase --about "Wang Lijun" --min-sources 2
    """
    from organwatch.claims.service import claims_about, iter_claim_rows, weigh_case
    from organwatch.claims.weigh import speaker_key

    opened = _open(case)
    with _errors():
        weighed = weigh_case(opened)
        keys = {r.key for r in claims_about(weighed, about)} if about else None
    wanted = speaker_key(speaker) if speaker else None
    rows = [row for row in iter_claim_rows(weighed)
            if (keys is None or row["key"] in keys) and (not contested or row["contested"])
            and row["corroboration"] >= min_sources
            and (wanted is None or wanted in (speaker_key(row["speaker"]) or ""))]
    if fmt is Format.json:
        _emit(rows)
        return
    table = Table("doc", "speaker", "stance", "claim", "value", "sources", "grade", "flags", box=None)
    for row in rows:
        value = "" if row["value"] is None else f"{row['value']:g}" + (f" ({row['period']})" if row["period"] else "")
        table.add_row(str(row["document_id"]), escape(row["speaker"] or "?"), row["stance"],
                      escape(row["text"][:90]), escape(value), str(row["corroboration"]), row["grade"],
                      "contested" if row["contested"] else "")
    out.print(table)
    out.print(f"{len(rows)} claim(s) in {len({r['group'] for r in rows})} group(s)")


def sources(case: CaseOption = None, fmt: FormatOption = Format.table) -> None:
    """List the sources of the case's claims (speakers and outlets) with their grades and claim counts.

    Example: organwatch sources --case mycase
    """
    from organwatch.claims.service import source_rows, weigh_case

    opened = _open(case)
    with _errors():
        weighed = weigh_case(opened)
    rows = source_rows(weighed)
    if fmt is Format.json:
        _emit(rows)
        return
    table = Table("source", "kind", "claims", "documents", "grade", "reason", box=None)
    for row in rows:
        table.add_row(escape(row["source"]), row["kind"], str(row["claims"]), str(row["documents"]), row["grade"],
                      escape(row["reason"] or ""))
    out.print(table)


def grade(source: Annotated[str, typer.Argument(help="The source: a speaker or outlet as `sources` lists it.")],
          reliability: Annotated[str, typer.Option("--reliability", "-r", help="A (completely reliable) to F "
                                                   "(cannot be judged).")],
          credibility: Annotated[int, typer.Option("--credibility", "-i", help="1 (confirmed) to 6 (cannot be "
                                                   "judged).")],
          reason: Annotated[str, typer.Option("--reason", help="Why: recorded in the signed log.")],
          case: CaseOption = None,
          graded_by: Annotated[str | None, typer.Option("--by", help="Who grades (default: $ORGANWATCH_CAPTURED_BY)."
                                                        )] = None) -> None:
    """Grade a source with the Admiralty code (reliability A–F, credibility 1–6); logged as evidence.

    Example: organwatch grade --case mycase "David Matas" --reliability B --credibility 2 --reason "peer-reviewed"
    """
    from organwatch.claims.service import grade as run_grade

    opened = _open(case)
    with _errors():
        graded = run_grade(opened, source, reliability, credibility, reason, graded_by)
    out.print(f"Graded {escape(graded.source)} {graded.code} (log entry {graded.seq}).")


def dossier(name: Annotated[str, typer.Argument(help="The person, organisation or hospital.")],
            out_path: Annotated[Path, typer.Option("--out", "-o", help="Where to write: .md, .html or .pdf.")],
            case: CaseOption = None) -> None:
    """Write a dossier on an actor: every claim about it, attributed and cited to an archived span.

    Example: organwatch dossier --case mycase "Wang Lijun" --out wang.pdf
    """
    from organwatch.claims.service import build_dossier
    from organwatch.report.dossier import render_html, render_markdown, render_pdf

    suffix = out_path.suffix.lower()
    if suffix not in (".md", ".html", ".htm", ".pdf"):
        err.print(f"error: {escape(str(out_path))}: write .md, .html or .pdf")
        raise typer.Exit(1)
    opened = _open(case)
    with _errors():
        built = build_dossier(opened, name)
        if suffix == ".pdf":
            render_pdf(built, out_path)
        else:
            text = render_markdown(built) if suffix == ".md" else render_html(built)
            partial = out_path.with_name(f".{out_path.name}.part")
            partial.write_text(text, encoding="utf-8")
            partial.replace(out_path)
    out.print(f"Wrote {escape(str(out_path))}: {len(built.claims)} claim(s), {len(built.contested)} contested.")
    for reason in built.unavailable:
        err.print(f"warning: left out, source no longer available: {escape(reason)}")


def regroup(action: Annotated[str, typer.Argument(help="merge (two groups say the same thing) or split (these "
                                                  "claims say something else).")],
            refs: Annotated[list[str], typer.Argument(help="merge: two group ids or claim keys; split: the claim "
                                                      "keys to take out of their group.")],
            reason: Annotated[str, typer.Option("--reason", help="Why: recorded in the signed log.")],
            case: CaseOption = None,
            decided_by: Annotated[str | None, typer.Option("--by", help="Who decides (default: "
                                                           "$ORGANWATCH_CAPTURED_BY).")] = None) -> None:
    """Merge two claim groups or split claims out of one; logged as evidence and kept on every re-derivation.

    Example: organwatch claims-group --case mycase merge g1a2b3c4d5 g9f8e7d6c5 --reason "same estimate, rounded"
    """
    from organwatch.claims.service import merge_groups, split_group
    from organwatch.errors import OrganWatchError

    opened = _open(case)
    with _errors():
        if action == "merge":
            if len(refs) != 2:
                raise OrganWatchError("merge takes exactly two group ids or claim keys")
            decision = merge_groups(opened, refs[0], refs[1], reason, decided_by)
        elif action == "split":
            decision = split_group(opened, refs, reason, decided_by)
        else:
            raise OrganWatchError(f"unknown action {action!r}: use merge or split")
    out.print(f"Recorded {decision.action} of {', '.join(decision.keys)} (log entry {decision.seq}).")


app = typer.Typer()
for _command in (claims, sources, grade, dossier):
    app.command()(_command)
app.command(name="claims-group")(regroup)

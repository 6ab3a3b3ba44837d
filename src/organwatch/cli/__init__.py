"""The ``organwatch`` command: a thin shell over the library (each command calls one function).

Human-readable tables by default, ``--format json`` (or ``jsonl``) for machines. Errors a user can
act on are printed on one line and exit with status 1; no traceback.

One module per area of commands (``archive``, ``text``, ``search``, ``capture``, ``extract``, ``analysis``,
``claims``, ``papers``, ``entities``, ``web``), each with its own Typer ``app``; :mod:`.common` holds what
they share. :data:`COMMANDS` names every top-level command with its module and one-line help, so that
``organwatch --help`` lists them all without importing a single command module: a module is imported
only when one of its commands runs (or shows its own help).
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from organwatch.cli.common import _index_damaged, _show, err, out

#: Every top-level command, in the order ``--help`` lists them: name -> (module under organwatch.cli, help line).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("archive", "Create a case: folder, database, evidence log and signing key."),
    "add": ("archive", "Archive files: exact bytes, hashed, logged and signed. Re-adding the same bytes is safe."),
    "list": ("archive", "List the captures of a case, oldest first."),
    "show": ("archive", "Show one capture: hash, type, size, where its bytes are, and every sighting of them."),
    "verify": ("archive", "Re-hash every blob, recompute the log's Merkle tree, check every signature and the "
                          "index."),
    "bundle": ("archive", "Export originals, log entries, inclusion proofs and the public key as one verifiable "
                          "zip."),
    "verify-bundle": ("archive", "Check a bundle on any machine, without the case: every member, signature and "
                                 "proof."),
    "head": ("archive", "Print the case's current signed tree head, to send to someone or paste into a report."),
    "rebuild-index": ("archive", "Rebuild the case database (organwatch.db) from the signed log and the blobs, "
                                 "after loss or damage."),
    "migrate": ("archive", "Move a case's store between SQLite and PostgreSQL, verify it there, and point the case at "
                           "it."),
    "log": ("archive", "Show the evidence log: every event in order (or the signed tree heads)."),
    "reprocess": ("text", "Run a stage again over the captures: after an upgrade, or to retry documents that "
                          "failed."),
    "text": ("text", "Show the text read from a document, with its metadata (title, outlet, date, language, "
                     "encoding)."),
    "mentions": ("text", "Show what the extract stage found in a document: each mention with its exact span."),
    "search": ("search", "Search the documents of a case; every hit points to an exact span of a document."),
    "embed": ("search", "Compute the multilingual embeddings that --semantic and --hybrid search use (slow: run "
                        "once)."),
    "capture": ("capture", "Capture web pages as evidence: the HTTP exchange (WARC), a full-page screenshot with "
                           "the capture time, the DOM, optionally a PDF and embedded media, each hashed, logged and "
                           "bound in one capture set."),
    "recapture": ("capture", "Fetch captured pages again and record, as evidence, whether each is unchanged, "
                             "changed (saying what: main text, other visible text or markup only, with a text diff; "
                             "every version kept) or gone (404/410, DNS failure, redirect to the home page)."),
    "changes": ("capture", "List the edits and deletions found by recapture: what changed, with text diffs."),
    "extract": ("extract", "Extract people, organisations, places, dates, quantities and quotes from FILES (no "
                           "case needed)."),
    "claims": ("claims", "List attributed claims: who said what, where, how many independent sources, and what "
                         "contradicts it."),
    "sources": ("claims", "List the sources of the case's claims (speakers and outlets) with their grades and "
                          "claim counts."),
    "grade": ("claims", "Grade a source with the Admiralty code (reliability A–F, credibility 1–6); logged as "
                        "evidence."),
    "dossier": ("claims", "Write a dossier on an actor: every claim about it, attributed and cited to an archived "
                          "span."),
    "claims-group": ("claims", "Merge two claim groups or split claims out of one; logged as evidence and kept on "
                               "every re-derivation."),
    "restrict": ("web", "Restrict a document (e.g. witness testimony) to named users and roles; admins always see "
                        "it. The change is an evidence event in the signed log."),
    "serve": ("web", "Serve the web workbench for a case (sign in with an account from `organwatch user add`)."),
    "entities": ("entities", "List the actors resolved across documents."),
    "entity": ("entities", "Profile of one actor: names by script, roles with dates, relations, mentions, "
                           "documents (all cited)."),
    "review": ("entities", "Suggested merges with the reasons feature by feature; accept with `merge A B`, refuse "
                           "with `merge --reject`."),
    "merge": ("entities", "Merge two entities, or with --reject keep them apart (a decision logged as evidence; "
                          "survives re-resolution)."),
    "unmerge": ("entities", "Split names out of an entity and keep them apart in later runs (logged as "
                            "evidence)."),
    "timeline": ("entities", "Dated events with every source; reports that disagree on the date are flagged, "
                             "never averaged."),
    "graph": ("entities", "The actors around one entity, each edge with its evidence and number of independent "
                          "sources."),
    "path": ("entities", "Shortest paths between two actors, with the evidence for every edge (stated relations "
                         "preferred)."),
    "eval": ("extract", "Score extractors against gold sets (floors pinned in baseline.json). Example: organwatch "
                        "eval extract tests/gold"),
    "user": ("web", "Workbench accounts. Example: organwatch user add --case mycase alice --role investigator"),
    "export": ("entities", "Export resolved actors. Example: organwatch export ftm --case mycase > "
                           "entities.json"),
    "analyze": ("analysis", "Quantitative forensics: capacity, series, consistency, accounting, waiting times. "
                            "Example: organwatch analyze capacity hospitals.csv --out capacity.html"),
    "papers": ("papers", "Medical literature screening: import, screen, review, prisma, report. Example: "
                         "organwatch papers screen --case mycase --protocol dead-donor-rule"),
}


def load_command(name: str) -> Any:
    """The real command ``name`` (a Click command or group), importing its module; None for an unknown name."""
    if name not in COMMANDS:
        return None
    module = importlib.import_module(f"organwatch.cli.{COMMANDS[name][0]}")
    area = typer.main.get_command(module.app)
    if isinstance(area, TyperGroup):
        return area.get_command(typer.Context(area), name)
    return area if area.name == name else None


class LazyGroup(TyperGroup):
    """The top-level group: lists :data:`COMMANDS` from the table, imports a command's module only to run it."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # the help listing needs a name and a line, not the command
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
        return load_command(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="organwatch",
    help="OrganWatch: archive, read and weigh evidence of transplant abuse, reproducibly.",
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from organwatch.version import __version__

        out.print(f"organwatch {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """OrganWatch: archive, read and weigh evidence of transplant abuse, reproducibly."""


def main() -> None:
    """Console-script entry point."""
    import sqlean

    try:
        app(prog_name="organwatch")
    except sqlean.DatabaseError as exc:  # a damaged index met outside a command's own error handling
        err.print(f"error: {_show(_index_damaged(exc))}")
        sys.exit(1)


__all__ = ["COMMANDS", "app", "load_command", "main"]

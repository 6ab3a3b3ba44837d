"""``organwatch user``, ``organwatch restrict`` and ``organwatch serve``: accounts, restricted documents and
the web workbench. Web libraries are imported only when a command runs."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from organwatch.cli.common import CaseOption, _fail, _open, err, out
from organwatch.errors import OrganWatchError

user_app = typer.Typer(help="Workbench accounts. Example: organwatch user add --case mycase alice --role investigator",
                       no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table for people, json for machines.")]


def _read_password(name: str) -> str:
    if sys.stdin.isatty():
        first = typer.prompt(f"Password for {name}", hide_input=True)
        if typer.prompt("Repeat it", hide_input=True) != first:
            _fail("the two passwords differ; nothing was changed")
        return str(first)
    line = sys.stdin.readline()
    if not line.strip():
        _fail("no password on standard input (give it on the first line)")
    return line.rstrip("\r\n")


@user_app.command("add")
def user_add(name: Annotated[str, typer.Argument(help="Account name (letters, digits, . _ @ -).")],
             role: Annotated[str, typer.Option(help="admin, investigator, reviewer or viewer.")],
             case: CaseOption = None) -> None:
    """Create an account (or reset its role and password). The password is prompted for, or read from
    the first line of standard input.

    Example: organwatch user add --case mycase alice --role investigator
    """
    from organwatch.web.access import AccessError, check_role, check_user_name
    from organwatch.web.accounts import add_user, check_password

    opened = _open(case)
    try:
        check_user_name(name)
        check_role(role)
        password = _read_password(name)
        check_password(password)
        created = add_user(opened, name, role, password)
    except (AccessError, OrganWatchError) as exc:
        _fail(str(exc))
        return
    out.print(f"{'Created' if created else 'Updated'} user {escape(name)} ({role}).")


@user_app.command("list")
def user_list(case: CaseOption = None, fmt: FormatOption = "table") -> None:
    """List accounts.

    Example: organwatch user list --case mycase --format json
    """
    opened = _open(case)
    with opened.store.view() as session:
        users = session.accounts.list_users()
    if fmt == "json":
        sys.stdout.write(json.dumps([{"name": u.name, "role": u.role, "created_at": u.created_at,
                                      "disabled": u.disabled} for u in users], indent=1) + "\n")
        return
    table = Table("name", "role", "created")
    for u in users:
        table.add_row(escape(u.name), u.role, u.created_at)
    out.print(table)


def restrict(document: Annotated[str, typer.Argument(help="Document number, or capture id prefix.")],
             to: Annotated[str | None, typer.Option("--to", help="Users and roles allowed to see it, comma "
                                                    "separated: alice,role:investigator.")] = None,
             lift: Annotated[bool, typer.Option("--lift", help="Remove the restriction.")] = False,
             by: Annotated[str | None, typer.Option(help="Who decides (default: $ORGANWATCH_CAPTURED_BY).")] = None,
             case: CaseOption = None, fmt: FormatOption = "table") -> None:
    """Restrict a document (e.g. witness testimony) to named users and roles; admins always see it. The
    change is an evidence event in the signed log.

    Example: organwatch restrict --case mycase 12 --to alice,role:investigator
    """
    from organwatch.web.services import restrict as do_restrict

    if (to is None) == (not lift):
        _fail("give --to USERS/ROLES, or --lift")
    opened = _open(case)
    try:
        change = do_restrict(opened, by or opened.default_captured_by(), document, None if lift else to)
    except OrganWatchError as exc:
        _fail(str(exc))
        return
    if fmt == "json":
        sys.stdout.write(json.dumps({"document": change.document_id, "capture": change.capture_id,
                                     "before": list(change.before), "after": list(change.after),
                                     "seq": change.seq}) + "\n")
        return
    after = ", ".join(change.after) or "everyone"
    out.print(f"Document {change.document_id}: visible to {escape(after)} (log entry #{change.seq}).")


def serve(case: CaseOption = None,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000) -> None:
    """Serve the web workbench for a case (sign in with an account from `organwatch user add`).

    Example: organwatch serve --case mycase --port 8000
    """
    import uvicorn

    from organwatch.web.app import create_app, vendor_missing

    opened = _open(case)
    missing = vendor_missing()
    if missing:
        err.print(f"warning: {', '.join(missing)} not built (run `make web-assets`); pages work without "
                  "JavaScript meanwhile")
    with opened.store.view() as session:
        if not session.accounts.list_users():
            err.print(f"warning: no accounts yet: organwatch user add --case {opened.root} NAME --role admin")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print("warning: serving beyond this machine: put it behind HTTPS (a reverse proxy) before anyone "
                  "signs in over a network")
    out.print(f"OrganWatch workbench for {escape(opened.name)}: http://{host}:{port}/")
    from organwatch.text.chinese import segment

    # Load the Chinese word list (1-2 s) before the first request: a burst of first searches would
    # otherwise each wait for it, and time out.
    segment("器官移植")
    uvicorn.run(create_app(opened), host=host, port=port, log_level="warning", proxy_headers=False)


app = typer.Typer()
app.add_typer(user_app, name="user")
app.command("restrict")(restrict)
app.command("serve")(serve)

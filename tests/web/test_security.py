"""Restricted documents never leak; CSRF-less posts are refused; logins are rate limited."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from organwatch.web.accounts import add_user
from tests.web.conftest import PASSWORD, SECRET_WORD, Workbench, csrf_of, login, page_token


def _everything_a_viewer_can_read(bench: Workbench, client: httpx.Client) -> str:
    """Every page and API answer a signed-in user can reach, concatenated."""
    restricted = bench.docs["witness/statement.txt"]
    sha = bench.captures["witness/statement.txt"]
    parts = []
    for path, params in (("/", {}), ("/api/overview", {}), ("/search", {"q": SECRET_WORD}),
                         ("/api/search", {"q": SECRET_WORD}), ("/search", {"q": "witness"}),
                         ("/api/search", {"q": "证人"}), ("/api/search", {"q": "blood test detention"}),
                         ("/search", {"q": "hospital", "language": "en"}),
                         (f"/documents/{restricted}", {}), (f"/api/documents/{restricted}", {}),
                         (f"/documents/{restricted}/archived", {}), (f"/captures/{sha}/original", {}),
                         (f"/captures/{sha[:10]}/original", {}), ("/api/restrictions", {})):
        response = client.get(path, params=params)
        text = response.text
        if path == "/search":  # the page repeats the query in its search box: keep only the results
            text = text.split('id="results"', 1)[1]
        elif path == "/api/search":
            text = json.dumps({k: v for k, v in response.json().items() if k != "query"}, ensure_ascii=False)
        elif path.startswith("/captures/"):  # the 404 message repeats the id asked for
            text = text.replace(path.split("/")[2], "<asked>")
        parts.append(f"{response.status_code} {text}")
    for doc in bench.docs.values():
        if doc != restricted:
            parts.append(client.get(f"/documents/{doc}").text)
            parts.append(client.get(f"/api/documents/{doc}").text)
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["vic", "rita"])
def test_restricted_document_never_leaks(bench: Workbench, name: str) -> None:
    client = login(bench.client(), name)
    seen = _everything_a_viewer_can_read(bench, client)
    assert SECRET_WORD not in seen
    assert bench.captures["witness/statement.txt"] not in seen
    assert "statement.txt" not in seen
    restricted = bench.docs["witness/statement.txt"]
    assert client.get(f"/documents/{restricted}").status_code == 404
    assert client.get(f"/api/documents/{restricted}").json() == {"error": f"no document number {restricted}"}
    unknown = client.get("/api/documents/987654").json()["error"]
    assert unknown == "no document number 987654"  # the same answer as for a document that does not exist
    semantic_total = client.get("/api/search", params={"q": "witness blood test", "mode": "fts"}).json()["total"]
    assert semantic_total == 0
    counts = client.get("/api/overview").json()["counts"]
    assert counts["documents_ok"] + counts["documents_failed"] == len(
        [d for d in bench.case.documents() if d.id != restricted])
    assert "restricted" not in counts


@pytest.mark.parametrize("name", ["alice", "wendy", "admin"])
def test_cleared_users_see_it_and_access_is_logged(bench: Workbench, name: str) -> None:
    client = login(bench.client(), name)
    restricted = bench.docs["witness/statement.txt"]
    before = sum(1 for e in bench.case.log_entries() if e["type"] == "access")
    page = client.get(f"/documents/{restricted}")
    assert page.status_code == 200 and SECRET_WORD in page.text and "Your access has been recorded" in page.text
    assert client.get("/api/search", params={"q": SECRET_WORD}).json()["total"] == 1
    download = client.get(f"/captures/{bench.captures['witness/statement.txt']}/original")
    assert download.status_code == 200 and SECRET_WORD.encode() in download.content
    events = [e for e in bench.case.log_entries() if e["type"] == "access"]
    assert len(events) == before + 2
    assert {e["action"] for e in events[-2:]} == {"read", "download"} and events[-1]["user"] == name
    assert bench.case.verify().ok


def test_restriction_changes_are_evidence_events_and_admin_only(bench: Workbench) -> None:
    doc = bench.docs["en/tribunal.html"]
    viewer = login(bench.client(), "vic")
    token = page_token(viewer)
    assert viewer.put(f"/api/documents/{doc}/restriction", json={"to": ["vic"]},
                      headers={"X-CSRF-Token": token}).status_code == 403
    assert viewer.post(f"/documents/{doc}/restriction", data={"to": "vic", "csrf_token": token}).status_code == 403
    admin = login(bench.client(), "admin")
    token = page_token(admin)
    changed = admin.put(f"/api/documents/{doc}/restriction", json={"to": ["role:investigator"]},
                        headers={"X-CSRF-Token": token})
    assert changed.status_code == 200 and changed.json()["after"] == ["role:investigator"]
    entry = [e for e in bench.case.log_entries() if e["type"] == "restriction"][-1]
    assert entry["document"] == doc and entry["to"] == ["role:investigator"] and entry["by"] == "admin"
    assert viewer.get(f"/documents/{doc}").status_code == 404
    assert login(bench.client(), "alice").get(f"/documents/{doc}").status_code == 200
    assert [r["id"] for r in admin.get("/api/restrictions").json()] == sorted(
        [doc, bench.docs["witness/statement.txt"]])
    # A viewer's overview loses the document and never shows the restriction event.
    events = viewer.get("/api/overview").json()["events"]
    assert not any(e["type"] in ("restriction", "access") for e in events)
    lifted = admin.post(f"/documents/{doc}/restriction", data={"to": "", "csrf_token": token},
                        follow_redirects=False)
    assert lifted.status_code == 303
    assert viewer.get(f"/documents/{doc}").status_code == 200
    bad = admin.put(f"/api/documents/{doc}/restriction", json={"to": ["role:emperor"]},
                    headers={"X-CSRF-Token": token})
    assert bad.status_code == 400 and "unknown role" in bad.json()["error"]


def test_posts_without_csrf_token_are_refused(bench: Workbench) -> None:
    client = login(bench.client(), "admin")
    doc = bench.docs["en/tribunal.html"]
    token = page_token(client)
    attempts = [
        client.post("/logout"),
        client.post("/verify", data={"csrf_token": "forged-token-forged-token-forged"}),
        client.post(f"/documents/{doc}/restriction", data={"to": "nobody"}),
        client.put(f"/api/documents/{doc}/restriction", json={"to": ["nobody"]}),
        client.post("/api/uploads", files=[("files", ("x.txt", b"sneaky upload", "text/plain"))]),
        client.post("/upload", files=[("files", ("x.txt", b"sneaky upload", "text/plain"))]),
        client.post("/analyses", data={"kind": "accounting"}, files={"file": ("a.csv", b"a,b\n", "text/csv")}),
        # A right token from another origin is refused too.
        client.post("/logout", headers={"X-CSRF-Token": token, "Origin": "http://evil.example"}),
    ]
    for response in attempts:
        assert response.status_code == 403, response.request.url
        assert "CSRF" in response.text or "cross-origin" in response.text
    assert client.get("/api/me").status_code == 200  # still signed in: the logout was refused
    assert login(bench.client(), "vic").get(f"/documents/{doc}").status_code == 200  # restriction not applied
    fresh = bench.client()
    assert fresh.post("/login", data={"username": "vic", "password": PASSWORD}).status_code == 403


def test_token_changes_at_login(bench: Workbench) -> None:
    client = bench.client()
    before = csrf_of(client)
    login(client, "vic")
    after = page_token(client)
    assert before != after
    assert client.post("/logout", data={"csrf_token": before}).status_code == 403


def test_login_rate_limiting(bench: Workbench) -> None:
    add_user(bench.case, "lockme", "viewer", PASSWORD)
    client = bench.client()
    token = csrf_of(client)
    codes = [client.post("/login", data={"username": "lockme", "password": f"wrong guess {i}",
                                         "csrf_token": token}).status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    right = client.post("/login", data={"username": "lockme", "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 429 and "too many failed logins" in right.text
    assert login(bench.client(), "vic")  # other accounts are not affected


def test_session_cookie_flags_and_forged_sessions(bench: Workbench) -> None:
    client = bench.client()
    token = csrf_of(client)
    response = client.post("/login", data={"username": "vic", "password": PASSWORD, "csrf_token": token},
                           follow_redirects=False)
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("ow_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session
    forged = bench.client()
    forged.cookies.set("ow_session", "A" * 43)
    assert forged.get("/api/me").status_code == 401


def test_oversized_request_is_refused(bench: Workbench) -> None:
    from organwatch.web.app import create_app
    from tests.web.conftest import Server

    with Server(bench.case, max_upload=2000) as server, httpx.Client(base_url=server.url) as client:
        login(client, "alice")
        token = page_token(client)
        response = client.post("/api/uploads", headers={"X-CSRF-Token": token},
                               files=[("files", ("big.txt", b"x" * 200_000, "text/plain"))])
        assert response.status_code == 413
        over = client.post("/api/uploads", headers={"X-CSRF-Token": token},
                           files=[("files", ("big.txt", b"x" * 10_000, "text/plain"))])
        assert over.json()[0]["status"] == "failed" and "larger than the 2,000-byte limit" in over.json()[0]["reason"]
    assert create_app  # imported for the server above


def _cli(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``organwatch`` command in this process (Typer's runner), like a subprocess would."""
    from typer.testing import CliRunner

    from organwatch.cli import app

    result = CliRunner().invoke(app, list(args), input=input)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_user_and_restrict_commands(bench: Workbench) -> None:
    root = str(bench.case.root)
    made = _cli("user", "add", "--case", root, "carol", "--role",
                           "reviewer", input="a fine long password\n")
    assert made.returncode == 0 and "Created user carol (reviewer)" in made.stdout
    short = _cli("user", "add", "--case", root, "dave", "--role",
                            "viewer", input="short\n")
    assert short.returncode == 1 and short.stderr.startswith("error: the password is too short")
    bad_role = _cli("user", "add", "--case", root, "eve", "--role",
                               "king", input="a fine long password\n")
    assert bad_role.returncode == 1 and "unknown role 'king'" in bad_role.stderr
    listed = json.loads(_cli("user", "list", "--case", root,
                                        "--format", "json").stdout)
    assert {"carol", "vic"} <= {u["name"] for u in listed} and "password_hash" not in json.dumps(listed)
    doc = str(bench.docs["zh/wang-lijun.html"])
    run = _cli("restrict", "--case", root, doc, "--to",
                          "carol", "--format", "json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["after"] == ["user:carol"]
    assert login(bench.client(), "vic").get(f"/documents/{doc}").status_code == 404
    assert login(bench.client(), "carol", "a fine long password").get(f"/documents/{doc}").status_code == 200
    lift = _cli("restrict", "--case", root, doc, "--lift")
    assert lift.returncode == 0 and "visible to everyone" in lift.stdout
    unknown = _cli("restrict", "--case", root, "9999", "--to",
                              "carol")
    assert unknown.returncode == 1 and unknown.stderr.startswith("error: no document number 9999")

"""Every workbench route over real HTTP (uvicorn on loopback, in this process), signed in as each role."""

from __future__ import annotations

import base64
import html
import re

import pytest

from tests.web.conftest import PASSWORD, SECRET_WORD, Workbench, login, page_token

REPO_SAMPLE = __import__("pathlib").Path(__file__).resolve().parents[2] / "sample" / "analysis"


def test_pages_need_a_session(bench: Workbench) -> None:
    client = bench.client()
    for path in ("/", "/search?q=x", f"/documents/{bench.docs['en/tribunal.html']}", "/upload", "/analyses"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    assert client.get("/api/overview").status_code == 401
    assert client.get("/api/search", params={"q": "Wang"}).json() == {"error": "sign in first (POST /login)"}


def test_login_page_and_wrong_password(bench: Workbench) -> None:
    client = bench.client()
    page = client.get("/login")
    assert page.status_code == 200 and 'name="password"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    bad = client.post("/login", data={"username": "vic", "password": "not it at all", "csrf_token": token.group(1)})
    assert bad.status_code == 401 and "wrong user name or password" in bad.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_redirects_only_within_the_site(bench: Workbench) -> None:
    client = bench.client()
    token = page_token(client, "/login")
    for target, expected in (("/search?q=a", "/search?q=a"), ("//evil.example/x", "/"),
                             ("https://evil.example/", "/"), ("/\\evil.example", "/")):
        client.cookies.clear()
        token = page_token(client, "/login")
        response = client.post("/login", data={"username": "vic", "password": PASSWORD, "csrf_token": token,
                                               "next": target}, follow_redirects=False)
        assert response.headers["location"] == expected


def test_overview_counts_events_and_verify(bench: Workbench) -> None:
    client = login(bench.client(), "vic")
    page = client.get("/")
    assert page.status_code == 200
    assert "Verified" in page.text and "Recent evidence events" in page.text
    data = client.get("/api/overview").json()
    assert data["counts"]["documents_ok"] == 3  # the restricted statement is not counted for a viewer
    assert data["verify"]["ok"] is True and "findings" not in data["verify"]
    assert {e["type"] for e in data["events"]} >= {"capture"}
    admin = login(bench.client(), "admin")
    assert admin.get("/api/overview").json()["counts"]["documents_ok"] == 4
    assert admin.get("/api/overview").json()["counts"]["restricted"] == 1
    token = page_token(admin)
    assert admin.post("/verify", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    viewer_token = page_token(client)
    assert client.post("/verify", data={"csrf_token": viewer_token}).status_code == 403


def test_search_page_chinese_english_and_pinyin(bench: Workbench) -> None:
    client = login(bench.client(), "vic")
    zh = client.get("/search", params={"q": "王立军"})
    assert zh.status_code == 200
    assert f"/documents/{bench.docs['zh/wang-lijun.html']}" in zh.text
    assert "<mark>王立军</mark>" in zh.text
    en = client.get("/search", params={"q": '"China Tribunal"', "language": "en"})
    assert f"/documents/{bench.docs['en/tribunal.html']}" in en.text and "<mark>" in en.text
    pinyin = client.get("/api/search", params={"q": "Wang Lijun"}).json()
    assert {h["document_id"] for h in pinyin["hits"]} >= {bench.docs["zh/wang-lijun.html"],
                                                          bench.docs["en/tribunal.html"]}
    assert "viewer" not in pinyin["filters"]


def test_search_errors_are_one_line(bench: Workbench) -> None:
    client = login(bench.client(), "vic")
    bad_date = client.get("/search", params={"q": "liver", "date_from": "June"})
    assert bad_date.status_code == 400 and "is not a date" in bad_date.text
    bad_mode = client.get("/api/search", params={"q": "liver", "mode": "magic"})
    assert bad_mode.status_code == 422 and "mode" in bad_mode.json()["error"]
    empty = client.get("/api/search", params={"q": "   "})
    assert empty.status_code == 400 and "\n" not in empty.json()["error"]
    assert client.get("/search", params={"q": "liver", "page": "0"}).status_code == 422


def test_document_page_metadata_mentions_and_hit(bench: Workbench) -> None:
    client = login(bench.client(), "vic")
    doc = bench.docs["en/tribunal.html"]
    text = client.get(f"/api/documents/{doc}").json()["document"]["text"]
    start = text.index("China Tribunal")
    page = client.get(f"/documents/{doc}", params={"hl": f"{start}-{start + 14}"})
    assert page.status_code == 200
    assert 'id="hit"' in page.text and ">China Tribunal</mark>" in page.text
    assert bench.captures["en/tribunal.html"] in page.text  # the SHA-256
    assert "Sightings (evidence log)" in page.text and "file import" in page.text
    assert 'sandbox src="/documents/' in page.text
    data = client.get(f"/api/documents/{doc}").json()
    assert data["capture"]["id"] == bench.captures["en/tribunal.html"]
    assert all(text[m["start"]:m["end"]] for m in data["mentions"])
    assert data["restricted_to"] == []
    assert client.get("/documents/99999").status_code == 404
    assert client.get(f"/documents/{doc}", params={"part": 9}).status_code == 404
    assert client.get("/documents/abc").status_code == 422


def test_archived_page_is_sanitised_and_sandboxed(bench: Workbench) -> None:
    client = login(bench.client(), "vic")
    response = client.get(f"/documents/{bench.docs['en/hostile.html']}/archived")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "img-src 'none'" in csp
    body = response.text.lower()
    for trap in ("<script", "onerror", "javascript:", "url(", "<iframe", "<img", "<object", "<svg", "<video",
                 "<form", "http-equiv='refresh'", bench.trap_host):
        assert trap not in body.split("</style>", 1)[1], trap
    assert "waiting time: one to two weeks" in body
    text_doc = client.get(f"/documents/{bench.docs['witness/statement.txt']}/archived")
    assert text_doc.status_code == 404  # (restricted: not found) — and a plain-text document has no page either
    plain = login(bench.client(), "alice").get(f"/documents/{bench.docs['witness/statement.txt']}/archived")
    assert plain.status_code == 404 and "not an HTML page" in plain.text


def test_download_original_bytes(bench: Workbench) -> None:
    client = login(bench.client(), "vic")
    sha = bench.captures["zh/wang-lijun.html"]
    response = client.get(f"/captures/{sha}/original")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert __import__("hashlib").sha256(response.content).hexdigest() == sha
    assert client.get(f"/captures/{sha[:8]}/original").status_code == 200
    assert client.get("/captures/zz/original").status_code == 404
    assert client.get("/captures/" + "0" * 64 + "/original").status_code == 404


def test_upload_then_search(bench: Workbench) -> None:
    client = login(bench.client(), "alice")
    assert client.get("/upload").status_code == 200
    token = page_token(client, "/upload")
    content = "Notice: the Harbour Transplant Unit reports a waiting time of nine days. 港口移植中心等待九天。"
    response = client.post("/upload", params={"csrf_token": token},
                           files=[("files", ("harbour notice.txt", content.encode("utf-8"), "text/plain"))],
                           data={"note": "uploaded in a test"})
    assert response.status_code == 200, response.text[:500]
    assert "harbour notice.txt" in response.text and "added" in response.text
    found = client.get("/api/search", params={"q": "港口移植中心"}).json()
    assert found["total"] == 1
    again = client.post("/upload", params={"csrf_token": token},
                        files=[("files", ("copy.txt", content.encode("utf-8"), "text/plain"))])
    assert "already archived" in again.text or "observed again" in again.text
    empty = client.post("/upload", params={"csrf_token": token}, files=[("files", ("empty.txt", b"", "text/plain"))])
    assert empty.status_code == 400 and "empty.txt: the file is empty" in empty.text


def test_upload_api_and_roles(bench: Workbench) -> None:
    viewer = login(bench.client(), "vic")
    assert viewer.get("/upload").status_code == 403
    token = page_token(viewer)
    refused = viewer.post("/api/uploads", headers={"X-CSRF-Token": token},
                          files=[("files", ("x.txt", b"a viewer tries to add evidence", "text/plain"))])
    assert refused.status_code == 403
    alice = login(bench.client(), "alice")
    token = page_token(alice)
    made = alice.post("/api/uploads", headers={"X-CSRF-Token": token},
                      files=[("files", ("api note.md", b"# Api note\n\nA note sent through the API.",
                                        "text/markdown"))])
    assert made.status_code == 200
    result = made.json()[0]
    assert result["status"] == "added" and result["documents"]


def test_analyses_page_and_api(bench: Workbench) -> None:
    client = login(bench.client(), "alice")
    assert "Source accounting" in client.get("/analyses").text
    token = page_token(client, "/analyses")
    csv = (REPO_SAMPLE / "accounting_kilgour_matas_2000_2005.csv").read_bytes()
    page = client.post("/analyses", params={"csrf_token": token}, data={"kind": "accounting"},
                       files={"file": ("sources.csv", csv, "text/csv")})
    assert page.status_code == 200, page.text[:400]
    assert 'src="data:image/png;base64,' in page.text and "Method" in page.text
    api = client.post("/api/analyses/accounting", headers={"X-CSRF-Token": token},
                      files={"file": ("sources.csv", csv, "text/csv")})
    assert api.status_code == 200
    assert base64.b64decode(api.json()["plot_png"])[:8] == b"\x89PNG\r\n\x1a\n"
    broken = client.post("/api/analyses/accounting", headers={"X-CSRF-Token": token},
                         files={"file": ("broken.csv", b"item,role\n\"unclosed", "text/csv")})
    assert broken.status_code == 400 and "broken.csv" in broken.json()["error"]
    assert client.post("/api/analyses/astrology", headers={"X-CSRF-Token": token},
                       files={"file": ("a.csv", csv, "text/csv")}).status_code == 400
    viewer = login(bench.client(), "vic")
    assert viewer.get("/analyses").status_code == 403
    assert [k["name"] for k in client.get("/api/analyses").json()][:2] == ["capacity", "series"]


def test_api_me_csrf_openapi_and_logout(bench: Workbench) -> None:
    client = login(bench.client(), "rita")
    assert client.get("/api/me").json() == {"name": "rita", "role": "reviewer",
                                            "permissions": ["grade", "read", "review"]}
    schema = client.get("/api/openapi.json").json()
    assert {"/api/search", "/api/documents/{document_id}", "/api/overview", "/api/uploads"} <= set(schema["paths"])
    assert not any(p.startswith("/documents") for p in schema["paths"])  # pages are not API
    token = client.get("/api/csrf").json()["csrf_token"]
    assert client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False).status_code == 303
    assert client.get("/api/me").status_code == 401


def test_static_assets_and_security_headers(bench: Workbench) -> None:
    client = login(bench.client(), "vic")
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    assert "https://" not in re.sub(r"<footer.*", "", page.text)  # nothing loaded from elsewhere
    assert client.get("/static/app.css").status_code == 200
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200 and 'version:"2.' in htmx.text.replace(" ", "")
    assert client.get("/nowhere").status_code == 404


def test_unknown_secret_word_is_only_in_the_restricted_document(bench: Workbench) -> None:
    admin = login(bench.client(), "admin")
    assert admin.get("/api/search", params={"q": SECRET_WORD}).json()["total"] == 1


def test_search_says_when_only_the_newest_matches_were_ranked(bench: Workbench,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from organwatch.search import service as search_service

    client = login(bench.client(), "admin")  # sees everything: no visibility filter, so no widening window
    every = client.get("/api/search", params={"q": "transplant OR 移植", "rank_all": "true"}).json()
    assert every["total"] >= 2 and every["total_exact"] and not every["truncated"]
    monkeypatch.setattr(search_service, "RANK_LIMIT", 1)  # the server runs in this process
    monkeypatch.setattr(search_service, "COUNT_LIMIT", 1)
    bounded = client.get("/api/search", params={"q": "transplant OR 移植"}).json()
    assert bounded["truncated"] and not bounded["total_exact"] and len(bounded["hits"]) == 1
    page = client.get("/search", params={"q": "transplant OR 移植"})
    assert "at least 2 matching document(s)" in page.text and 'id="rank-all"' in page.text
    link = re.search(r'id="rank-all" href="([^"]+)"', page.text)
    assert link is not None
    full = client.get(html.unescape(link.group(1)))
    assert f"{every['total']:,} matching document(s)" in full.text and 'id="rank-all"' not in full.text

"""Claims board, review queue (grades), dossier export and literature screening pages, on a real case served
on loopback: claims written here, one restricted witness statement whose claims only cleared readers may see,
and a screening run over an invented PubMed export."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import organwatch
from organwatch.papers.protocols import load_protocol
from organwatch.papers.workflow import import_paths, run_screen
from organwatch.web.accounts import add_user
from organwatch.web.services import restrict
from tests.papers.fixtures import CSV_ROWS, PUBMED_XML
from tests.web.conftest import PASSWORD, Server, Workbench, login, page_token

SECRET_SPEAKER = "Quillon Zephyrine"  # speaks only in the restricted statement
SECRET_FIGURE = "35,000"

LEDGER = """<!doctype html><html><head><meta charset="utf-8"><title>Tribunal hears transplant estimates</title>
<meta name="author" content="Ann Reed"><meta property="og:site_name" content="Harbour Ledger"></head><body>
<article><h1>Tribunal hears transplant estimates</h1>
<p>David Kilgour and David Matas estimate that some 60,000 transplants were performed in China between 2000 and
2005.</p>
<p>The health ministry said that 20,000 transplants were done in China between 2000 and 2005.</p>
<p>The health ministry said that 10,000 transplants were done in China in 2010.</p>
</article></body></html>"""

ZH = """<!doctype html><html><head><meta charset="utf-8"><title>移植数字</title>
<meta property="og:site_name" content="东方通讯"></head><body><article>
<p>乔高和麦塔斯估计，2000年至2005年间中国共进行了约六万例移植手术。</p>
<p>王立军当时担任锦州市公安局局长。</p>
</article></body></html>"""

WITNESS = (f"Witness statement, recorded in 2019.\n\nDr {SECRET_SPEAKER} said that 60,000 transplants were performed "
           f"in China between 2000 and 2005.\n\nDr {SECRET_SPEAKER} said that {SECRET_FIGURE} transplants were "
           "performed in China in 2010.\n")


@pytest.fixture(scope="module")
def claims_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    folder = tmp_path_factory.mktemp("claims")
    case = organwatch.init_case(folder / "case", name="claims test case")
    sources = folder / "sources"
    sources.mkdir()
    (sources / "ledger.html").write_text(LEDGER, encoding="utf-8")
    (sources / "numbers-zh.html").write_text(ZH, encoding="utf-8")
    (sources / "witness.txt").write_text(WITNESS, encoding="utf-8")
    case.add([sources], text=True, extract=True)
    docs = {}
    for document in case.documents():
        name = next(o.original_name for o in case.capture(document.capture_id).observations)
        docs[str(name)] = document.id
    for name, role in (("admin", "admin"), ("alice", "investigator"), ("rita", "reviewer"), ("vic", "viewer"),
                       ("wendy", "viewer")):
        add_user(case, name, role, PASSWORD)
    restrict(case, "admin", str(docs["witness.txt"]), "alice,user:wendy")
    papers = folder / "papers"
    papers.mkdir()
    (papers / "pubmed.xml").write_text(PUBMED_XML, encoding="utf-8")
    with (papers / "excerpts.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "year", "text"])
        writer.writerows(CSV_ROWS)
    import_paths(case, [papers / "pubmed.xml", papers / "excerpts.csv"], captured_by="tester")
    run_screen(case, load_protocol("dead-donor-rule"))
    made = Workbench(case, docs, {}, "")
    with Server(case) as server:
        made.url = server.url
        yield made
        made.close()
    case.store.close()


def _board(client: httpx.Client, **params: object) -> dict[str, object]:
    response = client.get("/api/claims", params=params)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def _figures(reason: str) -> tuple[str, frozenset[str]]:
    """``"transplants for 2010: 10000 against 35000"`` → ``("2010", {"10000", "35000"})``, either order."""
    period, _, numbers = reason.removeprefix("transplants for ").partition(": ")
    return period, frozenset(numbers.split(" against "))


def test_claims_board_lists_filters_and_shows_contradictions(claims_bench: Workbench) -> None:
    client = login(claims_bench.client(), "alice")
    page = client.get("/claims")
    assert page.status_code == 200
    assert "David Kilgour and David Matas" in page.text and "乔高和麦塔斯" in page.text
    assert f'href="/documents/{claims_bench.docs["ledger.html"]}?hl=' in page.text
    everything = _board(client)
    claims = everything["claims"]
    assert isinstance(claims, list) and everything["total"] == len(claims) == 6
    estimate = [c for c in claims if c["value"] == 60000.0]
    # The English and Chinese reports of Kilgour and Matas are one origin; the witness is a second.
    assert len(estimate) == 3 and {c["corroboration"] for c in estimate} == {2}
    assert _board(client, min_sources=2)["total"] == 3
    contested = _board(client, contested=True)
    assert {c["value"] for c in contested["claims"]} == {60000.0, 20000.0, 35000.0, 10000.0}  # type: ignore[union-attr]
    pairs = contested["contradictions"]
    assert isinstance(pairs, list) and {_figures(p["reason"]) for p in pairs} == {
        ("2000/2005", frozenset({"20000", "60000"})), ("2010", frozenset({"10000", "35000"}))}
    for pair in pairs:  # each side holds the statements of one figure
        assert len({c["value"] for c in pair["left"]}) == len({c["value"] for c in pair["right"]}) == 1
    by_speaker = _board(client, speaker="David Matas")["claims"]
    assert by_speaker and all("Matas" in c["speaker"] or "麦塔斯" in c["speaker"] for c in by_speaker)  # type: ignore[union-attr]
    about = _board(client, about="王立军")
    assert about["total"] == 0  # named, but nothing is claimed about him
    html = client.get("/claims", params={"contested": "true"}).text
    assert "Contradictions, side by side" in html and html.count('class="contradiction"') == 2
    assert client.get("/claims", params={"grade": "Z9"}).status_code == 400
    assert "Admiralty code" in client.get("/api/claims", params={"grade": "Z9"}).json()["error"]


def test_restricted_claims_never_reach_a_viewer(claims_bench: Workbench) -> None:
    """A viewer sees no claim, count, contradiction, source or dossier line from the restricted statement."""
    client = login(claims_bench.client(), "vic")
    seen = []
    for path, params in (("/claims", {}), ("/claims", {"contested": "true"}), ("/claims", {"min_sources": "2"}),
                         ("/claims", {"speaker": "Zephyrine"}), ("/claims", {"about": "Zephyrine"}),
                         ("/api/claims", {}), ("/api/claims", {"contested": "true"}), ("/review", {}),
                         ("/api/sources", {}), ("/dossiers", {"name": "Quillon Zefyrine", "format": "md"}),
                         ("/api/dossier", {"name": "Quillon Zefyrine"}),
                         ("/dossiers", {"name": "David Matas", "format": "md"}),
                         ("/dossiers", {"name": "David Matas", "format": "html"}),
                         ("/api/dossier", {"name": "transplants"})):
        response = client.get(path, params=params)
        text = response.text.replace("Zephyrine</", "<asked></")  # the filter box repeats the query
        if path == "/claims":
            text = text.split('id="claims"', 1)[1]
        seen.append(f"{response.status_code} {text}")
    everything = "\n".join(seen)
    assert "Zephyrine" not in everything and SECRET_FIGURE not in everything and "35000" not in everything
    assert "witness" not in everything.lower()
    board = _board(client)
    assert board["total"] == 5 - 1  # the two statements of the witness are gone, nothing else
    estimate = [c for c in board["claims"] if c["value"] == 60000.0]  # type: ignore[union-attr]
    assert len(estimate) == 2 and {c["corroboration"] for c in estimate} == {1}  # no hidden corroboration
    assert _board(client, min_sources=2)["total"] == 0
    contested = _board(client, contested=True)
    assert [_figures(p["reason"]) for p in contested["contradictions"]] == [  # type: ignore[union-attr]
        ("2000/2005", frozenset({"20000", "60000"}))]  # the 2010 figure is not contested for this reader
    assert not any(e.get("user") == "vic" for e in claims_bench.case.log_entries() if e["type"] == "access")


def test_cleared_reader_sees_restricted_claims_and_access_is_logged(claims_bench: Workbench) -> None:
    client = login(claims_bench.client(), "wendy")
    before = [e for e in claims_bench.case.log_entries() if e["type"] == "access"]
    board = _board(client, speaker=SECRET_SPEAKER)
    assert board["total"] == 2
    after = [e for e in claims_bench.case.log_entries() if e["type"] == "access"]
    assert len(after) == len(before) + 1 and after[-1]["user"] == "wendy" and after[-1]["action"] == "claims"
    assert after[-1]["documents"] == [claims_bench.docs["witness.txt"]]


def test_review_queue_grades_sources_as_evidence_events(claims_bench: Workbench) -> None:
    reviewer = login(claims_bench.client(), "rita")
    page = reviewer.get("/review")
    assert page.status_code == 200 and "Harbour Ledger" in page.text and 'action="/review/grade"' in page.text
    token = page_token(reviewer, "/review")
    graded = reviewer.post("/review/grade", data={"csrf_token": token, "source": "The health ministry",
                                                  "reliability": "d", "credibility": "4",
                                                  "reason": "figures revised without explanation"},
                           follow_redirects=False)
    assert graded.status_code == 303
    entry = [e for e in claims_bench.case.log_entries() if e["type"] == "grade"][-1]
    assert entry["source"] == "The health ministry" and entry["reliability"] == "D" and entry["graded_by"] == "rita"
    assert "graded D4" in reviewer.get(graded.headers["location"]).text
    rows = reviewer.get("/api/sources").json()
    assert next(r for r in rows if r["source"] == "The health ministry")["grade"] == "D4"
    assert {c["grade"] for c in _board(reviewer, grade="D4")["claims"]} == {"D4"}  # type: ignore[union-attr]
    assert _board(reviewer, grade="D")["total"] == _board(reviewer, grade="4")["total"] == 2
    missing = reviewer.post("/review/grade", data={"csrf_token": token, "source": "Harbour Ledger",
                                                   "reliability": "B", "credibility": "2", "reason": " "})
    assert missing.status_code == 400 and "give the reason" in missing.text
    bad = reviewer.post("/api/grades", json={"source": "Harbour Ledger", "reliability": "Q", "credibility": 2,
                                             "reason": "x"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 400 and "A–F" in bad.json()["error"]
    investigator = login(claims_bench.client(), "alice")
    ok = investigator.post("/api/grades", json={"source": "Harbour Ledger", "reliability": "B", "credibility": 3,
                                                "reason": "corrections published"},
                           headers={"X-CSRF-Token": page_token(investigator)})
    assert ok.status_code == 200 and ok.json()["code"] == "B3"
    viewer = login(claims_bench.client(), "vic")
    assert 'action="/review/grade"' not in viewer.get("/review").text
    refused = viewer.post("/review/grade", data={"csrf_token": page_token(viewer), "source": "Harbour Ledger",
                                                 "reliability": "A", "credibility": "1", "reason": "x"})
    assert refused.status_code == 403
    no_token = reviewer.post("/review/grade", data={"source": "Harbour Ledger", "reliability": "A",
                                                    "credibility": "1", "reason": "forged"})
    assert no_token.status_code == 403
    assert reviewer.post("/api/grades", json={"source": "Harbour Ledger", "reliability": "A", "credibility": 1,
                                              "reason": "forged"}).status_code == 403
    assert not any(e.get("reason") == "forged" or e.get("graded_by") == "vic"
                   for e in claims_bench.case.log_entries() if e["type"] == "grade")
    assert claims_bench.case.verify().ok


def test_dossier_export_and_its_messages(claims_bench: Workbench) -> None:
    client = login(claims_bench.client(), "alice")
    form = client.get("/dossiers")
    assert form.status_code == 200 and 'name="format"' in form.text
    md = client.get("/dossiers", params={"name": "David Matas", "format": "md"})
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert 'filename="dossier-David-Matas.md"' in md.headers["content-disposition"]
    assert md.text.startswith("# Dossier: David Matas") and "estimated that" in md.text
    assert "2 independent source(s)" in md.text  # alice is cleared for the witness, who corroborates
    before = sum(1 for e in claims_bench.case.log_entries() if e["type"] == "access")
    witness = client.get("/api/dossier", params={"name": SECRET_SPEAKER})
    assert witness.status_code == 200 and f"{SECRET_SPEAKER} said that" in witness.text
    access = [e for e in claims_bench.case.log_entries() if e["type"] == "access"]
    assert len(access) == before + 1 and access[-1]["action"] == "dossier" and access[-1]["user"] == "alice"
    html = client.get("/api/dossier", params={"name": "David Matas", "format": "html"})
    assert html.status_code == 200 and "<h1>Dossier: David Matas</h1>" in html.text
    unknown = client.get("/dossiers", params={"name": "Davd Mattas", "format": "md"})
    assert unknown.status_code == 404 and "nearest names in the case" in unknown.text
    assert "David Matas" in unknown.text.split("nearest names", 1)[1]
    silent = client.get("/api/dossier", params={"name": "王立军"})  # named, but nobody says anything about him
    # Without claims the dossier stands only on the roles the sources give him; with neither, a clear 404.
    assert (silent.status_code == 404 and "no claim about it was found" in silent.json()["error"]) or (
        silent.status_code == 200 and "Roles and positions" in silent.text and "said that" not in silent.text)
    empty = client.get("/dossiers", params={"name": "David Matas", "format": "docx"})
    assert empty.status_code == 400 and "use md, html or pdf" in empty.text
    viewer_md = login(claims_bench.client(), "vic").get("/dossiers", params={"name": "David Matas", "format": "md"})
    assert viewer_md.status_code == 200 and "Zephyrine" not in viewer_md.text
    assert "1 independent source(s)" in viewer_md.text and "2 independent source(s)" not in viewer_md.text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (system-packages.txt)")
def test_dossier_pdf_is_printed_by_chromium(claims_bench: Workbench, tmp_path: Path) -> None:
    client = login(claims_bench.client(), "vic")
    pdf = client.get("/dossiers", params={"name": "David Matas", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["x-dossier-claims"] == "2"
    (tmp_path / "d.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "d.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Dossier: David Matas" in text and "capture SHA-256" in text and "Zephyrine" not in text


def test_screening_runs_decisions_prisma_and_coding(claims_bench: Workbench) -> None:
    reviewer = login(claims_bench.client(), "rita")
    runs = reviewer.get("/api/papers/runs").json()
    assert len(runs) == 1 and runs[0]["name"] == "dead-donor-rule" and runs[0]["records"] == 5
    listing = reviewer.get("/papers")
    assert listing.status_code == 200 and f'href="/papers/runs/{runs[0]["id"]}"' in listing.text
    page = reviewer.get(f"/papers/runs/{runs[0]['id']}")
    assert page.status_code == 200 and '<figure class="prisma" id="prisma"><svg' in page.text
    figure = page.text.split('id="prisma">', 1)[1].split("</figure>", 1)[0]
    assert "style" not in figure and 'fill="#f4f7fb"' in figure  # the page CSP refuses inline styles
    assert "Records screened (n = 5)" in page.text and "Studies included in review (n = 1)" in page.text
    # The reason quotes the exact span it rests on, marked inside its quote.
    assert "intubated after brain death was declared<blockquote><mark>供体脑死亡后,紧急气管插管" in page.text
    data = reviewer.get(f"/api/papers/runs/{runs[0]['id']}").json()
    assert data["prisma"]["screened"] == 5 and len(data["decisions"]) == 5
    queued = [d for d in data["decisions"] if d["queued"]]
    assert [d["record_id"] for d in queued] == ["c1", "c2"]  # included, and the one it could not judge
    token = page_token(reviewer, "/papers")
    coded = reviewer.post(f"/papers/runs/{runs[0]['id']}/coding", data={
        "csrf_token": token, "record_id": queued[0]["record_id"], "score": "2", "note": "intubated after BD"},
        follow_redirects=False)
    assert coded.status_code == 303
    entry = [e for e in claims_bench.case.log_entries() if e["type"] == "papers.review"][-1]
    assert entry["record"] == queued[0]["record_id"] and entry["score"] == 2 and entry["reviewer"] == "rita"
    assert "coded 2" in reviewer.get(coded.headers["location"]).text
    assert reviewer.get(f"/api/papers/runs/{runs[0]['id']}", params={"show": "queue"}).json()["decisions"] == [
        d for d in reviewer.get(f"/api/papers/runs/{runs[0]['id']}").json()["decisions"]
        if d["queued"] and d["review"] is None]
    bad = reviewer.post(f"/papers/runs/{runs[0]['id']}/coding", data={
        "csrf_token": token, "record_id": queued[0]["record_id"], "score": "7"}, follow_redirects=True)
    assert "score must be 0, 1 or 2" in bad.text
    viewer = login(claims_bench.client(), "vic")
    assert viewer.post(f"/papers/runs/{runs[0]['id']}/coding", data={
        "csrf_token": page_token(viewer), "record_id": queued[0]["record_id"], "score": "0"}).status_code == 403
    assert reviewer.post(f"/api/papers/runs/{runs[0]['id']}/coding",
                         json={"record_id": queued[0]["record_id"], "score": 0}).status_code == 403
    assert reviewer.get("/papers/runs/999").status_code == 404
    assert viewer.get("/api/papers/runs").json()[0]["reviewed"] == 1


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium is not installed (make system-packages)")
def test_claims_review_dossier_and_screening_in_chromium(claims_bench: Workbench, tmp_path: Path) -> None:
    """A reviewer's journey in real Chromium: contested claims → grade a source → download a dossier → code a
    paper; screenshots go to tests/web/artifacts/ (or $ORGANWATCH_SCREENSHOTS)."""
    from playwright.sync_api import sync_playwright

    from tests.web.test_browser import CHROMIUM, SCREENSHOTS

    def shot(page: object, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))  # type: ignore[attr-defined]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page = context.new_page()
            page.goto(claims_bench.url + "/login")
            page.fill("input[name=username]", "rita")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(claims_bench.url + "/")
            page.click("header nav >> text=Claims")
            page.check("input[name=contested]")
            page.click("form.filters-bar button")
            page.wait_for_selector(".contradiction")
            assert page.locator("table.claims tbody tr").count() >= 3
            assert "Zephyrine" not in page.content()  # rita (reviewer) is not cleared for the witness
            shot(page, "claims")
            page.click("header nav >> text=Review")
            form = page.locator("#grade-form")
            form.locator("input[name=source]").fill("Harbour Ledger")
            form.locator("select[name=reliability]").select_option("C")
            form.locator("select[name=credibility]").select_option("3")
            form.locator("input[name=reason]").fill("single reporter, no corrections policy")
            form.locator("button").click()
            page.wait_for_selector(".notice")
            assert "Harbour Ledger graded C3" in page.locator(".notice").inner_text()
            shot(page, "review")
            page.click("header nav >> text=Dossiers")
            page.fill("input[name=name]", "David Matas")
            page.check("input[value=md]")
            with page.expect_download() as download:
                page.click("#dossier-form button")
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
            assert saved.name == "dossier-David-Matas.md" and "estimated that" in saved.read_text(encoding="utf-8")
            page.fill("input[name=name]", "Davd Mattas")
            page.click("#dossier-form button")
            assert "nearest names in the case: David Matas" in page.locator("#dossier-error").inner_text()
            page.click("header nav >> text=Screening")
            page.click("table.runs a")
            page.wait_for_selector("#prisma svg")
            row = page.locator("table.decisions tr", has_text="c2")
            row.locator("select[name=score]").select_option("1")
            row.locator("input[name=note]").fill("ventilated, airway not stated")
            row.locator("button").click()
            page.wait_for_selector(".notice")
            assert "c2 coded 1" in page.locator(".notice").inner_text()
            shot(page, "screening")
        finally:
            browser.close()
    graded = [e for e in claims_bench.case.log_entries() if e["type"] == "grade"][-1]
    assert graded["source"] == "Harbour Ledger" and graded["graded_by"] == "rita"
    coded = [e for e in claims_bench.case.log_entries() if e["type"] == "papers.review"][-1]
    assert coded["record"] == "c2" and coded["score"] == 1 and coded["reviewer"] == "rita"

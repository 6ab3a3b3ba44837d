"""Entity pages, the graph explorer and the timeline on a real case served on loopback: two public reports
of one police chief (English and Chinese) and a restricted witness statement naming a person, a hospital
and a meeting that only cleared readers may learn about."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import organwatch
from organwatch.web.accounts import add_user
from organwatch.web.services import restrict
from tests.web.conftest import PASSWORD, Server, Workbench, login

CHROMIUM = "/usr/bin/chromium"
SECRETS = ("Zephyrine", "Tiegang", "Jinzhou")  # named only in the restricted statement

EN = ("<!doctype html><html><head><meta charset='utf-8'><title>Police chief moved</title></head><body>"
      "<p>In 2008 Wang Lijun became head of the Chongqing Public Security Bureau.</p>"
      "<p>Wang Lijun met Bo Xilai in Chongqing in 2009.</p></body></html>")
ZH = ("<!doctype html><html><head><meta charset='utf-8'><title>王立军出逃</title></head><body>"
      "<p>2012年2月7日，王立军进入美国驻成都总领事馆。</p><p>王立军与薄熙来在重庆共事。</p></body></html>")
WITNESS = ("Witness statement. In 2005 Quillon Zephyrine became director of the Tiegang Hospital. "
           "Wang Lijun met Quillon Zephyrine in Jinzhou in 2006.\n")


@pytest.fixture(scope="module")
def actors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    folder = tmp_path_factory.mktemp("entities")
    case = organwatch.init_case(folder / "case", name="entities test case")
    sources = folder / "sources"
    sources.mkdir()
    for name, text in (("chief.html", EN), ("chief-zh.html", ZH), ("witness.txt", WITNESS)):
        (sources / name).write_text(text, encoding="utf-8")
    case.add([sources], text=True, extract=True)
    docs = {}
    for document in case.documents():
        docs[str(next(o.original_name for o in case.capture(document.capture_id).observations))] = document.id
    for name, role in (("admin", "admin"), ("alice", "investigator"), ("vic", "viewer")):
        add_user(case, name, role, PASSWORD)
    restrict(case, "admin", str(docs["witness.txt"]), "alice")
    made = Workbench(case, docs, {}, "")
    with Server(case) as server:
        made.url = server.url
        yield made
        made.close()
    case.store.close()


def _entity_id(client: httpx.Client, name: str) -> str:
    found = client.get("/api/entities", params={"q": name}).json()
    assert found["total"] >= 1, found
    return str(found["entities"][0]["id"])


def test_entity_list_filters_by_type_and_finds_names_in_either_script(actors: Workbench) -> None:
    client = login(actors.client(), "vic")
    people = client.get("/api/entities", params={"type": "person"}).json()
    assert people["entities"] and all(e["type"] == "person" for e in people["entities"])
    assert "Wang Lijun" in [e["name"] for e in people["entities"]]
    by_han = client.get("/api/entities", params={"q": "王立军"}).json()["entities"]
    by_latin = client.get("/api/entities", params={"q": "wang lijun"}).json()["entities"]
    assert by_han and by_han[0]["id"] == by_latin[0]["id"]
    assert client.get("/api/entities", params={"q": "nobody-like-this"}).json()["total"] == 0
    page = client.get("/entities", params={"q": "王立军", "type": "person"})
    assert page.status_code == 200 and "Wang Lijun" in page.text and "王立军" in page.text
    assert client.get("/api/entities", params={"type": "spaceship"}).status_code == 422


def test_entity_profile_has_names_roles_relations_documents_and_claims(actors: Workbench) -> None:
    client = login(actors.client(), "vic")
    wang = _entity_id(client, "Wang Lijun")
    profile = client.get(f"/api/entities/{wang}", params={"claims": "true"}).json()
    assert profile["name"] == "Wang Lijun"
    assert "Latin" in profile["names"] and any(s.startswith("Han") for s in profile["names"])
    role = profile["roles"][0]
    assert "Chongqing Public Security Bureau" in role["position"]
    cite = role["cites"][0]
    text = client.get(f"/documents/{cite['document_id']}", params={"hl": f"{cite['start']}-{cite['end']}"}).text
    assert 'id="hit"' in text
    assert profile["documents_total"] == 2 and "claims" in profile
    page = client.get(f"/entities/{wang}")
    assert page.status_code == 200
    assert f'href="/documents/{cite["document_id"]}?hl={cite["start"]}-{cite["end"]}#hit"' in page.text
    assert "王立军" in page.text and f"/graph?entity={wang}" in page.text
    fragment = client.get(f"/entities/{wang}/claims")
    assert fragment.status_code == 200 and 'id="entity-claims"' in fragment.text
    assert client.get("/entities/per-0000000000").status_code == 404
    assert client.get("/api/entities/per-0000000000").status_code == 404


def test_graph_edges_carry_evidence_and_independent_sources(actors: Workbench) -> None:
    client = login(actors.client(), "vic")
    wang = _entity_id(client, "Wang Lijun")
    graph = client.get("/api/graph", params={"entity": wang, "depth": 2}).json()
    assert graph["nodes"][0]["id"] == wang and len(graph["nodes"]) > 1
    for edge in graph["edges"]:
        assert edge["sources"] >= 1 and edge["evidence"]
        for cite in edge["evidence"]:
            assert cite["quote"] and cite["document_id"] in actors.docs.values()
    names = {n["name"] for n in graph["nodes"]}
    assert "Bo Xilai" in names
    page = client.get("/graph", params={"entity": wang, "depth": 2})
    assert page.status_code == 200 and 'id="edges"' in page.text and "independent source(s)" in page.text
    assert "/static/vendor/cytoscape.min.js" in page.text and "Bo Xilai" in page.text
    assert client.get("/graph").status_code == 200
    assert client.get("/api/graph", params={"entity": wang, "depth": 9}).status_code == 422
    assert client.get("/api/graph", params={"entity": "per-0000000000"}).status_code == 404


def test_timeline_lists_dated_events_with_precision_and_sources(actors: Workbench) -> None:
    client = login(actors.client(), "vic")
    wang = _entity_id(client, "Wang Lijun")
    timeline = client.get("/api/timeline", params={"entity": wang}).json()
    dates = [e["date"] for e in timeline["events"]]
    assert dates == sorted(dates) and "2008" in dates and "2012-02-07" in dates
    day = next(e for e in timeline["events"] if e["date"] == "2012-02-07")
    assert day["precision"] == "day" and day["reports"][0]["document_id"] == actors.docs["chief-zh.html"]
    narrowed = client.get("/api/timeline", params={"entity": wang, "from": "2010", "to": "2012"}).json()
    assert [e["date"] for e in narrowed["events"]] == ["2012-02-07"]
    page = client.get("/timeline", params={"entity": wang, "from": "2008"})
    assert page.status_code == 200 and '<time datetime="2008">' in page.text and "(year)" in page.text
    assert client.get("/timeline", params={"from": "last week"}).status_code in (400, 422)


def test_restricted_statement_adds_nothing_for_a_viewer(actors: Workbench) -> None:
    """No entity, name, relation, edge, event or count derived only from the restricted statement."""
    vic = login(actors.client(), "vic")
    wang = _entity_id(vic, "Wang Lijun")
    pages = [vic.get(path, params=params) for path, params in (
        ("/api/entities", {}), ("/entities", {}), ("/api/entities", {"q": "Quillon"}),
        (f"/api/entities/{wang}", {"claims": "true"}), (f"/entities/{wang}", {}), (f"/entities/{wang}/claims", {}),
        ("/api/graph", {"entity": wang, "depth": 3}), ("/graph", {"entity": wang, "depth": 3}),
        ("/api/timeline", {}), ("/timeline", {}), ("/api/timeline", {"entity": wang}))]
    assert all(p.status_code == 200 for p in pages), [p.status_code for p in pages]
    everything = "\n".join(p.text for p in pages)
    for secret in SECRETS:
        assert secret not in everything
    assert vic.get("/api/entities", params={"q": "Zephyrine"}).json()["total"] == 0
    profile = vic.get(f"/api/entities/{wang}").json()
    assert profile["documents_total"] == 2
    assert "2006" not in [e["date"] for e in vic.get("/api/timeline").json()["events"]]

    alice = login(actors.client(), "alice")
    secret_id = _entity_id(alice, "Zephyrine")
    assert vic.get(f"/entities/{secret_id}").status_code == 404
    assert vic.get("/api/graph", params={"entity": secret_id}).status_code == 404
    assert vic.get("/api/timeline", params={"entity": secret_id}).status_code == 404
    cleared = alice.get(f"/api/entities/{wang}").json()
    assert cleared["documents_total"] == 3 and cleared["mentions"] == profile["mentions"] + 1
    graph = alice.get("/api/graph", params={"entity": wang, "depth": 2}).json()
    assert "Quillon Zephyrine" in {n["name"] for n in graph["nodes"]}
    assert "2006" in [e["date"] for e in alice.get("/api/timeline").json()["events"]]
    log = actors.case.log.entries_path.read_text(encoding="utf-8")
    assert re.search(r'"action": ?"(entity|graph|timeline)"', log) and '"alice"' in log


@pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which("chromium") is None,
                    reason="Debian chromium is not installed (make system-packages)")
def test_entity_graph_timeline_journey_in_chromium(actors: Workbench, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("ORGANWATCH_SCREENSHOTS", str(Path(__file__).parent / "artifacts")))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(actors.url + "/login")
        page.fill("input[name=username]", "vic")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(actors.url + "/entities?q=王立军")
        page.click("table.entities a:has-text('Wang Lijun')")
        page.wait_for_selector("#entity-name")
        page.wait_for_selector("#entity-claims p")
        assert "王立军" in page.content()
        page.screenshot(path=str(shots / "entity.png"), full_page=True)
        page.click("#entity-counts a:has-text('graph')")
        page.wait_for_selector("#graph[data-nodes]")
        assert int(page.get_attribute("#graph", "data-nodes") or 0) > 1
        assert page.locator("#graph canvas").count() > 0
        page.screenshot(path=str(shots / "graph.png"), full_page=True)
        page.goto(page.url.replace("/graph?entity=", "/timeline?entity=").split("&")[0])
        page.wait_for_selector("#timeline li.event")
        assert "2012-02-07" in page.content()
        page.screenshot(path=str(shots / "timeline.png"), full_page=True)
        browser.close()
    assert not errors, errors

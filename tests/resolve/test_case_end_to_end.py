"""On a real case built from the sample corpus: entity, timeline, graph, path and export ftm give cited answers."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from organwatch.case import Case, init_case
from organwatch.cli import app

SAMPLE = Path(__file__).resolve().parents[2] / "sample"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    built = init_case(tmp_path_factory.mktemp("resolve") / "case")
    built.add([SAMPLE / "en" / "pacific-review-2012-02-09-wang-lijun.html",
               SAMPLE / "zh" / "wang-lijun-jinzhou-gb18030.html",
               SAMPLE / "zh-hant" / "china-tribunal-judgment-big5.html",
               SAMPLE / "en" / "transplant-system-timeline-2000-2020.txt"], text=True, extract=True)
    return built


def _run(case: Case, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--case", str(case.root)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_entity_profile_bridges_scripts_with_cited_roles(case: Case) -> None:
    data = json.loads(_run(case, "entity", "Wang Lijun", "--format", "json"))
    assert {a["name"] for a in data["names"]["Hans"]} >= {"王立军"}
    assert len(data["documents"]) >= 2
    texts = {d.id: d.text for d in case.documents()}
    positions = [r["position"] for r in data["roles"]]
    assert any("vice mayor of chongqing" in p.lower() for p in positions)
    for role in data["roles"]:
        cite = role["cite"]
        assert texts[cite["document_id"]][cite["start"] : cite["end"]] == cite["quote"]
    # the same answer through the traditional-script name
    assert json.loads(_run(case, "entity", "王立軍", "--format", "json"))["id"] == data["id"]


def test_timeline_groups_sources_and_cites(case: Case) -> None:
    events = json.loads(_run(case, "timeline", "Wang Lijun", "--format", "json", "--from", "2012", "--to", "2012"))
    visit = [e for e in events if e["kind"] == "consulate visit" and e["date"] == "2012-02-06"]
    assert visit and visit[0]["sources"] >= 2
    assert all(e["date"].startswith("2012") for e in events)
    page = _run(case, "timeline", "Wang Lijun", "--format", "html")
    assert page.startswith("<!doctype html>") and "<script src" not in page and "2012-02-06" in page


def test_graph_path_and_exports_read_back(case: Case, tmp_path: Path) -> None:
    graph = json.loads(_run(case, "graph", "Wang Lijun", "--format", "json"))
    assert graph["edges"] and all(e["evidence"] and e["sources"] >= 1 for e in graph["edges"])
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        out = tmp_path / f"g.{fmt}"
        out.write_text(_run(case, "graph", "Wang Lijun", "--format", fmt), encoding="utf-8")
        assert reader(out).number_of_edges() == len(graph["edges"])
    paths = json.loads(_run(case, "path", "Wang Lijun", "Bo Xilai", "--format", "json"))
    assert paths and all(edge["evidence"][0]["quote"] for edge in paths[0])


def test_export_ftm_validates_with_followthemoney(case: Case) -> None:
    from followthemoney import model

    lines = [json.loads(line) for line in _run(case, "export", "ftm").splitlines()]
    schemata = {item["schema"] for item in lines}
    assert {"Person", "Occupancy", "Position"} <= schemata
    for item in lines:
        proxy = model.get_proxy(item, cleaned=False)
        assert proxy.schema.name == item["schema"]
        for prop, values in item["properties"].items():
            assert proxy.get(prop) == values or proxy.schema.get(prop) is not None


def test_user_errors_are_one_line(case: Case) -> None:
    runner = CliRunner()
    unknown = runner.invoke(app, ["entity", "Wang Lijie", "--case", str(case.root)])
    assert unknown.exit_code == 1 and "nearest names" in unknown.stderr and "Wang Lijun" in unknown.stderr
    mixed = runner.invoke(app, ["merge", "Wang Lijun", "Chongqing", "--reason", "x", "--case", str(case.root)])
    assert mixed.exit_code == 1 and "one type" in mixed.stderr


def test_unmerge_and_merge_are_logged_and_survive_resolution(case: Case) -> None:
    from organwatch.resolve import service

    wang = service.find_entity(case, "Wang Lijun")
    _run(case, "unmerge", "Wang Lijun", "王立军", "--reason", "test split")
    assert service.find_entity(case, "王立军") != service.find_entity(case, "Wang Lijun")
    service.resolve_case(case)  # a re-run keeps the decision
    assert service.find_entity(case, "王立军") != service.find_entity(case, "Wang Lijun")
    _run(case, "merge", "Wang Lijun", "王立军", "--reason", "same man after all")
    service.resolve_case(case)
    assert service.find_entity(case, "王立军") == service.find_entity(case, "Wang Lijun") == wang
    kinds = [e["type"] for e in case.log_entries() if str(e.get("type", "")).startswith("resolve.")]
    assert kinds == ["resolve.split", "resolve.merge"]


def test_commands_have_help_with_example() -> None:
    runner = CliRunner()
    for command in (["entities"], ["entity"], ["review"], ["merge"], ["unmerge"], ["timeline"], ["graph"], ["path"],
                    ["export", "ftm"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, command

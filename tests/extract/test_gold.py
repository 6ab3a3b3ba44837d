"""The gold set is sound and the eval gate holds its floors (STYLE §10)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer
from typer.testing import CliRunner

from organwatch.cli.extract import eval_app, extract_command
from tests.gold import build_gold

GOLD = Path(__file__).resolve().parents[1] / "gold"


def test_gold_files_are_up_to_date_and_offsets_exact() -> None:
    built = build_gold.build()
    assert len(built) >= 40
    assert sum(1 for d in built.values() if d["language"] == "zh") >= 15
    for doc_id, doc in built.items():
        on_disk = (GOLD / f"{doc_id}.json").read_text(encoding="utf-8")
        assert on_disk == build_gold.render(doc), f"{doc_id}: run tests/gold/build_gold.py"
        for item in doc["mentions"] + doc["quotes"]:
            assert doc["text"][item["start"] : item["end"]] == item["text"]


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("extract")(extract_command)
    app.add_typer(eval_app, name="eval")
    return app


def test_eval_gate_floors_hold() -> None:
    result = CliRunner().invoke(_app(), ["eval", "extract", str(GOLD)])
    assert result.exit_code == 0, result.output
    assert "macro F1" in result.output


def test_lowering_a_floor_needs_the_flag(tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    shutil.copytree(GOLD, gold, ignore=shutil.ignore_patterns("sources", "*.py", "__pycache__"))
    baseline = json.loads((gold / "baseline.json").read_text())
    baseline["floors"]["en"]["person"] = 1.01  # a floor above any score
    (gold / "baseline.json").write_text(json.dumps(baseline))
    runner = CliRunner()
    assert runner.invoke(_app(), ["eval", "extract", str(gold)]).exit_code == 1
    assert runner.invoke(_app(), ["eval", "extract", str(gold), "--update-baseline"]).exit_code == 1
    assert runner.invoke(_app(), ["eval", "extract", str(gold), "--update-baseline", "--allow-lower"]).exit_code == 0
    assert json.loads((gold / "baseline.json").read_text())["floors"]["en"]["person"] <= 1.0


def test_extract_command_batch_goes_on_after_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text("Wang Lijun fled on Feb. 6 to the U.S. Consulate in Chengdu.", encoding="utf-8")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 40)
    missing = tmp_path / "missing.txt"
    result = CliRunner().invoke(_app(), ["extract", str(missing), str(junk), str(good), "--doc-date", "2012-02-09"])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [d["path"] for d in lines][-1] == str(good)
    assert any(m["canonical"] == "2012-02-06" for m in lines[-1]["mentions"])
    assert str(missing) in result.stderr


def test_commands_have_help_with_example() -> None:
    runner = CliRunner()
    for args in (["extract", "--help"], ["eval", "extract", "--help"]):
        result = runner.invoke(_app(), args)
        assert result.exit_code == 0 and "Example:" in result.output

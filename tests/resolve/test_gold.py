"""Floors on the resolution gold: pairwise merge precision/recall and relation F1, pinned with the gold's digest;
lowering one needs --allow-lower."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from organwatch.resolve.evaluate import Scores, check_floors, evaluate, gold_digest, main, update_floors

GOLD = Path(__file__).resolve().parents[1] / "gold" / "resolution"


@pytest.fixture(scope="module")
def scores() -> dict[str, Scores]:
    return evaluate(GOLD)


def test_gold_is_sound() -> None:
    gold = json.loads((GOLD / "gold.json").read_text(encoding="utf-8"))
    docs = {p.stem: p.read_text(encoding="utf-8") for p in (GOLD / "docs").glob("*.txt")}
    assert len(docs) >= 13 and any("軍" in t for t in docs.values())
    for doc, name, _ in gold["mentions"]:
        assert name in docs[doc], (doc, name)
    for rel in gold["relations"]:
        assert rel["doc"] in docs


def test_floors_hold_on_the_pinned_gold(scores: dict[str, Scores]) -> None:
    assert check_floors(GOLD, scores) == []


def test_a_changed_gold_or_a_lowered_floor_is_refused(tmp_path: Path, scores: dict[str, Scores]) -> None:
    gold = tmp_path / "resolution"
    shutil.copytree(GOLD, gold)
    (gold / "docs" / "r01-en.txt").write_text("Changed.\n", encoding="utf-8")
    assert gold_digest(gold) != gold_digest(GOLD)
    assert any("changed" in line for line in check_floors(gold, scores))
    shutil.copy(GOLD / "docs" / "r01-en.txt", gold / "docs" / "r01-en.txt")
    floors = json.loads((gold / "floors.json").read_text(encoding="utf-8"))
    floors["resolution_precision"] = 1.01  # a floor above any score
    (gold / "floors.json").write_text(json.dumps(floors), encoding="utf-8")
    assert any("below its floor" in line for line in check_floors(gold, scores))
    with pytest.raises(ValueError, match="allow-lower"):
        update_floors(gold, scores)
    assert json.loads((gold / "floors.json").read_text(encoding="utf-8"))["resolution_precision"] == 1.01
    assert main([str(gold), "--update-floors"]) == 1
    assert main([str(gold), "--update-floors", "--allow-lower"]) == 0
    assert json.loads((gold / "floors.json").read_text(encoding="utf-8"))["resolution_precision"] <= 1.0
    assert main([str(gold)]) == 0

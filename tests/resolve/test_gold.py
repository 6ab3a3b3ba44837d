"""Floors on the resolution gold: pairwise merge precision/recall and relation F1 (lower them only on purpose)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from organwatch.resolve.evaluate import Scores, evaluate

GOLD = Path(__file__).resolve().parents[1] / "gold" / "resolution"


@pytest.fixture(scope="module")
def scores() -> dict[str, Scores]:
    return evaluate(GOLD)


def test_gold_is_sound() -> None:
    gold = json.loads((GOLD / "gold.json").read_text(encoding="utf-8"))
    docs = {p.stem: p.read_text(encoding="utf-8") for p in (GOLD / "docs").glob("*.txt")}
    assert len(docs) >= 8 and any("軍" in t for t in docs.values())
    for doc, name, _ in gold["mentions"]:
        assert name in docs[doc], (doc, name)
    for rel in gold["relations"]:
        assert rel["doc"] in docs


def test_resolution_floors(scores: dict[str, Scores]) -> None:
    floors = json.loads((GOLD / "floors.json").read_text(encoding="utf-8"))
    assert scores["resolution"].precision >= floors["resolution_precision"], scores
    assert scores["resolution"].recall >= floors["resolution_recall"], scores


def test_relation_floor(scores: dict[str, Scores]) -> None:
    floors = json.loads((GOLD / "floors.json").read_text(encoding="utf-8"))
    assert scores["relations"].f1 >= floors["relation_f1"], scores

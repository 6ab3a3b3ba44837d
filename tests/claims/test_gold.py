"""The claims gold set holds its floors: claim detection and speaker attribution, English and Chinese.

Floors live in ``tests/gold/claims/baseline.json`` with a digest of the gold files, so changing the gold
without re-pinning the floors fails here, and a floor is never lowered silently.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from organwatch.claims.evaluate import evaluate, load_gold

GOLD = Path(__file__).resolve().parents[1] / "gold" / "claims"
BASELINE = json.loads((GOLD / "baseline.json").read_text(encoding="utf-8"))


def _digest() -> str:
    sha = hashlib.sha256()
    for path in sorted(GOLD.glob("*.jsonl")):
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def test_gold_is_the_one_the_floors_were_pinned_on() -> None:
    assert BASELINE["digest"] == _digest(), "gold changed: re-measure and re-pin tests/gold/claims/baseline.json"
    for path in GOLD.glob("*.jsonl"):
        for doc in load_gold(path):  # every quote is found in its text
            assert all(doc["text"][c["span"][0] : c["span"][1]] == c["quote"] for c in doc["claims"])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_floors_hold(language: str) -> None:
    files = [p for p in GOLD.glob("*.jsonl") if p.stem == language or p.stem == f"heldout_{language}"]
    scores = evaluate(sorted(files)).to_dict()
    floors = BASELINE["floors"][language]
    for level in ("claims", "claim+speaker"):
        assert scores[level]["f1"] >= floors[level], (language, level, scores[level])

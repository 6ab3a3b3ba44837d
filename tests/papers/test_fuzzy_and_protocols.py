from __future__ import annotations

import random
from pathlib import Path

import pytest

from organwatch.papers.fuzzy import cosine_distance, find_best, jaro_winkler_similarity
from organwatch.papers.protocols import ProtocolError, load_protocol, parse_protocol, shipped


def test_jaro_winkler_known_values() -> None:
    assert jaro_winkler_similarity("MARTHA", "MARHTA") == pytest.approx(0.9611, abs=1e-4)
    assert jaro_winkler_similarity("DIXON", "DICKSONX") == pytest.approx(0.8133, abs=1e-4)
    assert jaro_winkler_similarity("", "abc") == 0.0


def test_running_searches_equal_brute_force() -> None:
    rng = random.Random(7)
    for _ in range(150):
        text = "".join(rng.choice("供体脑死亡后插管ab") for _ in range(rng.randint(1, 50)))
        target = "".join(rng.choice("供体脑死亡后插管ab") for _ in range(rng.randint(1, 9)))
        width = min(len(target), len(text))
        brute = min((cosine_distance(text[i:i + width], target), i) for i in range(len(text) - width + 1))
        found = find_best(text, target)
        assert found is not None and found.start == brute[1] and found.distance == pytest.approx(brute[0])
        jw = min((1 - jaro_winkler_similarity(text[i:i + width], target), i) for i in range(len(text) - width + 1))
        found_jw = find_best(text, target, "jaro_winkler", 0.3)
        assert found_jw is not None
        if jw[0] < 0.3:
            assert found_jw.start == jw[1] and found_jw.distance == pytest.approx(jw[0])


def test_cosine_ignores_order_but_jaro_winkler_does_not() -> None:
    text = "供体插管气管后死亡脑"
    target = "脑死亡后气管插管"
    assert find_best(text, target).distance < 0.28  # type: ignore[union-attr]
    assert find_best(text, target, "jaro_winkler").distance > 0.28  # type: ignore[union-attr]


def test_shipped_protocols_load() -> None:
    assert set(shipped()) >= {"dead-donor-rule", "ethics-reporting"}
    ddr = load_protocol("dead-donor-rule")
    phrases = next(s for s in ddr.stages if s.kind == "phrases")
    assert len(phrases.targets) == 45 and len(set(phrases.targets)) == 45
    assert phrases.metric == "running_cosine" and phrases.threshold == 0.28
    assert phrases.context_window == 70 and phrases.context_any == ("供",)
    assert len(ddr.sha256) == 64
    assert [s.kind for s in load_protocol("ethics-reporting").stages] == ["filter", "ethics"]


@pytest.mark.parametrize(("text", "message"), [
    ("name: x\nversion: 1\nstages: [", "not valid YAML"),
    ("- a list", "YAML mapping"),
    ("name: x\nversion: 1\nstages: []", "non-empty"),
    ("name: x\nversion: 1\nstages: [{kind: magic}]", "unknown kind"),
    ("name: x\nversion: 1\nstages: [{kind: phrases, targets: [a], metric: levenshtein}]", "metric"),
    ("name: x\nversion: 1\nstages: [{kind: filter, include: [{field: title, regex: '('}]}]", "does not compile"),
    ("name: x\nversion: 1\nstages: [{kind: filter, include: [{field: nowhere, terms: [a]}]}]", "field"),
])
def test_bad_protocols_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse_protocol(text, "p.yaml")


def test_missing_protocol_names_shipped_ones(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="dead-donor-rule"):
        load_protocol(tmp_path / "nope.yaml")

"""Scoring against the gold set: precision / recall / F1 per type, exact-span and overlap+canonical.

*Exact*: same type, start and end. *Relaxed*: same type, overlapping spans and the same canonical
(case-folded; numbers compared with a small tolerance; quotes compare their speakers). Each gold item is
matched at most once. Floors live in ``baseline.json`` beside the gold files, with a digest of the gold
set; the floors are checked on the relaxed score (what users act on), the exact score is reported too.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from organwatch.extract.pipeline import extract

TYPES = ("person", "organization", "place", "date", "quantity", "quote")
Item = dict[str, Any]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _norm(value: Any) -> str:
    return str(value).casefold().strip() if value is not None else ""


def _same_meaning(gold: Item, pred: Item) -> bool:
    if gold["type"] == "quote":
        return _norm(gold.get("speaker")) == _norm(pred.get("speaker"))
    if gold["type"] == "quantity":
        for key in ("value", "low", "high"):
            g, p = gold.get(key), pred.get(key)
            if (g is None) != (p is None):
                return False
            if g is not None and p is not None and not math.isclose(float(g), float(p), rel_tol=1e-3):
                return False
        return True
    return _norm(gold.get("canonical")) == _norm(pred.get("canonical"))


def _match(gold: list[Item], pred: list[Item], same: Callable[[Item, Item], bool]) -> Counts:
    counts = Counts()
    used: set[int] = set()
    for p in pred:
        hit = next((i for i, g in enumerate(gold) if i not in used and same(g, p)), None)
        if hit is None:
            counts.fp += 1
        else:
            used.add(hit)
            counts.tp += 1
    counts.fn = len(gold) - len(used)
    return counts


def _exact(g: Item, p: Item) -> bool:
    return bool(g["start"] == p["start"] and g["end"] == p["end"])


def _relaxed(g: Item, p: Item) -> bool:
    return bool(g["start"] < p["end"] and p["start"] < g["end"] and _same_meaning(g, p))


def _items(doc: dict[str, Any]) -> list[Item]:
    return [dict(m) for m in doc["mentions"]] + [dict(q, type="quote") for q in doc["quotes"]]


def load_gold(gold_dir: Path) -> list[dict[str, Any]]:
    docs = []
    for path in sorted(gold_dir.glob("*.json")):
        if path.name != "baseline.json":
            docs.append(json.loads(path.read_text(encoding="utf-8")))
    return docs


def digest(docs: Iterable[dict[str, Any]]) -> str:
    payload = json.dumps(sorted(docs, key=lambda d: d["id"]), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def evaluate(gold_dir: Path) -> dict[str, Any]:
    """Scores per language and type: ``{"en": {"exact": {...}, "relaxed": {...}, "macro_f1": ...}, ...}``."""
    docs = load_gold(gold_dir)
    totals: dict[str, dict[str, dict[str, Counts]]] = {}
    for doc in docs:
        result = extract(doc["text"], doc["language"], doc.get("doc_date")).to_dict(selectors=False)
        pred = [dict(m) for m in result["mentions"]] + [dict(q, type="quote") for q in result["quotes"]]
        gold = _items(doc)
        lang = totals.setdefault(doc["language"], {"exact": {}, "relaxed": {}})
        for kind in TYPES:
            g = [i for i in gold if i["type"] == kind]
            p = [i for i in pred if i["type"] == kind]
            for mode, same in (("exact", _exact), ("relaxed", _relaxed)):
                c = _match(g, p, lambda a, b, s=same: s(a, b))  # type: ignore[misc]
                acc = lang[mode].setdefault(kind, Counts())
                acc.tp, acc.fp, acc.fn = acc.tp + c.tp, acc.fp + c.fp, acc.fn + c.fn
    report: dict[str, Any] = {"documents": len(docs), "digest": digest(docs), "languages": {}}
    for language, modes in sorted(totals.items()):
        out: dict[str, Any] = {}
        for mode_name, per_type in modes.items():
            scores = {kind: per_type[kind].scores() for kind in TYPES if kind in per_type}
            out[mode_name] = scores
            out[f"{mode_name}_macro_f1"] = round(sum(s["f1"] for s in scores.values()) / len(scores), 4)
        report["languages"][language] = out
    return report


def check_floors(report: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Every score below its pinned floor, as readable lines (empty when all floors hold)."""
    failures = []
    mode = baseline.get("metric", "relaxed")
    for lang, floors in baseline.get("floors", {}).items():
        scores = report["languages"].get(lang, {})
        for key, floor in floors.items():
            actual = (
                scores.get(f"{mode}_macro_f1") if key == "macro_f1" else scores.get(mode, {}).get(key, {}).get("f1")
            )
            if actual is None or actual + 1e-9 < floor:
                failures.append(f"{lang} {key} F1 {actual} is below its floor {floor}")
    return failures


def new_baseline(report: dict[str, Any], margin: float = 0.01) -> dict[str, Any]:
    """Floors just under the current relaxed scores (a small margin absorbs float noise, not regressions)."""
    floors = {}
    for lang, scores in report["languages"].items():
        f = {kind: round(max(0.0, s["f1"] - margin), 3) for kind, s in scores["relaxed"].items()}
        f["macro_f1"] = round(max(0.0, scores["relaxed_macro_f1"] - margin), 3)
        floors[lang] = f
    return {"metric": "relaxed", "note": "F1 floors on the relaxed (overlap + same canonical) match; "
            "lower only with --allow-lower", "digest": report["digest"], "documents": report["documents"],
            "floors": floors}  # fmt: skip

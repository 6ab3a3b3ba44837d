"""Score resolution and relations against a gold folder (``gold.json`` + ``docs/*.txt``).

Resolution is scored pairwise over the gold items (a document and a name in it): a pair is positive when
gold puts both names in one entity; the system agrees when it links both to one entity. An item the extractor
missed is a singleton, so it costs recall. Relations match on document, schema, subject and object (the
object's words overlapping by half or more; Associate links are unordered).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from organwatch.resolve.merge import DocumentIn, MentionIn, local_entities, resolve
from organwatch.resolve.names import fold, has_han, name_keys
from organwatch.resolve.relations import Relation, read_relations
from organwatch.text.chinese import to_simplified


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 with their counts."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    gold: int

    @classmethod
    def of(cls, tp: int, predicted: int, gold: int) -> Scores:
        p = tp / predicted if predicted else 1.0
        r = tp / gold if gold else 1.0
        return cls(round(p, 4), round(r, 4), round(2 * p * r / (p + r), 4) if p + r else 0.0, tp, predicted, gold)


def load_documents(folder: Path) -> tuple[dict[str, Any], list[DocumentIn], dict[str, int]]:
    """Read the gold file and extract its documents with the real extractor."""
    from organwatch.extract import extract

    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    docs: list[DocumentIn] = []
    ids: dict[str, int] = {}
    next_id = 0
    for number, path in enumerate(sorted((folder / "docs").glob("*.txt")), 1):
        text = path.read_text(encoding="utf-8")
        result = extract(text, doc_date=gold.get("doc_dates", {}).get(path.stem))
        mentions = []
        for m in result.mentions:
            next_id += 1
            mentions.append(MentionIn(next_id, number, m.type, m.text, m.start, m.end, m.canonical, m.value))
        docs.append(DocumentIn(number, text, mentions, result.language, result.doc_date))
        ids[path.stem] = number
    return gold, docs, ids


def _norm(text: str) -> str:
    return fold(to_simplified(text)) if not has_han(text) else to_simplified(re.sub(r"\s", "", text))


def _words(text: str) -> set[str]:
    if has_han(text):
        simplified = to_simplified(text)
        return {simplified[i : i + 2] for i in range(max(1, len(simplified) - 1))}
    return {w for w in fold(text).split() if w not in {"the", "of", "in", "city"}}


def _same_name(a: str, b: str) -> bool:
    if _norm(a) == _norm(b):
        return True
    return any(name_keys(a, kind) & name_keys(b, kind) for kind in ("person", "organization"))


def score_resolution(gold: dict[str, Any], docs: list[DocumentIn], ids: dict[str, int]) -> Scores:
    """Pairwise precision/recall of the entity links over the gold items."""
    result = resolve(docs)
    by_doc: dict[int, list[tuple[str, str]]] = {}
    for (doc_id, _kind, name), entity in result.local_entity.items():
        by_doc.setdefault(doc_id, []).append((name, entity))
    system: list[str | None] = []
    for doc, name, _ in gold["mentions"]:
        candidates = by_doc.get(ids[doc], [])
        # The name as written first: 王军 and 王君 share a romanisation but are different names.
        exact: list[str | None] = [entity for local_name, entity in candidates if _norm(local_name) == _norm(name)]
        keyed: list[str | None] = [entity for local_name, entity in candidates if _same_name(local_name, name)]
        system.append((exact or keyed or [None])[0])
    tp = predicted = positives = 0
    for (i, a), (j, b) in itertools.combinations(enumerate(gold["mentions"]), 2):
        same_gold = a[2] == b[2]
        same_system = system[i] is not None and system[i] == system[j]
        positives += same_gold
        predicted += same_system
        tp += same_gold and same_system
    return Scores.of(tp, predicted, positives)


def _relation_matches(item: dict[str, Any], rel: Relation) -> bool:
    if rel.schema != item["type"]:
        return False
    target = rel.position if rel.object is None or item["type"] == "Occupancy" else rel.object[1]
    ends = [(rel.subject[1], target or "")]
    if rel.schema == "Associate" and rel.object:
        ends.append((rel.object[1], rel.subject[1]))
    for subject, obj in ends:
        if not _same_name(subject, item["subject"]):
            continue
        gold_words, sys_words = _words(item["object"]), _words(obj)
        if gold_words and len(gold_words & sys_words) / len(gold_words | sys_words) >= 0.5:
            return True
    return False


def score_relations(gold: dict[str, Any], docs: list[DocumentIn], ids: dict[str, int]) -> Scores:
    """Precision/recall/F1 of the relations read from the gold documents."""
    predicted = {doc.id: read_relations(doc, local_entities(doc)) for doc in docs}
    total = sum(len(v) for v in predicted.values())
    used: set[int] = set()
    tp = 0
    for item in gold["relations"]:
        for rel in predicted.get(ids[item["doc"]], []):
            if id(rel) not in used and _relation_matches(item, rel):
                used.add(id(rel))
                tp += 1
                break
    return Scores.of(tp, total, len(gold["relations"]))


def evaluate(folder: Path) -> dict[str, Scores]:
    """Both scores for one gold folder."""
    gold, docs, ids = load_documents(folder)
    return {"resolution": score_resolution(gold, docs, ids), "relations": score_relations(gold, docs, ids)}


# -- floors: pinned with a digest of the gold, never lowered without saying so ----------------------------------------

FLOOR_KEYS = {"resolution_precision": ("resolution", "precision"), "resolution_recall": ("resolution", "recall"),
              "resolution_f1": ("resolution", "f1"), "relation_f1": ("relations", "f1")}


def gold_digest(folder: Path) -> str:
    """SHA-256 over ``gold.json`` and every ``docs/*.txt`` (names and bytes): floors belong to one gold set."""
    digest = hashlib.sha256((folder / "gold.json").read_bytes())
    for path in sorted((folder / "docs").glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def check_floors(folder: Path, scores: dict[str, Scores]) -> list[str]:
    """One line per broken rule: the gold changed since the floors were pinned, or a score is below its floor."""
    floors = json.loads((folder / "floors.json").read_text(encoding="utf-8"))
    problems = []
    if floors.get("digest") != gold_digest(folder):
        problems.append("the resolution gold changed since its floors were pinned: measure and pin again with "
                        "`python -m organwatch.resolve.evaluate --update-floors`")
    for key, (area, metric) in FLOOR_KEYS.items():
        value = getattr(scores[area], metric)
        if key in floors and value < floors[key]:
            problems.append(f"{key} {value:.4f} is below its floor {floors[key]:.4f}")
    return problems


def update_floors(folder: Path, scores: dict[str, Scores], *, allow_lower: bool = False) -> dict[str, Any]:
    """Pin the current scores (rounded down) as floors with the gold's digest; lowering one needs ``allow_lower``."""
    path = folder / "floors.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    new: dict[str, Any] = {"note": old.get("note", "Floors on the resolution gold; lower only with --allow-lower."),
                           "digest": gold_digest(folder)}
    lowered = []
    for key, (area, metric) in FLOOR_KEYS.items():
        new[key] = math.floor(getattr(scores[area], metric) * 1000) / 1000
        if key in old and new[key] < old[key]:
            lowered.append(f"{key} {old[key]} → {new[key]}")
    if lowered and not allow_lower:
        raise ValueError(f"refusing to lower floors ({', '.join(lowered)}); pass --allow-lower to do it")
    path.write_text(json.dumps(new, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return new


def main(argv: list[str] | None = None) -> int:
    """``python -m organwatch.resolve.evaluate [FOLDER] [--update-floors [--allow-lower]]``: print the scores,
    check (or pin) the floors; exit 1 when a floor breaks or a lowering is refused."""
    import argparse

    parser = argparse.ArgumentParser(description="Score resolution and relations against a gold folder.")
    parser.add_argument("folder", type=Path, nargs="?", default=Path("tests/gold/resolution"))
    parser.add_argument("--update-floors", action="store_true", help="Pin the current scores as floors.")
    parser.add_argument("--allow-lower", action="store_true", help="Let --update-floors lower a floor.")
    args = parser.parse_args(argv)
    if not (args.folder / "gold.json").is_file():
        print(f"error: {args.folder}: no gold.json in this folder", file=sys.stderr)
        return 1
    scores = evaluate(args.folder)
    for area, s in scores.items():
        print(f"{area}: P {s.precision:.4f} R {s.recall:.4f} F1 {s.f1:.4f} ({s.true_positives}/{s.predicted} "
              f"predicted, {s.gold} gold)")
    if args.update_floors:
        try:
            update_floors(args.folder, scores, allow_lower=args.allow_lower)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {args.folder / 'floors.json'}")
        return 0
    problems = check_floors(args.folder, scores)
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

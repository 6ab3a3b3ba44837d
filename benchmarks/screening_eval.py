"""Evaluate literature screening on the Robertson & Lavee (2022) reference data in ../shared/data/ajt2022.

1. The dead-donor-rule judgement on every coded dev excerpt (``excerpts_dev.csv``, column ``text``):
   precision and recall of the flag against the published coding (``included``). Baseline, from the
   same rows: flagging every excerpt, which is what phrase matching alone does (all coded excerpts were
   selected by it). Goal: recall >= 0.95 at precision >= 0.90.
2. The whole shipped protocol (pre-filter -> running-cosine phrases -> judgement) on the same rows, once
   with the code's running cosine and once with the manuscript's Jaro-Winkler, to show which metric
   reproduces the selection.
3. The screen on the full-text sample (``fulltext_sample/*.txt``, labels from MANIFEST.csv), imported
   into a real temporary case end to end.

Only the dev split is read; the unlabelled test split is never opened. Exit status 1 if the goal is missed.

    python benchmarks/screening_eval.py       # uses ../shared/data, or $ORGANWATCH_REFERENCE_DATA
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from organwatch import init_case, settings
from organwatch.papers.donor_sequence import judge
from organwatch.papers.importers import parse_csv
from organwatch.papers.protocols import load_protocol
from organwatch.papers.screen import screen
from organwatch.papers.workflow import import_paths, run_screen

REPO = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    override = settings.get("ORGANWATCH_REFERENCE_DATA")
    return Path(override) if override else REPO.parent / "shared" / "data"


def scores(flags: dict[str, bool], gold: dict[str, bool]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for k, f in flags.items() if f and gold[k])
    fp = sum(1 for k, f in flags.items() if f and not gold[k])
    fn = sum(1 for k, f in flags.items() if not f and gold[k])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, tp, fp, fn


def main() -> int:
    folder = data_dir() / "ajt2022"
    dev = folder / "excerpts_dev.csv"
    if not dev.is_file():
        print(f"screening_eval: skipped: {folder} is absent (set ORGANWATCH_REFERENCE_DATA to the shared data "
              "folder to run it)")
        return 0
    with dev.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    gold = {r["id"]: r["included"] == "yes" for r in rows}
    print(f"dev split: {len(rows)} coded excerpts, {sum(gold.values())} included (published coding)\n")

    started = time.perf_counter()
    judged = {r["id"]: judge(r["text"]) for r in rows}
    elapsed = time.perf_counter() - started
    p, r, tp, fp, fn = scores({k: j.flagged for k, j in judged.items()}, gold)
    bp, br, *_ = scores({k: True for k in gold}, gold)
    print("1. dead-donor-rule judgement on the excerpt text")
    print(f"   baseline (flag every phrase-matched excerpt): precision {bp:.3f}  recall {br:.3f}")
    print(f"   sequence judgement:                           precision {p:.3f}  recall {r:.3f}  "
          f"(tp {tp}, fp {fp}, fn {fn}; {elapsed * 1000 / len(rows):.1f} ms per excerpt)")
    for key, j in judged.items():
        if j.flagged != gold[key]:
            print(f"   disagreement {key}: coded {'included' if gold[key] else 'not included'}, screen says "
                  f"score {j.score}: {j.summary}")
    goal = r >= 0.95 and p >= 0.90
    print(f"   goal recall >= 0.95 at precision >= 0.90: {'met' if goal else 'NOT met'}\n")

    batch = parse_csv(dev.read_bytes(), str(dev))
    protocol = load_protocol("dead-donor-rule")
    print("2. whole shipped protocol (pre-filter, phrase match with 供 within ±70, judgement)")
    for metric in ("running_cosine", "jaro_winkler"):
        stages = tuple(replace(s, metric=metric) if s.kind == "phrases" else s for s in protocol.stages)
        started = time.perf_counter()
        results = screen(replace(protocol, stages=stages), batch.records)
        elapsed = time.perf_counter() - started
        matched = sum(1 for x in results if x.stage != "target phrases")
        p2, r2, *_ = scores({x.record_id: x.decision == "included" for x in results}, gold)
        print(f"   {metric:<15} phrase stage keeps {matched}/{len(results)} coded excerpts; flag precision "
              f"{p2:.3f} recall {r2:.3f} ({elapsed:.2f} s)")
    print("   (every coded excerpt was selected upstream by the phrase match on the full text; excerpts are "
          "shorter, so a miss here is a trimmed window, not a disagreement)\n")

    sample = folder / "fulltext_sample"
    manifest = sample / "MANIFEST.csv"
    if manifest.is_file():
        with manifest.open(encoding="utf-8", newline="") as handle:
            labels = {row["id"]: row["included"] == "yes" for row in csv.DictReader(handle)}
        with tempfile.TemporaryDirectory() as tmp:
            os.environ.setdefault("ORGANWATCH_SYNC", "off")
            case = init_case(Path(tmp) / "case", name="screening eval")
            texts = [p for p in sorted(sample.glob("*.txt"))]
            summary = import_paths(case, texts, note="AJT 2022 full-text sample (evaluation)")
            _, results = run_screen(case, protocol)
            _, ethics_results = run_screen(case, load_protocol("ethics-reporting"))
            case.store.close()
        flags = {x.record_id: x.decision == "included" for x in results if x.record_id in labels}
        p3, r3, tp3, fp3, fn3 = scores(flags, labels)
        print(f"3. full-text sample: {summary.records_from_fulltext} texts imported into a case and screened "
              f"with the shipped protocol")
        print(f"   precision {p3:.3f}  recall {r3:.3f}  (tp {tp3}, fp {fp3}, fn {fn3}; {len(labels)} texts)")
        for x in results:
            if x.record_id in labels:
                print(f"   {x.record_id} coded {'yes' if labels[x.record_id] else 'no '} -> {x.decision:<8} "
                      f"at {x.stage}: {x.reasons[-1].message if x.reasons else ''}")
        checks = sorted({k for x in ethics_results for k in x.flags})
        print("   ethics-reporting protocol on the same texts (Chinese papers; papers reporting each item): "
              + ", ".join(f"{c} {sum(1 for x in ethics_results if x.flags.get(c))}/{len(ethics_results)}"
                          for c in checks))
    return 0 if goal else 1


if __name__ == "__main__":
    sys.exit(main())

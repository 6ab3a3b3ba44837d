"""Start-up time of the ``organwatch`` command, against starting Python itself.

A command that does not read text or extract names should not pay for loading jieba, OpenCC, pypinyin,
spaCy or a model: people run ``organwatch --help``, ``list`` and ``verify`` often. In the same run this
measures, best of N fresh processes each:

* baseline: ``python -c pass`` (the interpreter with site-packages, nothing of ours);
* ``organwatch --help``, ``organwatch add --help``, ``organwatch search --help``;
* ``organwatch --version``.

Goal: ``organwatch --help`` at most 0.3 s above the baseline.

Usage: python benchmarks/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

GOAL_OVER_BASELINE = 0.3


def best_of(argv: list[str], runs: int) -> float:
    """The fastest of ``runs`` fresh runs of ``argv``, in seconds (the least disturbed by other work)."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable
    baseline = best_of([python, "-c", "pass"], args.runs)
    print(f"{'command':<34} {'best s':>8} {'over baseline':>14}")
    print(f"{'python -c pass (baseline)':<34} {baseline:8.3f} {'':>14}")
    verdict = 0
    for label, argv in (("organwatch --help", ["--help"]), ("organwatch --version", ["--version"]),
                        ("organwatch add --help", ["add", "--help"]),
                        ("organwatch search --help", ["search", "--help"])):
        seconds = best_of([python, "-m", "organwatch", *argv], args.runs)
        over = seconds - baseline
        print(f"{label:<34} {seconds:8.3f} {over:+14.3f}")
        if label == "organwatch --help" and over > GOAL_OVER_BASELINE:
            verdict = 1
    print(f"goal: organwatch --help <= baseline + {GOAL_OVER_BASELINE} s: {'met' if verdict == 0 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

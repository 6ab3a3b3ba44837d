"""Extraction speed: tokens/s/core (English) and characters/s/core (Chinese) at 10 KB → 5 MB.

Baseline in the same run: jieba's own segmentation + POS tagging (jieba.posseg) on the same Chinese text,
reported as a ratio. Goals (issue 5): ≥ 20,000 English tokens/s/core, ≥ 10,000 Chinese chars/s/core, and
time growing linearly with text length (the per-size rates should stay flat).

    .venv/bin/python benchmarks/extract.py [--sizes 10000,100000,1000000,5000000]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from organwatch.extract import extract
from organwatch.extract.chinese import pos_words
from organwatch.text import to_simplified_aligned

GOLD = Path(__file__).resolve().parents[1] / "tests" / "gold" / "sources"


def _corpus(language: str) -> str:
    raw = (GOLD / f"{language}.txt").read_text(encoding="utf-8")
    text = re.sub(r"=== .*\n", "\n", re.sub(r"\{[^}]*\}", "", raw.replace("⟦", "").replace("⟧", "")))
    return text


def _sized(text: str, size: int) -> str:
    """Paragraphs of the gold corpus repeated until the UTF-8 size is reached."""
    out, total = [], 0
    while total < size:
        out.append(text)
        total += len(text.encode())
    joined = "".join(out)
    while len(joined.encode()) > size:
        joined = joined[: int(len(joined) * 0.99)]
    return joined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000,5000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    extract("warm up Wang Lijun.", "en")
    extract("预热王立军。", "zh")
    print(f"{'lang':<4} {'bytes':>9} {'seconds':>8} {'rate':>14}   baseline")
    en, zh = _corpus("en"), _corpus("zh")
    for size in sizes:
        text = _sized(en, size)
        tokens = len(re.findall(r"\w+|[^\w\s]", text))
        t0 = time.process_time()
        extract(text, "en")
        seconds = time.process_time() - t0
        print(f"{'en':<4} {size:>9} {seconds:>8.2f} {tokens / seconds:>9,.0f} tok/s")
    for size in sizes:
        text = _sized(zh, size)
        t0 = time.process_time()
        extract(text, "zh")
        seconds = time.process_time() - t0
        t0 = time.process_time()
        pos_words(to_simplified_aligned(text))
        jieba_seconds = time.process_time() - t0
        rate = len(text) / seconds
        print(f"{'zh':<4} {size:>9} {seconds:>8.2f} {rate:>8,.0f} chars/s   jieba.posseg {len(text) / jieba_seconds:,.0f} "  # noqa: E501
              f"chars/s (ours = {jieba_seconds / seconds:.2f}x jieba's speed)")  # fmt: skip


if __name__ == "__main__":
    main()

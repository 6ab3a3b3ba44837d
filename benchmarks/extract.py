"""Extraction speed: tokens/s/core (English) and characters/s/core (Chinese), end to end, at 10 KB → 1 MB.

Baselines in the same run, on the same text: the bare models alone (spaCy en_core_web_sm with only its NER
component, as extraction loads it, and with every component, as ``spacy.load`` gives it; Baidu LAC on ONNX
Runtime), and jieba's segmentation + POS tagging. CPU time of this process
(``process_time``), so the figures are per core even on a busy machine. Goals: ≥ 10,000 English tokens/s and
≥ 20,000 Chinese characters/s per core end to end, rates flat across sizes (linear time). Texts above
``MODEL_MAX_CHARS`` (2,000,000 characters) are read by rules alone; a 5 MB size shows that path.

    .venv/bin/python benchmarks/extract.py [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import re
import time
import warnings
from pathlib import Path
from typing import Any

from organwatch.extract import extract, models
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


def _default_spacy() -> Any:
    """The English model as ``spacy.load`` gives it (every component): the speed a user of spaCy would see."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import spacy

        return spacy.load(models.ENGLISH_PACKAGE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    extract("warm up Wang Lijun.", "en")
    extract("预热王立军。", "zh")
    english_model, chinese_model = models.english_model(), models.chinese_model()
    full = _default_spacy() if english_model is not None else None
    print(f"{'lang':<4} {'bytes':>9} {'seconds':>8} {'rate (ours, end to end)':>24}   baselines in the same run")
    en, zh = _corpus("en"), _corpus("zh")
    for size in sizes:
        text = _sized(en, size)
        tokens = len(re.findall(r"\w+|[^\w\s]", text))
        t0 = time.process_time()
        extract(text, "en")
        seconds = time.process_time() - t0
        line = f"{'en':<4} {size:>9} {seconds:>8.2f} {tokens / seconds:>16,.0f} tok/s"
        if english_model is not None:
            nlp = english_model[0]
            t0 = time.process_time()
            for _ in nlp.pipe(text[i : i + 20_000] for i in range(0, len(text), 20_000)):
                pass
            bare = time.process_time() - t0
            line += f"   bare spaCy NER {tokens / bare:,.0f} tok/s (ours = {bare / seconds:.2f}x)"
            if full is not None:
                t0 = time.process_time()
                for _ in full.pipe(text[i : i + 20_000] for i in range(0, len(text), 20_000)):
                    pass
                line += f"   spaCy sm, default load {tokens / (time.process_time() - t0):,.0f} tok/s"
        print(line)
    for size in sizes:
        text = _sized(zh, size)
        t0 = time.process_time()
        extract(text, "zh")
        seconds = time.process_time() - t0
        simplified = to_simplified_aligned(text)
        t0 = time.process_time()
        pos_words(simplified)
        jieba_seconds = time.process_time() - t0
        line = f"{'zh':<4} {size:>9} {seconds:>8.2f} {len(text) / seconds:>14,.0f} chars/s"
        if chinese_model is not None:
            t0 = time.process_time()
            chinese_model[0].tag(simplified)
            bare = time.process_time() - t0
            line += f"   bare LAC {len(text) / bare:,.0f} chars/s (ours = {bare / seconds:.2f}x)"
        print(line + f"   jieba.posseg {len(text) / jieba_seconds:,.0f} chars/s")


if __name__ == "__main__":
    main()

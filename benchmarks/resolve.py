"""Entity resolution throughput and peak memory on synthetic mentions (10k, 100k, 1M), against a baseline.

The resolve stage runs in a child process over a real SQLite store (built beforehand, streamed), as a full
run: documents are read and their local entities written in batches, then blocks are resolved one batch at a
time; the child's peak resident memory is reported (and its growth over the interpreter at start).

Synthetic corpus: documents of 20 mentions each, names drawn from a pool of Chinese personal names written in
simplified, traditional and Latin script (and a few organisations), so blocking meets the cross-script case.
Baseline, measured in the same run: all-pairs comparison of the distinct names with rapidfuzz Jaro–Winkler
(what a matcher without blocking does), timed on a sample and extrapolated quadratically.

Usage: python benchmarks/resolve.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz.distance import JaroWinkler

from organwatch.resolve.merge import DocumentIn, MentionIn
from organwatch.resolve.names import romanise
from organwatch.text.chinese import to_traditional

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "立军伟芳娜敏静丽强磊洋艳勇杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建国文辉力永健世广志"
    "义兴良海山仁波宁贵福生龙元全胜学祥才发"
)


def name_pool(size: int, rng: random.Random) -> list[str]:
    names = set()
    while len(names) < size:
        names.add(rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))))
    return sorted(names)


def corpus(mentions: int, seed: int = 7) -> list[DocumentIn]:
    rng = random.Random(seed)
    pool = name_pool(max(50, mentions // 40), rng)
    docs = []
    next_id = 0
    for doc_id in range(mentions // 20):
        items = []
        for _ in range(20):
            han = rng.choice(pool)
            form = rng.random()
            name = han if form < 0.4 else to_traditional(han) if form < 0.5 else romanise(han)
            next_id += 1
            items.append(MentionIn(next_id, doc_id, "person", name, 0, len(name), name))
        docs.append(DocumentIn(doc_id, "", items))
    return docs


def build_store(path: Path, size: int) -> None:
    """A real SQLite store (all migrations) holding the synthetic documents and mentions, loaded in a stream."""
    from organwatch.store.sqlite.store import SQLiteStore

    store = SQLiteStore(path)
    store.migrate()
    conn = store._connect()
    conn.execute("PRAGMA foreign_keys = OFF")  # one synthetic capture stands for every document's source
    conn.execute("BEGIN")
    conn.execute("INSERT INTO captures (id, size, media_type, first_seq, captured_at) VALUES "
                 "('synthetic', 0, 'text/plain', 0, '2024-01-01')")
    for doc in corpus(size):
        conn.execute("INSERT INTO documents (id, capture_id, locator, status, language, text, processed_at) VALUES "
                     "(?, 'synthetic', ?, 'ok', 'zh-Hans', ?, '2024-01-01')",
                     (doc.id + 1, f"doc:{doc.id}", " ".join(m.text for m in doc.mentions)))
        conn.executemany(
            "INSERT INTO mentions (id, document_id, type, text, start_char, end_char, canonical, extractor, "
            "extractor_version) VALUES (?, ?, ?, ?, ?, ?, ?, 'synthetic', '0')",
            [(m.id, doc.id + 1, m.type, m.text, m.start, m.end, m.canonical) for m in doc.mentions])
    conn.execute("COMMIT")
    conn.close()
    store.close()


def _rss_kib() -> int:
    """Resident memory now (Linux), in KiB; the peak since start where /proc is absent."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def measure_stage(path: Path) -> None:
    """Child process: run the resolve stage over the whole store; print seconds, peak RSS growth and entities."""
    from organwatch.stages.resolve import resolve_documents
    from organwatch.store.sqlite.store import SQLiteStore

    store = SQLiteStore(path)
    before = _rss_kib()
    start = time.perf_counter()
    summary = resolve_documents(store, full=True)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "peak_kib": peak, "start_kib": before, "entities": summary.entities,
                      "suggestions": summary.suggestions}))


def measure(size: int) -> tuple[float, float, float, int]:
    """Mentions/s, peak RSS of the stage process and its growth over the process at start (MiB), entities."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        build_store(path, size)
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True, capture_output=True,
                             text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}).stdout
    found = json.loads(out.strip().splitlines()[-1])
    return (size / found["seconds"], found["peak_kib"] / 1024, (found["peak_kib"] - found["start_kib"]) / 1024,
            found["entities"])


def baseline(size: int, sample: int = 2000) -> float:
    """Mentions per second of an all-pairs matcher over the distinct names of ``size`` mentions."""
    names = sorted({m.text for d in corpus(min(size, 20000)) for m in d.mentions})[:sample]
    start = time.perf_counter()
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            JaroWinkler.similarity(a, b)
    per_pair = (time.perf_counter() - start) / (len(names) * (len(names) - 1) / 2)
    distinct = size // 40 * 2.2  # names in three scripts from a pool of size/40
    return size / (per_pair * distinct * distinct / 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure_stage(args.child)
        return
    print(f"{'mentions':>10} {'mentions/s':>12} {'peak RSS MiB':>13} {'growth MiB':>11} {'entities':>9} "
          f"{'all-pairs baseline m/s':>23}")
    for size in args.sizes:
        rate, peak, growth, entities = measure(size)
        print(f"{size:>10} {rate:>12,.0f} {peak:>13.1f} {growth:>11.1f} {entities:>9} {baseline(size):>23,.0f}",
              flush=True)


if __name__ == "__main__":
    main()

"""Entity resolution throughput and peak memory on synthetic mentions (10k, 100k, 1M), against a baseline.

Synthetic corpus: documents of 20 mentions each, names drawn from a pool of Chinese personal names written in
simplified, traditional and Latin script (and a few organisations), so blocking meets the cross-script case.
Baseline, measured in the same run: all-pairs comparison of the distinct names with rapidfuzz Jaro–Winkler
(what a matcher without blocking does), timed on a sample and extrapolated quadratically.

Usage: python benchmarks/resolve.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc

from rapidfuzz.distance import JaroWinkler

from organwatch.resolve.merge import DocumentIn, MentionIn, resolve
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


def measure(size: int) -> tuple[float, float, int]:
    docs = corpus(size)
    start = time.perf_counter()
    result = resolve(docs)
    elapsed = time.perf_counter() - start
    entities = len(result.entities)
    del result
    tracemalloc.start()  # a second run for memory: tracing slows Python down, so it is not timed
    resolve(docs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return size / elapsed, peak / 2**20, entities


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
    args = parser.parse_args()
    print(f"{'mentions':>10} {'mentions/s':>12} {'peak MiB':>9} {'entities':>9} {'all-pairs baseline m/s':>23}")
    for size in args.sizes:
        rate, peak, entities = measure(size)
        print(f"{size:>10} {rate:>12,.0f} {peak:>9.1f} {entities:>9} {baseline(size):>23,.0f}", flush=True)


if __name__ == "__main__":
    main()

"""Scaling out: text+extract throughput on 1, 2 and 4 Dask worker processes, and PostgreSQL vs SQLite
search latency, over one generated corpus.

In the same run it measures:

* baseline: the embedded pipeline (``Case.add`` with text and extract, SQLite; its own ``--jobs``
  worker processes, one per core; no semantic embeddings, which the cluster stages do not compute);
* the same corpus archived first, then read and extracted by ``--cluster local:N`` for N = 1, 2, 4
  (the archive step itself is the one writer and is timed apart); speed-up per worker is against
  the ``local:1`` run, and the embedded run shows what Dask's overhead costs;
* the resolve stage run again over the whole case (``reprocess --stage resolve``): in process (the
  baseline) and with its blocks decided on ``local:N`` (``--cluster``), the one writer's share shown;
* the same searches (English words, phrases, Chinese 3+ characters, 1-2 Chinese characters) on the
  SQLite case and on a copy of it on a throwaway PostgreSQL server (``organwatch migrate``), median and
  95th percentile over repetitions, side by side with their ratio, and the same hit totals checked.

Needs Debian's postgresql package (``make test`` installs it) and the cluster extra (dask[distributed]).

Usage: python benchmarks/scale.py [--docs 400] [--workers 1,2,4] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.pgcluster

os.environ.setdefault("ORGANWATCH_SYNC", "off")
os.environ.setdefault("ORGANWATCH_PROGRESS", "none")
# The cluster stages do not embed documents for semantic search; nor does the baseline, or it would mostly
# measure the embedding model (about five sixths of an embedded `add` on this corpus).
os.environ.setdefault("ORGANWATCH_EMBED", "off")

from tests.pgcluster import throwaway_cluster

import organwatch
from organwatch.distributed import process_on_cluster
from organwatch.distributed.resolve import ClusterPlanner
from organwatch.distributed.stages import connect
from organwatch.stages.resolve import resolve_documents

EN = ("the hospital in Jinzhou reported that liver transplant patients waited one to two weeks for a donor; "
      "Kilgour and Matas estimated the number of unexplained transplants; the tribunal heard witnesses; "
      "Wang Lijun ran a police research centre; official statistics counted deceased donors").split("; ")
ZH = ("锦州市公安局现场心理研究中心开展器官移植研究", "肝脏移植患者一般等待一至两周即可获得合适供体",
      "黄洁夫宣布公民自愿捐献成为唯一合法器官来源", "王立军曾任重庆市副市长兼公安局局长",
      "医院网站宣传的等待时间极短", "调查人员以患者家属身份致电医院")
SEARCHES = ["Wang Lijun", "liver transplant", '"one to two weeks"', "donor*", "器官移植", "王立军", "肝", "器官",
            "公安局 研究"]


def _vocabulary(rng: random.Random, count: int) -> list[str]:
    """Made-up words of two or three syllables: pages differ in their words as real reports do."""
    syllables = ["ka", "lo", "mi", "ren", "to", "sha", "vel", "dor", "pin", "qua", "ber", "sol", "tan", "ey", "gru"]
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(syllables) for _ in range(rng.choice((2, 3)))))
    return sorted(words)


_HAN = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就"
        "分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经")


def make_corpus(folder: Path, count: int, seed: int = 3) -> int:
    """``count`` HTML pages, about a third Chinese, 2-6 KB of text each; returns total bytes.

    About one sentence in six is a fixed sentence about the subject (what the searches look for); the rest
    are random words, so pages are not near-duplicates of each other (a corpus of a few sentences
    shuffled would make every page a reprint of every other, and searches would measure the grouping
    of duplicates, not search). Every 25th page is a reprint of the one before, as syndicated news is.
    """
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, 3000)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    previous = b""
    for i in range(count):
        chinese = i % 3 == 0
        sentences = []
        for _ in range(rng.randint(20, 60)):
            if rng.random() < 1 / 6:
                sentences.append(rng.choice(ZH if chinese else EN))
            elif chinese:
                sentences.append("".join(rng.choice(_HAN) for _ in range(rng.randint(12, 30))))
            else:
                sentences.append(" ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 16))).capitalize())
        body = ("。" if chinese else ". ").join(sentences)
        title = f"{'报道' if chinese else 'Report'} {i}: {sentences[0][:30]}"
        data = (f"<!doctype html><html><head><meta charset=utf-8><title>{title}</title></head><body>"
                f"<h1>{title}</h1><p>{body}</p><p>Page {i}, published 20{10 + i % 10}-0{1 + i % 9}-1{i % 9}.</p>"
                "</body></html>").encode()
        if i % 25 == 24 and previous:  # a reprint: the same article under another page number
            data = previous.replace(b"</body>", f"<p>Reprinted as page {i}.</p></body>".encode())
        (folder / f"page-{i:05}.html").write_bytes(data)
        previous = data
        total += len(data)
    return total


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="organwatch-scale-"))
    try:
        corpus = work / "corpus"
        size = make_corpus(corpus, args.docs)
        print(f"corpus: {args.docs} HTML pages, {size / 1e6:.1f} MB; {os.cpu_count()} CPU core(s)")
        embedded = organwatch.init_case(work / "embedded")
        seconds = timed(lambda: embedded.add([corpus], text=True, extract=True))
        base_rate = args.docs / seconds
        print(f"baseline  embedded add+text+extract (SQLite, --jobs = cores): {seconds:7.1f} s  "
              f"{base_rate:6.1f} docs/s")
        resolve_base = timed(lambda: resolve_documents(embedded.store, full=True))
        print(f"baseline  resolve stage, full run in process: {resolve_base:7.2f} s")
        one_worker_rate = None
        for n in [int(x) for x in args.workers.split(",")]:
            case = organwatch.init_case(work / f"cluster-{n}")
            archive = timed(lambda c=case: c.add([corpus], text=False))
            with case.store.view() as view:
                ids = view.archive.capture_ids()
            with connect(f"local:{n}") as client:
                client.submit(len, [1]).result()  # workers up before timing
                client.run(lambda: __import__("organwatch.extract") and None)  # warm imports on every worker
                start = time.perf_counter()
                run = process_on_cluster(case, ids, client)
                stage = time.perf_counter() - start
                planner = ClusterPlanner(client)
                resolve_seconds = timed(lambda c=case, p=planner: resolve_documents(c.store, full=True, planner=p))
            rate = args.docs / stage
            one_worker_rate = one_worker_rate or rate
            print(f"local:{n}   archive {archive:6.1f} s (one writer) + text+extract {stage:7.1f} s  {rate:6.1f} docs/s"
                  f"  speed-up vs local:1 {rate / one_worker_rate:4.2f}x ({rate / one_worker_rate / n:4.2f} per "
                  f"worker); vs embedded {rate / base_rate:4.2f}x; the one writer busy {run.writing_seconds:5.1f} s, "
                  f"waiting for workers {run.waiting_seconds:5.1f} s")
            print(f"local:{n}   resolve stage, full run, blocks on the cluster: {resolve_seconds:7.2f} s "
                  f"({planner.tasks} task(s); waiting for workers {planner.waiting_seconds:5.2f} s) vs in process "
                  f"{resolve_base:7.2f} s: {resolve_base / resolve_seconds:4.2f}x")
            case.store.close()
        with throwaway_cluster() as url:
            shutil.copytree(work / "embedded", work / "on-postgres", symlinks=True)
            embedded.store.close()
            from organwatch.store.postgres.transfer import migrate_case

            migrate_case(work / "on-postgres", url)
            import psycopg

            with psycopg.connect(url) as conn:
                db_bytes = int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])
            sqlite_bytes = sum(p.stat().st_size for p in (work / "embedded").glob("organwatch.db*"))
            print(f"store size: PostgreSQL {db_bytes / 1e6:.1f} MB ({db_bytes / args.docs / 1e3:.1f} kB/document, "
                  f"empty-database overhead included), SQLite {sqlite_bytes / 1e6:.1f} MB "
                  f"({sqlite_bytes / args.docs / 1e3:.1f} kB/document); "
                  f"corpus {size / args.docs / 1e3:.1f} kB/document")
            cases = {"sqlite": organwatch.open_case(work / "embedded"), "postgresql": organwatch.open_case(
                work / "on-postgres")}
            print(f"search latency over {args.repeat} runs each (ms, median / p95), same {args.docs} documents; "
                  "baseline: SQLite")
            for query in SEARCHES:
                line = f"  {query:<22}"
                totals = set()
                medians = {}
                for name, case in cases.items():
                    times = []
                    case.search(query, limit=10)  # warm: plans and caches, as for a user's second search
                    for _ in range(args.repeat):
                        start = time.perf_counter()
                        page = case.search(query, limit=10)
                        times.append((time.perf_counter() - start) * 1000)
                    totals.add(page.total)
                    times.sort()
                    medians[name] = statistics.median(times)
                    line += f"  {name} {medians[name]:7.1f} / {times[max(0, int(len(times) * 0.95) - 1)]:7.1f}"
                line += f"  PostgreSQL/SQLite {medians['postgresql'] / medians['sqlite']:5.1f}x"
                print(line + ("" if len(totals) == 1 else f"  (totals differ: {sorted(totals)})")
                      + f"  hits {sorted(totals)[0]}")
            for case in cases.values():
                case.store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

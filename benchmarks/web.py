"""Workbench latency under a bounded loopback load, against a static file served by the same server.

Builds a case from ``sample/`` (or uses ``--case``), starts ``organwatch serve`` (uvicorn, one process)
on a free loopback port, signs in ``--clients`` concurrent clients, and for ``--seconds`` each makes
requests as fast as answers come back:

* baseline: ``/static/app.css`` (the same server, middleware and sockets; no case work);
* search: ``/search?q=...`` over a rotating set of English, Chinese and pinyin queries;
* document: ``/documents/N`` over every document of the case.

Reports requests/s, p50/p95/p99 latency and errors for each. Goal: p95 <= 200 ms for search on the
sample case, and zero errors.

Usage: python benchmarks/web.py [--clients 50] [--seconds 30] [--case DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
QUERIES = ("Wang Lijun", "王立军", "transplant", "器官移植", "China Tribunal", "waiting time", "肝移植 等待",
           "Kilgour", "hospital", "中國")
PASSWORD = "benchmark password 1"


def organwatch(*args: str, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-m", "organwatch", *args], input=stdin, text=True, check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "ORGANWATCH_PROGRESS": "none"})


def build_case(folder: Path) -> Path:
    case = folder / "case"
    organwatch("init", str(case), "--name", "benchmark sample case")
    organwatch("add", "--case", str(case), str(REPO / "sample"))
    return case


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def client_loop(base: str, paths: list[str], deadline: float, latencies: list[float],
                      errors: list[str], cookies: httpx.Cookies) -> None:
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30.0) as client:
        i = 0
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                response = await client.get(path)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {path}")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__} {path}")
                continue
            latencies.append(time.perf_counter() - start)


async def run_load(base: str, paths: list[str], clients: int, seconds: float,
                   cookies: httpx.Cookies) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    deadline = start + seconds
    # Each client starts at a different place in the list, so they do not all ask the same thing at once.
    await asyncio.gather(*(client_loop(base, paths[k % len(paths):] + paths[:k % len(paths)], deadline, latencies,
                                       errors, cookies) for k in range(clients)))
    return latencies, errors, time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def sign_in(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        response = client.post("/login", data={"username": "bench", "password": PASSWORD,
                                               "csrf_token": token.group(1)}, follow_redirects=False)
        if response.status_code != 303:
            raise SystemExit(f"error: sign-in failed ({response.status_code})")
        return client.cookies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--case", type=Path, default=None, help="an existing case (default: build one from sample/)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="organwatch-web-bench-"))
    server = None
    try:
        case = args.case or build_case(work)
        organwatch("user", "add", "--case", str(case), "bench", "--role", "viewer", stdin=PASSWORD + "\n")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([sys.executable, "-m", "organwatch", "serve", "--case", str(case), "--port",
                                   str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=1.0)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("error: the workbench server did not start") from None
                time.sleep(0.2)
        cookies = sign_in(base)
        with httpx.Client(base_url=base, cookies=cookies) as client:
            listing = client.get("/search", params={"q": "the OR 的"}).text
            ids = [int(m) for m in re.findall(r"/documents/(\d+)", listing)]
            for q in QUERIES:  # warm caches (jieba, the verify status) before timing anything
                client.get("/search", params={"q": q})
            client.get("/")
        documents = [f"/documents/{i}" for i in sorted(set(ids))] or ["/"]
        searches = [f"/search?q={httpx.QueryParams({'q': q})['q']}" for q in QUERIES]
        print(f"{args.clients} concurrent clients, {args.seconds:.0f} s per target, uvicorn (1 process) on loopback; "
              f"{len(documents)} documents, {len(QUERIES)} queries")
        print(f"{'target':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
        results = {}
        for name, paths in (("baseline", ["/static/app.css"]), ("search", searches), ("document", documents)):
            latencies, errors, elapsed = asyncio.run(run_load(base, paths, args.clients, args.seconds, cookies))
            results[name] = latencies
            print(f"{name:<10} {len(latencies):>9} {len(latencies) / elapsed:>8.1f} "
                  f"{percentile(latencies, 50) * 1000:>8.1f} {percentile(latencies, 95) * 1000:>8.1f} "
                  f"{percentile(latencies, 99) * 1000:>8.1f} {len(errors):>7}")
            if errors:
                print(f"  first errors: {errors[:3]}")
        base_median = statistics.median(results["baseline"]) if results["baseline"] else float("nan")
        for name in ("search", "document"):
            if results[name]:
                print(f"{name}: median {statistics.median(results[name]) / base_median:.1f}x the static baseline; "
                      f"p95 goal 200 ms: {'met' if percentile(results[name], 95) <= 0.2 else 'NOT met'}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

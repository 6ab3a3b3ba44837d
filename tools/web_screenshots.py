"""Screenshots of the workbench's claims, review, dossier and screening pages on the sample case, for the README.

Builds a case from ``sample/`` (or uses ``--case``), screens the invented excerpts of the screening tests
(so the screening page has a run), serves the workbench on loopback and drives Debian's Chromium.

Usage: python tools/web_screenshots.py [--out docs/screenshots] [--case DIR]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "screenshot password 1"


def organwatch(*args: str, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-m", "organwatch", *args], input=stdin, text=True, check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "ORGANWATCH_PROGRESS": "none"})


def prepare(folder: Path) -> Path:
    sys.path.insert(0, str(REPO))
    from tests.papers.fixtures import CSV_ROWS

    case = folder / "case"
    organwatch("init", str(case), "--name", "OrganWatch sample case")
    organwatch("add", "--case", str(case), str(REPO / "sample"), "--captured-by", "OrganWatch demo")
    excerpts = folder / "excerpts.csv"
    with excerpts.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "year", "text"])
        writer.writerows(CSV_ROWS)
    organwatch("papers", "import", "--case", str(case), str(excerpts))
    organwatch("papers", "screen", "--case", str(case), "--protocol", "dead-donor-rule")
    return case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--case", type=Path, default=None)
    args = parser.parse_args()
    if shutil.which("chromium") is None:
        raise SystemExit("error: Debian chromium is not installed (make system-packages)")
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO))
    from tests.web.conftest import Server

    from organwatch.case import open_case

    work = Path(tempfile.mkdtemp(prefix="organwatch-screens-"))
    try:
        case_dir = args.case or prepare(work)
        organwatch("user", "add", "--case", str(case_dir), "shots", "--role", "reviewer", stdin=PASSWORD + "\n")
        organwatch("grade", "--case", str(case_dir), "David Kilgour and David Matas", "--reliability", "B",
                   "--credibility", "2", "--reason", "methods and sources published", "--by", "shots")
        case = open_case(case_dir)
        args.out.mkdir(parents=True, exist_ok=True)
        with Server(case) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
            page.goto(server.url + "/login")
            page.fill("input[name=username]", "shots")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(server.url + "/")
            for name, path in (("claims", "/claims?contested=true"), ("review", "/review"),
                               ("dossiers", "/dossiers?name=Wang+Lijunn&format=html"),
                               ("screening", "/papers/runs/1")):
                page.goto(server.url + path)
                page.screenshot(path=str(args.out / f"workbench-{name}.png"))
                print(f"wrote {args.out / f'workbench-{name}.png'}")
            browser.close()
        case.store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Journeys in real Chromium (Debian's, headless) against the workbench on loopback, with screenshots
saved in tests/web/artifacts/. The hostile archived page points every trap at a loopback server that
counts requests: none may arrive."""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import PASSWORD, Server, Workbench, build_case

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
SCREENSHOTS = Path(os.environ.get("ORGANWATCH_SCREENSHOTS", str(ARTIFACTS)))
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which("chromium") is None,
                                reason="Debian chromium is not installed (make system-packages)")


class TrapServer:
    """A loopback HTTP server that records every request it gets."""

    def __init__(self) -> None:
        hits: list[str] = []
        self.hits = hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"trap")

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> TrapServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def trap() -> Iterator[TrapServer]:
    with TrapServer() as server:
        yield server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, trap: TrapServer) -> Iterator[Workbench]:
    made = build_case(tmp_path_factory.mktemp("browser"), trap_host=trap.host)
    with Server(made.case) as server:
        made.url = server.url
        yield made
    made.case.store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield launched
        launched.close()


def _page(browser: Any, site: Workbench, user: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto(site.url + "/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site.url + "/")
    return page


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def test_login_search_in_chinese_open_document(browser: Any, site: Workbench) -> None:
    page = _page(browser, site, "alice")
    assert page.locator(".card").first.is_visible()
    _shot(page, "overview")
    page.goto(site.url + "/search")
    page.fill("input[name=q]", "王立军")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("ol.hits li.hit")
    assert "王立军" in page.locator("ol.hits mark").first.inner_text()
    assert page.url.startswith(site.url + "/search?")  # htmx pushed the query into the address bar
    # Chinese glyphs are drawn with a CJK font, not as empty boxes: measure a rendered run of text.
    width = page.evaluate("""() => { const m = document.querySelector('ol.hits mark');
        return m.getBoundingClientRect().width / m.textContent.length; }""")
    assert width > 8
    _shot(page, "search")
    page.locator("ol.hits li.hit a.title").first.click()
    page.wait_for_selector("article.document")
    assert page.locator("#hit").count() == 1
    assert page.locator("text=Download original bytes").is_visible()
    _shot(page, "document")
    page.context.close()


def test_upload_shows_progress_then_search_finds_it(browser: Any, site: Workbench, tmp_path: Path) -> None:
    page = _page(browser, site, "alice")
    page.goto(site.url + "/upload")
    upload = tmp_path / "clinic-notice.txt"
    upload.write_text("Clinic notice: the Lakeside Transplant Ward promises a kidney within twelve days. "
                      "湖畔移植病区承诺十二天内提供肾脏。\n" + ("padding line for a visible upload\n" * 4000),
                      encoding="utf-8")
    page.evaluate("""() => { window.progressSeen = [];
        document.getElementById('upload-form').addEventListener('htmx:xhr:progress',
            () => window.progressSeen.push(document.getElementById('upload-progress').value)); }""")
    page.set_input_files("input[name=files]", str(upload))
    page.click("#upload-form button[type=submit]", no_wait_after=True)
    page.wait_for_selector("#upload-result ul.results li", timeout=240_000)  # archived, read and extracted
    assert "added" in page.locator("#upload-result").inner_text()
    seen = page.evaluate("window.progressSeen")
    assert seen and max(seen) == 100 and not page.locator("#upload-progress").is_hidden()
    _shot(page, "upload")
    page.goto(site.url + "/search?q=" + "湖畔移植病区")
    assert page.locator("ol.hits li.hit").count() == 1
    page.locator("ol.hits li.hit a.title").first.click()
    page.wait_for_selector("article.document")
    assert "Lakeside" in page.locator(".text .body").inner_text()
    page.context.close()


def test_hostile_archived_page_runs_and_loads_nothing(browser: Any, site: Workbench, trap: TrapServer) -> None:
    page = _page(browser, site, "vic")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    requests: list[str] = []
    page.context.on("request", lambda r: requests.append(r.url))
    doc = site.docs["en/hostile.html"]
    page.goto(f"{site.url}/documents/{doc}")
    frame_element = page.wait_for_selector("iframe.archived")
    frame = frame_element.content_frame()
    frame.wait_for_load_state("load")
    assert "one to two weeks" in frame.inner_text("body")
    frame.click("text=book now", timeout=2000)  # a former javascript: link: nothing may happen
    page.wait_for_timeout(500)
    _shot(page, "document-archived")
    # The original (hostile) bytes are only ever a download, never rendered in our origin.
    with page.expect_download() as download:
        page.click("text=Download original bytes")
    assert Path(download.value.path()).read_bytes().startswith(b"<!doctype html>")
    page.wait_for_timeout(300)
    assert trap.hits == []
    assert dialogs == []
    assert not [u for u in requests if trap.host in u]
    assert all(u.startswith(site.url) or u.startswith("data:") or u.startswith("about:") for u in requests)
    page.context.close()


def test_pages_are_readable_without_javascript(browser: Any, site: Workbench) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/login")
    page.fill("input[name=username]", "vic")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(site.url + "/search?q=Wang+Lijun")
    assert page.locator("ol.hits li.hit").count() >= 2
    page.locator("ol.hits li.hit a.title").first.click()
    assert page.locator("article.document .body").inner_text()
    context.close()


def test_analysis_plot(browser: Any, site: Workbench) -> None:
    page = _page(browser, site, "alice")
    page.goto(site.url + "/analyses")
    page.select_option("select[name=kind]", "accounting")
    sample = Path(__file__).resolve().parents[2] / "sample" / "analysis" / "accounting_kilgour_matas_2000_2005.csv"
    page.set_input_files("input[name=file]", str(sample))
    page.click("#analysis-form button[type=submit]")
    page.wait_for_selector("img.plot", timeout=60_000)
    assert page.evaluate("document.querySelector('img.plot').naturalWidth") > 200
    _shot(page, "analyses")
    page.context.close()

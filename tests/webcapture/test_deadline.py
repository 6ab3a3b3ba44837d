"""One overall deadline per URL: a trickling server or an endless script costs that long, then the batch goes on."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from typer.testing import CliRunner

from organwatch.case import Case
from organwatch.cli import capture as webcapture_cli
from organwatch.webcapture import BrowserOptions, CaptureOptions, FetchOptions, capture_urls
from tests.webcapture.conftest import needs_chromium
from tests.webcapture.servers import Site, page, trickle

#: Starts an endless loop once the page has loaded: every later call into the page waits forever.
LOOPING = ("<html><head><title>Spinner</title></head><body><p>Loading the waiting list…</p><script>"
           "addEventListener('load', () => setTimeout(() => { for (;;) {} }, 0));</script></body></html>")


def _loopback(deadline: float, browser: BrowserOptions | None = None) -> CaptureOptions:
    # A per-read timeout far above the trickle interval: only the overall deadline can end these.
    return CaptureOptions(fetch=FetchOptions(timeout=20, trust_env=False, allow_private_network=True),
                          browser=browser, deadline=deadline)


def test_trickling_body_and_headers_end_at_the_deadline_and_the_batch_goes_on(case: Case, site: Site) -> None:
    site.routes.update({"/body": trickle(0.2), "/head": trickle(0.2, headers_too=True),
                        "/next.html": page("<p>The next page in the batch.</p>")})
    started = time.monotonic()
    results = capture_urls(case, [site.url("/body"), site.url("/head"), site.url("/next.html")], _loopback(1.5))
    elapsed = time.monotonic() - started
    assert [r.error_kind for r in results] == ["deadline", "deadline", None]
    for failed in results[:2]:
        assert failed.error and "\n" not in failed.error and "1.5 s deadline" in failed.error
        assert "nothing stored" in failed.error
    assert elapsed < 15  # two deadlines of 1.5 s, not minutes
    assert case.count_captures() == 1 and results[2].members


@needs_chromium
def test_page_looping_forever_after_load_ends_at_the_deadline(case: Case, site: Site) -> None:
    site.routes.update({"/spin.html": page(LOOPING), "/next.html": page("<p>Rendered after the spinner.</p>")})
    started = time.monotonic()
    results = capture_urls(case, [site.url("/spin.html"), site.url("/next.html")],
                           _loopback(8, BrowserOptions(timeout=20)))
    elapsed = time.monotonic() - started
    spin, after = results
    assert spin.error_kind == "deadline" and spin.error and "\n" not in spin.error
    assert "rendering the page in Chromium" in spin.error
    assert after.ok, after.error
    assert {m.role for m in after.members} >= {"http-exchange", "screenshot", "dom", "rendered-text"}
    assert elapsed < 60  # 8 s for the spinner, then an ordinary page, on a busy machine
    assert case.count_captures() == 4  # the second page's set alone: nothing of the spinner
    assert case.verify().ok


def test_cli_batch_with_a_trickling_url_finishes(case: Case, site: Site, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(webcapture_cli.capture)
    app.command("changes")(webcapture_cli.changes)
    site.routes.update({"/slow": trickle(0.2), "/ok.html": page("<p>Captured after the slow one.</p>")})
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site.url('/slow')}\n{site.url('/ok.html')}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["capture", "--case", str(case.root), "--from-file", str(urls),
                                      "--no-screenshot", "--allow-private-network", "--deadline", "1"])
    assert result.exit_code == 1, result.output
    assert "Captured 1 of 2 URL(s); 1 failed." in result.output
    [failed] = [line for line in result.output.splitlines() if line.startswith("failed")]
    assert "1 s deadline" in failed and site.url("/slow") in failed

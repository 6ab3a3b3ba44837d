"""Fixtures of the web-capture tests: loopback servers, options that never leave 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from organwatch.webcapture import BrowserOptions, CaptureOptions, FetchOptions
from tests.webcapture.servers import Running, Site, self_signed

HAVE_CHROMIUM = os.access("/usr/bin/chromium", os.X_OK)
needs_chromium = pytest.mark.skipif(not HAVE_CHROMIUM, reason="needs Debian's chromium at /usr/bin/chromium "
                                    "(apt-get install chromium fonts-noto-cjk; `make test` installs it)")


@pytest.fixture
def site() -> Iterator[Site]:
    """A plain-HTTP loopback server whose routes the test fills in."""
    running = Running(Site())
    yield running.site
    running.stop()


@pytest.fixture
def other_site() -> Iterator[Site]:
    """A second loopback server, standing for a service that must never be reached from a captured page."""
    running = Running(Site())
    yield running.site
    running.stop()


@pytest.fixture
def tls_site(tmp_path: Path) -> Iterator[tuple[Site, FetchOptions, bytes]]:
    """An HTTPS loopback server with a fresh self-signed certificate, fetch options trusting it, its DER."""
    folder = tmp_path / "tls"
    folder.mkdir()
    server_ctx, client_ctx, der = self_signed(folder)
    running = Running(Site(), server_ctx)
    yield running.site, FetchOptions(verify=client_ctx, trust_env=False, timeout=5, allow_private_network=True), der
    running.stop()


@pytest.fixture
def fetch_options() -> FetchOptions:
    """Short timeouts, no proxies from the environment: loopback only, so private networks are allowed."""
    return FetchOptions(timeout=5, trust_env=False, allow_private_network=True)


@pytest.fixture
def http_only(fetch_options: FetchOptions) -> CaptureOptions:
    """Capture without a browser (fast)."""
    return CaptureOptions(fetch=fetch_options, browser=None)


@pytest.fixture
def with_browser(fetch_options: FetchOptions) -> CaptureOptions:
    """Capture with Chromium: screenshot, PDF, DOM."""
    return CaptureOptions(fetch=fetch_options, browser=BrowserOptions(pdf=True, timeout=15))

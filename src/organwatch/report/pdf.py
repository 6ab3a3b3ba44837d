"""HTML → PDF with headless Chromium (Debian's ``/usr/bin/chromium`` through Playwright).

The page is self-contained; every network request is refused, so printing cannot fetch anything, and the
PDF is written to a temporary name and renamed, so a failed print never leaves half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

from organwatch.errors import OrganWatchError
from organwatch.webcapture.browser import CHROMIUM_ARGS, chromium_path


def html_to_pdf(page_html: str, out: Path, *, timeout: float = 60.0) -> None:
    """Print ``page_html`` to ``out`` (A4, backgrounds on)."""
    executable = chromium_path()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    partial = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.route("**/*", lambda route: route.abort())
                page.set_content(page_html, wait_until="load", timeout=timeout * 1000)
                partial.write_bytes(page.pdf(format="A4", print_background=True,
                                             margin={"top": "18mm", "bottom": "18mm", "left": "15mm",
                                                     "right": "15mm"}))
            finally:
                browser.close()
        partial.replace(out)
    except PlaywrightError as exc:
        raise OrganWatchError(f"{out}: Chromium could not print the PDF ({str(exc).splitlines()[0]})") from None
    finally:
        partial.unlink(missing_ok=True)

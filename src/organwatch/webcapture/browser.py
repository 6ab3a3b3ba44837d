"""Render a page in headless Chromium: full-page screenshot (with a capture-time footer), PDF print, DOM.

Uses Debian's ``/usr/bin/chromium`` through Playwright's sync API; never a browser that Playwright
downloads (``playwright install`` needs the internet, and an evidence tool should not fetch binaries
at run time). The footer band (UTC capture time and URL) is drawn onto the PNG with Pillow rather
than injected into the page, so the page's own DOM stays exactly as its scripts left it.
"""

from __future__ import annotations

import io
import os
import shutil
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from organwatch.webcapture.errors import BrowserUnavailableError, WebCaptureError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
          "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FOOTER_HEIGHT = 36


@dataclass(frozen=True)
class BrowserOptions:
    """What to render and how long to wait for it."""

    screenshot: bool = True
    pdf: bool = False
    dom: bool = True
    width: int = 1280
    height: int = 800
    #: Seconds allowed to load the page (scripts included).
    timeout: float = 30.0
    user_agent: str | None = None
    #: Cap on the screenshot height in pixels: an endless page must not exhaust memory.
    max_height: int = 20_000
    executable: str = CHROMIUM


@dataclass(frozen=True)
class Rendering:
    """What the browser produced: PNG (footer included), PDF and the DOM after scripts ran."""

    final_url: str
    screenshot: bytes | None
    pdf: bytes | None
    dom: str | None


def chromium_path(executable: str = CHROMIUM) -> str:
    """The Chromium binary to use, or :class:`BrowserUnavailableError` saying how to get one."""
    found = executable if os.access(executable, os.X_OK) else shutil.which("chromium")
    if not found:
        raise BrowserUnavailableError(f"Chromium not found at {executable}: install it (`apt-get install chromium "
                                      "fonts-noto-cjk`) or capture without it (--no-screenshot)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise BrowserUnavailableError("Playwright is not installed: `pip install playwright` (do not run "
                                      "`playwright install`), or capture with --no-screenshot") from None
    return found


class Browser:
    """One headless Chromium for many pages (starting it costs about a second). Use as a context manager."""

    def __init__(self, options: BrowserOptions) -> None:
        self.options = options
        self._playwright: Any = None
        self._browser: Any = None

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright

        executable = chromium_path(self.options.executable)
        manager = sync_playwright()
        playwright = manager.start()
        self._playwright = manager
        try:
            self._browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:
            manager.__exit__(None, None, None)
            raise BrowserUnavailableError(f"Chromium at {executable} would not start: {_first_line(exc)}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.__exit__(None, None, None)

    def render(self, url: str, captured_at: str) -> Rendering:
        """Load ``url`` and return what :class:`BrowserOptions` asks for; :class:`WebCaptureError` on failure."""
        from playwright.sync_api import Error as PlaywrightError

        opts = self.options
        context = self._browser.new_context(
            viewport={"width": opts.width, "height": opts.height}, user_agent=opts.user_agent,
            service_workers="block", accept_downloads=False)
        try:
            page = context.new_page()
            page.goto(url, wait_until="load", timeout=opts.timeout * 1000)
            with suppress(PlaywrightError):  # scripts that fetch more: give them a moment, never forever
                page.wait_for_load_state("networkidle", timeout=min(opts.timeout, 5.0) * 1000)
            dom = page.content() if opts.dom else None
            shot = None
            if opts.screenshot:
                height = int(page.evaluate("Math.max(document.documentElement.scrollHeight, "
                                           "document.body ? document.body.scrollHeight : 0)"))
                clip = {"x": 0, "y": 0, "width": opts.width, "height": min(max(height, 1), opts.max_height)}
                raw = page.screenshot(full_page=True, clip=clip, type="png", timeout=opts.timeout * 1000)
                shot = add_footer(raw, f"Captured {captured_at[:19].replace('T', ' ')} UTC  ·  {page.url}")
            pdf = page.pdf(print_background=True) if opts.pdf else None
            return Rendering(page.url, shot, pdf, dom)
        except PlaywrightError as exc:
            raise WebCaptureError(url, "browser", f"Chromium could not render the page: {_first_line(exc)}") from None
        finally:
            context.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def add_footer(png: bytes, text: str) -> bytes:
    """Append a band under the screenshot with ``text`` (capture time, URL), as the Berkeley Protocol asks."""
    from PIL import Image, ImageDraw, ImageFont

    with Image.open(io.BytesIO(png)) as shot:
        page = shot.convert("RGB")
    band = Image.new("RGB", (page.width, page.height + FOOTER_HEIGHT), (255, 255, 255))
    band.paste(page, (0, 0))
    draw = ImageDraw.Draw(band)
    draw.rectangle((0, page.height, page.width, page.height + FOOTER_HEIGHT), fill=(24, 24, 24))
    font_path = next((p for p in _FONTS if Path(p).exists()), None)
    font = ImageFont.truetype(font_path, 16) if font_path else ImageFont.load_default(16)
    draw.text((10, page.height + 8), text, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    band.save(out, format="PNG")
    page.close()
    band.close()
    return out.getvalue()

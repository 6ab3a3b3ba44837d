"""Render a page in headless Chromium: full-page screenshot (with a capture-time footer), PDF print, DOM, text.

Uses Debian's ``/usr/bin/chromium`` through Playwright; never a browser that Playwright downloads
(``playwright install`` needs the internet, and an evidence tool should not fetch binaries at run
time). The footer band (UTC capture time and URL) is drawn onto the PNG with Pillow rather than
injected into the page, so the page's own DOM stays exactly as its scripts left it.

Two defences against hostile pages:

- **Time.** Playwright runs on its own thread with its own event loop, and each rendering is
  waited for with the URL's remaining time. A script that loops forever after ``load`` blocks
  every call into the page (``page.content()`` has no timeout), but not that wait: when the time
  runs out the browser context is closed (which kills the page), and if even that hangs, the whole
  browser is stopped and the next URL starts a fresh one.
- **Network.** Unless private networks are allowed, every request the page makes is intercepted
  and fetched by OrganWatch itself through the guarded HTTP client (each destination resolved,
  checked and pinned, as for the page itself); requests to refused destinations are aborted and
  listed in the rendering's ``refused``. WebSocket connections are checked by address before
  Chromium opens them.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import Future, ThreadPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from organwatch.webcapture.errors import BrowserUnavailableError, WebCaptureError, deadline_error
from organwatch.webcapture.fetch import FetchOptions, make_client
from organwatch.webcapture.netguard import NetworkPolicy, RefusedDestination, deadline_scope, refused_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
          "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FOOTER_HEIGHT = 36
#: Seconds allowed to start Chromium, and to close a context or the browser after a deadline.
_START_SECONDS = 60.0
_CLOSE_SECONDS = 10.0
#: Response headers that describe the bytes on the wire, not the decoded body handed to Chromium.
_WIRE_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
T = TypeVar("T")


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
    """What the browser produced: PNG (footer included), PDF, the DOM after scripts ran, and its visible text.

    ``refused`` lists the requests of the page that went to refused destinations (url, reason).
    """

    final_url: str
    screenshot: bytes | None
    pdf: bytes | None
    dom: str | None
    text: str | None = None
    refused: tuple[dict[str, str], ...] = field(default_factory=tuple)


def chromium_path(executable: str = CHROMIUM) -> str:
    """The Chromium binary to use, or :class:`BrowserUnavailableError` saying how to get one."""
    found = executable if os.access(executable, os.X_OK) else shutil.which("chromium")
    if not found:
        raise BrowserUnavailableError(f"Chromium not found at {executable}: install it (`apt-get install chromium "
                                      "fonts-noto-cjk`) or capture without it (--no-screenshot)")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        raise BrowserUnavailableError("Playwright is not installed: `pip install playwright` (do not run "
                                      "`playwright install`), or capture with --no-screenshot") from None
    return found


class Browser:
    """One headless Chromium for many pages (starting it costs about a second). Use as a context manager.

    ``fetch`` gives the network policy and HTTP settings that the page's own requests must obey.
    """

    def __init__(self, options: BrowserOptions, fetch: FetchOptions | None = None) -> None:
        self.options = options
        self.fetch = fetch or FetchOptions()
        self.policy: NetworkPolicy = self.fetch.policy
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="organwatch-browser-fetch")
        self._client: httpx.Client | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._context: Any = None

    @property
    def _guarded(self) -> bool:
        return not self.policy.allow_private

    def __enter__(self) -> Browser:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="organwatch-browser", daemon=True)
        self._thread.start()
        if self._guarded:
            self._client = make_client(self.fetch)
        try:
            self.ensure_started()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._thread is not None:
            with suppress(Exception):
                self._call(self._stop(), _CLOSE_SECONDS * 2)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(_CLOSE_SECONDS)
            if not self._thread.is_alive():
                self._loop.close()
        self._loop = self._thread = None
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._client is not None:
            self._client.close()
            self._client = None

    def _submit(self, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
        if self._loop is None:
            coroutine.close()
            raise RuntimeError("use Browser as a context manager")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def _call(self, coroutine: Coroutine[Any, Any, T], seconds: float) -> T:
        return self._submit(coroutine).result(timeout=seconds)

    async def _start(self) -> None:
        from playwright.async_api import async_playwright

        executable = chromium_path(self.options.executable)
        self._playwright = await async_playwright().start()
        try:
            self._browser = await self._playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:
            await self._playwright.stop()
            self._playwright = None
            raise BrowserUnavailableError(f"Chromium at {executable} would not start: {_first_line(exc)}") from None

    async def _stop(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = self._context = None
        if browser is not None:
            with suppress(Exception):
                await asyncio.wait_for(browser.close(), _CLOSE_SECONDS)
        if playwright is not None:
            with suppress(Exception):
                await asyncio.wait_for(playwright.stop(), _CLOSE_SECONDS)

    def ensure_started(self) -> None:
        """Start Chromium again if it was stopped after a page that would not close."""
        if self._browser is None:
            try:
                self._call(self._start(), _START_SECONDS)
            except FutureTimeout:
                with suppress(Exception):
                    self._call(self._stop(), _CLOSE_SECONDS * 2)
                raise BrowserUnavailableError(f"Chromium did not start within {_START_SECONDS:g} s (is the machine "
                                              "overloaded?), or capture with --no-screenshot") from None

    def render(self, url: str, captured_at: str, deadline: tuple[float, float] | None = None) -> Rendering:
        """Load ``url`` and return what :class:`BrowserOptions` asks for; :class:`WebCaptureError` on failure.

        ``deadline`` is ``(time.monotonic() end, budget seconds)`` of the URL: when it passes, the
        page is closed and a ``deadline`` error raised, whatever the page's scripts are doing.
        """
        self.ensure_started()
        refused: list[dict[str, str]] = []
        future = self._submit(self._render(url, captured_at, refused, deadline))
        wait = None if deadline is None else max(deadline[0] - time.monotonic(), 0.0)
        try:
            return future.result(timeout=wait)
        except FutureTimeout:
            self._abandon(future)
            assert deadline is not None
            raise deadline_error(url, deadline[1], "rendering the page in Chromium") from None

    def _abandon(self, future: Future[Rendering]) -> None:
        """Close the page whose time ran out; stop the whole browser if even that does not work."""
        with suppress(Exception):
            self._call(self._close_context(), _CLOSE_SECONDS)
        done, _ = wait([future], timeout=_CLOSE_SECONDS)
        if done:
            return
        future.cancel()
        with suppress(Exception):
            self._call(self._stop(), _CLOSE_SECONDS * 2)

    async def _close_context(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            await asyncio.wait_for(context.close(), _CLOSE_SECONDS)

    async def _render(self, url: str, captured_at: str, refused: list[dict[str, str]],
                      deadline: tuple[float, float] | None) -> Rendering:
        from playwright.async_api import Error as PlaywrightError

        opts = self.options
        context = await self._browser.new_context(
            viewport={"width": opts.width, "height": opts.height}, user_agent=opts.user_agent,
            service_workers="block", accept_downloads=False)
        self._context = context
        try:
            if self._guarded:
                await context.route("**/*", lambda route: self._route(route, refused, deadline))
                await context.route_web_socket("**/*", lambda ws: self._route_socket(ws, refused))
            page = await context.new_page()
            await page.goto(url, wait_until="load", timeout=opts.timeout * 1000)
            with suppress(PlaywrightError):  # scripts that fetch more: give them a moment, never forever
                await page.wait_for_load_state("networkidle", timeout=min(opts.timeout, 5.0) * 1000)
            dom = await page.content() if opts.dom else None
            text = await page.evaluate("document.body ? document.body.innerText : ''")
            shot = None
            if opts.screenshot:
                height = int(await page.evaluate("Math.max(document.documentElement.scrollHeight, "
                                                 "document.body ? document.body.scrollHeight : 0)"))
                clip = {"x": 0, "y": 0, "width": opts.width, "height": min(max(height, 1), opts.max_height)}
                raw = await page.screenshot(full_page=True, clip=clip, type="png", timeout=opts.timeout * 1000)
                shot = add_footer(raw, f"Captured {captured_at[:19].replace('T', ' ')} UTC  ·  {page.url}")
            pdf = await page.pdf(print_background=True) if opts.pdf else None
            return Rendering(page.url, shot, pdf, dom, str(text) if text is not None else None, tuple(refused))
        except PlaywrightError as exc:
            raise WebCaptureError(url, "browser", f"Chromium could not render the page: {_first_line(exc)}") from None
        finally:
            if self._context is context:
                self._context = None
                with suppress(Exception):
                    await asyncio.wait_for(context.close(), _CLOSE_SECONDS)

    async def _route(self, route: Any, refused: list[dict[str, str]], deadline: tuple[float, float] | None) -> None:
        """Fetch one request of the page through the guarded client, or abort it if its destination is refused."""
        request = route.request
        if not request.url.startswith(("http://", "https://")):
            await route.continue_()
            return
        headers = await request.all_headers()
        body = request.post_data_buffer
        loop = asyncio.get_running_loop()
        try:
            status, reply_headers, content = await loop.run_in_executor(
                self._pool, self._fetch_for_page, request.method, request.url, headers, body, deadline)
        except RefusedDestination as exc:
            refused.append({"url": exc.url or request.url, "reason": exc.reason})
            await _quietly(route.abort("blockedbyclient"))
            return
        except (httpx.HTTPError, OSError, ValueError):
            await _quietly(route.abort("failed"))
            return
        await _quietly(route.fulfill(status=status, headers=reply_headers, body=content))

    def _fetch_for_page(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                        deadline: tuple[float, float] | None) -> tuple[int, dict[str, str], bytes]:
        """One request of the page, made by OrganWatch (every hop checked and pinned), size-capped.

        Redirects are followed here, each hop checked, because Chromium would follow a redirect
        answer on its own, and Playwright does not route the redirected request. (A redirected frame
        therefore keeps its first URL as its address: a small price next to an unchecked hop.)
        """
        assert self._client is not None
        # Accept-Encoding is left to httpx, which then decodes whatever it asked for.
        sent = {k: v for k, v in headers.items()
                if not k.startswith(":") and k.lower() not in ("host", "connection", "accept-encoding")}
        with deadline_scope(deadline[1] if deadline else None, deadline[0] if deadline else None):
            request = self._client.build_request(method, url, headers=sent, content=body)
            for _ in range(self.fetch.max_redirects + 1):
                response = self._send_checked(request)
                if not response.is_redirect or response.next_request is None:
                    break
                request = response.next_request
                response.close()
            else:  # never hand Chromium a redirect: it would follow it unchecked
                raise ValueError("too many redirects")
            try:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.fetch.max_bytes:
                        raise ValueError("response over the size limit")
                    chunks.append(chunk)
            finally:
                response.close()
        reply: dict[str, str] = {}
        for name, value in response.headers.multi_items():
            if name.lower() in _WIRE_HEADERS:
                continue
            joiner = "\n" if name.lower() == "set-cookie" else ", "
            reply[name] = f"{reply[name]}{joiner}{value}" if name in reply else value
        return response.status_code, reply, b"".join(chunks)

    def _send_checked(self, request: httpx.Request) -> httpx.Response:
        assert self._client is not None
        try:
            self.policy.check_url(request.url)
            return self._client.send(request, stream=True)
        except RefusedDestination as exc:
            raise RefusedDestination(exc.host, exc.reason, str(request.url)) from None
        except httpx.HTTPError as exc:
            refused = refused_in(exc)
            if refused is not None:
                raise RefusedDestination(refused.host, refused.reason, str(request.url)) from None
            raise

    async def _route_socket(self, socket_route: Any, refused: list[dict[str, str]]) -> None:
        """Let a WebSocket open only towards an allowed destination."""
        url = httpx.URL(socket_route.url.replace("ws://", "http://", 1).replace("wss://", "https://", 1))
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._pool, self.policy.resolve, url.host, url.port or
                                       (443 if url.scheme == "https" else 80))
        except RefusedDestination as exc:
            refused.append({"url": socket_route.url, "reason": exc.reason})
            await _quietly(socket_route.close())
            return
        except OSError:
            await _quietly(socket_route.close())
            return
        socket_route.connect_to_server()


async def _quietly(action: Coroutine[Any, Any, Any]) -> None:
    """Await a route action; the page may have gone meanwhile (closed at its deadline), which is fine."""
    from playwright.async_api import Error as PlaywrightError

    with suppress(PlaywrightError):
        await action


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

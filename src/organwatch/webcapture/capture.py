"""``organwatch capture``: one URL → a capture set that meets the Berkeley Protocol minimum.

Stages, per URL (each in its own temporary folder, so a failure leaves nothing behind):

1. **fetch** (:mod:`.fetch`): every HTTP hop as WARC request/response records, with peer IP and TLS
   certificate fingerprint; the body streamed under a size limit.
2. **render** (:mod:`.browser`, optional): full-page PNG with a UTC capture-time footer, PDF, DOM,
   and the text a reader sees (``document.body.innerText``), which recapture compares.
3. **media** (:mod:`.media`, optional): each embedded image/video/audio fetched on its own.
4. **store**: only when all of the above worked, each item is added as its own capture (write-once,
   hashed, logged with who/when/how and its HTTP details), then one ``capture_set`` event binds them.

Stages 1–3 share one overall deadline per URL (``CaptureOptions.deadline``): a server that trickles
a byte at a time or a page whose script never ends costs that long at most, and the batch goes on.
Every hop, media item and browser request must reach a public internet address unless private
networks are allowed (see :mod:`.netguard`); refused browser requests are listed in the set.

>>> # result = capture_url(case, "https://hospital.example/transplant.html", CaptureOptions(media=True))
"""

from __future__ import annotations

import hashlib
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from organwatch.archive.captures import AddResult, CaptureMetadata
from organwatch.archive.log import utc_now
from organwatch.version import __version__
from organwatch.webcapture.browser import Browser, BrowserOptions, Rendering, chromium_path
from organwatch.webcapture.captureset import EVENT, Member
from organwatch.webcapture.errors import WebCaptureError, deadline_error
from organwatch.webcapture.fetch import Exchange, FetchOptions, fetch, make_client
from organwatch.webcapture.maintext import fingerprint
from organwatch.webcapture.media import media_urls
from organwatch.webcapture.netguard import current_deadline, deadline_scope
from organwatch.webcapture.warcwrite import final_response

if TYPE_CHECKING:
    from organwatch.case import Case

METHOD = "web capture"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class CaptureOptions:
    """Everything one capture run needs besides the URLs (one object, trafilatura style)."""

    fetch: FetchOptions = field(default_factory=FetchOptions)
    #: None: no browser (HTTP exchange only, and media when asked).
    browser: BrowserOptions | None = field(default_factory=BrowserOptions)
    media: bool = False
    max_media: int = 200
    note: str | None = None
    captured_by: str | None = None
    #: Read the text of the captured page into the case (the text stage), as ``add`` does.
    text: bool = True
    #: Seconds allowed for one URL, fetch, rendering and media together (None: no overall limit).
    deadline: float | None = 120.0


@dataclass
class Page:
    """A fetched page before anything is stored: the exchange, its body as read, its fingerprint."""

    url: str
    captured_at: str
    workdir: Path
    exchange: Exchange
    content_type: str | None
    payload: bytes
    fingerprint: str
    main_text: str | None
    files: list[tuple[Path, str, str | None, dict[str, Any]]] = field(default_factory=list)
    media_failures: list[dict[str, str]] = field(default_factory=list)
    #: Requests of the page (in the browser) to destinations the network policy refused.
    refused: list[dict[str, str]] = field(default_factory=list)
    #: The text the browser showed (``innerText``), when the page was rendered.
    rendered_text: str | None = None

    @property
    def is_html(self) -> bool:
        """Whether a browser should render it."""
        kind = (self.content_type or "text/html").split(";")[0].strip().lower()
        return kind in _HTML_TYPES


@dataclass(frozen=True)
class CaptureResult:
    """What happened to one URL: the stored set, or the one-line reason it failed."""

    url: str
    capture_set: str | None = None
    status: int | None = None
    final_url: str | None = None
    members: tuple[Member, ...] = ()
    fingerprint: str | None = None
    media_failures: tuple[dict[str, str], ...] = ()
    refused: tuple[dict[str, str], ...] = ()
    error: str | None = None
    error_kind: str | None = None

    @property
    def ok(self) -> bool:
        """True when the set was stored."""
        return self.error is None

    def line(self) -> str:
        """One line for people."""
        if self.error is not None:
            return f"failed   {self.error}"
        roles = ", ".join(f"{m.role} {m.capture[:12]}" for m in self.members if m.role != "media")
        media = sum(1 for m in self.members if m.role == "media")
        extra = f", {media} media" if media else ""
        missed = f" ({len(self.media_failures)} media failed)" if self.media_failures else ""
        refused = (f" ({len(self.refused)} browser request(s) to non-public addresses refused)"
                   if self.refused else "")
        return (f"captured {self.url} → HTTP {self.status}, set {self.capture_set}: {roles}{extra}{missed}"
                f"{refused}")

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"url": self.url, "ok": self.ok, "capture_set": self.capture_set, "status": self.status,
                "final_url": self.final_url, "members": [m.to_json() for m in self.members],
                "fingerprint": self.fingerprint, "media_failures": list(self.media_failures),
                "refused": list(self.refused), "error": self.error, "error_kind": self.error_kind}


class Capturer:
    """Captures many URLs with one HTTP client and (when asked) one Chromium. Use as a context manager."""

    def __init__(self, case: Case, options: CaptureOptions) -> None:
        self.case = case
        self.options = options
        self._stack = ExitStack()
        self._client: httpx.Client | None = None
        self._browser: Browser | None = None

    def __enter__(self) -> Capturer:
        if self.options.browser is not None:
            chromium_path(self.options.browser.executable)  # fail once, before any URL, with what to install
        self._client = self._stack.enter_context(make_client(self.options.fetch))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @property
    def client(self) -> httpx.Client:
        """The shared HTTP client."""
        if self._client is None:
            raise RuntimeError("use Capturer as a context manager")
        return self._client

    def browser(self) -> Browser:
        """The shared Chromium, started on first use."""
        if self._browser is None:
            opts = self.options.browser or BrowserOptions()
            if opts.user_agent is None:
                opts = replace(opts, user_agent=self.options.fetch.user_agent)
            self._browser = self._stack.enter_context(Browser(opts, self.options.fetch))
        return self._browser

    @contextmanager
    def within_deadline(self) -> Iterator[None]:
        """The overall deadline of one URL: fetch, rendering and media end by then (see :mod:`.netguard`).

        Chromium is started (or restarted, after a page that would not close) before the clock
        starts: that one-off cost belongs to no URL.
        """
        if self.options.browser is not None:
            self.browser().ensure_started()
        with deadline_scope(self.options.deadline):
            yield

    @contextmanager
    def workdir(self) -> Iterator[Path]:
        """A private temporary folder for one URL, removed afterwards whatever happens."""
        with tempfile.TemporaryDirectory(prefix="organwatch-capture-") as tmp:
            yield Path(tmp)

    def fetch_page(self, url: str, workdir: Path) -> Page:
        """Stage 1: fetch and read the page (nothing stored yet)."""
        captured_at = utc_now()
        info = {"operator": self.options.captured_by or self.case.default_captured_by(),
                "description": "captured with OrganWatch for evidence (Berkeley Protocol)"}
        exchange = fetch(url, self.options.fetch, workdir, client=self.client, warcinfo=info)
        _, content_type, payload = final_response(exchange.warc_path, self.options.fetch.max_bytes)
        fp, text = fingerprint(payload, content_type, exchange.final_url)
        page = Page(url, captured_at, workdir, exchange, content_type, payload, fp, text)
        page.files.append((exchange.warc_path, "http-exchange", None, {"http": exchange.to_json()}))
        return page

    def complete(self, page: Page) -> None:
        """Stages 2 and 3: render in Chromium and fetch embedded media, as the options ask."""
        dom: str | None = None
        if self.options.browser is not None and page.is_html:
            self._check_time(page.url, "starting the browser")
            rendering = self.browser().render(page.exchange.final_url, page.captured_at, current_deadline())
            dom = rendering.dom
            self._keep_rendering(page, rendering)
        if self.options.media and page.is_html:
            html = dom if dom is not None else page.payload.decode("utf-8", "replace")
            self._fetch_media(page, media_urls(html, page.exchange.final_url, self.options.max_media))

    @staticmethod
    def _check_time(url: str, doing: str) -> None:
        deadline = current_deadline()
        if deadline is not None and time.monotonic() >= deadline[0]:
            raise deadline_error(url, deadline[1], doing)

    def _keep_rendering(self, page: Page, rendering: Rendering) -> None:
        details: dict[str, Any] = {"browser": {"engine": "chromium", "rendered_url": rendering.final_url,
                                               "tool": f"playwright via OrganWatch {__version__}"}}
        if rendering.refused:
            details["browser"]["refused_requests"] = list(rendering.refused)
        page.refused.extend(rendering.refused)
        page.rendered_text = rendering.text
        text = rendering.text.encode("utf-8") if rendering.text is not None else None
        for name, role, data in (("screenshot.png", "screenshot", rendering.screenshot),
                                 ("print.pdf", "pdf", rendering.pdf),
                                 ("dom.html", "dom", rendering.dom.encode("utf-8") if rendering.dom else None),
                                 ("rendered-text.txt", "rendered-text", text)):
            if data:
                path = page.workdir / name
                path.write_bytes(data)
                page.files.append((path, role, None, details))

    def _fetch_media(self, page: Page, urls: list[str]) -> None:
        for number, url in enumerate(urls):
            self._check_time(page.url, "fetching embedded media")
            folder = page.workdir / f"media-{number:04d}"
            folder.mkdir()
            try:
                exchange = fetch(url, self.options.fetch, folder, client=self.client)
            except WebCaptureError as exc:
                if exc.kind == "deadline":
                    budget = current_deadline()
                    raise deadline_error(page.url, budget[1] if budget else None,
                                         f"fetching embedded media ({url})") from None
                page.media_failures.append({"url": url, "reason": exc.reason})
                continue
            if not 200 <= exchange.final.status < 300:
                page.media_failures.append({"url": url, "reason": f"HTTP {exchange.final.status}"})
                continue
            _, _, body = final_response(exchange.warc_path, self.options.fetch.max_bytes)
            if not body:
                page.media_failures.append({"url": url, "reason": "empty response"})
                continue
            name = Path(httpx.URL(exchange.final_url).path).name or "media"
            path = folder / name[:100]
            path.write_bytes(body)
            exchange.warc_path.unlink()
            page.files.append((path, "media", url, {"http": exchange.to_json()}))

    def store(self, page: Page, *, set_id: str | None = None, event: dict[str, Any] | None = None,
              extra_files: Iterable[tuple[Path, str]] = ()) -> CaptureResult:
        """Stage 4: add each item as a capture, then log the ``capture_set`` event that binds them."""
        set_id = set_id or uuid.uuid4().hex
        captured_by = self.options.captured_by or self.case.default_captured_by()
        members: list[Member] = []
        files = [*page.files, *((path, role, None, {}) for path, role in extra_files)]
        for path, role, url, details in files:
            extra = {"capture_set": set_id, "role": role, **details}
            meta = CaptureMetadata(source_url=url or page.url, note=self.options.note, captured_by=captured_by,
                                   captured_at=page.captured_at, method=METHOD, extra=extra)
            results: list[AddResult] = []
            summary = self.case.add([path], meta, on_result=results.append,
                                    text=self.options.text and role == "http-exchange")
            if summary.failed or not results or results[0].capture_id is None:
                reason = results[0].reason if results else "not stored"
                raise WebCaptureError(page.url, "store", f"could not archive the {role}: {reason}")
            members.append(Member(results[0].capture_id, role, url))
        final = page.exchange.final
        self.case.log_event({"type": EVENT, "capture_set": set_id, "source_url": page.url,
                             "final_url": page.exchange.final_url, "status": final.status,
                             "captured_at": page.captured_at, "captured_by": captured_by,
                             "method": METHOD, "note": self.options.note,
                             "tool": {"name": "organwatch", "version": __version__, "method": METHOD},
                             "main_text_fingerprint": page.fingerprint,
                             "members": [m.to_json() for m in members],
                             "media_failures": page.media_failures, "refused_requests": page.refused,
                             "payload_sha256": hashlib.sha256(page.payload).hexdigest(), **(event or {})})
        return CaptureResult(page.url, set_id, final.status, page.exchange.final_url, tuple(members),
                             page.fingerprint, tuple(page.media_failures), tuple(page.refused))

    def capture(self, url: str) -> CaptureResult:
        """Capture one URL; errors become a failed result (one line), never a half-stored set."""
        try:
            with self.within_deadline(), self.workdir() as workdir:
                page = self.fetch_page(url, workdir)
                self.complete(page)
                return self.store(page)
        except WebCaptureError as exc:
            return CaptureResult(url, error=str(exc), error_kind=exc.kind)


def capture_urls(case: Case, urls: Iterable[str], options: CaptureOptions | None = None,
                 on_result: Callable[[CaptureResult], None] | None = None) -> list[CaptureResult]:
    """Capture each URL in turn; a failure is reported and the batch goes on."""
    results: list[CaptureResult] = []
    with Capturer(case, options or CaptureOptions()) as capturer:
        for url in urls:
            result = capturer.capture(url)
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


def capture_url(case: Case, url: str, options: CaptureOptions | None = None) -> CaptureResult:
    """Capture one URL into ``case``; see the module docstring for the stages."""
    return capture_urls(case, [url], options)[0]

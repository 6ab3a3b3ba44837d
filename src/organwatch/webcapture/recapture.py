"""``organwatch recapture``: fetch captured pages again and record, as evidence, whether they changed.

Each check logs a ``recapture`` event with its time and one status:

- ``unchanged``: the same response body (and, when both versions were rendered, the same text in
  the browser);
- ``changed``: the response differs. The event says what differs (``what_changed``): ``main text``,
  ``other visible text`` (text a reader sees outside the main text, read from the markup or, when
  both versions were rendered, from the browser) or ``markup only``; a new capture set is stored
  (every version is kept) and the unified diff of that text goes in the event, or into its own
  small capture when long;
- ``gone``: HTTP 404, 410 or 451, a host name that no longer resolves, or a redirect to the home page;
- ``failed``: the check itself failed (timeout, refused connection, server error): nothing is
  concluded about the page.

With ``changed_only`` a new capture set is stored only for changed and gone pages; the others get
the event alone (with the new response's details), which keeps a daily watch small.

>>> # recapture(case, all_pages=True, options=CaptureOptions(browser=None))
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from organwatch.archive.log import utc_now
from organwatch.errors import OrganWatchError
from organwatch.webcapture.capture import CaptureOptions, Capturer, Page
from organwatch.webcapture.captureset import latest_sets, member
from organwatch.webcapture.errors import WebCaptureError
from organwatch.webcapture.maintext import diff_stats, fingerprint, normalise, text_diff, visible_text
from organwatch.webcapture.warcwrite import final_response

if TYPE_CHECKING:
    from organwatch.case import Case

EVENT = "recapture"
GONE_STATUSES = (404, 410, 451)
#: Diffs up to this many characters go inline in the event; longer ones become their own capture.
INLINE_DIFF_CHARS = 4000


@dataclass(frozen=True)
class Previous:
    """The version a recapture compares with: a capture set, or a lone capture with a source URL."""

    url: str
    set_ref: str
    capture: str
    fingerprint: str
    text: str | None
    captured_at: str
    #: SHA-256 of the response body as read (content-decoded), the first thing compared.
    payload_sha256: str = ""
    #: All visible text, read from the markup (None when the body is not HTML).
    visible: str | None = None
    #: The text the browser showed (``innerText``) when that version was rendered.
    rendered: str | None = None


@dataclass(frozen=True)
class RecaptureResult:
    """The outcome for one URL, as logged."""

    url: str
    status: str
    reason: str | None
    event: dict[str, Any]

    def line(self) -> str:
        """One line for people."""
        detail = f" ({self.reason})" if self.reason else ""
        what = f" ({self.event['what_changed']})" if self.event.get("what_changed") else ""
        added, removed = self.event.get("diff_stats", {}).get("added"), self.event.get("diff_stats", {}).get("removed")
        diff = f" +{added} -{removed} lines" if added is not None else ""
        return f"{self.status:<9} {self.url}{diff}{what}{detail}"


def _previous_from_capture(case: Case, capture_id: str, url: str, set_ref: str, max_bytes: int,
                           event: dict[str, Any] | None = None) -> Previous:
    capture = case.capture(capture_id)
    path = case.blob_path(capture.id)
    if capture.media_type == "application/warc":
        _, content_type, payload = final_response(path, max_bytes)
    else:
        with open(path, "rb") as fh:
            payload, content_type = fh.read(max_bytes), capture.media_type
    fp, text = fingerprint(payload, content_type, url)
    rendered = None
    rendered_id = member(event, "rendered-text") if event else None
    if rendered_id is not None:
        with open(case.blob_path(rendered_id), "rb") as fh:
            rendered = fh.read(max_bytes).decode("utf-8", "replace")
    return Previous(url, set_ref, capture.id, fp, text, capture.captured_at, hashlib.sha256(payload).hexdigest(),
                    visible_text(payload, content_type), rendered)


def targets(case: Case, refs: Iterable[str], all_pages: bool, max_bytes: int) -> list[Previous]:
    """The latest version of each page to check: every captured URL, or those named by capture id."""
    sets = latest_sets(case)
    chosen: dict[str, Previous] = {}
    if all_pages:
        for url, event in sets.items():
            exchange = member(event, "http-exchange")
            if exchange:
                chosen[url] = _previous_from_capture(case, exchange, url, event["capture_set"], max_bytes, event)
    for ref in refs:
        capture = case.capture(ref)
        obs = next((o for o in capture.observations if o.extra and o.extra.get("capture_set")), None)
        if obs is not None and obs.source_url:
            set_url = next((u for u, e in sets.items() if any(m["capture"] == capture.id for m in e["members"])),
                           None)
            url = set_url or obs.source_url
            found = sets.get(url)
            found_exchange = member(found, "http-exchange") if found else None
            if found and found_exchange:
                chosen[url] = _previous_from_capture(case, found_exchange, url, found["capture_set"], max_bytes,
                                                     found)
                continue
        source = next((o.source_url for o in capture.observations if o.source_url), None)
        if not source or not source.startswith(("http://", "https://")):
            raise OrganWatchError(f"capture {capture.id[:12]} has no http(s) source URL: there is nothing to "
                                  "fetch again")
        chosen[source] = _previous_from_capture(case, capture.id, source, f"capture:{capture.id}", max_bytes)
    return list(chosen.values())


def _home_redirect(page: Page) -> bool:
    """A page that now redirects to the site's front page has, for a reader, gone."""
    import httpx

    if len(page.exchange.hops) < 2:
        return False
    requested, final = httpx.URL(page.url), httpx.URL(page.exchange.final_url)
    home = final.path in ("", "/") or final.path.rsplit("/", 1)[-1].lower() in ("index.html", "index.htm",
                                                                                "index.php", "default.aspx")
    return home and requested.path not in ("", "/") and final.path != requested.path


def _classify(page: Page) -> tuple[str, str] | None:
    """``gone`` or ``failed`` with the reason, or None when the page answered and must be compared."""
    status = page.exchange.final.status
    if status in GONE_STATUSES:
        return "gone", f"HTTP {status}"
    if _home_redirect(page):
        return "gone", f"redirected to the home page {page.exchange.final_url}"
    if status >= 500:
        return "failed", f"HTTP {status} (server error: nothing concluded)"
    return None


@dataclass(frozen=True)
class Comparison:
    """What differs between two versions of a page, and the text diff that shows it (if any)."""

    what: str | None  # "main text", "other visible text", "markup only", or None: unchanged
    flags: dict[str, bool | None]
    old_text: str | None = None
    new_text: str | None = None


def compare(previous: Previous, page: Page) -> Comparison:
    """Compare the response bodies, then say what differs, the most telling first.

    Main text first (what the article says); then any other text a reader sees, read from the
    markup and, when both versions were rendered, the browser's own text (which includes what
    scripts wrote); else, when only the bytes differ, the markup alone.
    """
    new_visible = visible_text(page.payload, page.content_type)
    rendered_pair = previous.rendered is not None and page.rendered_text is not None
    flags: dict[str, bool | None] = {
        "response": hashlib.sha256(page.payload).hexdigest() != previous.payload_sha256,
        "main_text": page.fingerprint != previous.fingerprint,
        "visible_text": (new_visible or "") != (previous.visible or ""),
        "rendered_text": (normalise(previous.rendered or "") != normalise(page.rendered_text or "")
                          if rendered_pair else None)}
    if flags["main_text"]:
        return Comparison("main text", flags, previous.text or "", page.main_text or "")
    if flags["rendered_text"]:
        return Comparison("other visible text", flags, normalise(previous.rendered or ""),
                          normalise(page.rendered_text or ""))
    if flags["visible_text"]:
        return Comparison("other visible text", flags, previous.visible or "", new_visible or "")
    if flags["response"]:
        return Comparison("markup only", flags)
    return Comparison(None, flags)


def recapture(case: Case, refs: Iterable[str] = (), *, all_pages: bool = False, changed_only: bool = False,
              options: CaptureOptions | None = None,
              on_result: Callable[[RecaptureResult], None] | None = None) -> list[RecaptureResult]:
    """Check each target page again; log one ``recapture`` event per page and return the results."""
    options = options or CaptureOptions()
    chosen = targets(case, refs, all_pages, options.fetch.max_bytes)
    if not chosen:
        raise OrganWatchError("nothing to recapture: name capture ids, or use --all once pages were captured "
                              "with `organwatch capture`")
    results: list[RecaptureResult] = []
    with Capturer(case, options) as capturer:
        for previous in chosen:
            result = _check(case, capturer, previous, changed_only)
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


def _check(case: Case, capturer: Capturer, previous: Previous, changed_only: bool) -> RecaptureResult:
    base = {"type": EVENT, "source_url": previous.url, "previous_set": previous.set_ref,
            "previous_capture": previous.capture, "previous_fingerprint": previous.fingerprint,
            "previous_captured_at": previous.captured_at}
    checked_at = utc_now()
    try:
        with capturer.within_deadline(), capturer.workdir() as workdir:
            page = capturer.fetch_page(previous.url, workdir)
            classified = _classify(page)
            completed = False
            comparison: Comparison | None = None
            if classified is None:
                same_body = hashlib.sha256(page.payload).hexdigest() == previous.payload_sha256
                if not (changed_only and same_body):  # rendered now: its text is compared too
                    capturer.complete(page)
                    completed = True
                comparison = compare(previous, page)
                status, reason = ("changed" if comparison.what else "unchanged"), None
            else:
                status, reason = classified
            event: dict[str, Any] = {**base, "checked_at": checked_at, "status": status, "reason": reason,
                                     "http_status": page.exchange.final.status, "final_url": page.exchange.final_url,
                                     "new_fingerprint": page.fingerprint, "new_set": None, "new_capture": None}
            extra_files: list[tuple[Path, str]] = []
            if comparison is not None:
                event["previous_payload_sha256"] = previous.payload_sha256
                event["new_payload_sha256"] = hashlib.sha256(page.payload).hexdigest()
                event["differs"] = comparison.flags
            if comparison is not None and comparison.what is not None:
                event["what_changed"] = comparison.what
            if comparison is not None and comparison.old_text is not None and comparison.new_text is not None:
                diff = text_diff(comparison.old_text, comparison.new_text, f"{previous.url} ({previous.captured_at})",
                                 f"{page.url} ({page.captured_at})")
                added, removed = diff_stats(diff)
                event["diff_stats"] = {"added": added, "removed": removed}
                if len(diff) <= INLINE_DIFF_CHARS:
                    event["diff"] = diff
                else:
                    diff_path = workdir / "text.diff"
                    diff_path.write_text(diff, encoding="utf-8")
                    extra_files.append((diff_path, "text-diff"))
            if not changed_only or status in ("changed", "gone"):
                if status in ("changed", "unchanged") and not completed:
                    capturer.complete(page)
                stored = capturer.store(page, event={"recapture_of": previous.set_ref}, extra_files=extra_files)
                event["new_set"] = stored.capture_set
                event["new_capture"] = stored.members[0].capture
                diff_member = next((m for m in stored.members if m.role == "text-diff"), None)
                if diff_member is not None:
                    event["diff_capture"] = diff_member.capture
    except WebCaptureError as exc:
        gone = exc.kind == "dns"
        event = {**base, "checked_at": checked_at, "status": "gone" if gone else "failed",
                 "reason": exc.reason, "error_kind": exc.kind, "new_set": None, "new_capture": None}
    case.log_event(event)
    return RecaptureResult(previous.url, event["status"], event.get("reason"), event)

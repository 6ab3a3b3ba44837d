"""Recapture and changes: unchanged, changed (with diff, every version kept), gone; read back from the log."""

from __future__ import annotations

import socket

import httpx
import pytest

from organwatch.case import Case
from organwatch.webcapture import CaptureOptions, FetchOptions, capture_url, check_capture_sets
from organwatch.webcapture.captureset import iter_sets
from organwatch.webcapture.changes import list_changes
from organwatch.webcapture.maintext import diff_stats, text_diff
from organwatch.webcapture.recapture import recapture
from tests.webcapture.conftest import needs_chromium
from tests.webcapture.servers import Site, page, redirect

V1 = "<html><body><article><p>Liver transplants here wait one to two weeks.</p><p>Call us.</p></article></body></html>"
V2 = "<html><body><article><p>Liver transplants here wait several months.</p><p>Call us.</p></article></body></html>"


def test_unchanged_then_changed_keeps_every_version(case: Case, site: Site, http_only: CaptureOptions) -> None:
    site.routes["/page.html"] = page(V1)
    first = capture_url(case, site.url("/page.html"), http_only)
    [same] = recapture(case, all_pages=True, options=http_only)
    assert same.status == "unchanged" and same.event["new_set"] is not None
    site.routes["/page.html"] = page(V2)
    [changed] = recapture(case, [first.members[0].capture[:10]], options=http_only)
    assert changed.status == "changed"
    diff = changed.event["diff"]
    assert "-Liver transplants here wait one to two weeks." in diff
    assert "+Liver transplants here wait several months." in diff
    assert changed.event["diff_stats"] == {"added": 1, "removed": 1}
    sets = list(iter_sets(case))
    assert len(sets) == 3 and sets[-1]["recapture_of"] == sets[-2]["capture_set"]
    old, new = first.members[0].capture, changed.event["new_capture"]
    assert old != new and case.blob_path(old).exists() and case.blob_path(new).exists()
    [listed] = list_changes(case)
    assert listed.status == "changed" and listed.diff == diff and listed.url == site.url("/page.html")
    assert list_changes(case, since="2999-01-01") == []
    assert case.verify().ok and check_capture_sets(case) == []


def test_changed_only_stores_nothing_new_for_unchanged(case: Case, site: Site, http_only: CaptureOptions) -> None:
    site.routes["/page.html"] = page(V1)
    capture_url(case, site.url("/page.html"), http_only)
    before = case.count_captures()
    [result] = recapture(case, all_pages=True, changed_only=True, options=http_only)
    assert result.status == "unchanged" and result.event["new_set"] is None
    assert result.event["new_fingerprint"] == result.event["previous_fingerprint"]
    assert case.count_captures() == before


def test_page_starting_to_return_404_is_gone(case: Case, site: Site, http_only: CaptureOptions) -> None:
    site.routes["/notice.html"] = page(V1)
    capture_url(case, site.url("/notice.html"), http_only)
    del site.routes["/notice.html"]
    [result] = recapture(case, all_pages=True, changed_only=True, options=http_only)
    assert result.status == "gone" and result.reason == "HTTP 404"
    assert result.event["new_capture"] is not None  # the 404 answer itself is kept as evidence
    [listed] = list_changes(case)
    assert listed.status == "gone" and listed.reason == "HTTP 404"


def test_redirect_to_home_page_is_gone(case: Case, site: Site, http_only: CaptureOptions) -> None:
    site.routes["/dept/liver.html"] = page(V1)
    capture_url(case, site.url("/dept/liver.html"), http_only)
    site.routes.update({"/dept/liver.html": redirect("/"), "/": page("<p>Welcome to our hospital</p>")})
    [result] = recapture(case, all_pages=True, options=http_only)
    assert result.status == "gone" and "home page" in (result.reason or "")


def test_dns_failure_is_gone_and_refused_connection_is_failed(case: Case, site: Site,
                                                              http_only: CaptureOptions) -> None:
    site.routes["/page.html"] = page(V1)
    capture_url(case, site.url("/page.html"), http_only)

    def no_dns(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known") from socket.gaierror(-2, "not known")

    [gone] = recapture(case, all_pages=True,
                       options=CaptureOptions(fetch=FetchOptions(transport=httpx.MockTransport(no_dns),
                                                                 allow_private_network=True), browser=None))
    assert gone.status == "gone" and "DNS" in (gone.reason or "") and gone.event["new_set"] is None
    url = site.url("/page.html")
    site.routes.clear()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"[Errno 111] Connection refused (port {port})")

    [failed] = recapture(case, all_pages=True,
                         options=CaptureOptions(fetch=FetchOptions(transport=httpx.MockTransport(refuse),
                                                                   allow_private_network=True),
                                                browser=None))
    assert failed.status == "failed" and failed.event["error_kind"] == "unreachable"
    assert [c.status for c in list_changes(case)] == ["gone"]
    assert [c.url for c in list_changes(case, statuses=("failed",))] == [url]


def test_long_diff_becomes_its_own_capture(case: Case, site: Site, http_only: CaptureOptions) -> None:
    paragraphs = [f"Paragraph {i}: the transplant centre reported {i * 7} operations." for i in range(120)]
    site.routes["/report.html"] = page("<article>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article>")
    capture_url(case, site.url("/report.html"), http_only)
    site.routes["/report.html"] = page("<article>" + "".join(f"<p>{p} (revised)</p>" for p in paragraphs)
                                       + "</article>")
    [result] = recapture(case, all_pages=True, options=http_only)
    assert result.status == "changed" and "diff" not in result.event
    diff_capture = result.event["diff_capture"]
    [listed] = list_changes(case)
    assert listed.diff == case.blob_path(diff_capture).read_text(encoding="utf-8")
    assert "(revised)" in (listed.diff or "")
    assert check_capture_sets(case) == []


def test_verify_hook_finds_a_set_member_that_is_not_there(case: Case, site: Site,
                                                          http_only: CaptureOptions) -> None:
    site.routes["/page.html"] = page(V1)
    result = capture_url(case, site.url("/page.html"), http_only)
    case.log_event({"type": "capture_set", "capture_set": "forged", "source_url": site.url("/page.html"),
                    "members": [{"capture": "ab" * 32, "role": "screenshot"},
                                {"capture": result.members[0].capture, "role": "http-exchange"}]})
    codes = sorted(f.code for f in check_capture_sets(case))
    assert codes == ["capture-set-member-mismatch", "capture-set-member-missing"]


def test_nothing_to_recapture_is_a_clear_error(case: Case) -> None:
    from organwatch.errors import OrganWatchError

    with pytest.raises(OrganWatchError, match="nothing to recapture"):
        recapture(case, all_pages=True, options=CaptureOptions(browser=None))


def test_paragraph_after_closing_html_tag_is_a_visible_change(case: Case, site: Site,
                                                              http_only: CaptureOptions) -> None:
    site.routes["/notice.html"] = page(V1)
    capture_url(case, site.url("/notice.html"), http_only)
    site.routes["/notice.html"] = page(V1 + "<p>Correction: the wait is now several months.</p>")
    [result] = recapture(case, all_pages=True, options=http_only)
    assert result.status == "changed"
    assert result.event["what_changed"] == "other visible text"
    assert result.event["differs"]["main_text"] is False and result.event["differs"]["response"] is True
    assert "+Correction: the wait is now several months.\n" in result.event["diff"]
    assert result.event["diff_stats"] == {"added": 1, "removed": 0}
    assert "(other visible text)" in result.line()
    [listed] = list_changes(case)
    assert listed.what == "other visible text"


def test_markup_only_change_is_reported_as_such(case: Case, site: Site, http_only: CaptureOptions) -> None:
    site.routes["/page.html"] = page(V1)
    capture_url(case, site.url("/page.html"), http_only)
    site.routes["/page.html"] = page(V1.replace("<article>", "<!-- build 2 --><article class='x'>"))
    [result] = recapture(case, all_pages=True, changed_only=True, options=http_only)
    assert result.status == "changed" and result.event["what_changed"] == "markup only"
    assert "diff" not in result.event and result.event["new_set"] is not None  # every version kept
    assert result.event["previous_payload_sha256"] != result.event["new_payload_sha256"]


def test_replaced_last_line_is_one_removal_and_one_addition(case: Case, site: Site,
                                                            http_only: CaptureOptions) -> None:
    site.routes["/page.html"] = page(V1)
    capture_url(case, site.url("/page.html"), http_only)
    site.routes["/page.html"] = page(V1.replace("Call us.", "Write to us."))
    [result] = recapture(case, all_pages=True, options=http_only)
    assert result.event["what_changed"] == "main text"
    assert "\n-Call us.\n+Write to us.\n" in result.event["diff"]
    assert result.event["diff_stats"] == {"added": 1, "removed": 1}


def test_text_diff_of_lines_without_trailing_newline() -> None:
    diff = text_diff("first\nold last", "first\nnew last", "a", "b")
    assert diff == "--- a\n+++ b\n@@ -1,2 +1,2 @@\n first\n-old last\n+new last\n"
    assert diff_stats(diff) == (1, 1)
    assert diff_stats(text_diff("--- dash line\n", "+++ plus line\n", "a", "b")) == (1, 1)


@needs_chromium
def test_text_written_by_a_script_is_compared_in_the_browser(case: Case, site: Site,
                                                             with_browser: CaptureOptions) -> None:
    def scripted(words: str) -> str:
        return ("<html><body><article><p>Liver transplants here wait one to two weeks.</p></article>"
                f"<div id='notice'></div><script>document.getElementById('notice').textContent = '{words}';"
                "</script></body></html>")

    site.routes["/page.html"] = page(scripted("Donor registry open."))
    first = capture_url(case, site.url("/page.html"), with_browser)
    assert "rendered-text" in {m.role for m in first.members}
    site.routes["/page.html"] = page(scripted("Registry closed by order."))
    [result] = recapture(case, all_pages=True, options=with_browser)
    assert result.status == "changed" and result.event["what_changed"] == "other visible text"
    assert result.event["differs"]["rendered_text"] is True and result.event["differs"]["visible_text"] is False
    assert "-Donor registry open.\n+Registry closed by order.\n" in result.event["diff"]

"""Recapture and changes: unchanged, changed (with diff, every version kept), gone; read back from the log."""

from __future__ import annotations

import socket

import httpx
import pytest

from organwatch.case import Case
from organwatch.webcapture import CaptureOptions, FetchOptions, capture_url, check_capture_sets
from organwatch.webcapture.captureset import iter_sets
from organwatch.webcapture.changes import list_changes
from organwatch.webcapture.recapture import recapture
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

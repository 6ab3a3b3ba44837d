from __future__ import annotations

import pytest

from organwatch.model.refs import parse_source

SHA = "ab" * 32


def test_capture_with_span() -> None:
    ref = parse_source(f"capture:{SHA.upper()}#10-20")
    assert (ref.kind, ref.sha256, ref.span) == ("capture", SHA, (10, 20))
    assert ref.is_case_reference


def test_claim_url_and_citation() -> None:
    assert parse_source("claim:c-12").claim_id == "c-12"
    assert parse_source("https://example.org/x").kind == "url"
    assert parse_source("Xinhua, 26 Jun 2007").kind == "citation"
    assert not parse_source("Xinhua").is_case_reference


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("capture:abc", "64-character hex"),
        (f"capture:{SHA}#20-10", "empty or reversed"),
        (f"capture:{SHA}#x", "must be '<start>-<end>'"),
        ("claim:has space", "no spaces"),
        ("  ", "empty source"),
    ],
)
def test_malformed_references(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_source(text)

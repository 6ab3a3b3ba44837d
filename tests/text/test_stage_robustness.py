"""The text and extract stages keep going past one bad document, and store numbers beyond 64 bits."""

from __future__ import annotations

from pathlib import Path

from organwatch.case import Case

REGISTRY = """<html><head><title>Port registry</title></head><body><article>
<p>The dynamic and private ports are 32768-18446744073709551615 in this registry, the notice says.</p>
<p>A second table lists 123456789012345678901234567890 identifiers, reserved for the registry of the hospital.</p>
</article></body></html>"""


def _page(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(f"<html><head><title>{name}</title></head><body><article><p>{body}</p></article></body></html>")
    return path


def test_quantities_beyond_64_bits_do_not_stop_extraction(case: Case, tmp_path: Path) -> None:
    first = _page(tmp_path, "a.html", "Wang Lijun fled to Chengdu on Feb. 6, officials said, with 3 aides.")
    registry = tmp_path / "registry.html"
    registry.write_text(REGISTRY)
    last = _page(tmp_path, "z.html", "Victoria Nuland spoke in Washington about 12 cases last week.")
    case.add([first, registry, last], text=True, extract=True)
    documents = {d.title: d for d in case.documents()}
    assert set(documents) == {"a.html", "Port registry", "z.html"}
    for doc in documents.values():
        assert case.mentions(doc.id), f"{doc.title}: nothing extracted"
    big = [m.to_dict() for m in case.mentions(documents["Port registry"].id, "quantity")
           if m.text == "32768-18446744073709551615"]
    assert big and big[0]["low"] == 32768 and big[0]["high"] > 1.8e19  # stored, not an OverflowError
    assert big[0]["canonical"] == "32768–18446744073709551615"  # exact digits, not a float's rounding
    huge = [m.to_dict() for m in case.mentions(documents["Port registry"].id, "quantity")
            if m.text.startswith("123456789012345678901234567890")]
    assert huge and huge[0]["value"] == 123456789012345678901234567890
    text = documents["Port registry"].text or ""
    assert text[big[0]["start_char"]:big[0]["end_char"]] == "32768-18446744073709551615"
    # Re-running the stage over the same documents replaces, and again does not crash.
    summary = case.extract()
    assert summary.documents == 3 and summary.failed == 0

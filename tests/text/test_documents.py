"""The orchestrator: sniffing by content, one typed error for bad input, span invariants, public API."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import io
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

import organwatch.text
from organwatch.text import ExtractedDocument, TextExtractionError, TextOptions, extract_documents, sniff_kind

PUBLIC_API = {
    "PIPELINE_VERSION", "DecodedText", "ExtractedDocument", "Language", "LanguageProfile", "MinHashLSH",
    "Signature", "TextExtractionError", "TextOptions", "Token", "decode_bytes", "detect_language",
    "extract_documents", "fingerprint", "fold_text", "normalise_pinyin", "paragraph_fingerprints",
    "paragraph_spans", "pinyin_keys", "profile_language", "segment", "similarity", "sniff_kind",
    "to_simplified", "to_simplified_aligned", "to_traditional",
}  # fmt: skip


def test_public_api_is_pinned() -> None:
    assert set(organwatch.text.__all__) == PUBLIC_API
    for name in PUBLIC_API:
        assert hasattr(organwatch.text, name), name


def test_a_file_whose_extension_lies_is_read_by_its_content(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "html_named.pdf")
    assert document.media_type == "text/html"
    assert document.title == "Organ transplant inquiry"
    assert any("named 'html_named.pdf' but the content is HTML" in w for w in document.warnings)


def test_pdf_bytes_declared_as_html_are_read_as_pdf(fixtures: Path) -> None:
    data = (fixtures / "report_2pages.pdf").read_bytes()
    (document,) = extract_documents(data, media_type="text/html; charset=utf-8", name="page.html")
    assert document.media_type == "application/pdf" and len(document.pages) == 2


def test_markdown_keeps_its_text_and_gets_a_title(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "mixed_language.md")
    assert document.media_type == "text/markdown"
    assert document.title == "Tianjin transplant centre"
    assert document.text.startswith("# Tianjin transplant centre\n\n")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "file is empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG image"),
        (b"PK\x03\x04" + b"\x00" * 100, "ZIP archive"),
        (b"\x00\x01\x02\x03binary\x00" * 10, "binary"),
        (gzip.compress(b"<html>not a warc</html>"), "gzip-compressed file that is not a WARC"),
    ],
)
def test_unreadable_input_raises_one_typed_error_with_a_one_line_reason(data: bytes, reason: str) -> None:
    with pytest.raises(TextExtractionError) as caught:
        list(extract_documents(data, name="upload.bin"))
    assert reason in caught.value.reason
    assert str(caught.value).startswith("upload.bin: ")
    assert "\n" not in str(caught.value)


def test_missing_file_is_a_text_extraction_error(tmp_path: Path) -> None:
    with pytest.raises(TextExtractionError, match="cannot open file"):
        list(extract_documents(tmp_path / "nope.html"))


def test_input_larger_than_the_limit_is_refused_clearly() -> None:
    with pytest.raises(TextExtractionError, match="max_input_bytes"):
        list(extract_documents(b"hello " * 1000, options=TextOptions(max_input_bytes=100)))


def test_documents_are_frozen(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "big5_page.html")
    with pytest.raises(dataclasses.FrozenInstanceError):
        document.text = "changed"  # type: ignore[misc]


def _documents(fixtures: Path) -> list[ExtractedDocument]:
    out: list[ExtractedDocument] = []
    for path in sorted(fixtures.iterdir()):
        if path.suffix == ".py":
            continue
        with contextlib.suppress(TextExtractionError):  # the encrypted and truncated PDFs
            out.extend(extract_documents(path))
    return out


def test_paragraph_and_page_spans_are_code_point_offsets_into_the_text(fixtures: Path) -> None:
    documents = _documents(fixtures)
    assert len(documents) >= 12
    for document in documents:
        text = document.text
        previous_end = 0
        for start, end, language in document.paragraphs:
            assert previous_end <= start < end <= len(text)
            assert text[start:end] == text[start:end].strip() and text[start:end]
            assert language in ("en", "zh-Hans", "zh-Hant", "other")
            previous_end = end
        # Everything outside the paragraphs is whitespace: no text is lost between spans.
        covered = {i for s, e, _ in document.paragraphs for i in range(s, e)}
        assert all(text[i].isspace() for i in range(len(text)) if i not in covered)
        for number, start, end in document.pages:
            assert number >= 1 and 0 <= start <= end <= len(text)


def test_sniff_kind_uses_content_first() -> None:
    assert sniff_kind(b"WARC/1.1\r\n", name="x.html") == "warc"
    assert sniff_kind(gzip.compress(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n"), name="x.txt") == "warc"
    assert sniff_kind(b"\xef\xbb\xbf<!DOCTYPE html><p>x", name="x.txt") == "html"
    assert sniff_kind("<html><body>肝臟</body></html>".encode("utf-16"), name="x.txt") == "html"
    assert sniff_kind(b"# Title\n\ntext", name="notes.md") == "markdown"
    assert sniff_kind(b"plain words", media_type="text/markdown") == "markdown"
    assert sniff_kind(b"plain words") == "text"


def test_binary_file_object_input(fixtures: Path) -> None:
    with (fixtures / "gb18030_declared_gb2312.html").open("rb") as handle:
        (document,) = extract_documents(handle)
    assert document.encoding == "gb18030"
    (again,) = extract_documents(io.BytesIO((fixtures / "utf16_bom.txt").read_bytes()), name="notes.txt")
    assert again.encoding_method == "bom"


def test_language_detection_can_be_switched_off(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "mixed_language.md", options=TextOptions(detect_language=False))
    assert {language for _, _, language in document.paragraphs} == {"other"}


def _mutations(seed: bytes, rng: random.Random, count: int) -> Iterator[bytes]:
    for _ in range(count):
        data = bytearray(seed)
        for _ in range(rng.randint(1, 20)):
            position = rng.randrange(len(data) + 1)
            choice = rng.random()
            if choice < 0.4 and data:
                data[min(position, len(data) - 1)] = rng.randrange(256)
            elif choice < 0.7:
                data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            else:
                del data[position : position + rng.randint(1, 50)]
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data) + 1)]
        yield bytes(data)


def test_damaged_inputs_never_raise_anything_but_text_extraction_error(fixtures: Path) -> None:
    """Hostile input: random byte edits of every fixture give documents or one typed error."""
    rng = random.Random(2016)
    seeds = [path.read_bytes() for path in sorted(fixtures.iterdir()) if path.suffix != ".py"]
    tried = 0
    for seed in seeds:
        for data in _mutations(seed, rng, 15):
            tried += 1
            try:
                for document in extract_documents(data):
                    assert isinstance(document.text, str)
            except TextExtractionError as error:
                assert error.reason and "\n" not in error.reason
    assert tried == 15 * len(seeds)

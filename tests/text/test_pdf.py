"""PDF: text per page with page spans; encrypted, truncated and corrupt files give one clear error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from organwatch.text import TextExtractionError, extract_documents
from organwatch.text.pdf import extract_pdf


def test_two_page_pdf_keeps_page_spans(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "report_2pages.pdf")
    assert document.media_type == "application/pdf"
    assert [page for page, _, _ in document.pages] == [1, 2]
    (_, start1, end1), (_, start2, end2) = document.pages
    assert start1 == 0 and end1 < start2 and end2 == len(document.text)
    page_one, page_two = document.text[start1:end1], document.text[start2:end2]
    assert page_one.startswith("Page one. The centre reported 2,248 liver transplants in 2005.")
    assert page_two.startswith("Page two. Bed numbers rose from 50 to 500")
    assert "Wang Lijun headed the bureau." in page_two
    assert document.title == "Transplant capacity report"
    assert document.author == "OrganWatch fixtures"
    assert document.language == "en"
    # Paragraphs never straddle a page boundary.
    for start, end, _ in document.paragraphs:
        assert any(s <= start and end <= e for _, s, e in document.pages)


def test_encrypted_pdf_needs_a_password(fixtures: Path) -> None:
    with pytest.raises(TextExtractionError, match="encrypted and needs a password") as caught:
        list(extract_documents(fixtures / "encrypted.pdf"))
    assert caught.value.name == "encrypted.pdf"
    assert "\n" not in str(caught.value)


def test_pdf_encrypted_with_an_empty_user_password_is_read(fixtures: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(fixtures / "report_2pages.pdf"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert PdfReader(io.BytesIO(buffer.getvalue())).is_encrypted
    (document,) = extract_documents(buffer.getvalue())
    assert "Page two. Bed numbers rose" in document.text
    assert len(document.pages) == 2


def test_truncated_pdf_is_a_clear_error(fixtures: Path) -> None:
    with pytest.raises(TextExtractionError, match="damaged or truncated"):
        list(extract_documents(fixtures / "truncated.pdf"))


@pytest.mark.parametrize("junk", [b"%PDF-1.7\n" + bytes(range(256)) * 20, b"%PDF-1.4\n%%EOF\n", b"%PDF-"])
def test_corrupt_pdf_is_a_clear_error(junk: bytes) -> None:
    with pytest.raises(TextExtractionError) as caught:
        extract_pdf(junk)
    assert "PDF" in caught.value.reason


def test_blank_page_is_reported(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf = extract_pdf(buffer.getvalue())
    assert pdf.text == "" and pdf.pages == ((1, 0, 0),)
    assert any("no text layer on page(s) 1" in warning for warning in pdf.warnings)


def test_max_chars_cuts_at_a_page(fixtures: Path) -> None:
    pdf = extract_pdf((fixtures / "report_2pages.pdf").read_bytes(), max_chars=100)
    assert pdf.truncated and len(pdf.text) == 100 and pdf.pages == ((1, 0, 100),)

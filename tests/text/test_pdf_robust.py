"""PDFs pypdf calls damaged are read by pdfium; garbled text is flagged; a stream bomb stays in bounded memory."""

from __future__ import annotations

import datetime
from pathlib import Path

from organwatch.text.pdf import extract_pdf
from tests.conftest import small_pdf
from tests.text.bombs import BLOCK, peak_memory_mb, repeated_deflate

SENTENCE = "The transplant centre reported a waiting time of two weeks for a liver, the documents show."


def test_pdf_without_startxref_is_read_by_a_fallback_reader() -> None:
    data = small_pdf(SENTENCE)
    broken = data[: data.rindex(b"startxref")] + b"startxrf\n999999\n%%EOF\n"
    cut = data[: data.rindex(b"xref")]  # the cross-reference table and trailer are gone
    for damaged in (broken, cut):
        pdf = extract_pdf(damaged)
        assert "waiting time of two weeks" in pdf.text
        assert pdf.extractor == "pdfium" and any("read with pdfium" in w for w in pdf.warnings)


def test_text_from_a_font_without_tounicode_is_flagged_as_garbled() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime.datetime(2016, 6, 22, tzinfo=datetime.UTC))
    pdf.add_page()
    pdf.add_font("dejavu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("dejavu", size=12)
    pdf.multi_cell(0, 8, SENTENCE)
    good = bytes(pdf.output())
    assert not any("garbled" in w for w in extract_pdf(good).warnings)
    bad = good.replace(b"/ToUnicode", b"/ToUnicodX")  # same length: the cross-reference table still holds
    warnings = extract_pdf(bad).warnings
    assert any("page 1: text looks garbled" in w and "no ToUnicode map" in w for w in warnings), warnings


def _stream_bomb(path: Path) -> Path:
    """A ~2 MB one-page PDF whose content stream inflates to 2 GiB of spaces."""
    stream, _crc, _size = repeated_deflate(b" " * BLOCK, 2048, zlib_header=True)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_a_content_stream_bomb_is_read_in_bounded_memory(tmp_path: Path) -> None:
    bomb = _stream_bomb(tmp_path / "bomb.pdf")
    assert bomb.stat().st_size < 3 << 20
    code = f"""
from organwatch.text import extract_documents
for doc in extract_documents({str(bomb)!r}):
    print(doc.warnings)
"""
    peak, printed = peak_memory_mb(code)
    assert peak < 500, f"peak {peak:.0f} MB"
    assert "inflates to more than" in printed

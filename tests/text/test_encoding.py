"""Decoding real encoded files: GB18030, Big5, UTF-16, and pages whose declared charset is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from organwatch.text import decode_bytes, extract_documents
from organwatch.text.encoding import charset_from_content_type, normalise_encoding_name

ZH_HANS = "据报道，该医院的肝脏移植等待时间只有两周，远低于国际水平。器官来源不明，调查人员要求公开数据。"
ZH_HANT = "據報道，該醫院的肝臟移植等待時間只有兩週，遠低於國際水平。器官來源不明，調查人員要求公開數據。"


def test_gb18030_page_declared_gb2312_keeps_gb18030_only_characters(fixtures: Path) -> None:
    data = (fixtures / "gb18030_declared_gb2312.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")  # the fixture really holds characters outside GBK
    (document,) = extract_documents(data)
    assert document.encoding == "gb18030"
    assert document.encoding_method == "meta"
    assert "罕见字测试：䶮𠀀，以及欧元符号€。" in document.text
    assert "\ufffd" not in document.text
    assert document.warnings == ()


def test_big5_page(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "big5_page.html")
    assert document.encoding == "big5hkscs"
    assert document.encoding_method == "meta"
    assert "天津第一中心醫院東方器官移植中心的肝臟移植等待時間只有兩週" in document.text
    assert document.title == "器官移植調查報告"


def test_utf16_text_with_bom(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "utf16_bom.txt")
    assert (document.encoding, document.encoding_method) == ("utf-16-le", "bom")
    assert document.text.startswith("Transplant inquiry notes\n\nThe hospital")
    assert "\r" not in document.text and "\ufeff" not in document.text


def test_page_declaring_utf8_but_encoded_gbk_is_decoded_as_gb18030_with_a_warning(fixtures: Path) -> None:
    data = (fixtures / "gbk_declared_utf8.html").read_bytes()
    assert b'charset="utf-8"' in data
    (document,) = extract_documents(data)
    assert (document.encoding, document.encoding_method) == ("gb18030", "detection")
    assert "医院网站称，等待时间以天计算" in document.text
    assert any("'utf-8'" in warning and "gb18030" in warning for warning in document.warnings)


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        (ZH_HANS, "gbk", "gb18030"),
        (ZH_HANS + "䶮𠀀", "gb18030", "gb18030"),
        (ZH_HANT, "big5", "big5hkscs"),
        ("香港用字：𨋢（升降機）、嘅、咗、冇，" + ZH_HANT, "big5hkscs", "big5hkscs"),
        (ZH_HANS, "utf-8", "utf-8"),
        ("王立军", "gbk", "gb18030"),
        ("王立軍", "big5", "big5hkscs"),
        ("Le café est très cher à Montréal, déjà vu.", "cp1252", "cp1252"),
    ],
)
def test_detection_without_declaration(text: str, codec: str, expected: str) -> None:
    decoded = decode_bytes(text.encode(codec))
    assert decoded.text == text
    assert (decoded.encoding, decoded.method) == (expected, "detection")


@pytest.mark.parametrize("codec", ["utf-8", "utf-16-le", "utf-16-be", "utf-32-le"])
def test_byte_order_marks(codec: str) -> None:
    decoded = decode_bytes(("\ufeffOrgan " + ZH_HANT).encode(codec))
    assert decoded.text == "Organ " + ZH_HANT
    assert decoded.method == "bom"


def test_http_header_wins_over_meta_when_both_fit() -> None:
    page = f"<html><head><meta charset='big5'></head><body>{ZH_HANS}</body></html>".encode("gbk")
    decoded = decode_bytes(page, http_charset="gbk", html=True)
    assert (decoded.encoding, decoded.method) == ("gb18030", "http-header")
    assert ZH_HANS in decoded.text


def test_wrong_big5_declaration_on_gbk_bytes_is_overridden() -> None:
    page = f"<meta charset=big5><p>{ZH_HANS}</p>".encode("gbk")
    decoded = decode_bytes(page, html=True)
    assert decoded.encoding == "gb18030"
    assert ZH_HANS in decoded.text
    assert decoded.warnings


def test_declared_utf8_but_valid_legacy_bytes_mixed_with_garbage_is_replaced_and_reported() -> None:
    data = b"Report: " + b"\xff\xfe\xfd" * 3 + b" end"
    decoded = decode_bytes(data, http_charset="utf-8")
    assert decoded.text.startswith("Report: ") and decoded.text.endswith(" end")
    assert decoded.warnings


def test_ascii_only_uses_the_declaration() -> None:
    decoded = decode_bytes(b"<p>hello</p>", http_charset="gb2312")
    assert (decoded.text, decoded.encoding, decoded.method) == ("<p>hello</p>", "gb18030", "http-header")
    assert decode_bytes(b"hello").method == "default"


def test_non_ascii_late_in_a_large_file_is_still_detected() -> None:
    data = b"<!-- " + b"x" * 1_500_000 + b" -->" + ZH_HANS.encode("gbk")
    decoded = decode_bytes(data)
    assert decoded.encoding == "gb18030"
    assert decoded.text.endswith(ZH_HANS)


@pytest.mark.parametrize(
    ("label", "codec"),
    [("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"), ("Big5", "big5hkscs"),
     ("UTF8", "utf-8"), ("iso-8859-1", "cp1252"), ("no-such-charset", None), (None, None)],
)  # fmt: skip
def test_normalise_encoding_name(label: str | None, codec: str | None) -> None:
    assert normalise_encoding_name(label) == codec


def test_charset_from_content_type() -> None:
    assert charset_from_content_type('text/html; charset="GBK"') == "GBK"
    assert charset_from_content_type("text/html") is None

"""Korean, Japanese and single-byte European text is decoded as what it is, never passed off as Chinese."""

from __future__ import annotations

import random

import pytest

from organwatch.text import extract_documents
from organwatch.text.encoding import decode_bytes

KOREAN = ("보건복지부는 장기이식 대기 시간이 평균 삼 년이라고 밝혔다. 병원 관계자는 환자들이 오래 기다린다고 "
          "말했다. 이식 수술은 서울의 대학병원에서 진행되었으며 가족들은 결과를 기다리고 있다.")
JAPANESE = ("日本の臓器移植ネットワークによると、移植を待つ患者の平均待機期間は約三年です。"
            "病院の関係者はそう述べました。家族は手術の結果を静かに待っています。")
CHINESE = "卫生部表示，肝脏移植的平均等待时间为两周。医院负责人说，病人不需要等待很长时间，手术在省会城市进行。"
TRADITIONAL = "衛生部表示，肝臟移植的平均等待時間為兩週。醫院負責人說，病人不需要等待很長時間。"

CASES = [
    ("euc-kr", KOREAN), ("cp949", "똠방각하 뷁 " + KOREAN), ("johab", KOREAN),
    ("euc-jp", JAPANESE), ("shift_jis", JAPANESE),
    ("cp1251", "Министерство здравоохранения сообщило, что среднее время ожидания трансплантации три года."),
    ("koi8-r", "Министерство здравоохранения сообщило, что среднее время ожидания трансплантации три года."),
    ("cp1253", "Το υπουργείο υγείας ανακοίνωσε ότι ο μέσος χρόνος αναμονής για μεταμόσχευση είναι τρία χρόνια."),
    ("cp1254", "Sağlık bakanlığı, organ nakli için ortalama bekleme süresinin üç yıl olduğunu açıkladı."),
    ("iso-8859-2", "Ministerstwo zdrowia poinformowało, że średni czas oczekiwania na przeszczep wynosi trzy lata."),
    ("cp1250", "Ministerstvo zdravotnictví oznámilo, že průměrná čekací doba na transplantaci jsou tři roky."),
    ("cp1255", "משרד הבריאות הודיע כי זמן ההמתנה הממוצע להשתלה הוא שלוש שנים ולא פחות."),
    ("cp1256", "أعلنت وزارة الصحة أن متوسط وقت الانتظار لعملية الزرع هو ثلاث سنوات تقريبا."),
    ("cp1252", "Le ministère de la santé a annoncé que le délai d'attente moyen pour une greffe est très élevé."),
]


@pytest.mark.parametrize(("codec", "text"), CASES, ids=[c for c, _ in CASES])
def test_undeclared_text_is_decoded_in_its_own_encoding(codec: str, text: str) -> None:
    data = "\n".join([text] * 3).encode(codec)
    decoded = decode_bytes(data)
    assert decoded.text.startswith(text), (decoded.encoding, decoded.text[:40])
    (document,) = extract_documents(data, name="page.txt")
    assert document.language not in ("zh-Hans", "zh-Hant")


@pytest.mark.parametrize("codec", ["euc-kr", "johab"])
def test_korean_html_is_not_labelled_chinese(codec: str) -> None:
    page = (f"<html><head><title>뉴스</title></head><body><article><p>{KOREAN}</p><p>{KOREAN}</p></article>"
            "</body></html>")
    (document,) = extract_documents(page.encode(codec), name="news.html")
    assert KOREAN[:20] in document.text and document.language == "other"


def test_chinese_legacy_encodings_still_read_as_chinese() -> None:
    for codec, language in (("gbk", "zh-Hans"), ("big5", "zh-Hant")):
        text = CHINESE if codec == "gbk" else TRADITIONAL
        (document,) = extract_documents("\n".join([text] * 2).encode(codec), name="a.txt")
        assert document.language == language and text in document.text


def test_unknown_double_byte_text_is_not_labelled_chinese() -> None:
    """Stand-in for EUC-TW and other encodings we have no codec for: valid GB18030, but not Chinese."""
    rng = random.Random(11)
    data = b"".join(bytes((rng.randint(0xB0, 0xF7), rng.randint(0xA1, 0xFE))) + (b" " if i % 7 == 6 else b"")
                    for i in range(400))
    (document,) = extract_documents(data, name="unknown.txt")
    assert document.language == "other"
    assert any("does not read as Chinese" in w for w in document.warnings)


def test_too_little_legacy_text_says_the_guess_is_uncertain() -> None:
    decoded = decode_bytes("肝脏移植".encode("gbk"))
    assert decoded.encoding == "gb18030" and any("too little text" in w for w in decoded.warnings)

"""Quantities: digits with separators, number words, Chinese numerals with 万/亿, vague amounts as ranges.

Each quantity gets ``value`` (or ``low``/``high`` for a range or a vague amount such as "several thousand"
or "数千") and ``unit``: the counted thing ("transplants", "practitioners", or the Chinese measure word
and noun, "例", "医院"). Numbers inside dates are left to :mod:`dates` (overlaps are removed later).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from organwatch.extract.numerals import (
    EN_FRACTIONS,
    EN_SCALES,
    EN_UNITS,
    EN_VAGUE,
    parse_en_words,
    parse_zh_numeral,
    tidy,
)
from organwatch.model.extraction import Mention

_WORDNUM = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|a\s+dozen)"
)
_SCALE = r"(?:hundred|thousand|million|billion)"
_DIGITNUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_ONE_NUM = rf"(?:{_DIGITNUM}(?:\s+{_SCALE})?|{_WORDNUM}(?:\s+{_SCALE})?)"
EN_QUANTITY = re.compile(
    rf"""(?<![\w.,/])(?:
      (?P<cur>US\$|\$|€|£|¥|RMB\s?)?(?P<a>{_ONE_NUM})\s*(?:–|—|-|\s+to\s+|\s+and\s+)\s*(?P=cur)?(?P<b>{_ONE_NUM})(?P<pct_r>\s?%|\s+percent)?
    | (?P<frac_n>one|two|three|four|five|seven|nine)[-\s](?P<frac_d>halves|thirds?|quarters?|fourths?|fifths?|tenths?)
    | (?P<vague>several|a\s+few|dozens\s+of)\s+(?P<vague_s>hundred|thousand|million)
    | (?P<plural>hundreds\s+of\s+thousands|tens\s+of\s+thousands|hundreds|thousands|millions)(?=\s+of\b)
    | (?P<cur1>US\$|\$|€|£|¥|RMB\s?)?(?P<one>{_ONE_NUM})(?P<pct>\s?%|\s+percent)?
    )(?![\w])""",
    re.VERBOSE | re.IGNORECASE,
)
_UNIT_EN = re.compile(r"[\s-]+(?:of\s+)?(?P<u1>[a-z][a-z\-]+)(?:\s+(?P<u2>[a-z][a-z\-]+))?")
_STOP_UNIT = frozenset("a an the of to in on at and or for from by with as than that this is are was were be been "
                       "per each every more less about over under between into who which had has have".split())  # fmt: skip  # noqa: E501
_PLURAL_RANGES = {
    "hundreds": (200, 900), "thousands": (2_000, 9_000), "millions": (2_000_000, 9_000_000),
    "tens of thousands": (20_000, 90_000), "hundreds of thousands": (200_000, 900_000),
}  # fmt: skip

_ZH_N = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?)"
_ZH_BIG = r"(?:万|亿|千万|百万)"
# "四万一千五百" (41,500) and "3亿5千万" are one number: groups of a numeral and 万/亿, then the rest
_ZH_PART = r"(?:\d+(?:\.\d+)?[十百千]?|[零〇一二两三四五六七八九十百千]+)"
_ZH_ONE = rf"(?:{_ZH_PART}[万亿])+(?:{_ZH_PART}(?![万亿]))?(?:余|多)?|{_ZH_N}{_ZH_BIG}?(?:余|多)?"
_CLASSIFIER = (
    r"(?:例|人|名|家|个|個|所|位|张|層|层|次|起|颗|枚|宗|项|件|座|台|周|天|年|小时|个月|元|美元|万元|公斤|床|倍)"
)
ZH_QUANTITY = re.compile(
    rf"""(?:
      百分之(?P<zpct>[零〇一二三四五六七八九十点]+)
    | (?P<zfr_d>[一二三四五六七八九十百]+)分之(?P<zfr_n>[一二三四五六七八九十]+)
    | (?P<za>{_ZH_N}{_ZH_BIG}?)(?:至|到|－|-|–|~|～)(?P<zb>{_ZH_N}{_ZH_BIG}?)(?P<zr_cls>{_CLASSIFIER})?
    | (?P<zvague>数|數|几|幾|上|成|近)(?P<zvague_s>十万|百万|千万|十|百|千|万|萬|亿)(?P<zv_cls>{_CLASSIFIER})?
    | (?P<zone>{_ZH_ONE})(?P<zpct2>%|％)?(?P<z_cls>{_CLASSIFIER})?
    )""",
    re.VERBOSE,
)
_ZH_VAGUE = {"数": (3, 9), "几": (2, 9), "上": (1, None), "成": (1, None), "近": (None, 1)}


def _en_number(text: str) -> float | None:
    text = text.strip()
    match = re.fullmatch(rf"({_DIGITNUM})(?:\s+({_SCALE}))?", text, re.IGNORECASE)
    if match:
        number = float(match.group(1).replace(",", ""))
        return number * EN_SCALES[match.group(2).lower()] if match.group(2) else number
    return parse_en_words(re.sub(r"\s+", " ", text))


def _en_unit(text: str, end: int, currency: str | None, percent: bool) -> str | None:
    if percent:
        return "%"
    if currency:
        return currency.strip()
    match = _UNIT_EN.match(text, end)
    if not match or match.group("u1").lower() in _STOP_UNIT:
        return None
    first, second = match.group("u1"), match.group("u2")
    if first.endswith("s") or not second or second.lower() in _STOP_UNIT:
        return first
    return f"{first} {second}"


def _is_small_word(text: str) -> bool:
    return text.lower() in EN_UNITS and EN_UNITS[text.lower()] < 2


def english_quantities(text: str) -> Iterator[Mention]:
    """Quantities in English prose (see module docstring)."""
    for m in EN_QUANTITY.finditer(text):
        g = m.groupdict()
        value: float | None = None
        low: float | None = None
        high: float | None = None
        if g["a"]:
            low, high = _en_number(g["a"]), _en_number(g["b"])
            if low is None or high is None or low >= high:
                continue
            # "seven to nine thousand": the scale of the high end applies to the low end too
            if (
                high >= 1000 > low
                and re.search(_SCALE, g["b"], re.IGNORECASE)
                and not re.search(_SCALE, g["a"], re.IGNORECASE)
            ):
                low *= EN_SCALES[re.search(_SCALE, g["b"], re.IGNORECASE).group().lower()]  # type: ignore[union-attr]
            unit = _en_unit(text, m.end(), g["cur"], bool(g["pct_r"]))
        elif g["frac_n"]:
            value = EN_UNITS[g["frac_n"].lower()] / EN_FRACTIONS[g["frac_d"].lower()]
            unit = _en_unit(text, m.end(), None, False)
        elif g["vague"]:
            lo, hi = EN_VAGUE[re.sub(r"\s+", " ", g["vague"].lower())]
            scale = EN_SCALES[g["vague_s"].lower()]
            low, high = lo * scale, hi * scale
            unit = _en_unit(text, m.end(), None, False)
        elif g["plural"]:
            low, high = _PLURAL_RANGES[re.sub(r"\s+", " ", g["plural"].lower())]
            unit = _en_unit(text, m.end(), None, False)
        else:
            number = g["one"]
            if _is_small_word(number) or (
                number[0].isalpha()
                and number[0].isupper()
                and m.start() > 0
                and text[m.start() - 2 : m.start()] not in {". ", "\n"}
            ):
                continue
            value = _en_number(number)
            if value is None:
                continue
            unit = _en_unit(text, m.end(), g["cur1"], bool(g["pct"]))
        yield _mention(text, m.start(), m.end(), value, low, high, unit, "quantities:en")


def _mention(text: str, start: int, end: int, value: float | None, low: float | None, high: float | None,
             unit: str | None, method: str) -> Mention:  # fmt: skip
    if value is None and low is not None and high is not None and low == high:
        value, low, high = low, None, None
    if value is not None:
        canonical = str(tidy(value))
    else:
        canonical = f"{tidy(low) if low is not None else ''}–{tidy(high) if high is not None else ''}"
    return Mention(
        "quantity", text[start:end], start, end, canonical,
        value=tidy(value) if value is not None else None, unit=unit,
        low=tidy(low) if low is not None else None, high=tidy(high) if high is not None else None, method=method,
    )  # fmt: skip


_ZH_NOUN_AFTER = re.compile(r"(?:医院|醫院|人|患者|病人|修炼者|学员|学員|例|器官|肾|肝|家|所)")


def _zh_unit(simplified: str, end: int, classifier: str | None) -> str | None:
    noun = _ZH_NOUN_AFTER.match(simplified, end)
    if classifier in {"家", "所", "个", "位", "名"} and noun and noun.group() not in {"例", "家", "所"}:
        return noun.group()
    return classifier


def chinese_quantities(text: str, simplified: str) -> Iterator[Mention]:
    """Quantities in Chinese prose; offsets come from the aligned simplified text."""
    for m in ZH_QUANTITY.finditer(simplified):
        g = m.groupdict()
        value: float | None = None
        low: float | None = None
        high: float | None = None
        classifier: str | None = None
        if g["zfr_d"]:
            d, n = parse_zh_numeral(g["zfr_d"]), parse_zh_numeral(g["zfr_n"])
            if not d or n is None:
                continue
            value = n / d
        elif g["zpct"]:
            value = parse_zh_numeral(g["zpct"].replace("点", "."))
            classifier = "%"
        elif g["za"]:
            low, high = parse_zh_numeral(g["za"]), parse_zh_numeral(g["zb"])
            if low is None or high is None or low >= high:
                continue
            # "6至10万": the 万 of the high end applies to the low end too
            if g["zb"][-1] in "万亿" and g["za"][-1] not in "万亿":
                low *= 10_000 if g["zb"][-1] == "万" else 100_000_000
            classifier = g["zr_cls"]
            if classifier is None and not any(ch.isdigit() for ch in g["za"] + g["zb"]):
                continue
        elif g["zvague"]:
            scale = parse_zh_numeral(g["zvague_s"]) or 1
            lo, hi = _ZH_VAGUE[to_simple_vague(g["zvague"])]
            low = lo * scale if lo is not None else None
            high = hi * scale if hi is not None else None
            if g["zvague"] == "上":
                value, low, high = scale, None, None
            classifier = g["zv_cls"]
            if g["zvague"] in {"上", "成", "近"} and not classifier and g["zvague_s"] not in {"万", "萬", "亿", "千"}:
                continue
        else:
            number = g["zone"]
            classifier = "%" if g["zpct2"] else g["z_cls"]
            is_digits = any(ch.isdigit() for ch in number)
            big = re.search(_ZH_BIG, number) is not None
            if not is_digits and not big and not classifier:
                continue  # a bare Chinese numeral character is nearly always part of a word (一审, 第一)
            if not is_digits and simplified[m.start() - 1 : m.start()] == "第":
                continue
            value = parse_zh_numeral(re.sub(r"[余多]$", "", number))
            if value is None:
                continue
        yield _mention(text, m.start(), m.end(), value, low, high, _zh_unit(simplified, m.end(), classifier),
                       "quantities:zh")  # fmt: skip


def to_simple_vague(char: str) -> str:
    return {"數": "数", "幾": "几"}.get(char, char)

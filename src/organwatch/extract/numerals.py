"""Number words in English and Chinese → numbers (shared by dates and quantities).

Chinese numerals go through our own small parser rather than cn2an's "smart" mode, because prose mixes
digits with 万/亿 ("4.15万", "305万余") and cn2an rejects many such strings; cn2an is used only for
plain Chinese-numeral strings it accepts.
"""

from __future__ import annotations

import re

EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a dozen": 12,
}  # fmt: skip
EN_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
EN_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
                "fourths": 4, "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10}  # fmt: skip
# "several thousand" and friends: a range ("数千" → low/high), never a single made-up number.
EN_VAGUE = {"several": (3, 9), "a few": (2, 5), "few": (2, 5), "some": (2, 9), "dozens of": (24, 99)}

ZH_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8,
             "玖": 9}  # fmt: skip
ZH_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
ZH_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
ZH_NUMERAL_CHARS = "".join(ZH_DIGITS) + "".join(ZH_SMALL_UNITS) + "".join(ZH_BIG_UNITS)

_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def tidy(number: float) -> float | int:
    """Ints stay ints in JSON (41500, not 41500.0); fractions keep four decimals."""
    return int(number) if float(number).is_integer() else round(number, 4)


def parse_en_digits(text: str) -> float:
    return float(text.replace(",", "").replace(" ", ""))


def parse_en_words(text: str) -> float | None:
    """ "seventy" → 70, "twenty-five" → 25, "three hundred" → 300; None when not a number word."""
    words = text.lower().replace("-", " ").split()
    total, current, seen = 0.0, 0.0, False
    for word in words:
        if word in EN_UNITS:
            current += EN_UNITS[word]
            seen = True
        elif word in EN_SCALES:
            scale = EN_SCALES[word]
            current = (current or 1) * scale
            if scale >= 1000:
                total += current
                current = 0
            seen = True
        elif word == "and":
            continue
        else:
            return None
    return total + current if seen else None


def parse_zh_numeral(text: str) -> float | None:
    """Chinese numerals, with or without digits: "二〇〇六" → 2006, "三十五" → 35, "4.15万" → 41500."""
    text = text.strip()
    if not text:
        return None
    # A pure digit string of Chinese characters ("二〇〇六") reads digit by digit.
    if all(ch in ZH_DIGITS for ch in text) and len(text) > 1:
        return float("".join(str(ZH_DIGITS[ch]) for ch in text))
    total = 0.0
    section = 0.0
    current: float | None = None
    i = 0
    while i < len(text):
        match = _DIGITS.match(text, i)
        if match:
            current = float(match.group())
            i = match.end()
            continue
        ch = text[i]
        if ch in ZH_DIGITS:
            current = float(ZH_DIGITS[ch])
        elif ch in ZH_SMALL_UNITS:
            section += (current if current is not None else 1) * ZH_SMALL_UNITS[ch]
            current = None
        elif ch in ZH_BIG_UNITS:
            section += current or 0
            if section == 0:
                section = 1
            total = (
                (total + section) * ZH_BIG_UNITS[ch]
                if ZH_BIG_UNITS[ch] > 10_000
                else total + section * ZH_BIG_UNITS[ch]
            )
            section = 0
            current = None
        else:
            return None
        i += 1
    return total + section + (current or 0)


def parse_number(text: str) -> float | None:
    """Any single number we write: "41,500", "seventy", "二〇〇六", "6万"."""
    text = text.strip()
    if not text:
        return None
    if _DIGITS.fullmatch(text.replace(",", "")):
        return parse_en_digits(text)
    if text[0].isascii() and text[0].isalpha():
        return parse_en_words(text)
    return parse_zh_numeral(text)

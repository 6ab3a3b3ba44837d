"""Which East Asian language a decoding reads as, so Korean or Japanese bytes are not taken for Chinese.

GB18030 and Big5 accept almost any run of high bytes, so Korean, Japanese and EUC-TW text decodes
under them without an error, as strings of real characters no Chinese reader could read. A decoding
is judged by what its characters are:

* Chinese: most Han characters are among the most frequent ones (:mod:`organwatch.text.commonhan`),
  and there is next to no kana or hangul;
* Korean: nearly all letters are hangul, and common syllables dominate;
* Japanese: kana (hiragana above all) make up a good part of the text, as in any Japanese sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from organwatch.text.commonhan import common_han

Script = Literal["zh", "ko", "ja"]

#: Codecs tried for Korean and Japanese text when no Chinese decoding reads as Chinese.
KOREAN_JAPANESE = ("cp949", "johab", "euc_jp", "cp932", "iso2022_jp")
#: Share of Han characters among the most frequent ones above which a decoding reads as Chinese.
CHINESE_COVERAGE = 0.65
#: Fewer Han characters or hangul/kana than this and the verdict is too thin to rely on.
MIN_LETTERS = 20

# Frequent Korean syllables (particles, verb endings, common Sino-Korean syllables).
_COMMON_HANGUL = frozenset(
    "이다는의에고하을가로지한서기사리도어자수대아일나시인정게과를들적해전되보상제부스것주그면구있문만우위라요국"
    "장원성경했화으동없까모치데관선생세며터업회소학진신중연분방비러무개물계말마미내통두간금실식용체공후년명히께"
    "및각당단결본작유련려복바행받습니님됩합였겠니다던든또더된될된해서게요면서거나라고며는데도만까지에서부터으로"
)


@dataclass(frozen=True)
class Reading:
    """How a decoded sample reads: the script it looks like and how strongly (0..1)."""

    script: Script | None
    strength: float
    letters: int


def _is_han(code: int) -> bool:
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def read_as(text: str) -> Reading:
    """The East Asian script ``text`` reads as, if any, and how convincingly."""
    common = common_han()
    han = common_hits = hangul = hangul_common = kana = hiragana = 0
    for ch in text:
        code = ord(ch)
        if code < 0x3000:
            continue
        if _is_han(code):
            han += 1
            common_hits += ch in common
        elif 0xAC00 <= code <= 0xD7A3:
            hangul += 1
            hangul_common += ch in _COMMON_HANGUL
        elif 0x3040 <= code <= 0x309F:
            kana += 1
            hiragana += 1
        elif 0x30A0 <= code <= 0x30FF:
            kana += 1
    letters = han + hangul + kana
    if not letters:
        return Reading(None, 0.0, 0)
    coverage = common_hits / han if han else 0.0
    readings: list[tuple[float, Script]] = []
    if han:
        readings.append((coverage * (1 - (hangul + kana) / letters), "zh"))
    if hangul:
        share = hangul / letters
        readings.append((share * min(1.0, 0.4 + hangul_common / hangul), "ko"))
    if hiragana:
        share = hiragana / letters
        readings.append((min(1.0, share / 0.25) * (0.5 + 0.5 * coverage if han else 0.8), "ja"))
    strength, script = max(readings)
    return Reading(script, strength, letters)


def reads_as_chinese(text: str) -> bool | None:
    """True/False when ``text`` clearly is/is not Chinese, None when there is too little to tell."""
    reading = read_as(text)
    if reading.letters < MIN_LETTERS:
        return None
    return reading.script == "zh" and reading.strength >= CHINESE_COVERAGE

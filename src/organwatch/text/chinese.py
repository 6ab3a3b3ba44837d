"""Chinese helpers: script conversion, segmentation with offsets into the original, pinyin name keys.

jieba's dictionary is simplified: on traditional text nearly every character is unknown to it and it is
~100x slower and segments badly. So we segment the OpenCC-simplified text and map token offsets back to
the original. That only works if conversion keeps length; OpenCC t2s is character-for-character for
nearly all text, and :func:`to_simplified_aligned` checks and falls back to per-character conversion.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any

import opencc
from pypinyin import Style, lazy_pinyin

_lock = threading.Lock()


@functools.cache
def _converter(config: str) -> Any:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``); other text passes through.

    >>> to_simplified("肝臟移植")
    '肝脏移植'
    """
    return str(_converter("t2s").convert(text)) if text else text


def to_traditional(text: str) -> str:
    """Simplified → traditional Chinese (OpenCC ``s2t``, phrase-aware: 头发 → 頭髮, 发展 → 發展)."""
    return str(_converter("s2t").convert(text)) if text else text


def to_simplified_aligned(text: str) -> str:
    """Like :func:`to_simplified` but guaranteed to return a string of the same length.

    Index ``i`` of the result corresponds to index ``i`` of ``text``, so offsets computed on the
    simplified text are valid in the original.
    """
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted
    # Rare: a phrase rule changed the length. Convert one character at a time instead.
    out = []
    for ch in text:
        single = to_simplified(ch)
        out.append(single if len(single) == 1 else ch)
    return "".join(out)


@dataclass(frozen=True)
class Token:
    """A segment of the original text: ``text == original[start:end]``; ``simplified`` is its t2s form."""

    text: str
    start: int
    end: int
    simplified: str


@functools.cache
def _jieba() -> Any:
    with warnings.catch_warnings():
        # jieba imports pkg_resources and has old escape sequences; neither concerns us.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba

    jieba.setLogLevel(logging.WARNING)  # otherwise "Building prefix dict..." goes to stderr
    tokenizer = jieba.Tokenizer()
    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        tokenizer.initialize()
    return tokenizer


def segment(text: str, *, search: bool = False) -> list[Token]:
    """Split ``text`` into words (jieba on the simplified form) with offsets into ``text``.

    ``search=True`` also yields the shorter words inside long ones (jieba's search mode), which is
    what a full-text index wants. Whitespace-only tokens are dropped.

    >>> [t.text for t in segment("肝臟移植醫院")]
    ['肝臟', '移植', '醫院']
    """
    if not text:
        return []
    simplified = to_simplified_aligned(text)
    tokenizer = _jieba()
    mode = "search" if search else "default"
    tokens = []
    for word, start, end in tokenizer.tokenize(simplified, mode=mode, HMM=True):
        if word.strip():
            tokens.append(Token(text[start:end], start, end, word))
    return tokens


# Surnames whose reading differs from the character's everyday reading, or that have two readings in
# use. Expanding them is what lets "Bo Xilai", "Zeng Qinghong" and "Shan ..." match their characters.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "薄": ("bo", "bao"),
    "曾": ("zeng", "ceng"),
    "单": ("shan", "dan"),
    "解": ("xie", "jie"),
    "仇": ("qiu", "chou"),
    "区": ("ou", "qu"),
    "朴": ("piao", "pu"),
    "查": ("zha", "cha"),
    "盖": ("ge", "gai"),
    "乐": ("yue", "le"),
    "缪": ("miao", "mou"),
    "秘": ("bi", "mi"),
    "种": ("chong", "zhong"),
    "重": ("chong", "zhong"),
    "繁": ("po", "fan"),
    "那": ("na", "nuo"),
    "员": ("yun", "yuan"),
    "翟": ("zhai", "di"),
    "褚": ("chu", "zhu"),
    "尉": ("yu", "wei"),
    "祭": ("zhai", "ji"),
    "折": ("she", "zhe"),
    "莘": ("shen", "xin"),
    "宿": ("su", "xiu"),
    "覃": ("qin", "tan"),
    "隗": ("wei", "kui"),
    "句": ("gou", "ju"),
    "柏": ("bai", "bo"),
    "盛": ("sheng", "cheng"),
    "召": ("shao", "zhao"),
    "车": ("che", "ju"),
    "藏": ("zang", "cang"),
    "任": ("ren",),
    "华": ("hua",),
    "过": ("guo",),
    "纪": ("ji",),
    "沈": ("shen",),
    "石": ("shi",),
    "吕": ("lv",),
    "尉迟": ("yuchi",),
    "万俟": ("moqi",),
    "长孙": ("zhangsun",),
    "令狐": ("linghu",),
    "澹台": ("tantai",),
}

COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "万俟", "长孙", "令狐", "公孙", "慕容",
        "夏侯", "司徒", "端木", "澹台", "宇文", "轩辕", "呼延", "南宫", "西门", "独孤", "申屠", "钟离",
    }
)  # fmt: skip

_LATIN_TOKEN = re.compile(r"[a-z0-9]+")


def _reading(chars: str) -> str:
    """pypinyin's contextual reading of a name part, syllables joined ("立军" → "lijun")."""
    return "".join(lazy_pinyin(chars, style=Style.NORMAL)).lower()


def _is_han_char(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003ffff"


def _split_surname(name: str) -> tuple[str, str]:
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def pinyin_keys(name: str) -> frozenset[str]:
    """Romanised match keys for a Chinese personal name, in either script.

    Includes "surname given", the joined form, the Western order and the syllable-spaced form, with
    surname heteronyms expanded and ü written both "v" and "u". Given names take pypinyin's contextual
    reading only: expanding every character's heteronyms makes 王立军 match "wang weijun". A query
    normalised by :func:`normalise_pinyin` is in this set when it names the same person.

    >>> sorted(pinyin_keys("王立军"))[:3]
    ['lijun wang', 'wang li jun', 'wang lijun']
    >>> "bo xilai" in pinyin_keys("薄熙来") and "bao xilai" in pinyin_keys("薄熙來")
    True
    """
    simplified = to_simplified("".join(name.split()))
    if not simplified:
        return frozenset()
    if not any(_is_han_char(ch) for ch in simplified):
        key = normalise_pinyin(name)
        return frozenset({key, key.replace(" ", "")}) if key else frozenset()
    surname, given = _split_surname(simplified)
    default = _reading(surname)
    surnames = list(SURNAME_READINGS.get(surname, ()))
    if default not in surnames:
        surnames.append(default)
    keys: set[str] = set()
    giv = _reading(given) if given else ""
    syllables = " ".join(lazy_pinyin(given, style=Style.NORMAL)).lower() if given else ""
    for sur in surnames:
        forms = {f"{sur} {giv}", f"{sur}{giv}", f"{giv} {sur}", f"{sur} {syllables}"} if giv else {sur}
        for form in forms:
            keys.add(form)
            if "v" in form:
                keys.add(form.replace("v", "u"))
    return frozenset(keys)


def normalise_pinyin(query: str) -> str:
    """Normalise a romanised name to the key form of :func:`pinyin_keys`: "surname given".

    Tone marks, tone digits, hyphens, apostrophes and case are dropped; the first word is taken as the
    surname and the rest joined. ``ü`` and ``v`` both become ``v``.

    >>> {normalise_pinyin(q) for q in ("Wáng Lìjūn", "Wang Li-jun", "wang lijun", "WANG Li Jun")}
    {'wang lijun'}
    """
    text = query.replace("ü", "v").replace("Ü", "v").replace("u:", "v")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['’`\-‐‑]", "", text)
    words = [re.sub(r"\d", "", word) for word in _LATIN_TOKEN.findall(text)]
    words = [word for word in words if word]
    if not words:
        return ""
    return words[0] if len(words) == 1 else f"{words[0]} {''.join(words[1:])}"

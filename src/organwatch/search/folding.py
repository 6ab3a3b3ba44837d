"""Length-preserving folding, so a match found in folded text is an exact span of the original.

Search compares simplified, lower-case, accent-free forms (王立軍 = 王立军, Wáng = wang), but every
hit must point to code points of ``documents.text``. Folding one character into exactly one
character keeps index ``i`` of the folded text on index ``i`` of the original; characters whose
folded form would change the length (ß → ss) are kept as they are.

>>> fold("Wáng Lìjūn 王立軍")
'wang lijun 王立军'
"""

from __future__ import annotations

import functools
import re
import unicodedata

from organwatch.text.chinese import to_simplified_aligned

# Han ideographs (basic, extension A, compatibility) and the supplementary planes' extensions.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
WORD_CHAR = re.compile(r"[^\W_]", re.UNICODE)


def has_han(text: str) -> bool:
    """True if ``text`` holds at least one Han character."""
    return HAN.search(text) is not None


@functools.lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    lowered = ch.lower()
    if len(lowered) != 1:
        return ch
    decomposed = unicodedata.normalize("NFD", lowered)
    base = decomposed[0] if decomposed else lowered
    return base if len(base) == 1 else lowered


# Characters that may need folding beyond lower(): anything outside ASCII, CJK and full-width forms.
_FOLDABLE = re.compile(r"[^\x00-\x7f\u3000-\u9fff\uff00-\uffef]")


def fold(text: str) -> str:
    """Simplified, lower-case, accent-free form of ``text``, of the same length."""
    simplified = to_simplified_aligned(text)
    lowered = simplified.lower()
    if len(lowered) != len(simplified):  # rare (İ → i̇): fold one character at a time
        return "".join(_fold_char(ch) for ch in simplified)
    if lowered.isascii():
        return lowered
    return _FOLDABLE.sub(lambda match: _fold_char(match.group()), lowered)


#: A folded word that a ``prefix*`` query may be expanded to: it starts with a Latin letter or a digit.
LATIN_START = re.compile(r"[0-9a-z]")


def fold_word(token: str) -> str:
    """A word as the word index (FTS5 ``unicode61 remove_diacritics 2``) folds it: lower case, accents
    taken off Latin letters only (й, ё and Greek accents stay, as they do there), final sigma as sigma.

    >>> fold_word("Transplanté"), fold_word("ёлка")
    ('transplante', 'ёлка')
    """
    lowered = unicodedata.normalize("NFC", token).lower().replace("ς", "σ")
    if lowered.isascii():
        return lowered
    out = []
    for ch in lowered:
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base if base.isascii() and base.isalpha() else ch)
    return "".join(out)

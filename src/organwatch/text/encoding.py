"""Decode bytes to text, with Chinese legacy encodings done right, and say how we decided.

Order of evidence: a byte-order mark; then the declared charset (HTTP header, then ``<meta>``), which
we trust only if the bytes decode strictly under it and the result reads no worse than the best other
candidate; then detection. Detection does not trust charset-normalizer alone, which often confuses GBK
and Big5: every candidate is decoded strictly and scored by how much of the text is common Chinese
characters (GB2312 level 1 or Big5 level 1) in runs, and how little is private-use, replacement,
bopomofo or isolated stray ideographs (the signature of a Latin text decoded as GBK).

GB2312 and GBK labels are always decoded as GB18030, their superset: pages declaring gb2312 routinely
contain GBK- or GB18030-only characters. Big5 labels are decoded as Big5-HKSCS, then cp950.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import charset_normalizer
import numpy as np
import numpy.typing as npt

from organwatch.text.eastasian import KOREAN_JAPANESE, MIN_LETTERS, read_as, reads_as_chinese

EncodingMethod = Literal["bom", "http-header", "meta", "detection", "default"]

#: How much of the input the detector looks at. Decoding the whole input happens once, afterwards.
SAMPLE_BYTES = 1 << 20
#: How many non-ASCII characters a candidate is scored on.
SCORE_CHARS = 20_000
#: How much better (score in -2..1) another candidate must read before it overrides a declaration.
OVERRIDE_MARGIN = 0.25
#: A declared codec whose sample scores at least this reads as clean text and is accepted at once.
CLEAN_SCORE = 0.6

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels whose real-world content is a larger encoding than the label says.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "x-gbk": "gb18030",
    "gb-2312": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "iso-8859-1": "cp1252",  # WHATWG: latin-1 labels mean windows-1252
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "utf8": "utf-8",
    "unicode": "utf-16",
}

_CHINESE_CODECS = frozenset({"gb18030", "big5hkscs", "cp950", "big5", "hz"})

# If the first choice fails strictly, these are tried before detection.
_ALTERNATES = {"big5hkscs": ("cp950", "big5")}

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:\-]+)""", re.IGNORECASE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_CONTENT_TYPE_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)

_CJK_PUNCTUATION = frozenset("，。、；：？！「」『』（）《》〈〉“”‘’—…·【】〔〕～％．　")
# Latin letters with diacritics read as plausible text in European languages.
_LATIN_EXTENDED = re.compile(r"[Ā-ɏ]")


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from bytes, the codec used, how it was chosen, and anything suspicious."""

    text: str
    encoding: str
    method: EncodingMethod
    warnings: tuple[str, ...] = ()
    #: The bytes decode under ``encoding`` but do not read as any language (mojibake): do not label it.
    implausible: bool = False


def normalise_encoding_name(label: str | None) -> str | None:
    """Map a declared charset label to the codec we decode with, or None if Python has no such codec.

    >>> normalise_encoding_name("GB2312")
    'gb18030'
    """
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    key = _SUPERSETS.get(key, key)
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def charset_from_content_type(content_type: str | None) -> str | None:
    """Return the ``charset=`` parameter of a Content-Type value, e.g. ``text/html; charset=gbk``."""
    if not content_type:
        return None
    match = _CONTENT_TYPE_CHARSET.search(content_type)
    return match.group(1) if match else None


def sniff_bom(data: bytes) -> tuple[str, int] | None:
    """Return (codec, BOM length) when ``data`` starts with a Unicode byte-order mark."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def sniff_declared_charset(head: bytes) -> str | None:
    """Find the charset an HTML or XML document declares in its first bytes (meta or XML prolog)."""
    head = head[:16384]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


@functools.cache
def _common_han() -> frozenset[str]:
    """GB2312 level 1 (3,755 most used simplified) plus Big5 level 1 (5,401 most used traditional)."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("gb2312"))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("big5"))
    return frozenset(chars)


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0x20000 <= code <= 0x3FFFF or 0xF900 <= code <= 0xFAFF


def _weight(ch: str, common: frozenset[str]) -> float:
    """How much one non-ASCII character says "this decoding is right" (1) or "wrong" (-2)."""
    code = ord(ch)
    if ch in common or ch in _CJK_PUNCTUATION:
        return 1.0
    if _is_han(ch):
        return -0.3
    if ch == "\ufffd" or 0xE000 <= code <= 0xF8FF or 0x80 <= code <= 0x9F or code >= 0xF0000:
        return -2.0
    if 0x3100 <= code <= 0x312F or 0x31A0 <= code <= 0x31BF:  # bopomofo: GBK read as Big5
        return -1.5
    if "À" <= ch <= "ÿ" or ch in "€–—‘’“”…•·°±×÷«»¡¿":
        return 0.5
    if _LATIN_EXTENDED.match(ch):
        return 0.3
    if 0x3040 <= code <= 0x30FF or 0xAC00 <= code <= 0xD7AF:  # kana, hangul
        return -0.5
    if code < 0x3000 and ch.isprintable():
        return 0.0
    return -0.5


@functools.cache
def _weights() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """Per-BMP-character weights for :func:`score_text`, and which characters are ideographs."""
    common = _common_han()
    weights = np.array([_weight(chr(code), common) for code in range(0x10000)], dtype=np.float32)
    ideograph = np.array([_is_han(chr(code)) for code in range(0x10000)], dtype=bool)
    return weights, ideograph


_ASCII_ALNUM = np.zeros(0x80, dtype=bool)
_ASCII_ALNUM[[ord(ch) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"]] = True


def score_text(text: str) -> float:
    """Score in about -2..1 how much ``text`` looks like correctly decoded Chinese or European text.

    Only non-ASCII characters count (ASCII reads the same in every candidate); pure ASCII scores 1.
    A single ideograph between ASCII letters or digits scores -1: that is what "café" looks like
    when read as GBK. Vectorised with numpy over the first ``SCORE_CHARS`` non-ASCII characters.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    high = codes > 0x7F
    positions = np.flatnonzero(high)
    if not len(positions):
        return 1.0
    if len(positions) > SCORE_CHARS:
        codes = codes[: positions[SCORE_CHARS - 1] + 1]
        high = high[: len(codes)]
    weights_table, ideograph_table = _weights()
    bmp = np.minimum(codes, 0xFFFF)
    weights = weights_table[bmp].astype(np.float64)
    ideograph = ideograph_table[bmp]
    astral = codes > 0xFFFF
    weights[astral] = np.where(codes[astral] >= 0xF0000, -2.0, np.where(codes[astral] <= 0x3FFFF, -0.3, -0.5))
    ideograph[astral & (codes <= 0x3FFFF) & (codes >= 0x20000)] = True
    # Isolated: a one-character non-ASCII run with an ASCII letter or digit on both sides.
    alnum = np.zeros(len(codes), dtype=bool)
    alnum[~high] = _ASCII_ALNUM[codes[~high]]
    isolated = high.copy()
    isolated[1:] &= alnum[:-1]
    isolated[0] = False
    isolated[:-1] &= alnum[1:]
    isolated[-1] = False
    weights[isolated & ideograph] = -1.0
    return float(weights[high].sum() / np.count_nonzero(high))


def _decode_sample(sample: bytes, codec: str, complete: bool) -> str | None:
    """Strictly decode a sample; a multibyte character cut at the sample's end is not an error."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        return decoder.decode(sample, final=complete)
    except (UnicodeDecodeError, LookupError):
        return None


def _strict_decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _candidates(declared: str | None) -> list[str]:
    names: list[str] = []
    for name in (declared, "utf-8", "gb18030", "big5hkscs", "cp950"):
        if name and name not in names:
            names.append(name)
    return names


def decode_bytes(
    data: bytes,
    *,
    http_charset: str | None = None,
    html: bool = False,
) -> DecodedText:
    """Decode ``data`` and report the codec and how it was chosen.

    ``http_charset`` is the charset parameter of an HTTP Content-Type header, if any; ``html`` makes
    us look for a ``<meta charset>`` declaration.

    >>> decode_bytes("肝脏移植".encode("gbk"), http_charset="gb2312").encoding
    'gb18030'
    """
    chosen = choose_encoding(data, http_charset=http_charset, html=html)
    bom = sniff_bom(data)
    body = data[bom[1] :] if bom and chosen.method == "bom" else data
    text = _strict_decode(body, chosen.encoding)
    warnings = list(chosen.warnings)
    if text is None:
        text = body.decode(chosen.encoding, "replace")
        bad = text.count("\ufffd")
        warnings.append(f"{bad} byte sequence(s) invalid in {chosen.encoding} were replaced with U+FFFD")
    return DecodedText(text, chosen.encoding, chosen.method, tuple(warnings), chosen.implausible)


def choose_encoding(
    data: bytes, *, http_charset: str | None = None, html: bool = False, prefix: bool = False
) -> DecodedText:
    """Decide the codec of ``data`` from a sample, without decoding all of it (text is left empty).

    ``prefix=True`` says ``data`` is only the start of the input, so a multibyte character cut at
    its end is not evidence against a codec.
    """
    bom = sniff_bom(data)
    if bom:
        return DecodedText("", bom[0], "bom")
    head = data[:16384]
    first_high = _HIGH_BYTE.search(data)
    if first_high is None and not prefix:
        declared = normalise_encoding_name(http_charset) or (
            normalise_encoding_name(sniff_declared_charset(head)) if html else None
        )
        if declared in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
            declared = None  # an ASCII-only body cannot be UTF-16; the label is wrong
        method: EncodingMethod = "http-header" if http_charset else ("meta" if declared else "default")
        return DecodedText("", declared or "utf-8", method if declared else "default")

    # Score where the non-ASCII text is: pages often open with kilobytes of ASCII scripts and styles.
    offset = first_high.start() if first_high and first_high.start() >= SAMPLE_BYTES // 2 else 0
    sample = data[offset : offset + SAMPLE_BYTES]
    complete = offset + SAMPLE_BYTES >= len(data) and not prefix

    declarations: list[tuple[str, EncodingMethod, str]] = []
    if http_charset:
        declarations.append((http_charset, "http-header", normalise_encoding_name(http_charset) or ""))
    if html:
        meta = sniff_declared_charset(head)
        if meta:
            declarations.append((meta, "meta", normalise_encoding_name(meta) or ""))
    warnings: list[str] = []
    for label, _method, codec in declarations:
        if not codec:
            warnings.append(f"declared charset {label!r} is unknown; ignored")

    scored: dict[str, float] = {}

    def score(codec: str) -> float | None:
        if codec not in scored:
            decoded = _decode_sample(sample, codec, complete)
            scored[codec] = float("-inf") if decoded is None else score_text(decoded)
        value = scored[codec]
        return None if value == float("-inf") else value

    first = next(((label, method, codec) for label, method, codec in declarations if codec), None)
    first_declared = first[2] if first else None

    # Fast paths. Legacy-encoded Chinese is practically never valid UTF-8, so valid UTF-8 settles it
    # unless the text is too short to be sure; a declaration that reads as clean text is trusted.
    if _decode_sample(sample, "utf-8", complete) is not None:
        high_bytes = len(sample) - len(sample.translate(None, _HIGH_BYTES))
        if first is None or first_declared == "utf-8":
            return DecodedText("", "utf-8", first[1] if first else "detection", tuple(warnings))
        if high_bytes >= 16:
            warnings.append(f"declared charset {first[0]!r} ({first[1]}) but the content is valid UTF-8")
            return DecodedText("", "utf-8", "detection", tuple(warnings))
    if first is not None and first_declared != "utf-8":
        for name in (first[2], *_ALTERNATES.get(first[2], ())):
            value = score(name)
            if value is not None and value >= CLEAN_SCORE:
                return DecodedText("", name, first[1], tuple(warnings))

    for name in _candidates(first_declared):
        score(name)
    best_codec, best_score = max(scored.items(), key=lambda item: item[1])
    implausible = False
    if best_codec in _CHINESE_CODECS and first is None:
        # GB18030 and Big5 accept Korean, Japanese and EUC-TW bytes too: does the result read as Chinese?
        verdict = reads_as_chinese(_decode_sample(sample, best_codec, complete) or "")
        if verdict is False:
            alternative = _east_asian_alternative(sample, complete)
            if alternative is not None:
                scored[alternative] = best_score = 1.0
                best_codec = alternative
            else:
                implausible = True
                warnings.append(f"the text decodes as {best_codec} but does not read as Chinese, Korean or Japanese "
                                "(an encoding we cannot read, such as EUC-TW?); not labelled as Chinese")
        elif verdict is None:
            latin = sum(1 for byte in sample[:65536] if 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A)
            if latin >= 50:  # a few "Chinese" characters in Latin text: rather accented letters of one byte
                scored[best_codec] = min(best_score, 0.4)
                best_score = 0.4
            else:
                warnings.append(f"too little text to be sure of the encoding; guessed {best_codec}")
    if best_score < 0.5:
        # Not convincingly UTF-8 or Chinese: Korean/Japanese, else a single-byte encoding.
        alternative = _east_asian_alternative(sample, complete)
        if alternative is not None:
            scored[alternative] = 1.0
        else:
            score("cp1252")
            guess, note = _single_byte_guess(sample, complete)
            if guess:
                value = score(guess)
                if value is not None and guess != "cp1252":
                    scored[guess] = max(scored.values()) + 0.01  # its letter statistics beat cp1252's
                if note:
                    warnings.append(note)
        best_codec, best_score = max(scored.items(), key=lambda item: item[1])

    for label, method, codec in declarations:
        if not codec:
            continue
        tried = [codec, *_ALTERNATES.get(codec, ())]
        for name in tried:
            value = score(name)
            if value is not None and (value >= best_score - OVERRIDE_MARGIN or name == best_codec):
                return DecodedText("", name, method, tuple(warnings))
        if best_score == float("-inf"):
            break
        warnings.append(
            f"declared charset {label!r} ({method}) does not fit the bytes; decoded as {best_codec} instead"
        )
        break  # the first declaration that exists is the one the author meant

    if best_score == float("-inf"):
        fallback = first_declared or "utf-8"
        warnings.append(f"no encoding decodes the text cleanly; used {fallback} with replacements")
        return DecodedText("", fallback, "detection", tuple(warnings))
    return DecodedText("", best_codec, "detection", tuple(warnings), implausible and best_codec in _CHINESE_CODECS)


_CENTRAL_EUROPEAN = frozenset({"Polish", "Czech", "Slovak", "Hungarian", "Slovene", "Croatian", "Romanian",
                               "Bosnian", "Serbian"})
_CENTRAL_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻčďěňřšťůžČĎĚŇŘŠŤŮŽáéíúýÁÉÍÚÝőűŐŰăâîșțşţĂÂÎȘȚŞŢľĺŕĽĹŔöüÖÜđĐ")


def _central_european_codec(sample: bytes, complete: bool, detected: str) -> str:
    """Of ISO-8859-2, windows-1250 and the detector's codec, the one whose text has the most Central European
    letters and the fewest stray symbols (the detector often names a sibling such as ISO-8859-4)."""
    best, best_score = detected, float("-inf")
    for codec in ("iso8859-2", "cp1250", detected, "cp1252"):
        decoded = _decode_sample(sample, codec, complete)
        if decoded is None:
            continue
        high = [ch for ch in decoded if ord(ch) > 0x7F]
        good = sum(ch in _CENTRAL_LETTERS for ch in high)
        value = good - 2 * (len(high) - good)
        if value > best_score:
            best, best_score = codec, value
    return best


def _east_asian_alternative(sample: bytes, complete: bool) -> str | None:
    """A Korean or Japanese codec under which ``sample`` decodes strictly and reads as that language."""
    best: tuple[float, str] | None = None
    for codec in KOREAN_JAPANESE:
        decoded = _decode_sample(sample, codec, complete)
        if decoded is None:
            continue
        reading = read_as(decoded)
        if reading.script in ("ko", "ja") and reading.strength >= 0.6 and reading.letters >= MIN_LETTERS and (
                best is None or reading.strength > best[0]):
            best = (reading.strength, codec)
    return best[1] if best else None


def _single_byte_guess(sample: bytes, complete: bool) -> tuple[str | None, str | None]:
    """charset-normalizer's single-byte codec (letter statistics per language), unless cp1252 reads as well.

    Returns the codec and, when a close runner-up decodes the text differently, a warning that says so.
    """
    matches = list(charset_normalizer.from_bytes(sample[:65536]))
    if not matches:
        return None, None
    best = matches[0]
    codec = normalise_encoding_name(str(best.encoding))
    if codec is None:
        return None, None
    language = str(best.language or "unknown language")
    if language in _CENTRAL_EUROPEAN:
        codec = _central_european_codec(sample, complete, codec)
    western = next((m for m in matches if normalise_encoding_name(str(m.encoding)) == "cp1252"), None)
    if codec in ("cp1252", "iso8859-2", "cp1250") and language in _CENTRAL_EUROPEAN:
        pass  # chosen on the letters themselves
    elif codec == "cp1252" or (western is not None and western.chaos <= best.chaos
                             and western.coherence >= best.coherence - 0.02):
        return "cp1252", None
    if "cp1252" in best.could_be_from_charset:
        return "cp1252", None
    decoded = _decode_sample(sample, codec, complete)
    if decoded is None:
        return None, None
    rivals = [m for m in matches[1:4] if m.chaos <= best.chaos + 0.05 and m.coherence >= best.coherence - 0.05]
    differing = [str(m.encoding) for m in rivals
                 if (normalise_encoding_name(str(m.encoding)) or "") != codec
                 and _decode_sample(sample, normalise_encoding_name(str(m.encoding)) or "", complete) != decoded]
    note = (f"encoding guessed as {codec} ({language}) with no declaration; it could also be "
            f"{', '.join(differing[:3])}: check the text") if differing else None
    return codec, note


def iter_decode(chunks: Iterable[bytes], codec: str, *, skip_bom: bool = True) -> Iterator[str]:
    """Decode a stream of byte chunks incrementally (invalid sequences become U+FFFD)."""
    decoder = codecs.getincrementaldecoder(codec)("replace")
    first = True
    for chunk in chunks:
        if first and skip_bom:
            bom = sniff_bom(chunk)
            if bom and codecs.lookup(bom[0]).name == codecs.lookup(codec).name:
                chunk = chunk[bom[1] :]
            first = False
        text = decoder.decode(chunk)
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail

"""Name keys that meet across scripts: the bridge from 王立軍 to "Wang Li-jun".

Persons: OpenCC t2s, then pypinyin with surname heteronyms (薄 bo/bao, 曾 zeng/ceng, 单 shan/dan), then a
Latin key whose tokens are sorted, so "Wang Lijun", "Wang Li-jun", "Lijun Wang", "王立军" and "王立軍" share
the key ``"lijun wang"``. Organisations: Chinese institutional words are translated into English tokens
(公安局 → public security bureau) and the place part is romanised, so 锦州市公安局 and "Jinzhou Public
Security Bureau" share a key. Similarity between different keys is syllable-aware: "Wang Lijun" and
"Wang Lijie" are two valid, different given names and score low, where a plain string measure says 0.9.

>>> sorted(person_keys("王立軍") & person_keys("Lijun Wang"))
['lijun wang']
>>> org_key("锦州市公安局") == org_key("Public Security Bureau of Jinzhou City")
True
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from pypinyin import Style, lazy_pinyin
from rapidfuzz.distance import JaroWinkler

from organwatch.text.chinese import (
    COMPOUND_SURNAMES,
    SURNAME_READINGS,
    normalise_pinyin,
    pinyin_keys,
    to_simplified,
)

HONORIFICS = frozenset({"sir", "dr", "mr", "mrs", "ms", "prof", "professor", "lord", "lady", "dame", "judge",
                        "justice", "hon", "rev", "the"})

# Chinese institutional words and their English tokens (longest match first); the rest of a name is romanised.
ORG_TERMS: dict[str, str] = {
    "中共中央政治局常务委员会": "politburo standing committee",
    "中央政治局常委会": "politburo standing committee",
    "中央政治局常委": "politburo standing committee",
    "政治局常委": "politburo standing committee",
    "政治局常委会": "politburo standing committee",
    "中央政治局": "politburo",
    "政治局": "politburo",
    "中共中央": "central committee communist party",
    "中国共产党": "communist party",
    "共产党": "communist party",
    "中共": "communist party",
    "政法委员会": "political legal affairs commission",
    "政法委": "political legal affairs commission",
    "公安部": "ministry public security",
    "公安局": "public security bureau",
    "公安厅": "public security department",
    "卫生部": "ministry health",
    "卫生健康委员会": "health commission",
    "卫健委": "health commission",
    "商务部": "ministry commerce",
    "外交部": "ministry foreign affairs",
    "司法部": "ministry justice",
    "国务院": "state council",
    "新闻办公室": "information office",
    "总领事馆": "consulate",
    "领事馆": "consulate",
    "大使馆": "embassy",
    "国务院新闻办公室": "state council information office",
    "中级人民法院": "intermediate people court",
    "高级人民法院": "higher people court",
    "人民法院": "people court",
    "法院": "court",
    "人民检察院": "people procuratorate",
    "人民政府": "people government",
    "政府": "government",
    "市委": "party committee",
    "省委": "party committee",
    "委员会": "committee",
    "人民医院": "people hospital",
    "中心医院": "central hospital",
    "总医院": "general hospital",
    "附属医院": "affiliated hospital",
    "医院": "hospital",
    "器官移植中心": "organ transplant center",
    "移植中心": "transplant center",
    "研究中心": "research center",
    "中心": "center",
    "医科大学": "medical university",
    "大学": "university",
    "科技基金会": "science technology foundation",
    "基金会": "foundation",
    "科技": "science technology",
    "现场心理": "on site psychological",
    "心理": "psychological",
    "研究所": "institute",
    "劳教所": "labour camp",
    "监狱": "prison",
    "第一": "first",
    "第二": "second",
    "第三": "third",
    "器官": "organ",
    "移植": "transplant",
    "国家": "national",
    "中国": "china",
    "美国": "united states",
    "驻": "",
    "东方": "oriental",
    "解放军": "pla",
    "中国人民解放军": "pla",
    "人民": "people",
    "办公室": "office",
    "部": "ministry",
    "局": "bureau",
    "市": "",
    "省": "",
    "县": "",
    "区": "",
}
_ORG_TERMS_LONGEST = sorted(ORG_TERMS, key=len, reverse=True)
ORG_STOPWORDS = frozenset({"the", "of", "in", "at", "for", "and", "city", "municipal", "municipality",
                           "province", "provincial", "s", "co", "inc", "ltd"})
ORG_ABBREVIATIONS: dict[str, str] = {
    "psb": "public security bureau", "mps": "ministry public security", "us": "united states",
    "usa": "united states", "u s": "united states", "ccp": "communist party", "cpc": "communist party",
    "pla": "pla", "nhc": "national health commission", "moh": "ministry health", "centre": "center",
    "peoples": "people", "psc": "politburo standing committee", "dept": "department", "univ": "university",
    "intl": "international", "hosp": "hospital", "chinese": "china",
}
# Words that alone do not name one institution: "the Public Security Bureau" could be any city's.
GENERIC_ORG_TOKENS = frozenset({"public", "security", "bureau", "ministry", "department", "hospital", "court",
                                "people", "government", "committee", "party", "office", "center", "consulate",
                                "general", "police", "city", "research", "transplant", "organ", "university",
                                "information", "first", "second", "third", "central", "state", "council"})
INTERJECTIONS = frozenset({"m", "n", "ng", "hm", "hng", "r"})  # syllables no given name uses
PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "省", "市", "县", "区")
PLACE_WORDS = frozenset({"city", "province", "county", "district", "municipality", "prefecture", "the"})


def has_han(text: str) -> bool:
    """True when ``text`` holds a CJK ideograph."""
    return any("\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003ffff" for ch in text)


@functools.lru_cache(maxsize=100_000)
def script_of(name: str) -> str:
    """``Hans``, ``Hant`` (when OpenCC t2s changes it), ``Latin`` or ``Other``.

    >>> script_of("王立軍"), script_of("王立军"), script_of("Wang Lijun")
    ('Hant', 'Hans', 'Latin')
    """
    if has_han(name):
        return "Hant" if to_simplified(name) != name else "Hans"
    if any(ch.isalpha() and ord(ch) < 0x250 for ch in name):
        return "Latin"
    return "Other"


def fold(text: str) -> str:
    """Lower case, no diacritics, no punctuation but spaces (the Latin side of every key)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['’`.]", "", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


def romanise(name: str) -> str:
    """Pinyin of a Chinese name, title-cased surname first ("王立军" → "Wang Lijun"); other names as given."""
    if not has_han(name):
        return name
    simplified = to_simplified(name)
    if "·" in simplified or "•" in simplified:
        parts = re.split(r"[·•]", simplified)
        return " ".join("".join(lazy_pinyin(p, style=Style.NORMAL)).title() for p in parts if p)
    syllables = lazy_pinyin(simplified, style=Style.NORMAL)
    if len(syllables) <= 1:
        return "".join(syllables).title()
    surname_len = 2 if simplified[:2] in COMPOUND_SURNAMES and len(simplified) > 2 else 1
    surname = SURNAME_READINGS.get(simplified[:surname_len], ("".join(syllables[:surname_len]),))[0]
    return f"{surname.title()} {''.join(syllables[surname_len:]).title()}"


@functools.cache
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (to tell a valid given name from a typo)."""
    from pypinyin.pinyin_dict import pinyin_dict

    found: set[str] = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = unicodedata.normalize("NFKD", reading)
            plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).replace("ü", "v")
            if plain.isalpha() and plain.lower() not in INTERJECTIONS:
                found.add(plain.lower())
    return frozenset(found)


def is_pinyin(word: str) -> bool:
    """True when ``word`` splits into pinyin syllables ("lijun" yes, "lijum" no)."""
    syllables = pinyin_syllables()
    word = word.replace("ü", "v")
    ok = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if ok[start] and word[start:end] in syllables:
                ok[end] = True
                break
    return bool(word) and ok[-1]


def _strip_honorifics(name: str) -> str:
    words = name.split()
    while len(words) > 1 and fold(words[0]) in HONORIFICS:
        words = words[1:]
    return " ".join(words)


@functools.cache
def person_keys(name: str) -> frozenset[str]:
    """Sorted-token keys of a personal name in any script (several when the surname position is unclear)."""
    name = _strip_honorifics(name.strip())
    if not name:
        return frozenset()
    if has_han(name):
        simplified = to_simplified(name)
        if re.search(r"[·•・]", simplified):  # a transliterated foreign name: romanise the parts, no surname logic
            parts = [p for p in re.split(r"[·•・\s]", simplified) if p]
            return frozenset({" ".join(sorted("".join(lazy_pinyin(p)) for p in parts))})
        keys = {" ".join(sorted(k.split())) for k in pinyin_keys(simplified) if len(k.split()) <= 2}
        return frozenset(k for k in keys if k)
    words = normalise_pinyin(name).split()
    raw = [re.sub(r"['’`\-‐‑.]", "", w) for w in fold(name.replace("-", "")).split()]
    raw = [w for w in raw if w]
    keys = set()
    if words:
        keys.add(" ".join(sorted(words)))
    if len(raw) >= 2:  # family name last ("Lijun Wang", "Li Jun Wang")
        keys.add(" ".join(sorted([raw[-1], "".join(raw[:-1])])))
    return frozenset(keys)


def org_tokens(name: str) -> list[str]:
    """An organisation name as English-like tokens: Chinese terms translated, the rest romanised."""
    tokens: list[str] = []
    if has_han(name):
        text = to_simplified(name)
        i = 0
        pending = ""
        while i < len(text):
            for term in _ORG_TERMS_LONGEST:
                if text.startswith(term, i):
                    break
            else:
                term = ""
            if term:
                if pending:
                    tokens.append("".join(lazy_pinyin(pending)).lower())
                    pending = ""
                tokens.extend(ORG_TERMS[term].split())
                i += len(term)
            else:
                if has_han(text[i]):
                    pending += text[i]
                else:
                    if pending:
                        tokens.append("".join(lazy_pinyin(pending)).lower())
                        pending = ""
                    tokens.extend(fold(text[i]).split())
                i += 1
        if pending:
            tokens.append("".join(lazy_pinyin(pending)).lower())
    else:
        folded = " " + fold(name.replace("&", " and ").replace("-", " ")) + " "
        folded = folded.replace(" u s ", " us ").replace(" consulate general ", " consulate ")
        for word in folded.split():
            tokens.extend(ORG_ABBREVIATIONS.get(word, word).split())
    return [t for t in tokens if t and t not in ORG_STOPWORDS]


def org_key(name: str) -> str:
    """Sorted, de-duplicated tokens of :func:`org_tokens` (word order differs between languages)."""
    return " ".join(sorted(set(org_tokens(name))))


def is_generic_org(name: str) -> bool:
    """True when the name holds only institutional words ("the Public Security Bureau", "市公安局")."""
    tokens = set(org_tokens(name))
    return not tokens or tokens <= GENERIC_ORG_TOKENS


def place_key(name: str) -> str:
    """A place without its administrative suffix, romanised ("重庆市" and "Chongqing City" → "chongqing")."""
    if has_han(name):
        text = to_simplified(name)
        for suffix in PLACE_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)]
                break
        return "".join(lazy_pinyin(text)).lower()
    words = [w for w in fold(name).split() if w not in PLACE_WORDS]
    return "".join(words)


def name_keys(name: str, kind: str) -> frozenset[str]:
    """Blocking keys for a name of one entity type (``person``, ``organization``, ``place``)."""
    if kind == "person":
        return person_keys(name)
    if kind == "organization":
        key = org_key(name)
        return frozenset({key}) if key else frozenset()
    key = place_key(name)
    return frozenset({key}) if key else frozenset()


@functools.cache
def gazetteer_id(name: str, kind: str) -> str | None:
    """The shipped gazetteer's id for a name in any script (a curated cross-script alias), if listed."""
    from organwatch.extract.gazetteer import load

    gaz = load()
    entry = gaz.chinese.get(to_simplified(name)) if has_han(name) else gaz.english.get(_strip_honorifics(name))
    if entry is None and not has_han(name):
        entry = gaz.english.get(name)
    if entry is None or entry.type != kind:
        return None
    return entry.id


@dataclass(frozen=True)
class Feature:
    """One reason in a match explanation: what was compared, what was found, how much it weighs."""

    name: str
    score: float
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {"feature": self.name, "score": round(self.score, 3), "detail": self.detail}


@dataclass(frozen=True)
class NameMatch:
    """How alike two names are (0–1), with the features that say why."""

    score: float
    features: tuple[Feature, ...] = field(default=())


def _given_score(a: str, b: str) -> tuple[float, str]:
    if a == b:
        return 1.0, f"same given name {a!r}"
    if is_pinyin(a) and is_pinyin(b):
        return 0.15, f"different given names {a!r} and {b!r} (both valid pinyin: two names, not a typo)"
    sim = JaroWinkler.similarity(a, b)
    return sim * 0.9, f"given names {a!r} and {b!r} alike at {sim:.2f} (one is not valid pinyin: maybe a typo)"


@functools.lru_cache(maxsize=200_000)
def compare_names(a: str, b: str, kind: str) -> NameMatch:
    """Compare two names of the same type across scripts, explaining the result feature by feature.

    >>> compare_names("Wang Lijun", "王立军", "person").score
    1.0
    >>> compare_names("Wang Lijun", "Wang Lijie", "person").score < 0.5
    True
    """
    features: list[Feature] = []
    gaz_a, gaz_b = gazetteer_id(a, kind), gazetteer_id(b, kind)
    if gaz_a and gaz_b:
        if gaz_a == gaz_b:
            return NameMatch(1.0, (Feature("known alias", 1.0, f"both names listed for {gaz_a}"),))
        return NameMatch(0.0, (Feature("known alias", 0.0, f"listed as different entries {gaz_a} / {gaz_b}"),))
    keys_a, keys_b = name_keys(a, kind), name_keys(b, kind)
    shared = keys_a & keys_b
    if shared and kind == "person" and has_han(a) and has_han(b) and to_simplified(a) != to_simplified(b):
        return NameMatch(0.3, (Feature("name", 0.3, f"{a} and {b} sound alike ({sorted(shared)[0]!r}) but are "
                                                    "written differently: homophones, not one name"),))
    script_a, script_b = script_of(a), script_of(b)
    if shared:
        key = sorted(shared)[0]
        features.append(Feature("name", 1.0, f"same name key {key!r}"))
        if {script_a, script_b} & {"Hans", "Hant"} and script_a != script_b:
            how = "OpenCC t2s" if {script_a, script_b} == {"Hans", "Hant"} else "OpenCC t2s + pinyin"
            features.append(Feature("script bridge", 1.0, f"{a} ({script_a}) ↔ {b} ({script_b}) via {how}"))
        return NameMatch(1.0, tuple(features))
    best = 0.0
    detail = "no common name key"
    if kind == "person":
        for ka in keys_a:
            for kb in keys_b:
                ta, tb = ka.split(), kb.split()
                if len(ta) == 2 and len(tb) == 2:
                    common = set(ta) & set(tb)
                    if len(common) == 1:
                        (sur,) = common
                        ga = ta[1] if ta[0] == sur else ta[0]
                        gb = tb[1] if tb[0] == sur else tb[0]
                        score, why = _given_score(ga, gb)
                        if score > best:
                            best, detail = score, f"shared {sur!r}; {why}"
                        continue
                sim = JaroWinkler.similarity(ka, kb) * 0.85
                if sim > best:
                    best, detail = sim, f"keys {ka!r} / {kb!r} alike at {sim / 0.85:.2f}"
    else:
        for ka in keys_a:
            for kb in keys_b:
                sa, sb = set(ka.split()), set(kb.split())
                jac = len(sa & sb) / max(1, len(sa | sb))
                sim = max(jac, JaroWinkler.similarity(ka, kb) * 0.6)
                if sa and sb and (sa <= sb or sb <= sa) and not (sa <= GENERIC_ORG_TOKENS or sb <= GENERIC_ORG_TOKENS):
                    sim = max(sim, 0.8)
                if sim > best:
                    best, detail = sim, f"name tokens {ka!r} / {kb!r} overlap at {sim:.2f}"
    features.append(Feature("name", best, detail))
    if {script_a, script_b} & {"Hans", "Hant"} and script_a != script_b:
        features.append(Feature("script bridge", best, f"compared {a} and {b} through pinyin"))
    return NameMatch(best, tuple(features))

"""Chinese people, organisations and places: gazetteers, jieba POS tags (nr/ns/nt) and head-noun rules.

jieba runs on the OpenCC-simplified text (it is ~100x slower and wrong on traditional characters) and
offsets map back one-to-one because the text core's conversion keeps length. Organisation names are
grown leftwards from a head noun (医院, 公安局, 基金会, 委员会...) over place names and nouns, so
"锦州市公安局现场心理研究中心" comes out whole.
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from dataclasses import dataclass
from typing import Any

from organwatch.extract import models, names, ner
from organwatch.extract.gazetteer import load
from organwatch.extract.spans import SpanSet
from organwatch.model.extraction import Mention

_ORG_HEAD = re.compile(rf"(?:{names.ORG_HEADS_ZH})$")
_FOREIGN_NAME = re.compile(r"[\u4e00-\u9fff]{1,6}[·•・—][\u4e00-\u9fff]{1,8}")
_BEFORE_FOREIGN_NAME = re.compile(rf"^.*(?:{names.ZH_TITLES}|{names.ZH_TITLE_PREFIX}|的|和|与|及|、)")
_TRAILING_NON_NAME = re.compile(rf"(?:{names.SPEECH_VERBS_ZH}|{names.ZH_TITLES}|在|和|与|的|等|曾|也|则|是|于|爵士)+$")
_NAME_BEFORE_TITLE = re.compile(
    rf"([{names.ZH_SURNAMES}][\u4e00-\u9fff]{{1,2}})(?=(?:{names.ZH_TITLES}|{names.SPEECH_VERBS_ZH}))"
)
_EXTEND_FLAGS = frozenset({"ns", "nt", "nz", "n", "nr", "nrt", "j", "m", "vn", "b", "an", "l", "eng", "nrfg"})
_EXTEND_STOP = frozenset(
    "的 和 与 及 、 在 于 由 对 将 等 是 为 从 向 据 该 其 他 她 本 这 那 有关 负责人 前 后 中 时 年 月 日 多名 全国".split()  # noqa: E501
) | frozenset(names.ZH_TITLE_PREFIX.split("|"))  # "时任锦州市公安局": the title is not part of the name
_GENERIC_PLACES = frozenset("全国 国内 海外 国外 中外 各地 当地 境外 境内 世界 亚洲 全球 内地".split())
_NOT_PERSON = frozenset("中共 中心 中方 全国 万例 本中心 新楼".split())


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int
    flag: str


@functools.cache
def _pos_tokenizer() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba imports pkg_resources and has old escape sequences
        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        return jieba.posseg.POSTokenizer(tokenizer)


def pos_words(simplified: str) -> list[Word]:
    """jieba.posseg words with offsets (jieba's output concatenates back to its input)."""
    words: list[Word] = []
    offset = 0
    for pair in _pos_tokenizer().cut(simplified, HMM=True):
        word, flag = pair.word, pair.flag
        words.append(Word(word, offset, offset + len(word), flag))
        offset += len(word)
    return words


def gazetteer_matches(simplified: str) -> list[tuple[int, int, Any]]:
    """Longest gazetteer matches, left to right, found from a two-character index (linear in practice)."""
    chinese = load().chinese
    by_prefix: dict[str, list[int]] = {}
    for form in chinese:
        by_prefix.setdefault(form[:2], []).append(len(form))
    for lengths in by_prefix.values():
        lengths.sort(reverse=True)
    out: list[tuple[int, int, Any]] = []
    i, n = 0, len(simplified)
    while i < n - 1:
        candidates = by_prefix.get(simplified[i : i + 2])
        if candidates:
            for length in candidates:
                form = simplified[i : i + length]
                if form in chinese:
                    out.append((i, i + length, chinese[form]))
                    i += length - 1
                    break
        i += 1
    return out


def _org_from_head(words: list[Word], index: int) -> tuple[int, int] | None:
    head = words[index]
    start = index
    while start > 0 and index - start < 6:
        prev = words[start - 1]
        if prev.text in _EXTEND_STOP or (prev.flag not in _EXTEND_FLAGS and prev.text != "驻"):
            break
        if prev.flag == "m" and not re.fullmatch(r"第[一二三四五六七八九十\d]+", prev.text):
            break
        start -= 1
    if start == index and len(head.text) < 3 and head.flag != "nt":
        return None
    span_text = "".join(w.text for w in words[start : index + 1])
    if len(span_text) < 3 and head.flag != "nt":
        return None
    return words[start].start, head.end


def chinese_entities(text: str, simplified: str, use_model: bool = True) -> list[Mention]:
    """People, organisations and places in Chinese text, before within-document resolution.

    ``use_model=False`` reads with gazetteers, jieba tags and rules only (also what happens when LAC is absent).
    """
    gazetteer = load()
    words = pos_words(simplified)
    found: list[Mention] = []

    def add(kind: str, start: int, end: int, canonical: str, method: str, entity_id: str | None = None) -> None:
        found.append(Mention(kind, text[start:end], start, end, canonical, entity_id=entity_id, method=method))  # type: ignore[arg-type]

    for start, end, entry in gazetteer_matches(simplified):
        stage = {"person": "people", "organization": "orgs", "place": "places"}[entry.type]
        add(entry.type, start, end, gazetteer.canonical(entry, "zh"), f"{stage}:gazetteer", entry.id)
    modelled = use_model and models.chinese_model() is not None  # the model finds names better than jieba's tags
    for i, word in enumerate(words):
        if word.text in names.ZH_NOT_ORG:
            continue
        if (
            _ORG_HEAD.search(word.text)
            and not word.flag.startswith("nr")
            and (word.flag in {"nt", "n", "nz", "ns", "j", "l"} or len(word.text) >= 3)
        ):
            span = _org_from_head(words, i)
            if span:
                # a one-character head (委, 部, 局, 队...) is weaker evidence than 公安局 or 医院: the model decides
                short = modelled and len(_ORG_HEAD.search(word.text).group()) == 1  # type: ignore[union-attr]
                add("organization", span[0], span[1], simplified[span[0] : span[1]],
                    "orgs:head-short" if short else "orgs:head")  # fmt: skip
        elif modelled:
            continue
        elif word.flag == "nt" and len(word.text) >= 2:
            add("organization", word.start, word.end, word.text, "orgs:jieba")
        elif word.flag == "nr" and 2 <= len(word.text) <= 4 and word.text[0] in names.ZH_SURNAMES:
            if word.text not in _NOT_PERSON:
                add("person", word.start, word.end, word.text, "people:jieba")
        elif word.flag == "ns" and len(word.text) >= 2 and word.text not in _GENERIC_PLACES:
            add("place", word.start, word.end, word.text, "places:jieba")
    for m in _FOREIGN_NAME.finditer(simplified):
        lead = _BEFORE_FOREIGN_NAME.match(m.group())
        skip = lead.end() if lead and "·" not in lead.group() and "—" not in lead.group() else 0
        name = _TRAILING_NON_NAME.sub("", m.group()[skip:])
        if len(name) >= 3:
            add("person", m.start() + skip, m.start() + skip + len(name), name, "people:transliteration")
    word_starts = {w.start for w in words}
    for m in _NAME_BEFORE_TITLE.finditer(simplified):
        # a name starts a word: the 方 of "中方表示" is not a surname
        if m.group(1) not in _NOT_PERSON and m.start(1) in word_starts:
            add("person", m.start(1), m.end(1), m.group(1), "people:title")
    found += ner.chinese_country_pairs(text, simplified)
    merged = ner.merge(_choose(found), ner.chinese_mentions(text, simplified) if modelled else [])
    return ner.national_governments(text, simplified, merged) if modelled else merged


def _priority(m: Mention) -> tuple[int, int]:
    rank = {"gazetteer": 3, "abbreviation": 3, "head": 2, "head-short": 1, "transliteration": 2, "title": 1}.get(
        m.method.split(":")[1], 0
    )
    if m.method == "orgs:head":  # a head-noun organisation contains its place ("锦州市公安局")
        rank = 4
    return (m.end - m.start, rank)


def _choose(found: list[Mention]) -> list[Mention]:
    """Keep the longest, best-evidenced mention where candidates overlap."""
    chosen: list[Mention] = []
    taken = SpanSet()
    for m in sorted(found, key=_priority, reverse=True):
        if taken.overlaps(m.start, m.end):
            continue
        chosen.append(m)
        taken.add(m.start, m.end)
    return sorted(chosen, key=lambda m: m.start)

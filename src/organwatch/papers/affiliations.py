"""Hospitals, cities and authors of screened papers, with military hospitals marked.

Affiliations come from the record (PubMed ``AffiliationInfo``, RIS/MEDLINE ``AD``, a CSV column) or,
for a bare full text, from the author-unit lines Chinese journals print under the title ("作者单位:",
or a parenthesised unit ending in a six-digit postcode). Hospital names are cut at 医院 / "Hospital";
a hospital is marked military when its name or its affiliation names the People's Liberation Army
(解放军, 军区, 军医大学, 武警, "PLA", "Military", "Armed Police"): such hospitals answer to the army,
not to the civilian health administration, which matters to investigators.

City gazetteer — compiled for OrganWatch from public sources:
  * the list of provincial capitals, municipalities and prefecture-level cities in the "Administrative
    divisions of the People's Republic of China" (Ministry of Civil Affairs; codes of GB/T 2260), of
    which the cities with transplant centres named in the China Organ Transplant Response System's
    published list of licensed hospitals (National Health Commission notices, 2007 and later) are kept;
  * English names are the Hanyu Pinyin forms used by those bodies (with Xi'an as usually written).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from organwatch.papers.records import Record

if TYPE_CHECKING:
    from organwatch.store.base import MentionsView

CITIES: dict[str, str] = {
    "北京": "Beijing", "上海": "Shanghai", "天津": "Tianjin", "重庆": "Chongqing", "广州": "Guangzhou",
    "深圳": "Shenzhen", "武汉": "Wuhan", "南京": "Nanjing", "杭州": "Hangzhou", "成都": "Chengdu",
    "西安": "Xi'an", "沈阳": "Shenyang", "大连": "Dalian", "长春": "Changchun", "哈尔滨": "Harbin",
    "济南": "Jinan", "青岛": "Qingdao", "郑州": "Zhengzhou", "长沙": "Changsha", "福州": "Fuzhou",
    "厦门": "Xiamen", "南昌": "Nanchang", "合肥": "Hefei", "昆明": "Kunming", "贵阳": "Guiyang",
    "南宁": "Nanning", "海口": "Haikou", "兰州": "Lanzhou", "西宁": "Xining", "银川": "Yinchuan",
    "乌鲁木齐": "Urumqi", "呼和浩特": "Hohhot", "太原": "Taiyuan", "石家庄": "Shijiazhuang",
    "拉萨": "Lhasa", "苏州": "Suzhou", "无锡": "Wuxi", "常州": "Changzhou", "徐州": "Xuzhou",
    "南通": "Nantong", "宁波": "Ningbo", "温州": "Wenzhou", "烟台": "Yantai", "潍坊": "Weifang",
    "威海": "Weihai", "临沂": "Linyi", "淄博": "Zibo", "济宁": "Jining", "洛阳": "Luoyang",
    "佛山": "Foshan", "东莞": "Dongguan", "珠海": "Zhuhai", "汕头": "Shantou", "湛江": "Zhanjiang",
    "桂林": "Guilin", "柳州": "Liuzhou", "遵义": "Zunyi", "绵阳": "Mianyang", "泸州": "Luzhou",
    "宜昌": "Yichang", "襄阳": "Xiangyang", "衡阳": "Hengyang", "赣州": "Ganzhou", "蚌埠": "Bengbu",
    "芜湖": "Wuhu", "保定": "Baoding", "唐山": "Tangshan", "邯郸": "Handan", "大同": "Datong",
    "包头": "Baotou", "吉林": "Jilin", "锦州": "Jinzhou", "鞍山": "Anshan", "牡丹江": "Mudanjiang",
    "齐齐哈尔": "Qiqihar", "栖霞": "Qixia", "扬州": "Yangzhou", "镇江": "Zhenjiang", "嘉兴": "Jiaxing",
    "金华": "Jinhua", "台州": "Taizhou", "泉州": "Quanzhou", "漳州": "Zhangzhou", "新乡": "Xinxiang",
}
_EN_CITIES = {en.casefold(): zh for zh, en in CITIES.items()}
_MILITARY = re.compile(r"解放军|军区|军医大学|军医学院|武警|空军|海军|陆军|火箭军|联勤保障|军队|"
                       r"(?i:\bPLA\b|people'?s liberation army|military|armed police|\barmy\b|\bnavy\b|air force)")
_ZH_HOSPITAL = re.compile(r"[\u4e00-\u9fff0-9○〇★]{2,40}?医院")
_EN_HOSPITAL = re.compile(r"(?:[A-Z0-9][\w'’.-]*\s+){0,7}(?:General\s+)?Hospital"
                          r"(?:\s+of\s+(?:[A-Z][\w'’.-]*\s*){1,6})?")
_UNIT_LINE = re.compile(r"作者单位[:：]\s*([^。\n]{4,200})|[（(]([^()（）\n]{4,80}?\d{6})[)）]")
_SPLIT = re.compile(r"[,，;；、]")
_ZH_CITY = re.compile("|".join(sorted(CITIES, key=len, reverse=True)))
_EN_CITY = re.compile(r"(?i)\b(" + "|".join(re.escape(c) for c in sorted({v for v in CITIES.values()},
                                                                          key=len, reverse=True)) + r")\b")


@dataclass
class Hospital:
    """A hospital named in one or more papers."""

    name: str
    military: bool
    city: str | None
    papers: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "military": self.military, "city": self.city, "papers": self.papers}


def affiliation_lines(record: Record) -> list[str]:
    """The record's affiliations, or the author-unit lines found near the start of its full text."""
    if record.affiliations:
        return list(record.affiliations)
    found = []
    for match in _UNIT_LINE.finditer(record.text[:20000]):
        line = (match.group(1) or match.group(2)).strip()
        if ("医院" in line or "大学" in line or "研究所" in line) and line not in found:
            found.append(line)
    return found


def hospitals_in(line: str) -> list[tuple[str, bool]]:
    """Hospital names in one affiliation string, each with its military mark.

    >>> hospitals_in("第四军医大学西京医院心脏外科,陕西西安710032")
    [('第四军医大学西京医院', True)]
    """
    military_line = bool(_MILITARY.search(line))
    found: list[tuple[str, bool]] = []
    for piece in _SPLIT.split(line):
        piece = re.sub(r"^\s*\d{6}\s*", "", piece).strip()
        for match in _ZH_HOSPITAL.finditer(piece):
            name = match.group()
            found.append((name, bool(_MILITARY.search(name)) or (military_line and "军" in piece)))
        english = _EN_HOSPITAL.search(piece)
        if english and "医院" not in piece:
            name = " ".join(english.group().split())
            found.append((name, bool(_MILITARY.search(name)) or military_line))
    return list(dict.fromkeys(found))


def city_of(line: str) -> str | None:
    """The first gazetteer city named in an affiliation (Chinese name)."""
    zh = _ZH_CITY.search(line)
    if zh:
        return zh.group()
    en = _EN_CITY.search(line)
    return _EN_CITIES[en.group(1).casefold()] if en else None


def summarise(records: Iterable[Record]) -> dict[str, Any]:
    """Hospitals (military marked), cities and authors across the given (e.g. flagged) papers."""
    hospitals: dict[str, Hospital] = {}
    cities: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    for record in records:
        for author in record.authors:
            authors[author] += 1
        seen_cities: set[str] = set()
        for line in affiliation_lines(record):
            city = city_of(line)
            if city:
                seen_cities.add(city)
            for name, military in hospitals_in(line):
                hospital = hospitals.setdefault(name, Hospital(name, military, city))
                hospital.military = hospital.military or military
                hospital.city = hospital.city or city
                if record.id not in hospital.papers:
                    hospital.papers.append(record.id)
        cities.update(seen_cities)
    ordered = sorted(hospitals.values(), key=lambda h: (-len(h.papers), h.name))
    return {"hospitals": [h.to_dict() for h in ordered],
            "military_hospitals": sum(1 for h in ordered if h.military),
            "cities": [{"city": c, "english": CITIES.get(c, c), "papers": n} for c, n in cities.most_common()],
            "authors": [{"author": a, "papers": n} for a, n in authors.most_common()]}


def case_entities(mentions: MentionsView, names: Iterable[str]) -> dict[str, list[int]]:
    """Documents of the case whose extracted organisation mentions name each hospital."""
    found: dict[str, list[int]] = {}
    for name in names:
        documents = mentions.documents_naming("organization", name)
        if documents:
            found[name] = documents
    return found

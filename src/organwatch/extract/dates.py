"""Dates in English and Chinese: absolute, ranges and relative, resolved against the document's date.

Values are ISO 8601 at the precision stated: "2006", "2006-09", "2012-02-06", a week "2012-W05", an
interval "2000/2005". Relative expressions ("last week", "on Monday", "去年三月") need the document date;
without one they are kept with ``value=None`` and a warning is raised by the caller. "Published:" and
"Updated:" labels give the date a ``role``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from organwatch.extract.numerals import parse_zh_numeral
from organwatch.model.extraction import Mention

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}

_MON = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
       r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|Nov\.|Dec\.)"  # fmt: skip
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_REL = r"(?:last|next|this|past|coming)"

EN_DATE = re.compile(
    rf"""(?<![\w.])(?:
      (?P<iso>{_YEAR}-[01]\d-[0-3]\d)
    | (?P<range_y1>{_YEAR})\s*(?:–|—|-|\s+to\s+|\s+and\s+|\s+until\s+)\s*(?P<range_y2>{_YEAR})(?!\d|,\d)
    | (?P<mdy_m>{_MON})\s+(?P<mdy_d>{_DAY})(?:,?\s+(?P<mdy_y>{_YEAR})|\s+(?P<mdy_rel>next\s+year|last\s+year))?
    | (?P<dmy_d>{_DAY})\s+(?P<dmy_m>{_MON})(?:,?\s+(?P<dmy_y>{_YEAR}))?
    | (?P<my_m>{_MON})(?:\s+of)?,?\s+(?P<my_y>{_YEAR})
    | (?P<rel_m_rel>{_REL})\s+(?P<rel_m>{_MON})
    | (?P<wd_rel>{_REL})\s+(?P<wd_rel_d>{_WD})
    | (?P<rel_unit_rel>{_REL})\s+(?P<rel_unit>week|month|year)
    | (?P<word>yesterday|today|tomorrow)
    | (?P<wd>{_WD})
    | (?P<bare_m>(?:January|February|March|April|June|July|August|September|October|November|December))
    | (?P<year>{_YEAR})
    )(?![\w]|,\d)""",
    re.VERBOSE | re.IGNORECASE,
)
# A year is not a year inside "2,000" or "2000 hospitals"-style counts; months need a capital.
_COUNT_AFTER = re.compile(r"\s*(?:%|percent|per\s*cent|[a-z]+s\b)")
_ROLE = re.compile(r"(?:(?P<pub>published|posted|date|发布时间|发布日期|发表时间|發佈時間|發布時間)|"
                   r"(?P<upd>updated|last updated|modified|更新时间|更新|更新時間))\s*(?:on)?\s*[:：]?\s*$",
                   re.IGNORECASE)  # fmt: skip

_ZH_NUM = r"[0-9０-９〇○零一二两三四五六七八九十]"
_ZH_YEAR = r"(?:\d{4}|[〇○零一二三四五六七八九]{4})"
ZH_DATE = re.compile(
    rf"""(?:
      (?P<zr_y1>{_ZH_YEAR})年?\s*(?:至|到|－|-|–|—|~|～)\s*(?P<zr_y2>{_ZH_YEAR})\s*年
    | (?P<zy>{_ZH_YEAR})年(?:(?P<zm>{_ZH_NUM}{{1,2}})月(?:(?P<zd>{_ZH_NUM}{{1,3}})[日号號])?)?
    | (?P<zrel_y>去年|今年|明年|前年|後年|后年)
      (?:(?P<zrel_m>{_ZH_NUM}{{1,2}})月(?:(?P<zrel_d>{_ZH_NUM}{{1,3}})[日号號])?|(?P<zrel_tail>初|底|年初|年底))?
    | (?P<zrel_mo>本月|上月|下月|上個月|上个月|下個月|下个月)(?:(?P<zrel_mo_d>{_ZH_NUM}{{1,3}})[日号號])?
    | (?P<zmd_m>{_ZH_NUM}{{1,2}})月(?P<zmd_d>{_ZH_NUM}{{1,3}})[日号號]
    | (?P<zday>昨日|昨天|今日|今天|明天|前天)
    | (?P<zwk>上|本|这|這|下)(?:周|週|星期)(?P<zwk_d>[一二三四五六日天])?
    )""",
    re.VERBOSE,
)


def _num(text: str) -> int:
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    value = parse_zh_numeral(text)
    return int(value) if value is not None else 0


def _valid(year: int, month: int = 1, day: int = 1) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _ymd(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if month is None:
        return f"{year:04d}"
    if not _valid(year, month, day or 1):
        return None
    return f"{year:04d}-{month:02d}" if day is None else f"{year:04d}-{month:02d}-{day:02d}"


def _week(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def _weekday(doc: date, weekday: int, relation: str) -> date:
    """ "on Monday" in news means the most recent Monday (today included); "next Monday" the coming one."""
    if relation in {"next", "coming"}:
        return doc + timedelta(days=(weekday - doc.weekday() - 1) % 7 + 1)
    if relation in {"this", "本", "这", "這"}:
        return doc - timedelta(days=doc.weekday()) + timedelta(days=weekday)
    back = (doc.weekday() - weekday) % 7
    if relation in {"last", "past", "上"}:
        back = back + 7 if relation == "上" else (back or 7)
    return doc - timedelta(days=back)


def _month_relative(doc: date, month: int, relation: str) -> int:
    if relation in {"last", "past"}:
        return doc.year if month < doc.month else doc.year - 1
    if relation in {"next", "coming"}:
        return doc.year if month > doc.month else doc.year + 1
    return doc.year


def _role(text: str, start: int) -> str | None:
    line_start = text.rfind("\n", max(0, start - 40), start) + 1
    match = _ROLE.search(text, max(line_start, start - 40), start)
    if not match:
        return None
    return "published" if match.group("pub") else "updated"


def _en_value(m: re.Match[str], doc: date | None) -> str | None:
    g = m.groupdict()
    if g["iso"]:
        y, mo, d = (int(p) for p in g["iso"].split("-"))
        return _ymd(y, mo, d)
    if g["range_y1"]:
        return f"{g['range_y1']}/{g['range_y2']}" if int(g["range_y1"]) < int(g["range_y2"]) else None
    if g["mdy_m"]:
        month, day = MONTHS[g["mdy_m"].lower().rstrip(".")], int(re.sub(r"\D", "", g["mdy_d"]))
        if g["mdy_y"]:
            return _ymd(int(g["mdy_y"]), month, day)
        if doc is None:
            return None
        if g["mdy_rel"]:
            return _ymd(doc.year + (1 if g["mdy_rel"].lower().startswith("next") else -1), month, day)
        return _ymd(doc.year, month, day)
    if g["dmy_d"]:
        month, day = MONTHS[g["dmy_m"].lower().rstrip(".")], int(re.sub(r"\D", "", g["dmy_d"]))
        year = int(g["dmy_y"]) if g["dmy_y"] else (doc.year if doc else None)
        return _ymd(year, month, day) if year else None
    if g["my_m"]:
        return _ymd(int(g["my_y"]), MONTHS[g["my_m"].lower().rstrip(".")])
    if g["year"]:
        return g["year"]
    if doc is None:
        return None
    if g["rel_m"]:
        month = MONTHS[g["rel_m"].lower().rstrip(".")]
        return _ymd(_month_relative(doc, month, g["rel_m_rel"].lower()), month)
    if g["wd_rel"]:
        return _weekday(doc, WEEKDAYS[g["wd_rel_d"].lower()], g["wd_rel"].lower()).isoformat()
    if g["rel_unit"]:
        rel, unit = g["rel_unit_rel"].lower(), g["rel_unit"].lower()
        step = {"last": -1, "past": -1, "next": 1, "coming": 1}.get(rel, 0)
        if unit == "week":
            return _week(doc + timedelta(weeks=step))
        if unit == "month":
            month0 = doc.year * 12 + doc.month - 1 + step
            return _ymd(month0 // 12, month0 % 12 + 1)
        return _ymd(doc.year + step)
    if g["word"]:
        step = {"yesterday": -1, "today": 0, "tomorrow": 1}[g["word"].lower()]
        return (doc + timedelta(days=step)).isoformat()
    if g["wd"]:
        return _weekday(doc, WEEKDAYS[g["wd"].lower()], "on").isoformat()
    if g["bare_m"]:
        month = MONTHS[g["bare_m"].lower()]
        return _ymd(doc.year if month <= doc.month else doc.year - 1, month)
    return None


def english_dates(text: str, doc: date | None) -> Iterator[Mention]:
    """Dates in English prose (see module docstring)."""
    for m in EN_DATE.finditer(text):
        g = m.groupdict()
        if g["year"] and (_COUNT_AFTER.match(text, m.end()) or text[m.start() - 1 : m.start()] in {"$", "#"}):
            continue
        if (g["bare_m"] and not g["bare_m"][0].isupper()) or (g["wd"] and not g["wd"][0].isupper()):
            continue
        if g["bare_m"] and g["bare_m"] in {"March", "May"}:
            continue  # verbs and names far more often than months when they stand alone
        value = _en_value(m, doc)
        if value is None and (g["year"] or g["range_y1"]):
            continue
        yield Mention("date", m.group(), m.start(), m.end(), value or m.group(), value=value,
                      role=_role(text, m.start()), method="dates:en")  # fmt: skip


def _zh_value(m: re.Match[str], doc: date | None) -> str | None:
    g = m.groupdict()
    if g["zr_y1"]:
        y1, y2 = _num(g["zr_y1"]), _num(g["zr_y2"])
        return f"{y1:04d}/{y2:04d}" if y1 < y2 else None
    if g["zy"]:
        return _ymd(_num(g["zy"]), _num(g["zm"]) if g["zm"] else None, _num(g["zd"]) if g["zd"] else None)
    if doc is None:
        return None
    if g["zrel_y"]:
        year = doc.year + {"去年": -1, "今年": 0, "明年": 1, "前年": -2, "後年": 2, "后年": 2}[g["zrel_y"]]
        if g["zrel_m"]:
            return _ymd(year, _num(g["zrel_m"]), _num(g["zrel_d"]) if g["zrel_d"] else None)
        return _ymd(year)
    if g["zrel_mo"]:
        step = 0 if g["zrel_mo"].startswith("本") else (-1 if g["zrel_mo"].startswith("上") else 1)
        month0 = doc.year * 12 + doc.month - 1 + step
        return _ymd(month0 // 12, month0 % 12 + 1, _num(g["zrel_mo_d"]) if g["zrel_mo_d"] else None)
    if g["zmd_m"]:
        return _ymd(doc.year, _num(g["zmd_m"]), _num(g["zmd_d"]))
    if g["zday"]:
        step = {"昨日": -1, "昨天": -1, "今日": 0, "今天": 0, "明天": 1, "前天": -2}[g["zday"]]
        return (doc + timedelta(days=step)).isoformat()
    if g["zwk"]:
        if g["zwk_d"]:
            return _weekday(doc, ZH_WEEKDAYS[g["zwk_d"]], g["zwk"]).isoformat()
        step = {"上": -1, "下": 1}.get(g["zwk"], 0)
        return _week(doc + timedelta(weeks=step))
    return None


def chinese_dates(text: str, simplified: str, doc: date | None) -> Iterator[Mention]:
    """Dates in Chinese prose; ``simplified`` is the aligned simplified form of ``text``."""
    for m in ZH_DATE.finditer(simplified):
        value = _zh_value(m, doc)
        if value is None and (m.group("zy") or m.group("zr_y1")):
            continue
        start, end = m.span()
        yield Mention("date", text[start:end], start, end, value or text[start:end], value=value,
                      role=_role(simplified, start), method="dates:zh")  # fmt: skip


def to_date(value: str | date | None) -> date | None:
    """Parse a document date given as ``YYYY-MM-DD`` (or a date); None stays None."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])

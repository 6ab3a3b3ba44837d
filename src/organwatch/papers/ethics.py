"""Ethics-reporting checks of a transplant paper, after Rogers et al. (BMJ Open 2019).

Rogers and colleagues read 445 English-language papers on transplants in China and recorded whether
each stated where the organs came from, whether donors consented, whether a research-ethics committee
approved the work, and whether the paper said explicitly that no organs from executed prisoners were
used. Since China's voluntary deceased-donation system only began in 2010, transplants *before* 2010
described as from voluntary donors are noted separately: the claim cannot be checked and conflicts with
official statements that prisoners were then the main source.

Each check reports ``found`` with the quoted span(s), or not found. These are screening aids for a
human reader (a paper may word a statement in a way no pattern foresaw), not verdicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from organwatch.papers.donor_sequence import Evidence

_I = re.IGNORECASE

PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "donor_source": (
        re.compile(r"\b(?:deceased|cadaver(?:ic)?|brain[- ]dead|living(?:[- ]related)?|executed|"
                   r"heart[- ]beating|non[- ]heart[- ]beating|voluntary|volunteer)\s+(?:organ\s+)?donors?\b|"
                   r"\bdonation after (?:brain|cardiac|circulatory) death\b|\bDCD\b|\bDBD\b|"
                   r"\borgans? (?:were |was )?(?:obtained|procured|retrieved|harvested) from\b|"
                   r"\bcitizen(?:'s)? (?:organ )?donation\b|\bvoluntar\w+ (?:organ )?donat\w+", _I),
        re.compile(r"公民逝世后(?:器官)?捐献|脑死亡(?:器官)?捐献|心脏死亡(?:器官)?捐献|尸体供[体者肝肾心肺]|"
                   r"亲属活体|活体供[体者]|脑死亡供[体者]|心脏死亡供[体者]|供[体者](?:均)?(?:来源|来自)|死囚"),
    ),
    "consent": (
        re.compile(r"\b(?:informed )?consent\b[^.;]{0,80}\b(?:donors?|donation|famil(?:y|ies)|relatives|"
                   r"next of kin|guardians?)\b|\b(?:donors?|famil(?:y|ies)|relatives|next of kin)\b[^.;]{0,80}"
                   r"\b(?:consent(?:ed)?|agreed)\b", _I),
        re.compile(r"(?:供[体者]|家属|亲属|捐献者)[^。；]{0,30}(?:知情同意|同意捐献|签署)|知情同意[^。；]{0,30}(?:捐献|供[体者]|家属)"),
    ),
    "ethics_approval": (
        re.compile(r"\b(?:ethic(?:s|al)|research ethics) (?:review )?(?:committee|board)\b|"
                   r"\binstitutional review board\b|\bIRB\b|\bapproved by the [^.;]{0,60}ethic", _I),
        re.compile(r"伦理委员会|伦理审查|伦理学?批准|伦理(?:学)?审批"),
    ),
    "no_prisoner_organs": (
        re.compile(r"\b(?:no|not|none of the)\b[^.;]{0,50}\b(?:prisoners?|executed|inmates?)\b|"
                   r"\b(?:prisoners?|executed (?:persons?|prisoners?))\b[^.;]{0,30}\bwere not used\b", _I),
        re.compile(r"(?:未|没有|不|无)(?:使用|采用|来自|涉及)[^。；]{0,8}(?:死囚|囚犯|死刑犯)|非(?:死囚|死刑犯)"),
    ),
}
_VOLUNTARY = (re.compile(r"\bvolunt\w+|\bdonated\b|\bcitizen(?:'s)? donation|\bfree will\b", _I),
              re.compile(r"志愿|自愿|无偿捐献|公民逝世后"))
_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*(?:年)?[^。;；.\n]{0,12}?(?:to|至|到|~|～|—|–|-|and)\s*"
                     r"(?:[^。;；.\n]{0,10}?)((?:19|20)\d\d)(?!\d)", _I)
_BETWEEN = re.compile(r"(?i:from|between|since|自|从|于)\s*(?:\w+\s+)?((?:19|20)\d\d)")


@dataclass
class CheckResult:
    """One check: found or not, with the spans it rests on."""

    check: str
    found: bool
    message: str
    evidence: list[Evidence] = field(default_factory=list)


def _find(patterns: tuple[re.Pattern[str], ...], text: str, code: str, message: str,
          limit: int = 3) -> list[Evidence]:
    found: list[Evidence] = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 20), min(len(text), match.end() + 20)
            found.append(Evidence(code, message, match.start(), match.end(), text[start:end]))
            if len(found) >= limit:
                return found
    return found


def transplant_years(text: str) -> list[int]:
    """Years of the period in which the reported transplants were done (from "2003 to 2008" and the like)."""
    years: list[int] = []
    for match in _PERIOD.finditer(text):
        first, last = int(match.group(1)), int(match.group(2))
        if first <= last <= first + 40:
            years.extend((first, last))
    if not years:
        years = [int(m.group(1)) for m in _BETWEEN.finditer(text)]
    return years


def check(text: str, checks: tuple[str, ...], year: int | None) -> list[CheckResult]:
    """Run the named checks on ``text``; ``year`` (publication) stands in when no period is stated."""
    results = []
    messages = {"donor_source": "donor source stated", "consent": "donor consent reported",
                "ethics_approval": "research-ethics approval reported",
                "no_prisoner_organs": "explicit statement that no prisoner organs were used"}
    for name in checks:
        if name in PATTERNS:
            evidence = _find(PATTERNS[name], text, f"ethics.{name}", messages[name])
            results.append(CheckResult(name, bool(evidence), messages[name] if evidence else
                                       f"not found: {messages[name]}", evidence))
        elif name == "pre2010_voluntary":
            years = transplant_years(text)
            basis = "transplant period" if years else "publication year"
            latest = max(years) if years else year
            voluntary = _find(_VOLUNTARY, text, "ethics.pre2010_voluntary", "donors described as voluntary")
            if latest is not None and latest < 2010 and voluntary:
                results.append(CheckResult(name, True, f"transplants before 2010 ({basis} ends {latest}) described "
                                           "as from voluntary donors", voluntary))
            else:
                why = "no voluntary-donor wording" if not voluntary else (
                    "period unknown" if latest is None else f"{basis} ends {latest}")
                results.append(CheckResult(name, False, f"not applicable: {why}", []))
    return results

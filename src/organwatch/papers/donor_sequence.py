"""Does the text describe a donor who could not have been brain-dead when the organs were taken?

Brain death can only be declared in a patient who is already on a ventilator: the apnoea test itself
needs one, and a brain-dead body stops breathing within minutes without it. So a report that the
donor was intubated (or given a face mask) *after* brain death was declared, or as one of the steps of
the procurement operation itself, describes a donor who was breathing on their own until then — not a
brain-dead donor (Robertson & Lavee, Am J Transplant 2022). A report that the donor was intubated or
ventilated before the declaration (in intensive care, on admission) is consistent with the dead donor
rule, and a report of "artificial respiration" with no airway named is not enough to judge.

The judgement works on airway events in the text, each with the sequence around it:

1. find airway events (tracheal intubation, tracheotomy, face-mask oxygen) and skip those that are
   negated, removals (extubation), or belong to the recipient's anaesthesia and aftercare;
2. place each one relative to a declared brain death (after it, before it, or unstated) and to the
   procurement steps (position, sternotomy, heparin, cross-clamp, perfusion, excision) next to it;
3. an event after the declaration, or among the procurement steps with no earlier ventilation
   stated, is *problematic*; one explicitly before the declaration is *consistent*.

The paper's score follows the published coding: 2 = problematic airway event described (flag),
1 = ventilation described without an airway, or only a consistent/unclear sequence, or a volunteer
donor, 0 = nothing about ventilation. Every reason quotes the exact span it rests on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["problematic", "consistent", "unclear"]

#: Sentence-level boundaries. The comma is not one: Chinese methods sections chain steps with commas.
_SENTENCE_END = re.compile(r"[。；;！!？?\n]|\.(?=\s|$)|(?<=\D)\d(?:\.\d){1,3}(?=\D)|[①②③④⑤⑥⑦⑧⑨⑩]|\(\d\)|（\d）")
#: How far (characters) a sequence cue is looked for around an airway event.
LOOK_BACK = 120
LOOK_AHEAD = 90

_AIRWAY = re.compile(
    r"气管(?:内)?插管|插入?气管(?:内)?导管|气管导管|经[口鼻](?:气管)?(?:内)?插管|气管切开|"
    r"(?i:\bintubat\w*|endotracheal tube|tracheal tube|tracheostomy|tracheotomy)")
_MASK = re.compile(r"面罩|(?i:face[- ]?mask|bag[- ]?(?:valve[- ])?mask|mask ventilation)")
_VENTILATION = re.compile(
    r"人工呼吸|辅助呼吸|控制呼吸|维持呼吸|机械通气|人工通气|呼吸机|麻醉机|呼吸囊|呼吸器|球囊|通气|给氧|供氧|吸氧|"
    r"(?i:ventilat\w*|respirator|artificial respiration)")
_BRAIN_DEATH = re.compile(r"脑死亡|脑干死亡|(?i:brain[- ]?stem death|brain[- ]?death|brain[- ]?dead)")
_NOT_BRAIN_DEATH = re.compile(r"非脑死亡|(?i:non[- ]brain[- ]dead|not brain[- ]dead)")
#: Removal of a tube, and recipient care after the operation.
_REMOVAL = re.compile(r"拔除|拔出|拔去|拔管|脱机|撤机|停呼吸机|(?i:extubat\w*|weaned|removed?)")
_NEGATION = re.compile(r"(?:未|无需|无须|不需|不必|没有|未曾|未经|不)(?:行|做|予|进行|作)?$|"
                       r"(?i:\b(?:no|not|without|never)\s+(?:\w+\s+){0,2}$)")
#: The donor was already on an airway when brain death was declared.
_ALREADY = re.compile(r"已(?:经)?(?:行|予|给予|进行)?|早已|入院(?:时|后)?|急诊|抢救|监护室|ICU|重症|"
                      r"(?i:already|had been|prior to|before (?:the )?(?:diagnosis|declaration|confirmation)|"
                      r"on admission|in the (?:icu|intensive care))")
_EN_BEFORE_BD = re.compile(r"(?i:\bbefore\b[^.;]{0,40}$)")
_PROCUREMENT = re.compile(
    r"开胸|剖胸|进胸|胸骨|正中切口|正中开胸|切开心包|剪开心包|肝素|阻断|灌注|停搏液|停跳液|消毒|铺巾|仰卧位|平卧位|"
    r"切取|获取|摘取|取出|取心|取肺|供心|供肺|心肺的|切除|术野|"
    r"(?i:sternotomy|thoracotomy|heparin\w*|cross[- ]?clamp\w*|cardioplegi\w*|perfus\w*|procure\w*|harvest\w*|"
    r"retriev\w*|explant\w*|excis\w*|supine)")
_DONOR = re.compile(r"供体|供者|供心者|供肺者|(?i:\bdonors?\b)")
_BOTH = re.compile(r"供[、,，/和与及]?受[体者]|受[、,，/和与及]?供[体者]|"
                   r"(?i:donors? and recipients?|recipients? and donors?)")
_RECIPIENT = re.compile(r"受体|受者|患者|病人|(?i:\brecipients?\b|\bpatients?\b)")
_AMBIGUOUS = re.compile(r"患者|病人|(?i:patients?)")
_RECIPIENT_CARE = re.compile(r"术后|全麻|全身麻醉|麻醉诱导|体外循环|复跳|(?i:postoperativ\w*|general an(?:a)?esthesia|"
                             r"cardiopulmonary bypass|after (?:the )?(?:operation|surgery|transplant\w*))")
_VOLUNTEER = re.compile(r"志愿捐献|自愿捐献|志愿者|自愿者|公民逝世后|(?i:volunt\w+ don\w+|donated voluntarily|"
                        r"voluntary donation|volunteer)")


@dataclass(frozen=True)
class Evidence:
    """One reason, with the exact span of the text it rests on."""

    code: str
    message: str
    start: int
    end: int
    quote: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"code": self.code, "message": self.message, "start": self.start, "end": self.end,
                "quote": self.quote}


@dataclass(frozen=True)
class AirwayEvent:
    """An airway or face-mask event attributed to the donor, and where it sits in the sequence."""

    kind: Literal["intubation", "mask"]
    start: int
    end: int
    verdict: Verdict
    why: str


@dataclass
class DonorJudgement:
    """The verdict on one text: score 2 flags a problematic brain-death declaration."""

    score: int
    flagged: bool
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    events: list[AirwayEvent] = field(default_factory=list)


def _sentence_bounds(text: str, position: int) -> tuple[int, int]:
    start = 0
    for match in _SENTENCE_END.finditer(text, max(0, position - 400), position):
        start = match.end()
    after = _SENTENCE_END.search(text, position)
    return start, after.start() if after else len(text)


def _quote(text: str, start: int, end: int, pad: int = 30) -> tuple[int, int, str]:
    """A readable span around [start, end) kept inside its sentence."""
    s_start, s_end = _sentence_bounds(text, start)
    q_start = max(s_start, start - pad)
    q_end = min(max(s_end, end), end + pad)
    return q_start, q_end, text[q_start:q_end]


def _subject(text: str, start: int) -> Literal["donor", "recipient", "unknown"]:
    """Who the event at ``start`` happens to: the nearest person named before it, in its passage."""
    window_start = max(0, start - LOOK_BACK)
    before = text[window_start:start]
    masked = _BOTH.sub(lambda m: "#" * len(m.group()), before)
    # A brain-death declaration speaks of the donor too: recipients are alive.
    donor = sorted([m.end() for m in _DONOR.finditer(masked)] + [m.end() for m in _BRAIN_DEATH.finditer(masked)])
    recipient_matches = list(_RECIPIENT.finditer(masked))
    recipient = [m.end() for m in recipient_matches]
    recipient_starts = [m.start() for m in recipient_matches]
    care = [m.end() for m in _RECIPIENT_CARE.finditer(text[max(0, start - 25):start])]
    if care and not (donor and donor[-1] > len(before) - 25):
        return "recipient"
    if donor and (not recipient or donor[-1] > recipient[-1]):
        return "donor"
    if recipient:
        # "患者"/"patient" also names a donor before death: a brain-death declaration that follows
        # in the same passage says whose airway this was.
        ambiguous = _AMBIGUOUS.fullmatch(masked[recipient_starts[-1]:recipient[-1]])
        if ambiguous and _BRAIN_DEATH.search(text, start, start + LOOK_AHEAD):
            return "donor"
        return "recipient"
    return "unknown"


def _brain_death_before(text: str, start: int) -> tuple[int, int] | None:
    """Span of a brain-death declaration that the narrative places before the event at ``start``."""
    window_start = max(0, start - LOOK_BACK)
    found = None
    for match in _BRAIN_DEATH.finditer(text, window_start, start):
        if _NOT_BRAIN_DEATH.search(text[max(0, match.start() - 4):match.end()]):
            continue
        found = (match.start(), match.end())
    return found


def _sequence(text: str, start: int, end: int) -> tuple[Verdict, str, tuple[int, int] | None]:
    """Place the event relative to the brain-death declaration and the procurement steps."""
    lead = text[max(0, start - 14):start]
    if _ALREADY.search(lead):
        return "consistent", "the donor was already on an airway (intubated before the declaration)", None
    if _EN_BEFORE_BD.search(text[max(0, start - 60):start]) and _BRAIN_DEATH.search(text[end:end + 60]):
        return "consistent", "intubation described before brain death was declared", None
    bd = _brain_death_before(text, start)
    if bd is not None:
        between = text[bd[1]:start]
        if not _ALREADY.search(between):
            return "problematic", "intubated after brain death was declared", bd
    following = text[end:end + LOOK_AHEAD]
    bd_after = _BRAIN_DEATH.search(following)
    steps_after = _PROCUREMENT.search(following)
    if bd_after and (steps_after is None or bd_after.start() < steps_after.start()):
        # Methods sections narrate in order: a declaration told after the airway came after it.
        return "consistent", "intubated first; brain death declared afterwards in the narrative", None
    steps_before = list(_PROCUREMENT.finditer(text, max(0, start - 60), start))
    heading = re.search(r"(?:供[体者心肺]|donor)[^。；;\n]{0,12}(?:切取|获取|摘取|手术|准备|麻醉|保护|配合)",
                        text[max(0, start - LOOK_BACK):start])
    if steps_after or steps_before or heading:
        step = steps_after or steps_before[-1] if (steps_after or steps_before) else None
        span = None
        if step is not None:
            span = (end + step.start(), end + step.end()) if step is steps_after else (step.start(), step.end())
        return "problematic", "intubation is one of the steps of the procurement operation", span
    return "unclear", "intubation mentioned without a stated sequence", None


def judge(text: str, *, volunteer_excludes: bool = True) -> DonorJudgement:
    """Judge one text (an excerpt, an abstract or a full text)."""
    events: list[AirwayEvent] = []
    evidence: list[Evidence] = []
    for pattern, kind in ((_AIRWAY, "intubation"), (_MASK, "mask")):
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            lead = text[max(0, start - 8):start]
            if _REMOVAL.search(lead) or _REMOVAL.search(text[end:end + 4]):
                continue
            if _NEGATION.search(lead):
                continue
            if kind == "mask" and not _VENTILATION.search(text[end:end + 12]) and "加压" not in text[end:end + 4]:
                continue
            subject = _subject(text, start)
            if subject == "recipient":
                continue
            verdict, why, cue = _sequence(text, start, end)
            if kind == "mask" and verdict == "problematic":
                why = why.replace("intubated", "given a face mask").replace("intubation", "face-mask oxygen")
                why += " (face mask: no secured airway)"
            events.append(AirwayEvent(kind, start, end, verdict, why))  # type: ignore[arg-type]
            q_start, q_end, quote = _quote(text, min(start, cue[0]) if cue else start,
                                           max(end, cue[1]) if cue else end)
            evidence.append(Evidence(f"airway.{verdict}", why, q_start, q_end, quote))
    problematic = [e for e in events if e.verdict == "problematic"]
    volunteer = _VOLUNTEER.search(text)
    if problematic and volunteer and volunteer_excludes:
        q = _quote(text, volunteer.start(), volunteer.end())
        evidence.append(Evidence("donor.volunteer", "donor described as a volunteer: coded 1 as in the published "
                                 "coding (not flagged)", *q))
        return DonorJudgement(1, False, "volunteer donor stated; airway sequence noted but not flagged", evidence,
                              events)
    if problematic:
        kinds = sorted({e.why for e in problematic})
        return DonorJudgement(2, True, "; ".join(kinds), evidence, events)
    ventilation = [m for m in _VENTILATION.finditer(text) if _subject(text, m.start()) != "recipient"]
    if events:
        return DonorJudgement(1, False, "airway described, but not after the declaration nor as a procurement step",
                              evidence, events)
    if ventilation:
        m = ventilation[0]
        evidence.append(Evidence("ventilation.no_airway", "ventilation described without stating intubation or "
                                 "a face mask: the sequence cannot be judged", *_quote(text, m.start(), m.end())))
        return DonorJudgement(1, False, "ventilation described without an airway", evidence, events)
    return DonorJudgement(0, False, "no donor ventilation or airway described", evidence, events)

"""The sequence judgement on sentences written for these tests (not taken from any coded data set)."""

from __future__ import annotations

import pytest

from organwatch.papers.donor_sequence import judge
from organwatch.papers.ethics import check, transplant_years


@pytest.mark.parametrize("text", [
    "供体确认脑死亡后，立即行气管插管，接呼吸机，随后胸骨正中切口开胸。",
    "宣布脑死亡之后给予经口气管内插管，全身肝素化，切取心脏。",
    "供者取平卧位，气管插管，消毒铺巾，纵劈胸骨，阻断主动脉，灌注保存液。",
    "脑死亡后面罩加压给氧，迅速开胸取肺。",
    "After brain death was declared, the donor was intubated and a median sternotomy performed.",
])
def test_problematic_sequences_are_flagged(text: str) -> None:
    verdict = judge(text)
    assert verdict.flagged and verdict.score == 2
    assert all(text[e.start:e.end] == e.quote for e in verdict.evidence)


@pytest.mark.parametrize(("text", "score"), [
    ("患者入院时已行气管插管、呼吸机辅助呼吸，3天后确认脑死亡，家属同意捐献。", 1),
    ("供体于ICU中气管插管机械通气，之后经两次评估诊断脑死亡，再行器官获取。", 1),
    ("The donor had been intubated in the intensive care unit before brain death was confirmed.", 1),
    ("供者脑死亡后迅速建立人工呼吸，维持循环。", 1),
    ("受者术后6小时清醒，8小时拔除气管插管。供心热缺血时间4分钟。", 0),
    ("受体在全麻气管插管下建立体外循环，切除病变心脏，植入供心。", 0),
    ("供体为脑死亡者，未行气管插管。", 0),
])
def test_consistent_or_unjudgeable_sequences_are_not_flagged(text: str, score: int) -> None:
    verdict = judge(text)
    assert not verdict.flagged
    assert verdict.score == score, verdict.summary


def test_volunteer_donor_is_coded_one_unless_the_protocol_says_otherwise() -> None:
    text = "男性，27岁，脑死亡志愿捐献者。脑死亡后立即气管插管，正中开胸。"
    assert judge(text).score == 1
    assert judge(text, volunteer_excludes=False).score == 2


def test_ethics_checks_quote_their_evidence() -> None:
    text = ("Between 2003 and 2008, 40 liver transplants were performed with organs from voluntary donors. "
            "The study was approved by the hospital ethics committee. No organs from executed prisoners were used. "
            "Informed consent for donation was obtained from the donor families.")
    results = {r.check: r for r in check(text, ("donor_source", "consent", "ethics_approval", "no_prisoner_organs",
                                                "pre2010_voluntary"), 2010)}
    assert all(r.found for r in results.values()), {k: r.message for k, r in results.items()}
    assert transplant_years(text) == [2003, 2008]
    silent = {r.check: r.found for r in check("Forty liver transplants were performed.", ("consent",
                                                                                         "ethics_approval"), 2005)}
    assert silent == {"consent": False, "ethics_approval": False}

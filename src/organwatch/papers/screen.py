"""Apply a protocol to records: one decision per paper, each with its reasons and quoted spans.

Stages run in order and the first one that excludes a paper decides it, so the PRISMA flow can say at
which stage each paper left. A stage that does not apply to a record (a title rule on a CSV of
excerpts that has no titles) passes it and says so. Ethics checks never exclude; they add flags.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from organwatch.papers import donor_sequence, ethics
from organwatch.papers.fuzzy import find_best
from organwatch.papers.protocols import Protocol, Stage
from organwatch.papers.records import Record

Decision = Literal["included", "excluded"]


@dataclass(frozen=True)
class Reason:
    """Why a stage decided what it did, with the field and exact span quoted (when there is one)."""

    stage: str
    code: str
    message: str
    field: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class ScreenResult:
    """The decision on one record."""

    record_id: str
    decision: Decision
    stage: str
    score: int | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"record_id": self.record_id, "decision": self.decision, "stage": self.stage, "score": self.score,
                "flags": self.flags, "reasons": [r.to_dict() for r in self.reasons]}


def _read(record: Record, name: str, fallback: dict[str, str]) -> tuple[str, str]:
    """``(field actually read, its text)``, following the fallback when the field is empty."""
    text = record.field_text(name)
    if not text.strip() and name in fallback:
        other = fallback[name]
        return other, record.field_text(other)
    return name, text


def _first_field(record: Record, names: tuple[str, ...]) -> tuple[str, str]:
    for name in names:
        text = record.field_text(name)
        if text.strip():
            return name, text
    return names[0], ""


def _quote(text: str, start: int, end: int, pad: int = 20) -> str:
    return text[max(0, start - pad):min(len(text), end + pad)]


def _filter(stage: Stage, record: Record, result: ScreenResult) -> bool:
    for rule in stage.exclude:
        used, text = _read(record, rule.field, stage.fallback)
        if not text.strip():
            continue
        hit = rule.search(text)
        if hit:
            result.reasons.append(Reason(stage.name, "filter.exclude", f"excluded: {used} matches {rule.describe()}",
                                         used, hit[0], hit[1], _quote(text, *hit)))
            return False
    for rule in stage.include:
        used, text = _read(record, rule.field, stage.fallback)
        if not text.strip():
            result.reasons.append(Reason(stage.name, "filter.not_applicable",
                                         f"{rule.field} is empty: rule '{rule.describe()}' not applied", used))
            continue
        hit = rule.search(text)
        if hit is None:
            result.reasons.append(Reason(stage.name, "filter.include_missing",
                                         f"excluded: {used} does not match {rule.describe()}", used))
            return False
        result.reasons.append(Reason(stage.name, "filter.include", f"{used} matches {rule.describe()}", used,
                                     hit[0], hit[1], _quote(text, *hit)))
    return True


def phrase_matches(stage: Stage, text: str) -> list[tuple[str, int, int, float, bool]]:
    """``(target, start, end, distance, context ok)`` for every target whose best window beats the threshold."""
    found = []
    for target in stage.targets:
        best = find_best(text, target, stage.metric, stage.threshold)
        if best is None or best.distance >= stage.threshold:
            continue
        ok = True
        if stage.context_any:
            window = text[max(0, best.start - stage.context_window):best.end + stage.context_window]
            ok = any(term in window for term in stage.context_any)
        found.append((target, best.start, best.end, best.distance, ok))
    return found


def _phrases(stage: Stage, record: Record, result: ScreenResult) -> bool:
    used, text = _first_field(record, stage.fields)
    if not text.strip():
        result.reasons.append(Reason(stage.name, "fulltext.missing", "excluded: no text to search "
                                     f"({', '.join(stage.fields)} empty)", used))
        return False
    matches = phrase_matches(stage, text)
    kept = [m for m in matches if m[4]]
    if not kept:
        near = f"; {len(matches)} phrase(s) matched without the context condition" if matches else ""
        result.reasons.append(Reason(stage.name, "phrases.none", f"excluded: no target phrase within "
                                     f"{stage.metric} < {stage.threshold}{near}", used))
        return False
    for target, start, end, distance, _ in sorted(kept, key=lambda m: m[3])[:5]:
        context = f" with {'/'.join(stage.context_any)} within ±{stage.context_window}" if stage.context_any else ""
        result.reasons.append(Reason(stage.name, "phrases.match", f"matches '{target}' ({stage.metric} "
                                     f"{distance:.3f}){context}", used, start, end, text[start:end]))
    return True


def _dead_donor(stage: Stage, record: Record, result: ScreenResult) -> bool:
    used, text = _first_field(record, stage.fields)
    judgement = donor_sequence.judge(text, volunteer_excludes=stage.volunteer_excludes)
    result.score = judgement.score
    result.flags["dead_donor_rule"] = judgement.flagged
    for evidence in _distinct(judgement.evidence):
        result.reasons.append(Reason(stage.name, evidence.code, evidence.message, used, evidence.start, evidence.end,
                                     evidence.quote))
    verdict = "flagged" if judgement.flagged else "not flagged"
    result.reasons.append(Reason(stage.name, f"dead_donor_rule.score{judgement.score}",
                                 f"{verdict} (score {judgement.score}): {judgement.summary}", used))
    return judgement.flagged


def _distinct(evidence: Iterable[donor_sequence.Evidence]) -> list[donor_sequence.Evidence]:
    seen: set[tuple[str, int, int]] = set()
    kept = []
    for item in evidence:
        key = (item.code, item.start, item.end)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _ethics(stage: Stage, record: Record, result: ScreenResult) -> None:
    used, text = _first_field(record, stage.fields)
    for outcome in ethics.check(text, stage.checks, record.year):
        result.flags[outcome.check] = outcome.found
        if outcome.evidence:
            for evidence in outcome.evidence:
                result.reasons.append(Reason(stage.name, evidence.code, outcome.message, used, evidence.start,
                                             evidence.end, evidence.quote))
        else:
            result.reasons.append(Reason(stage.name, f"ethics.{outcome.check}", outcome.message, used))


def screen_record(protocol: Protocol, record: Record) -> ScreenResult:
    """Run every stage on one record until one excludes it."""
    result = ScreenResult(record.id, "included", protocol.stages[-1].name)
    for stage in protocol.stages:
        if stage.requires_fulltext and not record.text.strip():
            result.reasons.append(Reason(stage.name, "fulltext.missing", "excluded: full text not available"))
            result.decision, result.stage = "excluded", stage.name
            return result
        if stage.kind == "filter":
            passed = _filter(stage, record, result)
        elif stage.kind == "phrases":
            passed = _phrases(stage, record, result)
        elif stage.kind == "dead_donor_rule":
            passed = _dead_donor(stage, record, result)
        else:
            _ethics(stage, record, result)
            passed = True
        if not passed and stage.excludes:
            result.decision, result.stage = "excluded", stage.name
            return result
    return result


def screen(protocol: Protocol, records: Iterable[Record],
           progress: Callable[[int], None] | None = None) -> list[ScreenResult]:
    """Screen records in order; ``progress`` is called after each with the count done."""
    results = []
    for done, record in enumerate(records, 1):
        results.append(screen_record(protocol, record))
        if progress:
            progress(done)
    return results

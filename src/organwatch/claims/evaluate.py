"""Score claim detection against a gold set: is each claim found, and is it given to the right speaker?

Gold files are JSON lines, one document each: ``{"id", "language", "text", "claims": [{"speaker", "stance",
"quote", "value"?, "period"?}]}``. ``quote`` is the exact attributed text; its first occurrence gives the span.
A predicted claim matches a gold claim when their spans overlap by at least half of the shorter one. The
speaker is right when one name contains the other once both are folded (case, simplified script, spaces), so
"Xinhua News Agency" matches "Xinhua" and 國際特赦組織 matches 国际特赦组织.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from organwatch.model.claims import Claim


@dataclass
class ClaimScores:
    """Counts and rates for claim detection, claim + speaker, and claim + speaker + stance."""

    gold: int = 0
    predicted: int = 0
    found: int = 0
    speaker_right: int = 0
    stance_right: int = 0
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def _f1(tp: int, gold: int, predicted: int) -> dict[str, float]:
        p = tp / predicted if predicted else 0.0
        r = tp / gold if gold else 0.0
        return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}

    def to_dict(self) -> dict[str, Any]:
        """Precision, recall and F1 for each level."""
        return {"claims": self._f1(self.found, self.gold, self.predicted),
                "claim+speaker": self._f1(self.speaker_right, self.gold, self.predicted),
                "claim+speaker+stance": self._f1(self.stance_right, self.gold, self.predicted),
                "gold": self.gold, "predicted": self.predicted}


def fold_name(name: str) -> str:
    """Fold a speaker name for comparison: simplified script, lower case, no spaces or articles.

    >>> fold_name("The Ministry") == fold_name("ministry")
    True
    """
    from organwatch.text import to_simplified

    folded = to_simplified(name).lower()
    for article in ("the ", "a ", "an "):
        if folded.startswith(article):
            folded = folded[len(article):]
    return "".join(folded.split())


def same_speaker(a: str | None, b: str | None) -> bool:
    """True when one folded name contains the other."""
    if not a or not b:
        return False
    fa, fb = fold_name(a), fold_name(b)
    return fa in fb or fb in fa


def load_gold(path: Path) -> list[dict[str, Any]]:
    """Gold documents of one JSON-lines file, each claim given its span from its quote."""
    docs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        doc = json.loads(line)
        for claim in doc["claims"]:
            start = doc["text"].find(claim["quote"])
            if start < 0:
                raise ValueError(f"{path}, line {number}: quote {claim['quote']!r} is not in the text")
            claim["span"] = (start, start + len(claim["quote"]))
        docs.append(doc)
    return docs


def score_document(text: str, gold: Iterable[dict[str, Any]], predicted: list[Claim], scores: ClaimScores,
                   doc_id: str) -> None:
    """Add one document's matches to ``scores``."""
    gold = list(gold)
    scores.gold += len(gold)
    scores.predicted += len(predicted)
    used: set[int] = set()
    for g in gold:
        gs, ge = g["span"]
        best, best_overlap = None, 0.0
        for i, p in enumerate(predicted):
            if i in used:
                continue
            inter = min(ge, p.end) - max(gs, p.start)
            overlap = inter / max(1, min(ge - gs, p.end - p.start))
            if overlap >= 0.5 and overlap > best_overlap:
                best, best_overlap = i, overlap
        if best is None:
            scores.misses.append(f"{doc_id}: missed {g['quote'][:60]!r}")
            continue
        used.add(best)
        scores.found += 1
        said_by = predicted[best]
        surface = text[said_by.speaker_start : said_by.speaker_end] if said_by.speaker_start is not None else None
        if same_speaker(said_by.speaker, g["speaker"]) or same_speaker(surface, g["speaker"]):
            scores.speaker_right += 1
            if predicted[best].stance == g["stance"]:
                scores.stance_right += 1
        else:
            scores.misses.append(f"{doc_id}: speaker {predicted[best].speaker!r} for {g['speaker']!r}")


def evaluate(paths: Iterable[Path]) -> ClaimScores:
    """Run extraction and claim detection over gold files and score them."""
    from organwatch.claims.detect import detect_claims
    from organwatch.extract import extract

    scores = ClaimScores()
    for path in paths:
        for doc in load_gold(path):
            result = extract(doc["text"], language=doc["language"])
            predicted = detect_claims(doc["text"], doc["language"], result.mentions, result.quotes)
            score_document(doc["text"], doc["claims"], predicted, scores, doc["id"])
    return scores

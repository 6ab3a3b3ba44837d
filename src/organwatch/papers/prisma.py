"""PRISMA 2020 flow diagram of a screening run, with every count computed from stored decisions.

The boxes follow the PRISMA 2020 template for new reviews (Page et al., BMJ 2021;372:n71):
identification (records identified, duplicates removed, records unreadable), screening (records
screened, excluded), retrieval (reports sought, not retrieved), eligibility (reports assessed,
excluded with the stage as reason) and included studies. Nothing is typed in: each number is counted
from the case's records, import problems and the run's decisions, and the counts are checked to add up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from organwatch.papers.protocols import Protocol
from organwatch.papers.screen import ScreenResult


@dataclass
class PrismaCounts:
    """The numbers of the flow diagram."""

    identified_by_source: dict[str, int]
    duplicates_removed: int
    unreadable: int
    screened: int
    screening_excluded: dict[str, int]
    sought: int
    not_retrieved: int
    assessed: int
    eligibility_excluded: dict[str, int]
    included: int
    notes: list[str] = field(default_factory=list)

    @property
    def identified(self) -> int:
        """All records found, before duplicates were removed."""
        return sum(self.identified_by_source.values()) + self.duplicates_removed

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"identified": self.identified, **{k: v for k, v in self.__dict__.items() if k != "notes"},
                "notes": self.notes}


def compute(protocol: Protocol, results: list[ScreenResult], records_by_source: dict[str, int],
            issue_counts: dict[str, int]) -> PrismaCounts:
    """Count the flow from the decisions of one run; raises if the counts do not add up."""
    kinds = {stage.name: stage.kind for stage in protocol.stages}
    retrieval_lost = [r for r in results if r.decision == "excluded" and any(
        x.code == "fulltext.missing" and x.stage == r.stage for x in r.reasons)]
    lost_ids = {r.record_id for r in retrieval_lost}
    screening = Counter(r.stage for r in results if r.decision == "excluded" and kinds.get(r.stage) == "filter"
                        and r.record_id not in lost_ids)
    eligibility = Counter(r.stage for r in results if r.decision == "excluded" and kinds.get(r.stage) != "filter"
                          and r.record_id not in lost_ids)
    screened = len(results)
    sought = screened - sum(screening.values())
    assessed = sought - len(retrieval_lost)
    included = sum(1 for r in results if r.decision == "included")
    counts = PrismaCounts(dict(records_by_source), issue_counts.get("duplicate", 0),
                          issue_counts.get("invalid", 0) + issue_counts.get("unreadable", 0), screened,
                          {stage: screening[stage] for stage in kinds if screening[stage]}, sought,
                          len(retrieval_lost), assessed,
                          {stage: eligibility[stage] for stage in kinds if eligibility[stage]}, included)
    if assessed - sum(eligibility.values()) != included:
        raise ValueError(f"PRISMA counts do not add up: {assessed} assessed - {sum(eligibility.values())} "
                         f"excluded != {included} included")
    if sum(records_by_source.values()) != screened:
        counts.notes.append(f"{sum(records_by_source.values())} records in the case, {screened} in this run "
                            "(records were imported after the run)")
    return counts


def _box(ax: Any, x: float, y: float, w: float, h: float, text: str, face: str = "#ffffff") -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.004,rounding_size=0.01", linewidth=1,
                                edgecolor="#333333", facecolor=face))
    ax.text(x + 0.012, y + h / 2, text, ha="left", va="center", fontsize=8.5, wrap=True)


def _arrow(ax: Any, x1: float, y1: float, x2: float, y2: float) -> None:
    ax.annotate("", xy=(x2, y2), xytext=(x1, y1), arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1})


def render(counts: PrismaCounts, out: Path, title: str = "") -> list[Path]:
    """Draw the diagram; write ``out`` as SVG and a PNG beside it (or the reverse). Returns the files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "organwatch-prisma"  # stable ids: the same counts give the same file
    fig = plt.figure(figsize=(8.5, 9.5))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    if title:
        ax.text(0.5, 0.975, title, ha="center", va="center", fontsize=11, weight="bold")
    left, right, w_left, w_right = 0.14, 0.6, 0.4, 0.37
    sources = "\n".join(f"  {name}: {n}" for name, n in sorted(counts.identified_by_source.items()))
    rows = [
        ("Identification", 0.80, 0.12,
         f"Records identified (n = {counts.identified})\n{sources}",
         f"Records removed before screening:\n  duplicate records (n = {counts.duplicates_removed})\n"
         f"  unreadable records (n = {counts.unreadable})"),
        ("Screening", 0.64, 0.1, f"Records screened (n = {counts.screened})",
         "Records excluded (n = {})\n{}".format(sum(counts.screening_excluded.values()), "\n".join(
             f"  {stage}: {n}" for stage, n in counts.screening_excluded.items()))),
        ("", 0.49, 0.08, f"Reports sought for retrieval (n = {counts.sought})",
         f"Reports not retrieved (n = {counts.not_retrieved})"),
        ("", 0.32, 0.1, f"Reports assessed for eligibility (n = {counts.assessed})",
         "Reports excluded (n = {})\n{}".format(sum(counts.eligibility_excluded.values()), "\n".join(
             f"  {stage}: {n}" for stage, n in counts.eligibility_excluded.items()))),
        ("Included", 0.14, 0.08, f"Studies included in review (n = {counts.included})", None),
    ]
    previous_bottom = None
    for label, y, h, main, side in rows:
        _box(ax, left, y, w_left, h, main, "#f4f7fb")
        if side is not None:
            _box(ax, right, y, w_right, h, side)
            _arrow(ax, left + w_left, y + h / 2, right, y + h / 2)
        if previous_bottom is not None:
            _arrow(ax, left + w_left / 2, previous_bottom, left + w_left / 2, y + h)
        previous_bottom = y
        if label:
            ax.text(0.06, y + h / 2, label, rotation=90, ha="center", va="center", fontsize=9, weight="bold",
                    color="#1f4e79")
    for number, note in enumerate(counts.notes):
        ax.text(0.06, 0.07 - number * 0.025, note, fontsize=7.5, color="#555555")
    out.parent.mkdir(parents=True, exist_ok=True)
    other = out.with_suffix(".png" if out.suffix.lower() != ".png" else ".svg")
    written = []
    for path in (out, other):
        fmt = "png" if path.suffix.lower() == ".png" else "svg"
        fig.savefig(path, format=fmt, dpi=150, metadata={"Date": None} if fmt == "svg" else None)
        written.append(path)
    plt.close(fig)
    return written

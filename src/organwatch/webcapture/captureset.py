"""Capture sets: the items of one web capture (exchange, screenshot, PDF, DOM, media) bound together.

Each member is an ordinary capture whose logged sighting carries ``extra.capture_set`` and
``extra.role``. After all members are stored, one ``capture_set`` evidence event lists them, so the
set itself is in the signed log: nobody can later add or drop a screenshot without it showing.
:func:`check_capture_sets` is the part of ``organwatch verify`` that checks this.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from organwatch.archive.verify import Finding
from organwatch.model import Capture
from organwatch.store import Store


class EvidenceSource(Protocol):
    """What capture sets are read from: the log's entries and the store's captures (an archive or a case)."""

    @property
    def store(self) -> Store: ...

    def log_entries(self) -> Iterator[dict[str, Any]]: ...

    def captures(self, limit: int | None = None, offset: int = 0) -> Iterator[Capture]: ...

EVENT = "capture_set"
ROLES = ("http-exchange", "screenshot", "pdf", "dom", "rendered-text", "media", "text-diff")


@dataclass(frozen=True)
class Member:
    """One capture of a set and what it is."""

    capture: str
    role: str
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        """As logged."""
        return {"capture": self.capture, "role": self.role, **({"url": self.url} if self.url else {})}


def iter_sets(case: EvidenceSource) -> Iterator[dict[str, Any]]:
    """Every ``capture_set`` event in log order (each has ``seq`` added)."""
    for seq, entry in enumerate(case.log_entries()):
        if entry.get("type") == EVENT:
            logged = entry.get("seq")
            yield {**entry, "seq": logged if isinstance(logged, int) else seq}


def latest_sets(case: EvidenceSource) -> dict[str, dict[str, Any]]:
    """The newest capture set of each requested URL."""
    latest: dict[str, dict[str, Any]] = {}
    for event in iter_sets(case):
        latest[event["source_url"]] = event
    return latest


def member(event: dict[str, Any], role: str) -> str | None:
    """The capture id of the first member with ``role``."""
    return next((m["capture"] for m in event.get("members", []) if m.get("role") == role), None)


def check_capture_sets(case: EvidenceSource) -> list[Finding]:
    """Findings for ``organwatch verify``: members missing or not claiming their set; sets left unfinished.

    Codes — errors: ``capture-set-member-missing``, ``capture-set-member-mismatch``,
    ``recapture-unknown-set``; warning: ``capture-set-unfinished`` (members stored, set event never
    written: a capture was interrupted; capturing the URL again completes the record, and the warning
    goes once a later capture set of the same URL is logged).
    """
    findings: list[Finding] = []
    claimed: dict[str, set[tuple[str, str]]] = {}
    # Per set: the pages its members were captured for, and the last log entry that sighted one.
    pages: dict[str, set[str]] = {}
    last_seen: dict[str, int] = {}
    for capture in case.captures():
        for obs in capture.observations:
            extra = obs.extra or {}
            if isinstance(extra.get("capture_set"), str):
                set_id = extra["capture_set"]
                claimed.setdefault(set_id, set()).add((capture.id, str(extra.get("role"))))
                last_seen[set_id] = max(last_seen.get(set_id, -1), obs.seq)
                if extra.get("role") != "media" and obs.source_url:
                    pages.setdefault(set_id, set()).add(obs.source_url)
    known: set[str] = set()
    completed_at: dict[str, int] = {}  # page URL -> last log entry of a complete capture set of it
    for event in iter_sets(case):
        set_id = str(event.get("capture_set"))
        known.add(set_id)
        if isinstance(event.get("source_url"), str):
            completed_at[event["source_url"]] = event["seq"]
        where = f"capture set {set_id} (log entry {event['seq']})"
        members = event.get("members")
        for item in members if isinstance(members, list) else []:
            if not isinstance(item, dict):
                continue
            capture_id, role = str(item.get("capture")), str(item.get("role"))
            if not any(c == capture_id for c, _ in claimed.get(set_id, set())):
                exists = _exists(case, capture_id)
                findings.append(Finding("error", "capture-set-member-mismatch" if exists else
                                        "capture-set-member-missing", where,
                                        f"{role} {capture_id[:16]} " + ("was not captured as part of this set"
                                                                        if exists else "is not in the case")))
            elif (capture_id, role) not in claimed[set_id]:
                findings.append(Finding("error", "capture-set-member-mismatch", where,
                                        f"{capture_id[:16]} is listed as {role} but was captured in another role"))
    for set_id in sorted(set(claimed) - known):
        if any(completed_at.get(url, -1) > last_seen.get(set_id, -1) for url in pages.get(set_id, ())):
            continue  # the page was captured again, completely, after the interrupted capture
        ids = ", ".join(sorted(c[:12] for c, _ in claimed[set_id]))
        findings.append(Finding("warning", "capture-set-unfinished", f"capture set {set_id}",
                                f"captures {ids} belong to a set that was never completed (interrupted capture)"))
    for seq, entry in enumerate(case.log_entries()):
        if entry.get("type") == "recapture":
            for key in ("previous_set", "new_set"):
                value = entry.get(key)
                if isinstance(value, str) and value not in known and not value.startswith("capture:"):
                    findings.append(Finding("error", "recapture-unknown-set", f"log entry {seq}",
                                            f"recapture names {key} {value}, which no capture_set event records"))
    return findings


def _exists(case: EvidenceSource, capture_id: str) -> bool:
    with case.store.view() as view:
        return view.archive.capture(capture_id) is not None

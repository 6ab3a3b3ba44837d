"""``organwatch changes``: the edits and deletions that recapture found, read back from the signed log.

>>> # for change in list_changes(case, since="2026-01-01"): print(change.status, change.url)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from organwatch.errors import OrganWatchError
from organwatch.webcapture.recapture import EVENT

if TYPE_CHECKING:
    from organwatch.case import Case

DEFAULT_STATUSES = ("changed", "gone")


@dataclass(frozen=True)
class Change:
    """One recapture finding, with what changed and the diff of that text."""

    seq: int
    checked_at: str
    status: str
    url: str
    reason: str | None
    previous_set: str | None
    new_set: str | None
    diff: str | None
    added: int | None
    removed: int | None
    #: For ``changed``: "main text", "other visible text" or "markup only".
    what: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


def parse_since(text: str) -> str:
    """``2026-01-01`` or an ISO 8601 time → the UTC timestamp text log times compare with."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise OrganWatchError(f"--since {text!r} is not a date or ISO 8601 time (e.g. 2026-01-01)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def list_changes(case: Case, since: str | None = None,
                 statuses: Iterable[str] = DEFAULT_STATUSES) -> list[Change]:
    """Recapture events of the given statuses (default: changed and gone), oldest first."""
    wanted = set(statuses)
    floor = parse_since(since) if since else None
    found: list[Change] = []
    for seq, entry in enumerate(case.log_entries()):
        if entry.get("type") != EVENT or entry.get("status") not in wanted:
            continue
        checked = str(entry.get("checked_at") or entry.get("time"))
        if floor is not None and checked < floor:
            continue
        diff = entry.get("diff")
        if diff is None and entry.get("diff_capture"):
            diff = case.blob_path(entry["diff_capture"]).read_text(encoding="utf-8")
        stats = entry.get("diff_stats") or {}
        found.append(Change(seq, checked, str(entry["status"]), str(entry.get("source_url")), entry.get("reason"),
                            entry.get("previous_set"), entry.get("new_set"), diff, stats.get("added"),
                            stats.get("removed"), entry.get("what_changed")))
    return found

"""Who may see and do what: roles, the person asking, and the search filter that hides restricted documents.

Roles, from most to least trusted::

    admin         everything, including users and restrictions; sees restricted documents (access is logged)
    investigator  read, upload evidence, run analyses, grade sources
    reviewer      read, grade sources, code screened papers (merge review joins here)
    viewer        read

A restricted document is visible only to admins and to the principals it names (``user:alice``,
``role:investigator``). Every reading path asks :class:`Viewer` and filters in SQL, so restricted rows
never reach a page, a count, a snippet or the API.

>>> Viewer("alice", "investigator").principals
('user:alice', 'role:investigator')
>>> Viewer("bob", "viewer").can("upload")
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from organwatch.errors import OrganWatchError
from organwatch.search import SearchFilters

Role = Literal["admin", "investigator", "reviewer", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "investigator", "reviewer", "viewer")
Action = Literal["read", "upload", "analyse", "grade", "review", "restrict", "manage-users"]

PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"read", "upload", "analyse", "grade", "review", "restrict", "manage-users"}),
    "investigator": frozenset({"read", "upload", "analyse", "grade"}),
    "reviewer": frozenset({"read", "grade", "review"}),
    "viewer": frozenset({"read"}),
}
_USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


class AccessError(OrganWatchError):
    """A user name, role or principal that cannot be used, or an action the user may not take."""


def check_user_name(name: str) -> str:
    """Return ``name`` if it is a usable account name (letters, digits, ``._@-``; up to 64 characters)."""
    if not _USER_NAME.fullmatch(name):
        raise AccessError(f"user name {name!r} is not allowed: use up to 64 letters, digits, '.', '_', '@' or '-', "
                          "starting with a letter or digit")
    return name


def check_role(role: str) -> Role:
    """Return ``role`` if it is one of :data:`ROLES`."""
    for known in ROLES:
        if role == known:
            return known
    raise AccessError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")


def parse_principals(text: str) -> tuple[str, ...]:
    """``alice,role:investigator`` → ``('user:alice', 'role:investigator')``; order kept, duplicates dropped.

    >>> parse_principals("alice, role:investigator, user:alice")
    ('user:alice', 'role:investigator')
    """
    found: list[str] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        kind, sep, value = item.partition(":")
        if not sep:
            kind, value = "user", item
        if kind == "user":
            principal = f"user:{check_user_name(value)}"
        elif kind == "role":
            principal = f"role:{check_role(value)}"
        else:
            raise AccessError(f"{item!r} is neither a user name nor role:NAME (e.g. alice or role:investigator)")
        if principal not in found:
            found.append(principal)
    if not found:
        raise AccessError("name at least one user or role (e.g. --to alice,role:investigator)")
    return tuple(found)


@dataclass(frozen=True)
class Viewer:
    """The person a request or command acts for."""

    name: str
    role: str

    @property
    def principals(self) -> tuple[str, ...]:
        """The restriction principals that grant this person access."""
        return (f"user:{self.name}", f"role:{self.role}")

    @property
    def sees_everything(self) -> bool:
        """Admins see restricted documents (and every such access is logged)."""
        return self.role == "admin"

    def can(self, action: str) -> bool:
        """Whether this person's role allows ``action``."""
        return action in PERMISSIONS.get(self.role, frozenset())


def visible_filters(viewer: Viewer | None, **filters: Any) -> SearchFilters:
    """Search filters that also leave out every document the viewer may not see.

    The search engine applies filters before ranking, counting and collapsing duplicates, so restricted
    documents add nothing to totals, snippets or "also in N documents".
    """
    visible_to = None if viewer is None or viewer.sees_everything else viewer.principals
    return SearchFilters(**filters, visible_to=visible_to)


def public_filters(filters: SearchFilters) -> dict[str, Any]:
    """The user-visible filter values (never the reader's principals)."""
    return {name: getattr(filters, name) for name in ("date_from", "date_to", "language", "outlet", "media_type")}

"""Screening protocols: YAML files, versioned, stored with every run that used them.

A protocol is a list of stages applied in order; the first stage that excludes a paper decides it::

    name: my-screen
    version: "1.0"
    title: What the screen is for
    citation: the published method it follows, if any
    stages:
      - name: title and abstract
        kind: filter                       # include/exclude by terms and regexes per field
        fallback: {abstract: title}        # an empty abstract is read as the title
        exclude: [{field: title, terms: [鼠, 犬]}]
        include: [{field: title, regex: "心|肺"}]     # every include rule must match
      - name: target phrases
        kind: phrases                      # fuzzy phrase matching
        fields: [text, abstract]           # the first non-empty field is searched
        requires_fulltext: true
        metric: running_cosine             # or jaro_winkler
        threshold: 0.28                    # keep distance < threshold
        context: {window: 70, contains_any: [供]}
        targets: [脑死亡后迅速气管插管]
      - name: sequence
        kind: dead_donor_rule              # flag problematic brain-death declarations
      - name: reporting
        kind: ethics                       # ethics-reporting checks; never excludes
        checks: [donor_source, consent, ethics_approval, no_prisoner_organs, pre2010_voluntary]

The exact YAML text and its SHA-256 are stored with the results, so a run can always be re-read
with the protocol that produced it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from organwatch.errors import OrganWatchError
from organwatch.papers.fuzzy import METRICS, Metric
from organwatch.papers.records import FIELDS

ETHICS_CHECKS = ("donor_source", "consent", "ethics_approval", "no_prisoner_organs", "pre2010_voluntary")
StageKind = Literal["filter", "phrases", "dead_donor_rule", "ethics"]
#: A protocol file larger than this is refused (protocols are a few kilobytes).
MAX_PROTOCOL_BYTES = 1 << 20


class ProtocolError(OrganWatchError):
    """A protocol file is missing, not YAML, or does not describe a valid screen."""


@dataclass(frozen=True)
class Rule:
    """Terms (any of them, as literal text) and/or a regular expression, looked for in one field."""

    field: str
    terms: tuple[str, ...] = ()
    regex: re.Pattern[str] | None = None
    label: str = ""

    def describe(self) -> str:
        """Short description used in reasons."""
        if self.label:
            return self.label
        parts = []
        if self.terms:
            shown = "|".join(self.terms[:6]) + ("|…" if len(self.terms) > 6 else "")
            parts.append(f"terms {shown}")
        if self.regex is not None:
            parts.append(f"regex /{self.regex.pattern}/")
        return f"{self.field}: " + " or ".join(parts)

    def search(self, text: str) -> tuple[int, int] | None:
        """Span of the first hit in ``text``, else None."""
        hits = []
        for term in self.terms:
            index = text.find(term)
            if index >= 0:
                hits.append((index, index + len(term)))
        if self.regex is not None:
            match = self.regex.search(text)
            if match:
                hits.append((match.start(), match.end()))
        return min(hits) if hits else None


@dataclass(frozen=True)
class Stage:
    """One stage of a protocol (the fields used depend on ``kind``)."""

    name: str
    kind: StageKind
    fallback: dict[str, str] = field(default_factory=dict)
    exclude: tuple[Rule, ...] = ()
    include: tuple[Rule, ...] = ()
    fields: tuple[str, ...] = ("text", "abstract", "title")
    requires_fulltext: bool = False
    metric: Metric = "running_cosine"
    threshold: float = 0.28
    context_window: int = 0
    context_any: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    volunteer_excludes: bool = True
    checks: tuple[str, ...] = ETHICS_CHECKS
    excludes: bool = True


@dataclass(frozen=True)
class Protocol:
    """A parsed protocol with the exact text it was read from."""

    name: str
    version: str
    title: str
    citation: str
    stages: tuple[Stage, ...]
    source: str
    path: str

    @property
    def sha256(self) -> str:
        """Hash of the YAML text: two runs with the same hash used the same protocol."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


def shipped() -> dict[str, Path]:
    """Protocols that ship with OrganWatch, by name (file stem)."""
    folder = resources.files("organwatch.papers").joinpath("protocols")
    return {Path(item.name).stem: Path(str(item)) for item in folder.iterdir() if item.name.endswith(".yaml")}


def load_protocol(ref: str | Path) -> Protocol:
    """Load a protocol from a file, or one shipped with OrganWatch by name (e.g. ``dead-donor-rule``)."""
    path = Path(ref)
    builtin = shipped()
    if not path.exists() and str(ref) in builtin:
        path = builtin[str(ref)]
    if not path.is_file():
        names = ", ".join(sorted(builtin))
        raise ProtocolError(f"{ref}: no such protocol file (shipped protocols: {names})")
    if path.stat().st_size > MAX_PROTOCOL_BYTES:
        raise ProtocolError(f"{path}: protocol file larger than {MAX_PROTOCOL_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(f"{path}: protocol is not UTF-8 text") from None
    return parse_protocol(text, str(path))


def parse_protocol(text: str, where: str = "<protocol>") -> Protocol:
    """Parse and check protocol YAML; every problem names the stage and the key."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ProtocolError(f"{where}: not valid YAML{at}") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: a protocol is a YAML mapping with name, version and stages")
    for key in ("name", "version", "stages"):
        if key not in data:
            raise ProtocolError(f"{where}: missing '{key}'")
    if not isinstance(data["stages"], list) or not data["stages"]:
        raise ProtocolError(f"{where}: 'stages' must be a non-empty list")
    stages = tuple(_stage(item, number, where) for number, item in enumerate(data["stages"], 1))
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise ProtocolError(f"{where}: stage names must be distinct ({', '.join(names)})")
    return Protocol(str(data["name"]), str(data["version"]), str(data.get("title", "")),
                    str(data.get("citation", "")), stages, text, where)


def _stage(item: Any, number: int, where: str) -> Stage:
    at = f"{where}: stage {number}"
    if not isinstance(item, dict) or "kind" not in item:
        raise ProtocolError(f"{at}: each stage is a mapping with a 'kind'")
    kind = item["kind"]
    name = str(item.get("name", f"stage {number}"))
    at = f"{where}: stage {name!r}"
    if kind == "filter":
        fallback = item.get("fallback") or {}
        if not isinstance(fallback, dict) or any(k not in FIELDS or v not in FIELDS for k, v in fallback.items()):
            raise ProtocolError(f"{at}: fallback maps a field to another ({', '.join(FIELDS)})")
        return Stage(name, "filter", fallback={str(k): str(v) for k, v in fallback.items()},
                     exclude=tuple(_rule(r, at) for r in _list(item.get("exclude"), at, "exclude")),
                     include=tuple(_rule(r, at) for r in _list(item.get("include"), at, "include")))
    if kind == "phrases":
        metric = item.get("metric", "running_cosine")
        if metric not in METRICS:
            raise ProtocolError(f"{at}: metric must be one of {', '.join(METRICS)}, not {metric!r}")
        threshold = item.get("threshold", 0.28)
        if not isinstance(threshold, int | float) or not 0 < threshold <= 1:
            raise ProtocolError(f"{at}: threshold must be a number in (0, 1]")
        targets = tuple(str(t) for t in _list(item.get("targets"), at, "targets"))
        if not targets:
            raise ProtocolError(f"{at}: 'targets' lists the phrases to look for")
        context = item.get("context") or {}
        if not isinstance(context, dict):
            raise ProtocolError(f"{at}: context is a mapping with window and contains_any")
        return Stage(name, "phrases", fields=_fields(item, at), requires_fulltext=bool(item.get("requires_fulltext")),
                     metric=metric, threshold=float(threshold), context_window=int(context.get("window", 0)),
                     context_any=tuple(str(t) for t in _list(context.get("contains_any"), at, "contains_any")),
                     targets=targets)
    if kind == "dead_donor_rule":
        return Stage(name, "dead_donor_rule", fields=_fields(item, at),
                     requires_fulltext=bool(item.get("requires_fulltext")),
                     volunteer_excludes=bool(item.get("volunteer_excludes", True)))
    if kind == "ethics":
        checks = tuple(str(c) for c in _list(item.get("checks", list(ETHICS_CHECKS)), at, "checks"))
        unknown = [c for c in checks if c not in ETHICS_CHECKS]
        if unknown:
            raise ProtocolError(f"{at}: unknown check(s) {', '.join(unknown)}; known: {', '.join(ETHICS_CHECKS)}")
        return Stage(name, "ethics", fields=_fields(item, at), checks=checks, excludes=False)
    raise ProtocolError(f"{at}: unknown kind {kind!r}: use filter, phrases, dead_donor_rule or ethics")


def _list(value: Any, at: str, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProtocolError(f"{at}: '{key}' must be a list")
    return value


def _fields(item: dict[str, Any], at: str) -> tuple[str, ...]:
    fields = tuple(str(f) for f in _list(item.get("fields", ["text", "abstract", "title"]), at, "fields"))
    bad = [f for f in fields if f not in FIELDS]
    if bad or not fields:
        raise ProtocolError(f"{at}: fields must be among {', '.join(FIELDS)}")
    return fields


def _rule(item: Any, at: str) -> Rule:
    if not isinstance(item, dict) or item.get("field") not in FIELDS:
        raise ProtocolError(f"{at}: each rule needs a field ({', '.join(FIELDS)}) and terms and/or regex")
    terms = tuple(str(t) for t in _list(item.get("terms"), at, "terms") if str(t))
    regex = None
    if item.get("regex"):
        try:
            regex = re.compile(str(item["regex"]))
        except re.error as exc:
            raise ProtocolError(f"{at}: regex {item['regex']!r} does not compile ({exc})") from None
    if not terms and regex is None:
        raise ProtocolError(f"{at}: rule on {item['field']} has neither terms nor regex")
    return Rule(str(item["field"]), terms, regex, str(item.get("label", "")))

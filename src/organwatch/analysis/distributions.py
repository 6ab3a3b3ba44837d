"""Uncertain inputs: a number, or a declared distribution written in a CSV cell.

Contested numbers rarely come as one value. A cell may hold a point value or one of three distributions:

- ``uniform(low, high)``: every value in the range equally plausible;
- ``triangular(low, mode, high)``: a most-likely value with hard limits;
- ``lognormal(p5, p95)``: positive and right-skewed, given by its 5th and 95th percentiles (a 90% range),
  which is easier to defend from sources than a log-scale mean and sigma.

Keyword forms work too (``triangular(low=0.6, mode=0.8, high=0.95)``). Sampling goes through the inverse CDF
(:meth:`ppf`) of uniform numbers, so the same random quantile can drive every hospital's utilisation in a draw
(shared, epistemic uncertainty) or a fresh one per hospital (independent).

>>> parse_quantity("triangular(0.6, 0.8, 0.95)").central
0.8
>>> parse_quantity("60,000").central
60000.0
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

FloatArray = NDArray[np.float64]

_Z95 = 1.6448536269514722  # standard normal 95th percentile
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_CALL = re.compile(r"^([A-Za-z_]+)\s*\((.*)\)$", re.DOTALL)

DISTRIBUTION_HELP = (
    "a number, uniform(low, high), triangular(low, mode, high) or lognormal(p5, p95) "
    "(lognormal takes its 5th and 95th percentiles)"
)


def parse_number(text: str) -> float:
    """Parse a plain number, accepting thousands separators (``"60,000"``); raise ``ValueError`` otherwise."""
    raw = text.strip().replace("\u2009", "").replace(" ", "")
    if _THOUSANDS.match(raw):
        raw = raw.replace(",", "")
    if not _NUMBER.match(raw):
        raise ValueError(f"{text.strip()!r} is not a number")
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()!r} is not a finite number")
    return value


@dataclass(frozen=True)
class Point:
    """A single value, no uncertainty declared."""

    value: float

    @property
    def central(self) -> float:
        return self.value

    @property
    def declared_range(self) -> tuple[float, float]:
        return (self.value, self.value)

    def ppf(self, u: FloatArray) -> FloatArray:
        return np.full(u.shape, self.value, dtype=np.float64)

    def quantile(self, p: float) -> float:
        return self.value

    def describe(self) -> str:
        return _fmt(self.value)

    def to_dict(self) -> dict[str, Any]:
        return {"distribution": "point", "value": self.value}


@dataclass(frozen=True)
class Uniform:
    """Every value between ``low`` and ``high`` equally plausible."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"uniform needs low < high, got low={_fmt(self.low)}, high={_fmt(self.high)}")

    @property
    def central(self) -> float:
        return (self.low + self.high) / 2

    @property
    def declared_range(self) -> tuple[float, float]:
        return (self.low, self.high)

    def ppf(self, u: FloatArray) -> FloatArray:
        return self.low + u * (self.high - self.low)

    def quantile(self, p: float) -> float:
        return self.low + p * (self.high - self.low)

    def describe(self) -> str:
        return f"uniform({_fmt(self.low)}, {_fmt(self.high)})"

    def to_dict(self) -> dict[str, Any]:
        return {"distribution": "uniform", "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Triangular:
    """A most-likely value ``mode`` with hard limits ``low`` and ``high``."""

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                "triangular needs low <= mode <= high and low < high, got "
                f"({_fmt(self.low)}, {_fmt(self.mode)}, {_fmt(self.high)})"
            )

    @property
    def central(self) -> float:
        return self.mode

    @property
    def declared_range(self) -> tuple[float, float]:
        return (self.low, self.high)

    def ppf(self, u: FloatArray) -> FloatArray:
        a, c, b = self.low, self.mode, self.high
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < split, left, right)

    def quantile(self, p: float) -> float:
        return float(self.ppf(np.array([p], dtype=np.float64))[0])

    def describe(self) -> str:
        return f"triangular({_fmt(self.low)}, {_fmt(self.mode)}, {_fmt(self.high)})"

    def to_dict(self) -> dict[str, Any]:
        return {"distribution": "triangular", "low": self.low, "mode": self.mode, "high": self.high}


@dataclass(frozen=True)
class LogNormal:
    """Positive, right-skewed; declared by its 5th and 95th percentiles."""

    p5: float
    p95: float

    def __post_init__(self) -> None:
        if not 0 < self.p5 < self.p95:
            raise ValueError(f"lognormal needs 0 < p5 < p95, got p5={_fmt(self.p5)}, p95={_fmt(self.p95)}")

    @property
    def mu(self) -> float:
        return (math.log(self.p5) + math.log(self.p95)) / 2

    @property
    def sigma(self) -> float:
        return (math.log(self.p95) - math.log(self.p5)) / (2 * _Z95)

    @property
    def central(self) -> float:
        return math.exp(self.mu)  # the median

    @property
    def declared_range(self) -> tuple[float, float]:
        return (self.p5, self.p95)

    def ppf(self, u: FloatArray) -> FloatArray:
        z: FloatArray = special.ndtri(u)
        return np.exp(self.mu + self.sigma * z)

    def quantile(self, p: float) -> float:
        return float(math.exp(self.mu + self.sigma * float(special.ndtri(p))))

    def describe(self) -> str:
        return f"lognormal(p5={_fmt(self.p5)}, p95={_fmt(self.p95)})"

    def to_dict(self) -> dict[str, Any]:
        return {"distribution": "lognormal", "p5": self.p5, "p95": self.p95, "median": self.central}


Distribution = Point | Uniform | Triangular | LogNormal

_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("p5", "p95"),
}


def parse_quantity(text: str) -> Distribution:
    """Parse a CSV cell into a :data:`Distribution`; raise ``ValueError`` naming what is wrong.

    >>> parse_quantity("uniform(7, 30)").declared_range
    (7.0, 30.0)
    >>> round(parse_quantity("lognormal(p5=10, p95=1000)").central, 9)
    100.0
    """
    raw = text.strip()
    if not raw:
        raise ValueError("empty value")
    call = _CALL.match(raw)
    if not call:
        try:
            return Point(parse_number(raw))
        except ValueError:
            raise ValueError(f"{raw!r} is not {DISTRIBUTION_HELP}") from None
    name = call.group(1).lower()
    if name not in _ARGUMENTS:
        raise ValueError(f"unknown distribution {call.group(1)!r}; use {DISTRIBUTION_HELP}")
    expected = _ARGUMENTS[name]
    values: dict[str, float] = {}
    parts = [p.strip() for p in call.group(2).split(",")] if call.group(2).strip() else []
    for position, part in enumerate(parts):
        key, sep, value_text = part.partition("=")
        if sep:
            key = key.strip().lower()
            if key not in expected:
                raise ValueError(f"{name}() has no argument {key!r}; it takes {', '.join(expected)}")
        else:
            if position >= len(expected):
                raise ValueError(f"{name}() takes {len(expected)} arguments ({', '.join(expected)}), got more")
            key, value_text = expected[position], part
        if key in values:
            raise ValueError(f"{name}() argument {key!r} given twice")
        values[key] = parse_number(value_text)
    missing = [k for k in expected if k not in values]
    if missing:
        raise ValueError(f"{name}() is missing {', '.join(missing)}; write {name}({', '.join(expected)})")
    if name == "uniform":
        return Uniform(values["low"], values["high"])
    if name == "triangular":
        return Triangular(values["low"], values["mode"], values["high"])
    return LogNormal(values["p5"], values["p95"])


def lower_bound(dist: Distribution) -> float:
    """Smallest value the distribution can produce (lognormal: 0, never reached)."""
    if isinstance(dist, LogNormal):
        return 0.0
    return dist.declared_range[0]


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.6g}"

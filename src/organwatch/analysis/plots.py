"""Plots for every analysis (matplotlib, Agg backend: no display is ever needed).

Figures are built with :class:`matplotlib.figure.Figure` directly rather than pyplot, so no global state leaks
between analyses and nothing needs closing. :func:`figure_bytes` renders PNG or SVG.

>>> from organwatch.analysis.accounting import account_sources
>>> import pandas as pd
>>> rows = pd.DataFrame({"item": ["all", "x"], "role": ["total", "source"], "value": ["10", "4"],
...                      "source": ["s", "s"]})
>>> figure_bytes(plot_accounting(account_sources(rows)), "png")[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import io
import math
import textwrap

import matplotlib

matplotlib.use("Agg")  # before anything else from matplotlib: never try to open a display

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, StrMethodFormatter

from .accounting import AccountingResult
from .capacity import CapacityResult
from .consistency import ConsistencyResult
from .forensics import SeriesForensics
from .results import Reportable
from .waiting import WaitingComparison

_COLOURS = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#30638e")
_FOOT = "OrganWatch · inputs and sources in the accompanying report"


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """Render a figure as ``png`` (150 dpi) or ``svg``."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=150, bbox_inches="tight", metadata=_metadata(fmt))
    return buffer.getvalue()


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=True)[:3])


def _metadata(fmt: str) -> dict[str, str | None]:
    # Fixed metadata keeps SVG/PNG output byte-stable between runs (no creation date).
    if fmt == "svg":
        return {"Date": None, "Creator": "OrganWatch"}
    return {"Software": "OrganWatch"}


def plot_for(result: Reportable) -> Figure:
    """The standard plot for any analysis result."""
    if isinstance(result, CapacityResult):
        return plot_capacity(result)
    if isinstance(result, SeriesForensics):
        return plot_series(result)
    if isinstance(result, ConsistencyResult):
        return plot_consistency(result)
    if isinstance(result, AccountingResult):
        return plot_accounting(result)
    if isinstance(result, WaitingComparison):
        return plot_waiting(result)
    raise TypeError(f"no plot for {type(result).__name__}")


def plot_capacity(result: CapacityResult) -> Figure:
    """Distribution of the total (with 50% and 90% intervals) and a tornado plot of the parameters."""
    fig = Figure(figsize=(11, 4.6), layout="constrained")
    hist, tornado = fig.subplots(1, 2, width_ratios=(1, 1.1))
    t = result.total
    hist.hist(result.total_draws, bins=60, color=_COLOURS[0], alpha=0.75)
    hist.axvspan(t.p5, t.p95, color=_COLOURS[0], alpha=0.10, label=f"90%: {t.p5:,.0f}–{t.p95:,.0f}")
    hist.axvspan(t.p25, t.p75, color=_COLOURS[0], alpha=0.22, label=f"50%: {t.p25:,.0f}–{t.p75:,.0f}")
    hist.axvline(t.median, color="black", lw=1.2, label=f"median {t.median:,.0f}")
    hist.set_xlabel("transplants per year (all rows)")
    hist.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    hist.set_ylabel("Monte Carlo draws")
    hist.set_title(f"Capacity: {result.draws:,} draws, seed {result.seed}", fontsize=11)
    hist.legend(fontsize=8, frameon=False)

    swings = [s for s in result.sensitivity][::-1]
    centre = result.closed_form_total
    names = [s.parameter.replace("_", " ") for s in swings]
    for i, s in enumerate(swings):
        lo, hi = sorted((s.total_at_p5, s.total_at_p95))
        tornado.barh(i, hi - lo, left=lo, color=_COLOURS[1] if s.swing else "#cccccc", height=0.6)
        label = f"  {lo:,.0f}–{hi:,.0f}" if s.swing else "  point value: no spread"
        tornado.text(hi, i, label, va="center", fontsize=8)
    tornado.axvline(centre, color="black", lw=1)
    tornado.set_yticks(range(len(swings)), names)
    tornado.set_xlabel("total with the parameter at its 5th / 95th percentile")
    tornado.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    tornado.set_title(f"Sensitivity (others at central values; total {centre:,.0f})", fontsize=11)
    lo_all = min([centre, *(min(s.total_at_p5, s.total_at_p95) for s in swings)])
    hi_all = max([centre, *(max(s.total_at_p5, s.total_at_p95) for s in swings)])
    pad = (hi_all - lo_all) * 0.35 or max(abs(centre) * 0.1, 1.0)
    tornado.set_xlim(lo_all - pad * 0.3, hi_all + pad)
    fig.text(0.99, -0.02, _FOOT, ha="right", fontsize=7, color="#777777")
    return fig


def plot_series(result: SeriesForensics) -> Figure:
    """Data and fitted curves, residuals per model, and (with a reference) where the fit ranks."""
    with_ref = result.comparison is not None and result.comparison.n_reference > 0
    fig = Figure(figsize=(12 if with_ref else 9, 6.4), layout="constrained")
    grid = fig.add_gridspec(2, 2 if with_ref else 1, height_ratios=(2.2, 1))
    ax = fig.add_subplot(grid[0, 0])
    res = fig.add_subplot(grid[1, 0], sharex=ax)
    s = result.fit.series
    years = np.asarray(s.years, dtype=np.float64)
    fine = np.linspace(years.min(), years.max(), 200)
    ax.plot(years, s.values, "o", color="black", zorder=5, label="published values")
    for colour, f in zip(_COLOURS, result.fit.fits, strict=False):
        label = f"{f.model.replace('_', ' ')} (R² = {f.r2:.4f})"
        ax.plot(fine, f.predict(fine - result.fit.origin), color=colour, lw=1.4, label=label)
        res.plot(years, f.residuals, "o-", color=colour, ms=3, lw=0.8)
    ax.set_ylabel(result.metric.replace("_", " "))
    ax.set_title(f"{result.metric.replace('_', ' ')}: published values and fitted models", fontsize=11)
    ax.legend(fontsize=8, frameon=False)
    res.axhline(0, color="black", lw=0.8)
    res.set_ylabel("residual")
    res.set_xlabel("year")
    res.set_xticks(years, [str(int(y)) for y in years])
    if with_ref and result.comparison is not None:
        c = result.comparison
        ref = fig.add_subplot(grid[:, 1])
        values = np.log10(np.clip(c.countries["one_minus_r2"].to_numpy(dtype=np.float64), 1e-12, None))
        ref.hist(values, bins=25, color="#999999", alpha=0.8, label=f"{c.n_reference} reference countries")
        ref.axvline(float(np.median(values)), color="black", ls="--", lw=1,
                    label=f"median 1−R² = {c.median_one_minus_r2:.3g}")
        if c.series_one_minus_r2 > 0:
            ref.axvline(math.log10(c.series_one_minus_r2), color=_COLOURS[1], lw=2,
                        label=f"this series 1−R² = {c.series_one_minus_r2:.3g} (rank {c.rank})")
        ref.set_xlabel(f"log10(1 − R²), {c.model.replace('_', ' ')} fit (left = closer fit)")
        ref.set_ylabel("countries")
        ref.set_title(f"Goodness of fit among reference countries, {c.years[0]}–{c.years[-1]}", fontsize=11)
        ref.legend(fontsize=8, frameon=False, loc="upper left")
    fig.text(0.99, -0.02, _FOOT, ha="right", fontsize=7, color="#777777")
    return fig


def plot_consistency(result: ConsistencyResult) -> Figure:
    """Gap of every contradiction (percent of the larger side), and stated vs implied cumulative counters."""
    contradictions = sorted(result.contradictions, key=lambda c: c.gap_pct)
    metrics = sorted({p.metric for p in result.timeline})
    fig = Figure(figsize=(12, 1.6 + 0.45 * max(len(contradictions), 4)), layout="constrained")
    axes = fig.subplots(1, 1 + len(metrics[:1]), width_ratios=(1.3, 1)[: 1 + len(metrics[:1])],
                        squeeze=False)[0]
    bars = axes[0]
    if contradictions:
        labels = [_wrap(f"{c.kind}: {c.quantity}", 48) for c in contradictions]
        bars.barh(range(len(contradictions)), [c.gap_pct for c in contradictions], color=_COLOURS[1])
        for i, c in enumerate(contradictions):
            bars.text(c.gap_pct, i, f"  gap {c.gap:+,.0f}", va="center", fontsize=8)
        bars.set_yticks(range(len(contradictions)), labels, fontsize=8)
        bars.set_xlim(0, max(c.gap_pct for c in contradictions) * 1.35)
    else:
        bars.text(0.5, 0.5, "no contradictions found", ha="center", va="center", transform=bars.transAxes)
        bars.set_yticks([])
    bars.set_xlabel("gap, % of the larger side")
    bars.set_title(f"{len(contradictions)} contradictions among {len(result.checks)} checks", fontsize=11)
    if metrics:
        line = axes[1]
        metric = metrics[0]
        stated = [p for p in result.timeline if p.metric == metric and p.kind == "stated"]
        implied = [p for p in result.timeline if p.metric == metric and p.kind == "implied"]
        for i, label in enumerate(sorted({p.label for p in implied})):
            pts = sorted((p for p in implied if p.label == label), key=lambda p: p.date)
            line.plot([p.date for p in pts], [p.value for p in pts], "-", color=_COLOURS[(i + 2) % 7], lw=1.2,
                      alpha=0.8, label=f"implied by annual counts {label}")
        line.plot([p.date for p in stated], [p.value for p in stated], "o", color="black",
                  label="stated counter")
        line.set_title(metric.replace("_", " "), fontsize=11)
        line.set_ylabel("cumulative count")
        line.legend(fontsize=7, frameon=False)
        line.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        line.tick_params(axis="x", labelrotation=30)
    fig.text(0.99, -0.02, _FOOT, ha="right", fontsize=7, color="#777777")
    return fig


def plot_accounting(result: AccountingResult) -> Figure:
    """Waterfall: the total, each identified source subtracted, the remainder with its intervals."""
    fig = Figure(figsize=(max(6.0, 1.6 * (len(result.items) + 1)), 4.8), layout="constrained")
    ax = fig.subplots()
    labels, bottoms, heights, colours = [], [], [], []
    level = result.total.value.central
    labels.append(result.total.item)
    bottoms.append(0.0)
    heights.append(level)
    colours.append(_COLOURS[0])
    for src in result.sources:
        level -= src.value.central
        labels.append(src.item)
        bottoms.append(level)
        heights.append(src.value.central)
        colours.append(_COLOURS[3])
    labels.append("unexplained remainder")
    bottoms.append(0.0)
    heights.append(result.central)
    colours.append(_COLOURS[1])
    x = np.arange(len(labels))
    ax.bar(x, heights, bottom=bottoms, color=colours, width=0.6)
    for i, item in enumerate(result.items):
        lo, hi = item.value.declared_range
        if hi > lo:
            top = bottoms[i] + heights[i]
            ax.errorbar(i, top, yerr=[[item.value.central - lo], [hi - item.value.central]], color="black",
                        capsize=4, lw=1)
    mc = result.mc
    if mc["p95"] > mc["p5"]:
        ax.errorbar(x[-1], result.central, yerr=[[result.central - mc["p5"]], [mc["p95"] - result.central]],
                    color="black", capsize=6, lw=1.4)
    for i in range(len(labels)):
        top = bottoms[i] + heights[i]
        sign = "−" if 0 < i < len(labels) - 1 else ""
        ax.text(i, top, f"{sign}{heights[i]:,.0f}\n", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, [_wrap(lab, 26) for lab in labels], fontsize=8)
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_ylabel("transplants" + (f" ({result.total.period})" if result.total.period else ""))
    ax.set_ylim(min(0.0, *bottoms) * 1.1, max(b + h for b, h in zip(bottoms, heights, strict=True)) * 1.18)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_title("Total minus identified sources (error bars: declared ranges; remainder: 90% interval)",
                 fontsize=10)
    fig.text(0.99, -0.02, _FOOT, ha="right", fontsize=7, color="#777777")
    return fig


def plot_waiting(result: WaitingComparison) -> Figure:
    """Dot plot of waits in days (log scale), ranges as lines, one panel per organ."""
    frame = result.to_frame()
    organs = sorted(frame["organ"].unique())
    heights = [max(len(frame[frame["organ"] == o]), 1) for o in organs]
    fig = Figure(figsize=(10, 1.4 + 0.42 * sum(heights) + 0.6 * len(organs)), layout="constrained")
    axes = fig.subplots(len(organs), 1, height_ratios=heights, sharex=True, squeeze=False)[:, 0]
    kinds = sorted(frame["kind"].replace("", "unspecified").unique())
    colour_of = {k: _COLOURS[i % len(_COLOURS)] for i, k in enumerate(kinds)}
    for ax, organ in zip(axes, organs, strict=True):
        rows = frame[frame["organ"] == organ].reset_index(drop=True)
        for i, r in rows.iterrows():
            kind = r["kind"] or "unspecified"
            y = float(str(i))
            ax.hlines(y, r["low_days"], r["high_days"], color=colour_of[kind], lw=3, alpha=0.5)
            ax.plot(r["central_days"], y, "o", color=colour_of[kind])
        ax.set_yticks(range(len(rows)), [f"{r.country} ({r.year})" for r in rows.itertuples()], fontsize=9)
        ax.set_title(organ, fontsize=10, loc="left")
        ax.set_xscale("log")
        for d, lab in ((7, "1 week"), (30, "1 month"), (365, "1 year"), (1825, "5 years")):
            ax.axvline(d, color="#cccccc", lw=0.8, zorder=0)
            ax.text(d, -0.6, lab, fontsize=7, color="#888888", ha="center", va="bottom")
        ax.set_ylim(len(rows) - 0.4, -0.8)
    axes[-1].set_xlabel("wait (days, log scale); dot: central value, bar: declared range")
    axes[-1].xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    handles = [axes[0].plot([], [], "o", color=c, label=k)[0] for k, c in colour_of.items()]
    fig.legend(handles=handles, loc="outside upper right", fontsize=8, frameon=False, ncols=len(handles))
    fig.suptitle("Advertised and reported waiting times", fontsize=11)
    fig.text(0.99, -0.02, _FOOT, ha="right", fontsize=7, color="#777777")
    return fig

"""Self-contained HTML reports: method in words, inputs with their sources, results, plot, caveats.

One file that opens anywhere, offline, years later: the plot is embedded as a base64 PNG, styles are inline,
nothing is fetched (a Content-Security-Policy forbids it), and every cell is HTML-escaped because input text
comes from hostile sources. :func:`write_report` also writes the PNG and SVG beside the HTML.

>>> escape_cell("<script>")
'&lt;script&gt;'
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .plots import figure_bytes, plot_for
from .results import Reportable

_STYLE = """
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#1d1d1f}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd}
.summary li{margin:.3em 0}.caveats li{margin:.3em 0;color:#5a3e00}
table{border-collapse:collapse;font-size:12.5px;margin:.6em 0 1.2em;display:block;overflow-x:auto}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.92em;background:#f4f4f4;padding:0 2px}
img{max-width:100%;border:1px solid #eee}.meta{color:#666;font-size:12px}
"""
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_MAX_ROWS = 200


def escape_cell(value: Any, column: str = "") -> str:
    """Format and escape one table cell (years and line numbers without thousands separators)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and ("year" in column or column in ("line", "n", "k")):
        return str(int(value)) if float(value).is_integer() else f"{value:g}"
    if isinstance(value, int | float):
        number = float(value)
        if math.isinf(number):
            return "∞" if number > 0 else "−∞"
        if abs(number) >= 100:
            return f"{number:,.0f}"
        return f"{number:.6g}"
    return html.escape(str(value))


def _source_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(("http://", "https://")) and " " not in text:
        safe = html.escape(text, quote=True)
        return f'<a href="{safe}" rel="noreferrer noopener">{safe}</a>'
    if text.startswith(("capture:", "claim:")):
        return f"<code>{html.escape(text)}</code>"
    return html.escape(text)


def frame_html(frame: pd.DataFrame) -> str:
    """A DataFrame as an escaped HTML table (at most 200 rows, the rest counted)."""
    if frame.empty:
        return "<p><em>none</em></p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for record in frame.head(_MAX_ROWS).itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, record, strict=True):
            if "source" in str(column):
                cells.append(f"<td>{_source_cell(value)}</td>")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<td class="num">{escape_cell(value, str(column))}</td>')
            else:
                cells.append(f"<td>{escape_cell(value, str(column))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = f"<p class='meta'>… {len(frame) - _MAX_ROWS} more rows in the JSON output.</p>" \
        if len(frame) > _MAX_ROWS else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def organwatch_version() -> str:
    try:
        return metadata.version("organwatch")
    except metadata.PackageNotFoundError:
        return "development (not installed)"


def render_html(result: Reportable, png: bytes, provenance: Mapping[str, str] | None = None) -> str:
    """The whole report as one HTML string."""
    meta = {
        "generated (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "organwatch version": organwatch_version(),
        **(provenance or {}),
    }
    image = base64.b64encode(png).decode("ascii")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<meta http-equiv='Content-Security-Policy' content=\"{_CSP}\">",
        f"<title>{html.escape(result.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(result.title)}</h1>",
        "<ul class='summary'>" + "".join(f"<li>{html.escape(s)}</li>" for s in result.summary()) + "</ul>",
        f"<img alt='{html.escape(result.title)} plot' src='data:image/png;base64,{image}'>",
        "<h2>Method</h2>", f"<p>{html.escape(result.method)}</p>",
        "<h2>Results</h2>",
    ]
    for name, frame in result.result_tables():
        parts += [f"<h3>{html.escape(name)}</h3>", frame_html(frame)]
    parts += ["<h2>Inputs and their sources</h2>", frame_html(result.inputs_frame())]
    parts += ["<h2>Caveats</h2>",
              "<ul class='caveats'>" + "".join(f"<li>{html.escape(c)}</li>" for c in result.caveats) + "</ul>"]
    parts += ["<h2>Provenance</h2>", "<table>"]
    parts += [f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in meta.items()]
    parts += ["</table>", "</body></html>"]
    return "\n".join(parts)


def write_report(result: Reportable, out: Path, provenance: Mapping[str, str] | None = None) -> list[Path]:
    """Write ``out`` (HTML) plus the plot as ``.png`` and ``.svg`` beside it; return the paths written."""
    fig = plot_for(result)
    png = figure_bytes(fig, "png")
    svg = figure_bytes(fig, "svg")
    out.parent.mkdir(parents=True, exist_ok=True)
    png_path, svg_path = out.with_suffix(".png"), out.with_suffix(".svg")
    png_path.write_bytes(png)
    svg_path.write_bytes(svg)
    out.write_text(render_html(result, png, provenance), encoding="utf-8")
    return [out, png_path, svg_path]

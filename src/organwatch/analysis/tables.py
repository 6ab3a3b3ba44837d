"""Typed CSV loading with declared columns and units, and errors that name file, line and column.

Each analysis declares its input as a :class:`TableSpec` (columns, meaning, unit). :func:`read_table` checks
the header against it and returns :class:`CsvRow` objects whose accessors (``number``, ``quantity``,
``source``...) convert one cell and raise :class:`~organwatch.analysis.errors.TableInputError` pointing at the exact
line when the cell is wrong. Lines are counted as an editor counts them (the header is line 1).

>>> spec = TableSpec("demo", (ColumnSpec("beds", "beds", unit="beds"),))
>>> [c.name for c in spec.required_columns]
['beds']
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from organwatch.model.refs import SourceRef, parse_source

from .distributions import DISTRIBUTION_HELP, Distribution, Point, lower_bound, parse_number, parse_quantity
from .errors import TableInputError

MISSING = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "-"})


@dataclass(frozen=True)
class ColumnSpec:
    """One declared column: name, what it means, its unit, and whether the column must be present."""

    name: str
    meaning: str
    unit: str = ""
    required: bool = True


@dataclass(frozen=True)
class TableSpec:
    """The declared shape of an input table."""

    name: str
    columns: tuple[ColumnSpec, ...]

    @property
    def required_columns(self) -> list[ColumnSpec]:
        return [c for c in self.columns if c.required]

    def describe(self) -> str:
        """One line per column, for help texts and reports."""
        lines = []
        for col in self.columns:
            unit = f" (unit: {col.unit})" if col.unit else ""
            optional = "" if col.required else " (optional)"
            lines.append(f"{col.name}{optional}: {col.meaning}{unit}")
        return "\n".join(lines)


@dataclass(frozen=True)
class CsvRow:
    """One data row with typed, located accessors."""

    path: str
    line: int
    cells: Mapping[str, str]

    def error(self, column: str | None, problem: str) -> TableInputError:
        return TableInputError(self.path, problem, line=self.line, column=column)

    def has(self, column: str) -> bool:
        return self.cells.get(column, "").strip() not in MISSING

    def text(self, column: str) -> str:
        value = self.cells.get(column, "").strip()
        if not value:
            raise self.error(column, "empty cell; a value is required")
        return value

    def optional_text(self, column: str) -> str | None:
        value = self.cells.get(column, "").strip()
        return value or None

    def number(self, column: str, *, nonnegative: bool = True) -> float:
        raw = self.text(column)
        try:
            value = parse_number(raw)
        except ValueError as exc:
            raise self.error(column, str(exc)) from None
        if nonnegative and value < 0:
            raise self.error(column, f"negative value {raw} (counts and rates must be >= 0)")
        return value

    def optional_number(self, column: str, *, nonnegative: bool = True) -> float | None:
        return self.number(column, nonnegative=nonnegative) if self.has(column) else None

    def integer(self, column: str) -> int:
        value = self.number(column, nonnegative=False)
        if value != int(value):
            raise self.error(column, f"{self.text(column)} is not a whole number")
        return int(value)

    def year(self, column: str = "year") -> int:
        value = self.integer(column)
        if not 1900 <= value <= 2100:
            raise self.error(column, f"{value} is not a plausible year")
        return value

    def quantity(self, column: str, *, nonnegative: bool = True) -> Distribution:
        raw = self.text(column)
        try:
            dist = parse_quantity(raw)
        except ValueError as exc:
            raise self.error(column, str(exc)) from None
        if nonnegative and lower_bound(dist) < 0:
            what = "negative value" if isinstance(dist, Point) else "negative value in"
            raise self.error(column, f"{what} {raw} (counts and rates must be >= 0)")
        return dist

    def optional_quantity(self, column: str, *, nonnegative: bool = True) -> Distribution | None:
        return self.quantity(column, nonnegative=nonnegative) if self.has(column) else None

    def source(self, column: str = "source") -> SourceRef:
        try:
            return parse_source(self.cells.get(column, ""))
        except ValueError as exc:
            raise self.error(column, str(exc)) from None

    def optional_source(self, column: str) -> SourceRef | None:
        return self.source(column) if self.optional_text(column) else None


@dataclass(frozen=True)
class CsvTable:
    """A loaded table: where it came from, its digest, header and rows (cells as written)."""

    path: str
    sha256: str
    header: tuple[str, ...]
    rows: tuple[CsvRow, ...] = field(repr=False)

    def __iter__(self) -> Iterator[CsvRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def to_frame(self) -> pd.DataFrame:
        """The inputs exactly as written, plus the line each row came from."""
        records = [{"line": r.line, **{h: r.cells.get(h, "") for h in self.header}} for r in self.rows]
        return pd.DataFrame.from_records(records, columns=["line", *self.header])


TableInput = str | Path | pd.DataFrame | CsvTable


def read_table(source: TableInput, spec: TableSpec) -> CsvTable:
    """Read a CSV path (or a DataFrame, for notebooks) and check its header against ``spec``.

    >>> import pandas as pd
    >>> t = read_table(pd.DataFrame({"beds": ["3"]}), TableSpec("demo", (ColumnSpec("beds", "beds"),)))
    >>> t.rows[0].number("beds")
    3.0
    """
    if isinstance(source, CsvTable):
        table = source
    elif isinstance(source, pd.DataFrame):
        table = _from_frame(source)
    else:
        table = _from_path(Path(source))
    present = set(table.header)
    missing = [c.name for c in spec.required_columns if c.name not in present]
    if missing:
        found = ", ".join(table.header) or "none"
        names = ", ".join(f"'{m}'" for m in missing)
        raise TableInputError(
            table.path, f"missing required column(s) {names} for a {spec.name} table (found: {found})", line=1
        )
    return table


def _from_path(path: Path) -> CsvTable:
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TableInputError(name, "file not found") from None
    except IsADirectoryError:
        raise TableInputError(name, "is a directory, expected a CSV file") from None
    except OSError as exc:
        raise TableInputError(name, f"cannot read file ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TableInputError(name, "not UTF-8 text; save the CSV as UTF-8", line=line) from None
    return _parse_text(name, hashlib.sha256(data).hexdigest(), text)


def _parse_text(name: str, digest: str, text: str) -> CsvTable:
    if not text.strip():
        raise TableInputError(name, "file is empty; expected a header line and data rows")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise TableInputError(name, f"malformed CSV header ({exc})", line=1) from None
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise TableInputError(name, f"duplicate column name(s) {', '.join(dupes)}", line=1)
    if any(not h for h in header):
        raise TableInputError(name, "a header cell is empty; every column needs a name", line=1)
    rows: list[CsvRow] = []
    while True:
        start_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise TableInputError(name, f"malformed CSV ({exc}); check quotes", line=start_line) from None
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise TableInputError(
                name,
                f"expected {len(header)} fields as in the header, found {len(cells)}; "
                "quote cells that contain commas",
                line=start_line,
            )
        rows.append(CsvRow(name, start_line, dict(zip(header, cells, strict=True))))
    if not rows:
        raise TableInputError(name, "no data rows after the header")
    return CsvTable(name, digest, tuple(header), tuple(rows))


def _from_frame(frame: pd.DataFrame) -> CsvTable:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    text = buffer.getvalue()
    return _parse_text("<DataFrame>", hashlib.sha256(text.encode()).hexdigest(), text)


def inputs_with_sources(table: CsvTable, columns: Sequence[str]) -> pd.DataFrame:
    """The given columns (those present) plus every ``*source*`` column, as written, with line numbers."""
    keep = [c for c in columns if c in table.header]
    keep += [h for h in table.header if "source" in h and h not in keep]
    frame = table.to_frame()
    return frame[["line", *keep]]


__all__ = [
    "DISTRIBUTION_HELP",
    "ColumnSpec",
    "CsvRow",
    "CsvTable",
    "TableInput",
    "TableSpec",
    "inputs_with_sources",
    "read_table",
]

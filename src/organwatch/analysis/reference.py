"""The reference data set: WHO–ONT GODT country-year donor and transplant counts.

Official series are judged against how real national series behave. The reference is the GODT export
(``global-organ-donation_2018.csv``: one row per country and report year, ``NA`` for missing cells). This module
reads it into a tidy frame with our own column names, repairs the one mojibake country name, and hands out
per-country series.

>>> GODT_COLUMNS['deceased_donors']
'TOTAL Actual DD'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from .tables import ColumnSpec, CsvTable, TableInput, TableSpec, read_table

#: Our name → GODT column.
GODT_COLUMNS: dict[str, str] = {
    "deceased_donors": "TOTAL Actual DD",
    "dd_kidney_tx": "DD Kidney Tx",
    "total_kidney_tx": "TOTAL Kidney Tx",
    "dd_liver_tx": "DD Liver Tx",
    "total_liver_tx": "TOTAL Liver TX",
    "heart_tx": "Total Heart",
    "dd_lung_tx": "DD Lung Tx",
    "total_lung_tx": "TOTAL Lung Tx",
}

GODT_SPEC = TableSpec(
    "GODT reference",
    (
        ColumnSpec("COUNTRY", "country name"),
        ColumnSpec("REPORTYEAR", "year the data refer to", unit="year"),
        ColumnSpec("REGION", "WHO region", required=False),
        ColumnSpec("POPULATION", "population", unit="millions", required=False),
        *(ColumnSpec(col, f"{ours.replace('_', ' ')} (NA when missing)", unit="count")
          for ours, col in GODT_COLUMNS.items()),
    ),
)

GODT_CITATION = (
    "Global Observatory on Donation and Transplantation (GODT), WHO–ONT collaboration; export of 2018 "
    "(report years 2000–2017) as redistributed in Yu-Group/vds-book-supplementary"
)


@dataclass(frozen=True)
class ReferenceData:
    """A tidy reference table: one row per country-year, our column names, NaN for missing."""

    path: str
    sha256: str
    frame: pd.DataFrame = field(repr=False)
    citation: str = GODT_CITATION

    def countries(self) -> list[str]:
        return sorted(str(c) for c in self.frame["country"].unique())

    def value(self, country: str, year: int, column: str) -> float:
        """One cell, NaN when the country-year or the value is missing."""
        rows = self.frame[(self.frame["country"] == _canonical(country)) & (self.frame["year"] == year)]
        return float(rows[column].iloc[0]) if len(rows) else math.nan

    def wide(self, column: str) -> pd.DataFrame:
        """Countries × years for one column."""
        return self.frame.pivot_table(index="country", columns="year", values=column, aggfunc="first")


def load_godt(source: TableInput) -> ReferenceData:
    """Load a GODT export (CSV path or DataFrame) into :class:`ReferenceData`.

    Negative or non-numeric counts are errors naming the line; ``NA`` and empty cells are missing values.
    """
    table: CsvTable = read_table(source, GODT_SPEC)
    records = []
    for row in table:
        record: dict[str, object] = {
            "country": _canonical(row.text("COUNTRY")),
            "region": row.optional_text("REGION") or "",
            "year": row.year("REPORTYEAR"),
            "population_millions": row.optional_number("POPULATION") if "POPULATION" in table.header else None,
        }
        for ours, col in GODT_COLUMNS.items():
            value = row.optional_number(col)
            record[ours] = math.nan if value is None else value
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    return ReferenceData(table.path, table.sha256, frame)


def _canonical(name: str) -> str:
    """Repair UTF-8 read as cp1252 (GODT stores Côte d'Ivoire as 'CÃ´te dâ€™Ivoire'), trim spaces."""
    name = " ".join(name.split())
    try:
        repaired = name.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name
    return repaired


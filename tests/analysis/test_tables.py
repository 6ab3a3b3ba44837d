"""Malformed input gives one clear line naming file, line, column and problem."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from organwatch.analysis import TableInputError, estimate_capacity, load_official


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bad_quote.csv", "bad_quote.csv, line 2: malformed CSV"),
        ("wrong_fields.csv", "wrong_fields.csv, line 3: expected 6 fields as in the header, found 7"),
        ("missing_column.csv", "missing_column.csv, line 1: missing required column(s) 'utilisation'"),
        ("negative.csv", "negative.csv, line 3, column 'beds': negative value -3"),
        ("unknown_dist.csv", "unknown_dist.csv, line 2, column 'beds': unknown distribution 'beta'"),
        ("unknown_dist_unquoted.csv", "unknown_dist_unquoted.csv, line 2: expected 6 fields"),
    ],
)
def test_malformed_tables(fixtures: Path, name: str, expected: str) -> None:
    with pytest.raises(TableInputError) as info:
        estimate_capacity(fixtures / name, draws=10)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_missing_file_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(TableInputError, match="nope.csv: file not found"):
        estimate_capacity(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(TableInputError, match="empty.csv: file is empty"):
        estimate_capacity(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("hospital,organ,beds,utilisation,alos_days,source\n")
    with pytest.raises(TableInputError, match="no data rows"):
        estimate_capacity(header_only)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("year,metric,value,source\n2016,donors,1,S\xe3o Paulo\n".encode("latin-1"))
    with pytest.raises(TableInputError, match=r"latin1.csv, line 2: not UTF-8"):
        load_official(path)


def test_bad_year_and_date(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("year,metric,value,as_of_date,source\n2016,x,1,2016-02-30,S\n")
    with pytest.raises(TableInputError, match="line 2, column 'as_of_date': '2016-02-30' is not a real calendar date"):
        load_official(path)
    path.write_text("year,metric,value,source\n16,x,1,S\n")
    with pytest.raises(TableInputError, match="column 'year': 16 is not a plausible year"):
        load_official(path)


def test_utilisation_given_as_percent() -> None:
    frame = pd.DataFrame({"hospital": ["A"], "organ": ["k"], "beds": ["1"], "utilisation": ["90"],
                          "alos_days": ["10"], "source": ["s"]})
    with pytest.raises(TableInputError, match="utilisation is a fraction"):
        estimate_capacity(frame)


def test_unpaired_constraint() -> None:
    frame = pd.DataFrame({"hospital": ["A"], "organ": ["k"], "beds": ["1"], "utilisation": ["0.9"],
                          "alos_days": ["10"], "surgeons": ["3"], "source": ["s"]})
    with pytest.raises(TableInputError, match="'surgeons' is set, so 'transplants_per_surgeon' is needed"):
        estimate_capacity(frame)


def test_bad_source_reference() -> None:
    frame = pd.DataFrame({"hospital": ["A"], "organ": ["k"], "beds": ["1"], "utilisation": ["0.9"],
                          "alos_days": ["10"], "source": ["capture:123"]})
    with pytest.raises(TableInputError, match="column 'source': capture reference"):
        estimate_capacity(frame)

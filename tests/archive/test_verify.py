"""``verify`` names exactly what was changed: each test damages a copy of a case in one way."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import organwatch
from organwatch import CaptureMetadata
from organwatch.archive.canonical import canonical_json
from organwatch.archive.signing import generate_keys
from organwatch.case import Case
from tests.conftest import run_cli
from tests.dbmode import execute_in_index, give_copy_its_own_index


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case with three batches: captures, a re-sighting with new metadata, more captures."""
    os.environ.setdefault("ORGANWATCH_SYNC", "off")
    root = tmp_path_factory.mktemp("pristine")
    files = root / "files"
    files.mkdir()
    for i in range(6):
        (files / f"page{i}.html").write_text(f"<html><body><p>Hospital page {i}: waiting time {i + 1} weeks"
                                             "</p></body></html>", encoding="utf-8")
    case = organwatch.init_case(root / "case")
    case.add([files / f"page{i}.html" for i in range(3)], CaptureMetadata(source_url="https://h.example/"))
    case.add([files / "page0.html"], CaptureMetadata(note="seen again on a mirror"))
    case.add([files / f"page{i}.html" for i in range(3, 6)])
    case.store.close()
    return root / "case"


@pytest.fixture
def damaged(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "case"
    shutil.copytree(pristine, copy)
    give_copy_its_own_index(copy)
    for path in copy.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    (copy / "keys" / "signing-key.pem").chmod(0o600)
    return copy


def lines(case: Path) -> list[bytes]:
    return (case / "log" / "entries.jsonl").read_bytes().splitlines(keepends=True)


def write_lines(case: Path, items: list[bytes], name: str = "entries.jsonl") -> None:
    (case / "log" / name).write_bytes(b"".join(items))


def first_capture(case: Path) -> str:
    return next(json.loads(x)["capture"] for x in lines(case) if b'"type":"capture"' in x)


def blob(case: Path, sha: str) -> Path:
    return case / "blobs" / sha[:2] / sha[2:4] / sha


def db(case: Path, sql: str, params: tuple[object, ...] = ()) -> None:
    execute_in_index(case, sql, params)


def edit_entry(case: Path) -> None:
    items = lines(case)
    entry = json.loads(items[2])
    entry["source_url"] = "https://forged.example/"
    items[2] = canonical_json(entry) + b"\n"
    write_lines(case, items)


def reformat_entry(case: Path) -> None:
    items = lines(case)
    items[3] = json.dumps(json.loads(items[3]), indent=1).replace("\n", "").encode() + b"\n"
    write_lines(case, items)


def delete_entry(case: Path) -> None:
    items = lines(case)
    del items[2]
    write_lines(case, items)


def reorder_entries(case: Path) -> None:
    items = lines(case)
    items[1], items[2] = items[2], items[1]
    write_lines(case, items)


def heads(case: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in (case / "log" / "tree-heads.jsonl").read_bytes().splitlines()]


def write_heads(case: Path, items: list[dict[str, object]]) -> None:
    write_lines(case, [canonical_json(h) + b"\n" for h in items], "tree-heads.jsonl")


def corrupt_signature(case: Path) -> None:
    items = heads(case)
    signature = str(items[1]["signature"])
    items[1]["signature"] = ("A" if signature[0] != "A" else "B") + signature[1:]
    write_heads(case, items)


def strip_signature(case: Path) -> None:
    items = heads(case)
    del items[2]["signature"]
    write_heads(case, items)


def delete_middle_head(case: Path) -> None:
    items = heads(case)
    del items[1]
    write_heads(case, items)


def delete_last_head(case: Path) -> None:
    write_heads(case, heads(case)[:-1])


def replace_key(case: Path) -> None:
    shutil.rmtree(case / "keys")
    generate_keys(case / "keys")


DAMAGE: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "blob bytes changed": (lambda c: blob(c, first_capture(c)).write_bytes(b"<html>altered</html>"),
                           {"blob-modified"}),
    "blob deleted": (lambda c: blob(c, first_capture(c)).unlink(), {"blob-missing"}),
    "unknown blob added": (lambda c: (blob(c, "ab" * 32).parent.mkdir(parents=True, exist_ok=True),
                                      blob(c, "ab" * 32).write_bytes(b"planted")), {"blob-unknown"}),
    "stray file in blobs": (lambda c: (c / "blobs" / "notes.txt").write_text("x"), {"blob-stray"}),
    "entry edited": (edit_entry, {"entry-edited"}),
    "entry re-serialised": (reformat_entry, {"entry-edited"}),
    "entry deleted": (delete_entry, {"entry-deleted"}),
    "entries reordered": (reorder_entries, {"entry-reordered"}),
    "signature corrupted": (corrupt_signature, {"signature-bad"}),
    "signature removed": (strip_signature, {"signature-missing"}),
    "middle tree head deleted": (delete_middle_head, {"signature-missing"}),
    "last tree head deleted": (delete_last_head, {"signature-missing"}),
    "key replaced": (replace_key, {"signature-bad", "key-mismatch"}),
    "db row changed": (lambda c: db(c, "UPDATE observations SET note = 'rewritten' WHERE seq = 2"),
                       {"db-mismatch"}),
    "db capture type changed": (lambda c: db(c, "UPDATE captures SET media_type = 'application/pdf'"),
                                {"db-mismatch"}),
    "db row deleted": (lambda c: db(c, "DELETE FROM observations WHERE seq = 3"), {"db-missing-row"}),
    "db row added": (lambda c: db(c, "INSERT INTO log_entries VALUES (999, 'capture', 'x', 't', NULL)"),
                     {"db-extra-row"}),
}


def test_pristine_case_verifies(pristine: Path, tmp_path: Path) -> None:
    copy = tmp_path / "case"
    shutil.copytree(pristine, copy)
    give_copy_its_own_index(copy)
    report = organwatch.open_case(copy).verify()
    assert report.ok and report.findings == []
    assert report.entries == 8  # case.created, 3 captures, 1 observation, 3 captures
    assert report.blobs == 6


@pytest.mark.parametrize("name", list(DAMAGE))
def test_damage_is_named_exactly(damaged: Path, name: str) -> None:
    damage, expected = DAMAGE[name]
    damage(damaged)
    report = Case(damaged).verify()
    assert not report.ok
    assert report.codes() == expected, [str(f) for f in report.findings]


def test_cli_exit_codes_and_finding_lines(damaged: Path) -> None:
    assert run_cli("verify", "--case", str(damaged)).returncode == 0
    sha = first_capture(damaged)
    blob(damaged, sha).write_bytes(b"tampered")
    result = run_cli("verify", "--case", str(damaged))
    assert result.returncode == 1
    assert f"ERROR blob-modified: blobs/{sha[:2]}/{sha[2:4]}/{sha}: the bytes changed since capture" in result.stderr
    data = json.loads(run_cli("verify", "--case", str(damaged), "--format", "json").stdout)
    assert data["ok"] is False and data["findings"][0]["code"] == "blob-modified"


def test_writer_refuses_a_truncated_log(damaged: Path, tmp_path: Path) -> None:
    delete_last_head(damaged)
    items = lines(damaged)
    write_lines(damaged, items[:-2])
    (tmp_path / "new.txt").write_text("new", encoding="utf-8")
    with pytest.raises(organwatch.CaseError, match="shorter than what the database has indexed"):
        Case(damaged).add([tmp_path / "new.txt"])

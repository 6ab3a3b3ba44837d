"""Removal and re-signing are caught by a head kept earlier: published text, JSON, or an earlier bundle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import organwatch
from organwatch.archive.canonical import canonical_json
from organwatch.archive.heads import load_witness
from organwatch.archive.log import make_tree_head
from organwatch.archive.merkle import StreamingRoot, leaf_hash
from organwatch.archive.signing import generate_keys, key_id, load_private_key, public_key_pem
from organwatch.case import Case
from tests.archive.incli import cli


def make_case(root: Path, files: int = 6) -> Case:
    case = organwatch.init_case(root / "case")
    folder = root / "files"
    folder.mkdir()
    for i in range(files):
        (folder / f"p{i}.html").write_text(f"<p>ward {i}: {i * 7} transplants</p>", encoding="utf-8")
        case.add([folder / f"p{i}.html"])  # one batch (one signed head) per file
    return case


def truncate_and_resign(case: Case, keep: int, new_key: bool) -> None:
    """What someone holding the case would do to make the last captures disappear without a trace."""
    log = case.root / "log"
    lines = (log / "entries.jsonl").read_bytes().splitlines(keepends=True)[:keep]
    if new_key:
        shutil.rmtree(case.keys_dir)
        generate_keys(case.keys_dir)
        private = load_private_key(case.keys_dir)
        first = json.loads(lines[0])
        first["key_id"] = key_id(private.public_key())
        first["public_key"] = public_key_pem(private.public_key()).decode("ascii")
        lines[0] = canonical_json(first) + b"\n"
    private = load_private_key(case.keys_dir)
    (log / "entries.jsonl").write_bytes(b"".join(lines))
    stream = StreamingRoot()
    heads = []
    for line in lines:
        stream.append(leaf_hash(line[:-1]))
        heads.append(make_tree_head(stream.size, stream.root(), stream.size - 1, private))
    (log / "tree-heads.jsonl").write_bytes(b"".join(canonical_json(h) + b"\n" for h in heads))
    kept = {json.loads(x)["capture"] for x in lines if b'"type":"capture"' in x}
    for blob in (case.root / "blobs").rglob("*"):
        if blob.is_file() and ".staging" not in blob.parts and blob.name not in kept:
            blob.chmod(0o644)
            blob.unlink()
    case.store.close()
    (case.root / "organwatch.db").unlink()
    for extra in ("organwatch.db-wal", "organwatch.db-shm"):
        (case.root / extra).unlink(missing_ok=True)
    Case(case.root).rebuild_index()  # a consistent index, so that nothing but the head can tell


@pytest.mark.sqlite_only("rebuilds the index with rebuild-index, which rebuilds the SQLite file only")
@pytest.mark.parametrize("new_key", [False, True])
def test_truncation_and_resigning_are_caught_by_an_earlier_head_and_bundle(tmp_path: Path, new_key: bool) -> None:
    case = make_case(tmp_path)
    text = cli("head", "--case", str(case.root))
    assert text.returncode == 0 and text.stdout.startswith("organwatch-head/1 size=7 ")
    head_file = tmp_path / "head.txt"
    head_file.write_text(text.stdout)
    head_json = cli("head", "--case", str(case.root), "--format", "json").stdout
    earlier = tmp_path / "earlier.zip"
    case.bundle(earlier)
    key = case.key_id()
    # Untouched: every form of the head is proven, with a consistency proof, after more evidence is added.
    extra = tmp_path / "later.txt"
    extra.write_text("later evidence", encoding="utf-8")
    case.add([extra])
    for spec in (str(head_file), head_json, text.stdout.splitlines()[0], str(earlier)):
        ok = cli("verify", "--case", str(case.root), "--head", spec, "--expect-key", key)
        assert ok.returncode == 0 and "head OK" in ok.stdout, ok.stdout + ok.stderr
    later_ok = tmp_path / "later-ok.zip"
    case.bundle(later_ok)
    assert cli("verify-bundle", str(later_ok), "--head", str(earlier), "--head", str(head_file)).returncode == 0

    truncate_and_resign(case, keep=4, new_key=new_key)
    plain = cli("verify", "--case", str(case.root))
    assert plain.returncode == 0, plain.stderr  # the attack is consistent: without a head nothing shows
    assert "Removal was NOT checked" in plain.stdout
    code = "head-key-mismatch" if new_key else "head-truncated"
    for spec in (str(head_file), str(earlier)):
        caught = cli("verify", "--case", str(case.root), "--head", spec)
        assert caught.returncode == 1 and code in caught.stderr, caught.stdout + caught.stderr
    if not new_key:
        assert "entries 4 to 6 were removed" in cli("verify", "--case", str(case.root), "--head",
                                                       str(head_file)).stderr
    # A bundle made after the attack fails against the earlier head too.
    after = tmp_path / "after.zip"
    Case(case.root).bundle(after)
    against = cli("verify-bundle", str(after), "--head", str(earlier))
    assert against.returncode == 1 and code in against.stderr
    # The key replacement alone is also caught without any head, from the first log entry ... unless
    # that entry was rewritten too, which only a published fingerprint or head reveals.
    assert cli("verify", "--case", str(case.root), "--expect-key", key).returncode == (1 if new_key else 0)


@pytest.mark.sqlite_only("rebuilds the index with rebuild-index, which rebuilds the SQLite file only")
def test_rewritten_entry_resigned_fails_consistency(tmp_path: Path) -> None:
    case = make_case(tmp_path, files=3)
    witness = load_witness(cli("head", "--case", str(case.root), "--format", "json").stdout)
    lines = (case.root / "log" / "entries.jsonl").read_bytes().splitlines(keepends=True)
    entry = json.loads(lines[2])
    entry["note"] = "rewritten"
    lines[2] = canonical_json(entry) + b"\n"
    (case.root / "log" / "entries.jsonl").write_bytes(b"".join(lines))
    truncate_and_resign(case, keep=len(lines), new_key=False)
    report = Case(case.root).verify(witnesses=[witness])
    assert "head-inconsistent" in report.codes()


def test_replaced_key_pair_fails_verify_without_any_head(tmp_path: Path) -> None:
    case = make_case(tmp_path, files=2)
    shutil.rmtree(case.keys_dir)
    generate_keys(case.keys_dir)
    private = load_private_key(case.keys_dir)
    stream = StreamingRoot()
    heads = []
    for line in (case.root / "log" / "entries.jsonl").read_bytes().splitlines():
        stream.append(leaf_hash(line))
        heads.append(make_tree_head(stream.size, stream.root(), stream.size - 1, private))
    (case.root / "log" / "tree-heads.jsonl").write_bytes(b"".join(canonical_json(h) + b"\n" for h in heads))
    report = Case(case.root).verify()
    assert "key-mismatch" in report.codes() and any("created with key" in f.message for f in report.findings)


@pytest.mark.sqlite_only("deletes and empties the organwatch.db file")
def test_deleted_or_empty_index_is_an_error_naming_the_rebuild(tmp_path: Path) -> None:
    case = make_case(tmp_path, files=2)
    case.store.close()
    (case.root / "organwatch.db").unlink()
    result = cli("verify", "--case", str(case.root))
    assert result.returncode == 1 and "index-missing" in result.stderr and "rebuild-index" in result.stderr
    add = cli("add", "--case", str(case.root), str(tmp_path / "files" / "p0.html"))
    assert add.returncode == 1 and "rebuild-index" in add.stderr


def test_bad_heads_are_one_line_errors(tmp_path: Path) -> None:
    case = make_case(tmp_path, files=1)
    for spec in ("nonsense", str(tmp_path / "files" / "p0.html"), "{\"tree_size\": 1}"):
        result = cli("verify", "--case", str(case.root), "--head", spec)
        assert result.returncode == 1 and result.stderr.startswith("error:") and result.stderr.count("\n") == 1

"""Damage and pressure that must end in findings or one-line errors: flipped bits, damaged indexes,
full disks, verify racing an add, and bundles built as memory and time bombs."""

from __future__ import annotations

import os
import random
import resource
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import organwatch
from organwatch import CaptureMetadata
from organwatch.archive.bundle import verify_bundle
from organwatch.case import Case
from tests.archive.incli import cli
from tests.archive.test_crash_and_concurrency import make_files
from tests.dbmode import give_copy_its_own_index

PAGE = ("<html><head><title>Provincial transplant centre</title></head><body><p>Dr Wang Lijun of the "
        "Jinzhou Public Security Bureau said the centre performed 1,200 liver transplants in 2006.</p>"
        "<p>Waiting time: {i} weeks.</p></body></html>")


@pytest.fixture(scope="module")
def small_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small")
    os.environ["ORGANWATCH_SYNC"] = "off"
    case = organwatch.init_case(root / "case")
    for i in range(3):
        (root / f"p{i}.html").write_text(PAGE.format(i=i), encoding="utf-8")
        case.add([root / f"p{i}.html"], CaptureMetadata(note=f"batch {i}"))
    case.store.close()
    return case.root


def copy_case(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    give_copy_its_own_index(dst)
    for path in dst.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    (dst / "keys" / "signing-key.pem").chmod(0o600)
    return dst


# -- 7. flipped bits: findings, never tracebacks ---------------------------------------------------------------


def test_bit_flips_in_the_log_are_findings(small_case: Path, tmp_path: Path) -> None:
    case = copy_case(small_case, tmp_path / "case")
    path = case / "log" / "entries.jsonl"
    original = path.read_bytes()
    rng = random.Random(9)
    positions = sorted(rng.sample(range(len(original) * 8), 300))
    undetected = []
    started = time.monotonic()
    for bit in positions:
        data = bytearray(original)
        data[bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(bytes(data))
        report = Case(case).verify()  # must not raise
        if report.ok:
            undetected.append(bit)
        cli("log", "--case", str(case))  # nor may the log view
    path.write_bytes(original)
    assert undetected == [], f"{len(undetected)} of {len(positions)} flips passed verify"
    assert time.monotonic() - started < 300


def bundle_of(case_root: Path, out: Path) -> Path:
    Case(case_root).bundle(out)
    return out


def test_bit_flips_in_a_bundle_are_findings(small_case: Path, tmp_path: Path) -> None:
    case = copy_case(small_case, tmp_path / "case")
    bundle = bundle_of(case, tmp_path / "b.zip")
    original = bundle.read_bytes()
    with zipfile.ZipFile(bundle) as archive:
        data_ranges = [(i.header_offset + 30 + len(i.filename) + len(i.extra), i.compress_size)
                       for i in archive.infolist()]
    rng = random.Random(11)
    positions = [rng.randrange(len(original) * 8) for _ in range(200)]
    # plus flips inside the deflate data of members, where a bad stream makes zlib fail
    for start, length in data_ranges:
        positions += [(start + rng.randrange(max(length, 1))) * 8 + rng.randrange(8) for _ in range(10)]
    flipped = tmp_path / "f.zip"
    missed_in_data = 0
    for bit in positions:
        data = bytearray(original)
        data[bit // 8] ^= 1 << (bit % 8)
        flipped.write_bytes(bytes(data))
        report = verify_bundle(flipped)  # must not raise
        # The last byte of a deflate stream ends in padding bits that carry no data: a flip there changes nothing.
        in_data = any(start <= bit // 8 < start + length - 1 for start, length in data_ranges)
        if in_data and report.ok:
            missed_in_data += 1
    assert missed_in_data == 0
    assert len(positions) >= 250


@pytest.mark.sqlite_only("overwrites and truncates the organwatch.db file")
def test_garbage_or_truncated_database_gives_findings_and_one_line_errors(small_case: Path, tmp_path: Path) -> None:
    for damage in ("garbage", "truncated"):
        case = copy_case(small_case, tmp_path / damage)
        db = case / "organwatch.db"
        if damage == "garbage":
            db.write_bytes(os.urandom(8192))
        else:
            db.write_bytes(db.read_bytes()[: 3 * 4096])
        report = Case(case).verify()
        assert not report.ok and "index-damaged" in report.codes(), [str(f) for f in report.findings]
        for args in (["list"], ["verify"], ["add", str(small_case.parent / "p0.html")], ["show", "abcd"]):
            result = cli(*args, "--case", str(case))
            assert result.returncode == 1, (damage, args)
            assert result.stderr.startswith("error:") or "index-damaged" in result.stderr, (damage, args, result)
            assert "rebuild-index" in result.stderr


@pytest.mark.sqlite_only("rebuilds the index with rebuild-index, which rebuilds the SQLite file only")
def test_rebuild_index_restores_list_search_and_extraction(small_case: Path, tmp_path: Path) -> None:
    case = copy_case(small_case, tmp_path / "case")
    opened = Case(case)
    opened.reprocess("text")
    opened.extract()
    before_list = [c.to_dict() for c in opened.captures()]
    before_hits = opened.search("transplant").total
    before_mentions = sum(len(opened.mentions(d.id)) for d in opened.documents())
    assert before_hits and before_mentions
    opened.store.close()
    (case / "organwatch.db").write_bytes(b"this is no longer a database" * 100)
    result = cli("rebuild-index", "--case", str(case))
    assert result.returncode == 0, result.stderr
    assert "Old database kept as" in result.stdout
    rebuilt = Case(case)
    assert [c.to_dict() for c in rebuilt.captures()] == before_list
    assert rebuilt.search("transplant").total == before_hits
    assert sum(len(rebuilt.mentions(d.id)) for d in rebuilt.documents()) == before_mentions
    report = rebuilt.verify()
    assert report.ok, [str(f) for f in report.findings]
    # A log that was tampered with is not indexed.
    lines = (case / "log" / "entries.jsonl").read_bytes().replace(b"batch 1", b"batch 9")
    (case / "log" / "entries.jsonl").write_bytes(lines)
    refused = cli("rebuild-index", "--case", str(case))
    assert refused.returncode == 1 and "organwatch verify" in refused.stderr


# -- full disk: EFBIG from a file-size limit is what ENOSPC is to the code ------------------------------------------


def run_limited(limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    def set_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "organwatch", *args], capture_output=True, text=True,
                          preexec_fn=set_limit, timeout=300, env={**os.environ, "ORGANWATCH_PROGRESS": "lines"})


def test_full_disk_during_add_and_bundle(tmp_path: Path) -> None:
    case = organwatch.init_case(tmp_path / "case")
    first = tmp_path / "first.txt"
    first.write_text("first", encoding="utf-8")
    case.add([first], CaptureMetadata(note="n" * 120_000))  # a log large enough to pass the other files
    case.store.close()
    log_size = (case.root / "log" / "entries.jsonl").stat().st_size
    files = make_files(tmp_path / "more", 40, size=500)
    result = run_limited(log_size + 3000, "add", "--case", str(case.root), str(files), "--no-text")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot write to the case" in result.stderr and "file too large" in result.stderr
    report = Case(case.root).verify()
    assert report.ok, [str(f) for f in report.findings]  # an unsigned tail is a warning, never blob-missing
    assert "interrupted-batch" in report.codes() and "blob-missing" not in report.codes()
    # bundle: the zip cannot be written; nothing partial is left and nothing is logged
    out = tmp_path / "out" / "b.zip"
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(300_000))
    Case(case.root).add([big])
    bundle = run_limited(200_000, "bundle", "--case", str(case.root), "--out", str(out))
    assert bundle.returncode == 1 and "Traceback" not in bundle.stderr
    assert bundle.stderr.startswith("error:") and "cannot write the bundle" in bundle.stderr
    assert list((tmp_path / "out").iterdir()) == []
    assert Case(case.root).verify().ok


# -- 6. verify while adds run ---------------------------------------------------------------------------------------


def start_plain_add(case: Path, folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ORGANWATCH_BATCH_SIZE": "1", "ORGANWATCH_SYNC": "off", "ORGANWATCH_PROGRESS": "none"}
    return subprocess.Popen([sys.executable, "-m", "organwatch", "add", "--case", str(case), str(folder), "--no-text"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_verify_during_two_adds_reports_no_tampering(tmp_path: Path) -> None:
    case = organwatch.init_case(tmp_path / "case").root
    one = make_files(tmp_path / "one", 150, size=200, tag="a")
    two = make_files(tmp_path / "two", 150, size=200, tag="b")
    adds = [start_plain_add(case, one), start_plain_add(case, two)]
    runs = 0
    errors = []
    while any(p.poll() is None for p in adds) and runs < 200:
        report = Case(case).verify()
        runs += 1
        errors += [str(f) for f in report.errors]
    for proc in adds:
        proc.communicate(timeout=300)
        assert proc.returncode == 0
    assert runs >= 5, "the adds finished before verify could race them: make them slower"
    assert errors == [], f"{len(errors)} errors in {runs} verify runs: {errors[:3]}"
    assert Case(case).verify().findings == []


# -- 10 / issue 11: bundles built as bombs ---------------------------------------------------------------------------

CHILD = """
import resource, sys, time
from pathlib import Path
from organwatch.archive.bundle import verify_bundle
started = time.monotonic()
report = verify_bundle(Path(sys.argv[1]))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(report.ok, ",".join(sorted(report.codes())), peak, round(time.monotonic() - started, 2))
"""


def check_bomb(path: Path) -> tuple[set[str], int, float]:
    result = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    ok, codes, peak, seconds = result.stdout.split()
    assert ok == "False"
    return set(codes.split(",")), int(peak), float(seconds)


def test_manifest_bomb_is_refused_with_bounded_memory(small_case: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("manifest.json", "w", force_zip64=True) as fh:
            chunk = b" " * (1024 * 1024)
            for _ in range(512):
                fh.write(chunk)
        archive.writestr("manifest.sig", "AAAA")
    assert bomb.stat().st_size < 2_000_000
    codes, peak, seconds = check_bomb(bomb)
    assert "member-too-large" in codes
    assert peak < 500 * 1024**2
    assert seconds < 30


def test_directory_repeating_one_member_is_refused_before_inflating(tmp_path: Path) -> None:
    case = organwatch.init_case(tmp_path / "case")
    zeros = tmp_path / "zeros.bin"
    zeros.write_bytes(b"\0" * (16 * 1024 * 1024))  # deflates to ~16 KiB; 10,000 copies would be 160 GiB to hash
    case.add([zeros])
    base = case.bundle(tmp_path / "one.zip").path
    raw = base.read_bytes()
    eocd = raw.rindex(b"PK\x05\x06")
    count, cd_size, cd_offset = struct.unpack("<HII", raw[eocd + 10: eocd + 20])
    directory = raw[cd_offset: cd_offset + cd_size]
    # Split the central directory into records, then repeat the one of the original.
    at = 0
    records = []
    while at < len(directory):
        name_len, extra_len, comment_len = struct.unpack("<HHH", directory[at + 28: at + 34])
        end = at + 46 + name_len + extra_len + comment_len
        records.append(directory[at:end])
        at = end
    original = next(r for r in records if b"originals/" in r)
    copies = 10_000
    new_directory = directory + original * copies
    end_record = bytearray(raw[eocd:])
    struct.pack_into("<HHII", end_record, 8, count + copies, count + copies, len(new_directory), cd_offset)
    bomb = tmp_path / "repeat.zip"
    bomb.write_bytes(raw[:cd_offset] + new_directory + bytes(end_record))
    assert bomb.stat().st_size < 2_000_000
    codes, peak, seconds = check_bomb(bomb)
    assert "member-duplicated" in codes
    assert peak < 500 * 1024**2
    assert seconds < 30

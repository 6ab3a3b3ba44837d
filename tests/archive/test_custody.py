"""Attacks on the chain of custody, mounted for real: key theft by links, short fingerprints, bundles
written over the log, terminal spoofing, silent lock waits, odd zip members, unfinished capture sets."""

from __future__ import annotations

import fcntl
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import organwatch
from organwatch import CaptureMetadata
from organwatch.archive.bundle import verify_bundle
from organwatch.case import Case
from tests.archive.incli import cli
from tests.conftest import run_cli


def all_logged_bytes(case: Case) -> bytes:
    return (case.root / "log" / "entries.jsonl").read_bytes()


def stored_blobs(case: Case) -> set[bytes]:
    return {p.read_bytes() for p in (case.root / "blobs").rglob("*") if p.is_file() and ".staging" not in p.parts}


# -- 1. the private key never becomes evidence ----------------------------------------------------------


def test_link_to_the_case_key_is_never_archived(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_text("<p>hospital</p>", encoding="utf-8")
    (folder / "key.pem").symlink_to(case.keys_dir / "signing-key.pem")
    (folder / "keys").symlink_to(case.keys_dir, target_is_directory=True)
    (folder / "passwd").symlink_to("/etc/passwd")
    private = (case.keys_dir / "signing-key.pem").read_bytes()
    for follow in (False, True):
        results: list[organwatch.AddResult] = []
        summary = case.add([folder], on_result=results.append, follow_links=follow)
        refused = {Path(r.path).name: r.reason for r in results if r.status == "failed"}
        assert "key.pem" in refused and "keys" in refused
        assert "keys/ folder" in str(refused["key.pem"]) or "case" in str(refused["key.pem"])
        assert private not in stored_blobs(case)
        assert b"signing-key" not in all_logged_bytes(case)
        if not follow:
            assert "passwd" in refused and "--follow-links" in str(refused["passwd"])
            assert summary.added == 1
    # With --follow-links the outside file is archived and its link recorded in the provenance.
    passwd = next(c for c in case.captures() if c.observations[0].original_name == "passwd")
    link = (passwd.observations[0].extra or {})["followed_link"]
    assert link["target"] == "/etc/passwd" and link["link"] == "pages/passwd"


def test_adding_a_folder_that_contains_cases_skips_them(tmp_path: Path) -> None:
    parent = tmp_path / "work"
    parent.mkdir()
    opened = organwatch.init_case(parent / "case")
    other = organwatch.init_case(parent / "other-case")
    (parent / "notes.txt").write_text("interview notes", encoding="utf-8")
    result = cli("add", "--case", str(opened.root), str(parent), "--no-text")
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stderr and "case folder" in result.stderr
    names = {o.original_name for c in opened.captures() for o in c.observations}
    assert names == {"notes.txt"}
    for case in (opened, other):
        assert (case.keys_dir / "signing-key.pem").read_bytes() not in stored_blobs(opened)
    # Naming the case itself, or a file in another case's keys/, is refused with one line.
    direct = cli("add", "--case", str(opened.root), str(other.keys_dir / "signing-key.pem"), "--no-text")
    assert direct.returncode == 1 and "keys/ folder" in direct.stderr
    own = cli("add", "--case", str(opened.root), str(opened.root), "--no-text")
    assert own.returncode == 1 and "case being added to" in own.stderr


def test_world_readable_private_key_is_warned_about(case: Case, corpus: Path) -> None:
    (case.keys_dir / "signing-key.pem").chmod(0o644)
    result = cli("add", "--case", str(case.root), str(corpus / "notes.md"), "--no-text")
    assert result.returncode == 0
    assert "warning:" in result.stderr and "chmod 600" in result.stderr
    assert "key-permissions" in case.verify().codes()
    (case.keys_dir / "signing-key.pem").chmod(0o600)
    assert "key-permissions" not in case.verify().codes()


# -- 3. the whole fingerprint, or nothing ---------------------------------------------------------------


def test_expect_key_needs_the_whole_fingerprint(case: Case, corpus: Path, tmp_path: Path) -> None:
    case.add([corpus / "notes.md"])
    out = tmp_path / "b.zip"
    case.bundle(out)
    key = case.key_id()
    for short in ("", key[:4], key[:63]):
        result = cli("verify-bundle", str(out), "--expect-key", short)
        assert result.returncode == 1 and result.stderr.startswith("error: --expect-key:"), short
        assert "64" in result.stderr
    grouped = ":".join(key[i:i + 4] for i in range(0, 64, 4)).upper()
    assert cli("verify-bundle", str(out), "--expect-key", grouped).returncode == 0
    assert cli("verify-bundle", str(out), "--expect-key", " ".join(key[i:i + 8] for i in range(0, 64, 8))
                   ).returncode == 0
    unchecked = cli("verify-bundle", str(out))
    assert unchecked.returncode == 0 and "signer was NOT checked" in unchecked.stdout
    checked = cli("verify-bundle", str(out), "--expect-key", key)
    assert "signer was NOT checked" not in checked.stdout
    # A key sharing a prefix with the real one is not the real one.
    forged = ("0" if key[-1] != "0" else "1")
    wrong = cli("verify-bundle", str(out), "--expect-key", key[:-1] + forged)
    assert wrong.returncode == 1 and "key-unexpected" in wrong.stderr
    on_case = cli("verify", "--case", str(case.root), "--expect-key", key[:-1] + forged)
    assert on_case.returncode == 1 and "key-unexpected" in on_case.stderr
    assert cli("verify", "--case", str(case.root), "--expect-key", key).returncode == 0


# -- 4. a bundle never lands on the evidence --------------------------------------------------------------


def test_bundle_inside_the_case_is_refused_except_exports(case: Case, corpus: Path) -> None:
    case.add([corpus])
    log_before = all_logged_bytes(case)
    blob = next(p for p in (case.root / "blobs").rglob("*") if p.is_file())
    for target in (case.root / "log" / "entries.jsonl", blob, case.root / "new.zip", case.root / "organwatch.db"):
        result = cli("bundle", "--case", str(case.root), "--out", str(target))
        assert result.returncode == 1 and "inside the case folder" in result.stderr, target
    assert all_logged_bytes(case) == log_before
    assert not (case.root / "new.zip").exists()
    ok = cli("bundle", "--case", str(case.root), "--out", str(case.root / "exports" / "e.zip"))
    assert ok.returncode == 0, ok.stderr
    assert verify_bundle(case.root / "exports" / "e.zip").ok
    assert case.verify().ok
    assert not list((case.root / "exports").glob("*.part"))


# -- 5. evidence cannot paint the terminal or the README ---------------------------------------------------

HOSTILE = "x\x1b[2K\x1b[1G\x1b[32mOK\x1b[0m\nFAKE\u202egnp.exe"


def test_escape_codes_in_names_are_shown_literally(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / HOSTILE).write_text("<p>page</p>", encoding="utf-8")
    add = cli("add", "--case", str(case.root), str(folder), "--source-url", "https://e.example/\x1b]8;;x\x07",
                  "--no-text")
    assert add.returncode == 0, add.stderr
    capture = next(iter(case.captures()))
    outputs = {
        "add": add.stdout + add.stderr,
        "list": cli("list", "--case", str(case.root)).stdout,
        "log": cli("log", "--case", str(case.root)).stdout,
        "show": cli("show", "--case", str(case.root), capture.id[:8]).stdout,
        "verify": cli("verify", "--case", str(case.root)).stdout,
    }
    out = tmp_path / "b.zip"
    case.bundle(out)
    with zipfile.ZipFile(out) as archive:
        outputs["README.txt"] = archive.read("README.txt").decode("utf-8")
    for name, text in outputs.items():
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text, name
        assert "\nFAKE" not in text, name
    assert "\\x1b[32mOK" in outputs["list"] and "\\u202e" in outputs["show"] and "\\nFAKE" in outputs["log"]
    assert "\\x1b[32mOK" in outputs["README.txt"]
    # JSON keeps the exact characters.
    listed = json.loads(cli("list", "--case", str(case.root), "--format", "json").stdout)
    assert listed[0]["observations"][0]["original_name"] == HOSTILE


def test_hostile_member_names_cannot_fake_a_verdict(case: Case, corpus: Path, tmp_path: Path) -> None:
    case.add([corpus / "notes.md"])
    good = tmp_path / "good.zip"
    case.bundle(good)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(bad, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
        new.writestr("\x1b[1A\x1b[2K\rOK: 1 capture(s)\n", b"planted")
    result = cli("verify-bundle", str(bad))
    assert result.returncode == 1
    assert "\x1b" not in result.stdout + result.stderr
    assert "\\x1b[1A" in result.stderr and "FAILED" in result.stdout


# -- 8. waiting for the lock says for whom ---------------------------------------------------------------------


def test_add_waiting_on_the_lock_names_the_holder(case: Case, corpus: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from organwatch.archive.commit import acquire_lock\n"
        "fd = acquire_lock(Path(sys.argv[1]) / '.lock')\n"
        "print('locked', flush=True)\n"
        "time.sleep(30)\n"), str(case.root)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = run_cli("add", "--case", str(case.root), str(corpus / "notes.md"), "--wait", "1", "--no-text")
        assert holder.poll() is None  # it gave up waiting while the holder still held the lock
        assert result.returncode == 1
        assert f"PID {holder.pid}" in result.stderr and "since" in result.stderr
        assert "waiting for the case lock" in result.stderr and "--wait" in result.stderr
        bundle = run_cli("bundle", "--case", str(case.root), "--out", str(case.root.parent / "x.zip"),
                         "--wait", "0.5")
        assert bundle.returncode == 1 and f"PID {holder.pid}" in bundle.stderr
    finally:
        holder.kill()
        holder.communicate()
    assert run_cli("add", "--case", str(case.root), str(corpus / "notes.md"), "--no-text").returncode == 0


def test_lock_file_names_the_writer_while_it_writes(case: Case) -> None:
    lock = case.root / ".lock"
    with case.writer():
        data = json.loads(lock.read_text())
        assert data["pid"] == os.getpid() and data["since"].endswith("Z")
        fd = os.open(lock, os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
    assert lock.read_text() == ""


# -- 10. small things --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["symlink", "device", "directory"])
def test_bundle_members_that_are_not_files_are_refused(case: Case, corpus: Path, tmp_path: Path, kind: str) -> None:
    case.add([corpus / "notes.md"])
    good = tmp_path / "good.zip"
    case.bundle(good)
    bad = tmp_path / "bad.zip"
    mode = {"symlink": stat.S_IFLNK | 0o777, "device": stat.S_IFCHR | 0o600, "directory": stat.S_IFDIR | 0o755}
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(bad, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("originals/"):
                info.external_attr = mode[kind] << 16
            new.writestr(info, data)
    report = verify_bundle(bad)
    assert "member-not-file" in report.codes() and not report.ok


@pytest.mark.sqlite_only("deletes the organwatch.db file")
def test_list_says_when_the_index_is_gone(case: Case, corpus: Path) -> None:
    case.add([corpus])
    case.store.close()
    (case.root / "organwatch.db").unlink()
    result = cli("list", "--case", str(case.root))
    assert result.returncode == 1
    assert result.stderr.startswith("error:") and "index is missing" in result.stderr
    assert "rebuild-index" in result.stderr
    assert cli("show", "--case", str(case.root), "abcd").returncode == 1


def test_unfinished_capture_set_warning_goes_when_the_page_is_captured_again(case: Case, tmp_path: Path) -> None:
    url = "https://hospital.example/waiting"
    page = tmp_path / "page.warc"
    page.write_bytes(b"WARC/1.1\r\n\r\n")
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\nfirst")
    interrupted = "a" * 32
    for path, role in ((page, "http-exchange"), (shot, "screenshot")):
        case.add([path], CaptureMetadata(source_url=url, extra={"capture_set": interrupted, "role": role}))
    assert "capture-set-unfinished" in case.verify().codes()
    # The capture is made again and this time completed (as `organwatch capture` does it).
    again = "b" * 32
    shot2 = tmp_path / "shot2.png"
    shot2.write_bytes(b"\x89PNG\r\n\x1a\nsecond")
    members = []
    for path, role in ((page, "http-exchange"), (shot2, "screenshot")):
        results: list[organwatch.AddResult] = []
        case.add([path], CaptureMetadata(source_url=url, extra={"capture_set": again, "role": role}),
                 on_result=results.append)
        members.append({"capture": results[0].capture_id, "role": role})
    case.log_event({"type": "capture_set", "capture_set": again, "source_url": url, "members": members})
    report = case.verify()
    assert "capture-set-unfinished" not in report.codes(), [str(f) for f in report.findings]
    assert report.ok

"""Adding files: exact bytes, deduplication, new metadata as new entries, and every kind of bad input."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from organwatch import CaptureMetadata
from organwatch.case import Case
from tests.conftest import run_cli


def snapshot(case: Case) -> dict[str, bytes]:
    """Every file of the case that must never change once written: blobs and the log."""
    files = {}
    for folder in ("blobs", "log"):
        for path in sorted((case.root / folder).rglob("*")):
            if path.is_file() and ".staging" not in path.parts:
                files[str(path.relative_to(case.root))] = path.read_bytes()
    return files


def test_add_stores_exact_bytes_with_metadata(case: Case, corpus: Path) -> None:
    summary = case.add([corpus], CaptureMetadata(source_url="https://example.org/x", note="before deletion"))
    assert (summary.added, summary.present, summary.failed) == (4, 0, 0)
    html = (corpus / "pages" / "hospital.html").read_bytes()
    capture = case.capture(hashlib.sha256(html).hexdigest())
    assert case.blob_path(capture.id).read_bytes() == html
    assert capture.media_type == "text/html"
    assert capture.size == len(html)
    (obs,) = capture.observations
    assert obs.source_url == "https://example.org/x"
    assert obs.note == "before deletion"
    assert obs.original_path == "corpus/pages/hospital.html"
    assert obs.original_name == "hospital.html"
    assert obs.captured_by == "test investigator"
    assert obs.tool["name"] == "organwatch" and obs.tool["version"]
    assert obs.captured_at.endswith("Z")
    media = {c.observations[0].original_name: c.media_type for c in case.captures()}
    assert media == {"hospital.html": "text/html", "notice.txt": "text/plain", "report.pdf": "application/pdf",
                     "notes.md": "text/plain"}
    assert not os.access(case.blob_path(capture.id), os.W_OK) or os.geteuid() == 0
    assert case.blob_path(capture.id).stat().st_mode & 0o222 == 0  # write-once: read-only


def test_same_bytes_again_returns_existing_capture(case: Case, corpus: Path) -> None:
    case.add([corpus])
    before = snapshot(case)
    again = case.add([corpus])
    assert (again.added, again.present, again.observed) == (0, 4, 0)
    assert snapshot(case) == before  # nothing new logged for an identical re-add


def test_new_metadata_is_a_new_linked_entry(case: Case, corpus: Path) -> None:
    target = corpus / "report.pdf"
    case.add([target], CaptureMetadata(source_url="https://a.example/report.pdf", note="first"))
    before = snapshot(case)
    summary = case.add([target], CaptureMetadata(source_url="https://mirror.example/r.pdf", note="mirror"))
    assert summary.observed == 1 and summary.added == 0
    after = snapshot(case)
    for name, data in before.items():  # earlier bytes unchanged: the log only grew
        assert after[name].startswith(data)
    capture = case.capture(hashlib.sha256(target.read_bytes()).hexdigest()[:10])
    assert [o.source_url for o in capture.observations] == ["https://a.example/report.pdf",
                                                            "https://mirror.example/r.pdf"]
    assert [o.note for o in capture.observations] == ["first", "mirror"]
    entries = [e for e in case.log_entries() if e.get("capture") == capture.id]
    assert [e["type"] for e in entries] == ["capture", "observation"]
    assert case.verify().ok


def test_duplicate_within_one_batch(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "dups"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text("the same Wang Lijun speech", encoding="utf-8")
    summary = case.add([folder])
    assert (summary.added, summary.observed) == (1, 2)
    (capture,) = case.captures()
    assert sorted(o.original_name or "" for o in capture.observations) == ["a.txt", "b.txt", "c.txt"]
    assert case.verify().ok


def test_bad_inputs_fail_one_by_one_and_batch_goes_on(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.html").write_text("<html><body>ok</body></html>", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "loop").symlink_to(folder / "loop")  # a link to itself
    (folder / "up").symlink_to(folder)  # a link back to an ancestor folder
    (folder / "dangling").symlink_to(folder / "missing-target")
    os.mkfifo(folder / "pipe")
    bad_name = os.fsencode(str(folder)) + b"/caf\xe9.txt"  # Latin-1 bytes: not valid UTF-8
    with open(bad_name, "wb") as fh:
        fh.write(b"latin-1 named file")
    reasons: dict[str, str] = {}
    summary = case.add([folder, tmp_path / "does-not-exist"],
                       on_result=lambda r: reasons.__setitem__(Path(r.path).name, r.reason or r.status))
    assert summary.added == 1
    assert summary.failed == 7
    assert reasons["good.html"] == "added"
    assert reasons["empty.txt"] == "empty file (0 bytes): nothing to archive"
    assert reasons["loop"].startswith("symbolic link loop")
    assert reasons["up"].startswith("symbolic link loop")
    assert reasons["dangling"].startswith("broken symbolic link")
    assert reasons["pipe"] == "not a regular file (a named pipe)"
    assert reasons["caf\\xe9.txt"].startswith("file name is not valid UTF-8")
    assert reasons["does-not-exist"] == "no such file or directory"
    assert case.verify().ok


def test_size_limit_is_configurable(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "small.txt").write_bytes(b"x" * 100)
    (tmp_path / "big.txt").write_bytes(b"y" * 5000)
    monkeypatch.setenv("ORGANWATCH_MAX_FILE_SIZE", "1KiB")
    reasons = {}
    summary = case.add([tmp_path / "small.txt", tmp_path / "big.txt"],
                       on_result=lambda r: reasons.__setitem__(Path(r.path).name, r.reason))
    assert (summary.added, summary.failed) == (1, 1)
    assert reasons["big.txt"] == "file is 4.9 KiB, over the 1.0 KiB limit (raise ORGANWATCH_MAX_FILE_SIZE to add it)"


def test_cli_reports_each_failure_on_one_line_and_exits_1(case: Case, corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "empty.bin").write_bytes(b"")
    before_ok = run_cli("add", "--case", str(case.root), str(corpus / "notes.md"), check=True)
    assert "Added 1" in before_ok.stdout
    before = snapshot(case)
    result = run_cli("add", "--case", str(case.root), str(corpus), str(tmp_path / "empty.bin"),
                     str(tmp_path / "nope.pdf"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"failed   {tmp_path / 'empty.bin'}: empty file (0 bytes): nothing to archive",
                     f"failed   {tmp_path / 'nope.pdf'}: no such file or directory"]
    assert "Added 3" in result.stdout and "failed 2" in result.stdout
    after = snapshot(case)
    for name, data in before.items():
        assert after[name].startswith(data)
    assert run_cli("verify", "--case", str(case.root)).returncode == 0


@pytest.mark.skipif(shutil.which("setpriv") is None and os.geteuid() == 0, reason="needs setpriv to drop root")
def test_permission_denied(case: Case, tmp_path: Path) -> None:
    secret = tmp_path / "locked.html"
    secret.write_text("<html>witness statement</html>", encoding="utf-8")
    secret.chmod(0)
    readable = tmp_path / "open.txt"
    readable.write_text("public page", encoding="utf-8")
    # Root reads anything; drop the capabilities that let it, as an ordinary user would be.
    prefix = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--") if os.geteuid() == 0 else ()
    result = run_cli("add", "--case", str(case.root), str(secret), str(readable), prefix=prefix)
    assert result.returncode == 1
    assert f"failed   {secret}: permission denied" in result.stderr
    assert "Added 1" in result.stdout

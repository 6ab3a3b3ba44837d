"""Bundles: verifiable without the case; any change to any member fails."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from organwatch import CaptureMetadata
from organwatch.archive.bundle import verify_bundle
from organwatch.case import Case
from tests.conftest import run_cli


@pytest.fixture
def bundle(case: Case, corpus: Path, tmp_path: Path) -> Path:
    case.add([corpus], CaptureMetadata(source_url="https://example.org/"))
    case.add([corpus / "report.pdf"], CaptureMetadata(note="also on a mirror"))
    out = tmp_path / "out" / "evidence.zip"
    result = case.bundle(out)
    assert result.captures == 4 and result.entries == 6  # case.created + 4 captures + 1 observation
    return out


def rewrite(src: Path, dst: Path, change: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data = change.get(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            new.writestr(name, data)


def test_bundle_verifies_on_its_own(bundle: Path, case: Case) -> None:
    report = verify_bundle(bundle, expect_key=case.key_id())
    assert report.ok, [str(f) for f in report.findings]
    assert (report.captures, report.entries) == (4, 6)
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        assert {"manifest.json", "manifest.sig", "README.txt", "entries.jsonl", "proofs.json", "tree_head.json",
                "public_key.pem", "consistency.json"} <= names
        for name in names:
            if name.startswith("originals/"):
                assert case.blob_path(name.split("/")[1]).read_bytes() == archive.read(name)
        assert "RFC 9162" in archive.read("README.txt").decode()
    exports = [e for e in case.log_entries() if e["type"] == "export"]
    assert len(exports) == 1 and len(exports[0]["captures"]) == 4
    assert case.verify().ok


def members(bundle: Path) -> list[str]:
    with zipfile.ZipFile(bundle) as archive:
        return archive.namelist()


@pytest.mark.parametrize("index", range(12))  # 8 fixed members + 4 originals
def test_any_altered_member_fails(bundle: Path, tmp_path: Path, index: int) -> None:
    name = sorted(members(bundle))[index]
    with zipfile.ZipFile(bundle) as archive:
        data = archive.read(name)
    for position in (0, len(data) // 2, len(data) - 1):
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        altered = tmp_path / "altered.zip"
        rewrite(bundle, altered, {name: bytes(flipped)})
        report = verify_bundle(altered)
        assert not report.ok, f"flipping byte {position} of {name} went unnoticed"


def test_removed_and_added_members_fail(bundle: Path, tmp_path: Path) -> None:
    original = next(n for n in members(bundle) if n.startswith("originals/"))
    removed = tmp_path / "removed.zip"
    rewrite(bundle, removed, {original: None})
    assert "member-missing" in verify_bundle(removed).codes()
    added = tmp_path / "added.zip"
    rewrite(bundle, added, {}, {"originals/planted": b"not evidence"})
    assert verify_bundle(added).codes() == {"member-unknown"}


def test_consistently_replaced_original_is_caught_by_the_log(bundle: Path, tmp_path: Path) -> None:
    """Replacing an original and fixing the manifest's hash still fails: the signed log names the hash."""
    name = next(n for n in members(bundle) if n.startswith("originals/"))
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    import hashlib

    forged = b"<html>forged</html>"
    manifest["members"][name] = {"sha256": hashlib.sha256(forged).hexdigest(), "size": len(forged)}
    altered = tmp_path / "forged.zip"
    rewrite(bundle, altered, {name: forged, "manifest.json": json.dumps(manifest).encode()})
    assert {"signature-bad", "blob-modified"} <= verify_bundle(altered).codes()


def test_selected_captures_and_cli(case: Case, bundle: Path, tmp_path: Path) -> None:
    capture = next(iter(case.captures()))
    out = tmp_path / "one.zip"
    result = run_cli("bundle", "--case", str(case.root), "--out", str(out), "--captures", capture.id[:8], check=True)
    assert "1 capture(s)" in result.stdout
    check = run_cli("verify-bundle", str(out), "--format", "json", check=True)
    assert json.loads(check.stdout)["captures"] == 1
    wrong = run_cli("verify-bundle", str(out), "--expect-key", "00ff" * 16)
    assert wrong.returncode == 1 and "key-unexpected" in wrong.stderr
    unknown = run_cli("bundle", "--case", str(case.root), "--out", str(out), "--captures", "ffff0000")
    assert unknown.returncode == 1 and unknown.stderr.startswith("error: no capture with id 'ffff0000'")
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"not a zip")
    bad = run_cli("verify-bundle", str(garbage))
    assert bad.returncode == 1 and "bundle-unreadable" in bad.stderr

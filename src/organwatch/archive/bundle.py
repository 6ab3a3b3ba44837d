"""Evidence bundles: one zip a third party can check without the case or OrganWatch's database.

A bundle holds, for the chosen captures: the original bytes, their log entries exactly as logged,
an RFC 9162 inclusion proof of each entry against one signed tree head, that tree head, the case's
public key, a manifest (JSON, signed with the case key) and a short README. ``verify_bundle``
re-hashes every member, checks the manifest's signature, the tree head's signature, every proof,
and that each original hashes to the capture its entry names. Any change to any member fails.

The signature only proves the bundle came from whoever holds the case key: compare the key
fingerprint it prints with the one the case's owner published (``organwatch init`` prints it).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from organwatch import __version__
from organwatch.archive import signing
from organwatch.archive.blobs import CHUNK
from organwatch.archive.log import iter_lines, tree_head_valid, utc_now
from organwatch.archive.merkle import MerkleTree, leaf_hash, verify_inclusion
from organwatch.archive.verify import Finding, Severity
from organwatch.errors import OrganWatchError

if TYPE_CHECKING:
    from organwatch.case import Case

BUNDLE_FORMAT = "organwatch-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNED_MEMBERS = ("README.txt", "entries.jsonl", "proofs.json", "tree_head.json", "public_key.pem")


@dataclass(frozen=True)
class BundleResult:
    """Where the bundle went, what it holds, and its own hash."""

    path: Path
    sha256: str
    captures: int
    entries: int
    tree_size: int
    key_id: str


def _readme(case_name: str, key_id: str, tree_size: int, captures: list[dict[str, Any]]) -> str:
    lines = [
        f"OrganWatch evidence bundle from case {case_name!r}",
        f"Made {utc_now()} by OrganWatch {__version__}. Signed with the case key {key_id}.",
        "",
        "What is inside:",
        "  originals/<sha256>  the exact bytes of each capture, named by their SHA-256",
        "  entries.jsonl       the evidence-log entries about them, byte for byte as logged",
        f"  proofs.json         RFC 9162 inclusion proofs of each entry in the log of size {tree_size}",
        "  tree_head.json      that signed tree head (Ed25519 over its canonical JSON without 'signature')",
        "  public_key.pem      the case's public key",
        "  manifest.json/.sig  SHA-256 of every member, signed with the case key",
        "",
        "Check it: `organwatch verify-bundle THIS.zip --expect-key <published key fingerprint>`.",
        "Without OrganWatch: sha256sum each original; each entry's leaf hash is",
        "SHA-256(0x00 || line); fold it with its proof as RFC 9162 section 2.1.3.2 says and compare",
        "with root_hash in tree_head.json; check the tree head's signature with public_key.pem.",
        "",
        f"Captures ({len(captures)}):",
    ]
    for capture in captures:
        names = ", ".join(sorted({o or "?" for o in capture["names"]}))
        lines.append(f"  {capture['sha256']}  {capture['size']:>12} bytes  {capture['media_type']}  {names}")
    return "\n".join(lines) + "\n"


def create_bundle(case: Case, out: Path, capture_refs: Iterable[str] | None = None) -> BundleResult:
    """Write a bundle of the chosen captures (all when ``capture_refs`` is None) to ``out``."""
    from organwatch.archive.commit import read_state

    wanted: set[str] | None = None
    if capture_refs is not None:
        wanted = {case.capture(ref).id for ref in capture_refs}
    with case.writer() as writer:  # hold the lock: the log must not move while we read it
        with case.store.view() as conn:
            state = read_state(conn)
        tree_size = state.last_head_size
        head = next(h for h in reversed(case.tree_heads()) if h["tree_size"] == tree_size)
        leaves: list[bytes] = []
        chosen: list[tuple[int, bytes]] = []
        for line in iter_lines(case.log.entries_path):
            if line.number >= tree_size:
                break
            leaves.append(leaf_hash(line.data))
            entry = json.loads(line.data)
            if entry.get("type") == "case.created" or (
                    entry.get("type") in ("capture", "observation")
                    and (wanted is None or entry.get("capture") in wanted)):
                chosen.append((line.number, line.data))
        tree = MerkleTree(leaves)
        del leaves
        captures: dict[str, dict[str, Any]] = {}
        for seq, data in chosen:
            entry = json.loads(data)
            if entry["type"] == "capture":
                captures[entry["capture"]] = {"sha256": entry["capture"], "size": entry["size"],
                                              "media_type": entry["media_type"], "member":
                                              f"originals/{entry['capture']}", "entries": [], "names": []}
            if entry["type"] in ("capture", "observation"):
                captures[entry["capture"]]["entries"].append(seq)
                captures[entry["capture"]]["names"].append(entry.get("original_name"))
        if wanted is not None and wanted - set(captures):
            raise OrganWatchError("some captures are newer than the last signed tree head; try again")
        proofs = {str(seq): [p.hex() for p in tree.inclusion_proof(seq, tree_size)] for seq, _ in chosen}
        private = signing.load_private_key(case.keys_dir)
        public_pem = signing.public_key_pem(private.public_key())
        kid = signing.key_id(private.public_key())
        capture_list = list(captures.values())
        members: dict[str, bytes] = {
            "README.txt": _readme(case.name, kid, tree_size, capture_list).encode("utf-8"),
            "entries.jsonl": b"".join(data + b"\n" for _, data in chosen),
            "proofs.json": json.dumps(proofs, indent=1, sort_keys=True).encode("utf-8"),
            "tree_head.json": json.dumps(head, indent=1, sort_keys=True).encode("utf-8"),
            "public_key.pem": public_pem,
        }
        digests = {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                   for name, data in members.items()}
        for capture in capture_list:
            path = case.blob_path(capture["sha256"])
            digests[capture["member"]] = {"sha256": _hash_path(path), "size": path.stat().st_size}
        manifest = {
            "format": BUNDLE_FORMAT, "case": case.name, "created": utc_now(),
            "tool": {"name": "organwatch", "version": __version__}, "key_id": kid,
            "tree_size": tree_size, "root_hash": head["root_hash"],
            "captures": [{k: v for k, v in c.items() if k != "names"} for c in capture_list],
            "members": digests,
        }
        manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, manifest_bytes)
            archive.writestr(SIGNATURE, signing.sign(private, manifest_bytes))
            for name, data in members.items():
                archive.writestr(name, data)
            for capture in capture_list:
                archive.write(case.blob_path(capture["sha256"]), capture["member"])
        tmp.replace(out)
        sha = _hash_path(out)
        writer.commit([{"type": "export", "time": utc_now(), "format": BUNDLE_FORMAT, "sha256": sha,
                        "file_name": out.name, "tree_size": tree_size,
                        "captures": sorted(captures)}], {})
    return BundleResult(out, sha, len(capture_list), len(chosen), tree_size, kid)


def _hash_path(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class BundleReport:
    """Findings of ``verify-bundle``; ``ok`` when there is no error."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    key_id: str | None = None
    captures: int = 0
    entries: int = 0
    tree_size: int | None = None

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not any(f.severity == "error" for f in self.findings)

    def codes(self) -> set[str]:
        """The codes found."""
        return {f.code for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"ok": self.ok, "bundle": str(self.path), "key_id": self.key_id, "captures": self.captures,
                "entries": self.entries, "tree_size": self.tree_size,
                "findings": [f.__dict__ for f in self.findings]}


def _member_hash(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def verify_bundle(path: Path, expect_key: str | None = None) -> BundleReport:
    """Check a bundle made by :func:`create_bundle`; never raises on a damaged bundle."""
    report = BundleReport(path)
    try:
        return _verify_bundle(path, expect_key, report)
    except (ValueError, TypeError, AttributeError, KeyError, zipfile.BadZipFile, OSError) as exc:
        # Hostile or damaged input that slipped past the checks above: still a finding, not a crash.
        report.findings.append(Finding("error", "bundle-malformed", str(path), f"cannot be read as a bundle ({exc})"))
        return report


def _verify_bundle(path: Path, expect_key: str | None, report: BundleReport) -> BundleReport:

    def add(code: str, where: str, message: str, severity: Severity = "error") -> None:
        report.findings.append(Finding(severity, code, where, message))

    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        add("bundle-unreadable", str(path), f"not a readable zip file ({exc})")
        return report
    with archive:
        names = archive.namelist()
        for name in names:
            pure = PurePosixPath(name)
            if pure.is_absolute() or ".." in pure.parts:
                add("member-unsafe", name, "member path escapes the bundle")
        if len(names) != len(set(names)):
            add("member-duplicated", str(path), "a member name appears twice")
        try:
            manifest_bytes = archive.read(MANIFEST)
            manifest = json.loads(manifest_bytes)
            signature = archive.read(SIGNATURE).decode("ascii")
            public_pem = archive.read("public_key.pem")
            public = signing.load_public_key_pem(public_pem)
            head = json.loads(archive.read("tree_head.json"))
            proofs = json.loads(archive.read("proofs.json"))
            entry_lines = archive.read("entries.jsonl").split(b"\n")
        except KeyError as exc:
            add("member-missing", str(exc).strip("\"'"), "required member missing from the bundle")
            return report
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            add("member-malformed", str(path), f"a required member is unreadable ({exc})")
            return report
        report.key_id = signing.key_id(public)
        if expect_key and not report.key_id.startswith(expect_key.lower()):
            add("key-unexpected", "public_key.pem", f"signed by key {report.key_id}, not the expected {expect_key}")
        if not signing.signature_valid(public, manifest_bytes, signature):
            add("signature-bad", MANIFEST, "the manifest's signature does not verify with the bundled key")
        if manifest.get("key_id") != report.key_id:
            add("key-mismatch", MANIFEST, "the manifest names another key than the bundled one")
        if not tree_head_valid(head, public):
            add("signature-bad", "tree_head.json", "the tree head's signature does not verify")
        members: dict[str, Any] = manifest.get("members", {})
        for name in names:
            if name in (MANIFEST, SIGNATURE):
                continue
            if name not in members:
                add("member-unknown", name, "not listed in the signed manifest")
                continue
            sha, size = _member_hash(archive, name)
            if sha != members[name].get("sha256") or size != members[name].get("size"):
                add("member-modified", name, f"content differs from the manifest (hash {sha[:16]}...)")
        for name in members:
            if name not in names:
                add("member-missing", name, "listed in the manifest but not in the bundle")
        tree_size = head.get("tree_size")
        report.tree_size = tree_size
        try:
            root = bytes.fromhex(str(head.get("root_hash", "")))
        except ValueError:
            add("member-malformed", "tree_head.json", "root_hash is not hexadecimal")
            root = b""
        if manifest.get("tree_size") != tree_size or manifest.get("root_hash") != head.get("root_hash"):
            add("head-mismatch", "tree_head.json", "does not match the tree head named in the manifest")
        logged: dict[str, int] = {}
        for data in entry_lines:
            if not data:
                continue
            try:
                entry = json.loads(data)
                seq = int(entry["seq"])
            except (ValueError, KeyError, TypeError):
                add("entry-malformed", "entries.jsonl", "a line is not a log entry")
                continue
            report.entries += 1
            try:
                proof = [bytes.fromhex(p) for p in proofs.get(str(seq), [])]
            except (ValueError, TypeError, AttributeError):
                add("member-malformed", "proofs.json", f"the proof of entry {seq} is not a list of hex hashes")
                proof = []
            if not isinstance(tree_size, int) or not verify_inclusion(seq, tree_size, leaf_hash(data), proof, root):
                add("proof-failed", f"entries.jsonl entry {seq}",
                    "its inclusion proof does not lead to the signed root: the entry or proof was altered")
            if entry.get("type") == "capture":
                logged[str(entry.get("capture"))] = int(entry.get("size", -1))
        for capture in manifest.get("captures", []):
            report.captures += 1
            sha = capture.get("sha256")
            member = capture.get("member", "")
            if sha not in logged:
                add("entry-missing", member, "no log entry in the bundle records this capture")
                continue
            if member not in names:
                continue  # already reported as missing
            actual, size = _member_hash(archive, member)
            if actual != sha or size != logged[sha]:
                add("blob-modified", member,
                    f"the original hashes to {actual[:16]}..., not to the logged {sha[:16]}...")
    return report

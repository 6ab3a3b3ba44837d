"""Evidence bundles: one zip a third party can check without the case or OrganWatch's database.

A bundle holds, for the chosen captures: the original bytes, their log entries exactly as logged,
an RFC 9162 inclusion proof of each entry against one signed tree head, that tree head, the case's
public key, a manifest (JSON, signed with the case key) and a short README. ``verify_bundle``
re-hashes every member, checks the manifest's signature, the tree head's signature, every proof,
and that each original hashes to the capture its entry names. Any change to any member fails.

The signature only proves the bundle came from whoever holds the case key: compare the key
fingerprint it prints with the one the case's owner published (``organwatch init`` prints it).

Every bundle also carries RFC 9162 consistency proofs from each earlier signed tree head of the
case to its own (``consistency.json``), so a head someone kept from before (published, or inside
an earlier bundle) can be checked against it: a later bundle of a truncated or re-signed log
fails that check (see :mod:`organwatch.archive.heads`).

Reading a bundle is bounded whatever it holds: members are refused before anything is inflated
when they are not regular files, are listed twice, overlap another member, declare a size other
than the manifest's, or (for the JSON members read into memory) exceed a fixed cap.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import stat
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from organwatch.archive import signing
from organwatch.archive.blobs import CHUNK
from organwatch.archive.display import printable
from organwatch.archive.heads import check_witness, consistency_proofs
from organwatch.archive.log import iter_lines, tree_head_valid, utc_now
from organwatch.archive.merkle import MerkleTree, leaf_hash, verify_inclusion
from organwatch.archive.verify import Finding, Severity
from organwatch.archive.walk import display_path, os_reason
from organwatch.errors import CaseError, OrganWatchError
from organwatch.version import __version__

if TYPE_CHECKING:
    from organwatch.archive.heads import Witness

if TYPE_CHECKING:
    from organwatch.case import Case

EXPORTS = "exports"
# Largest size of each member read into memory (the others are streamed). A bundle of 100,000
# captures has a manifest of about 40 MiB; a hostile one must not make verify-bundle inflate GiBs.
MEMBER_CAPS = {"manifest.json": 128 * 1024**2, "manifest.sig": 4096, "public_key.pem": 4096,
               "tree_head.json": 64 * 1024, "proofs.json": 256 * 1024**2, "entries.jsonl": 256 * 1024**2,
               "consistency.json": 64 * 1024**2}
MAX_MEMBERS = 2_000_000

BUNDLE_FORMAT = "organwatch-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNED_MEMBERS = ("README.txt", "entries.jsonl", "proofs.json", "tree_head.json", "public_key.pem",
                  "consistency.json")


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
        f"OrganWatch evidence bundle from case {printable(repr(case_name))}",
        f"Made {utc_now()} by OrganWatch {__version__}. Signed with the case key {key_id}.",
        "",
        "What is inside:",
        "  originals/<sha256>  the exact bytes of each capture, named by their SHA-256",
        "  entries.jsonl       the evidence-log entries about them, byte for byte as logged",
        f"  proofs.json         RFC 9162 inclusion proofs of each entry in the log of size {tree_size}",
        "  tree_head.json      that signed tree head (Ed25519 over its canonical JSON without 'signature')",
        "  public_key.pem      the case's public key",
        "  consistency.json    RFC 9162 consistency proofs from every earlier signed tree head to this one",
        "  manifest.json/.sig  SHA-256 of every member, signed with the case key",
        "",
        "Check it: `organwatch verify-bundle THIS.zip --expect-key <published key fingerprint>`;",
        "add `--head <an earlier published head or bundle>` to prove nothing was removed since.",
        "Without OrganWatch: sha256sum each original; each entry's leaf hash is",
        "SHA-256(0x00 || line); fold it with its proof as RFC 9162 section 2.1.3.2 says and compare",
        "with root_hash in tree_head.json; check the tree head's signature with public_key.pem.",
        "",
        f"Captures ({len(captures)}):",
    ]
    for capture in captures:
        names = ", ".join(sorted({o or "?" for o in capture["names"]}))
        lines.append(printable(f"  {capture['sha256']}  {capture['size']:>12} bytes  {capture['media_type']}  "
                               f"{names}"))
    return "\n".join(lines) + "\n"


def create_bundle(case: Case, out: Path, capture_refs: Iterable[str] | None = None) -> BundleResult:
    """Write a bundle of the chosen captures (all when ``capture_refs`` is None) to ``out``."""
    from organwatch.archive.commit import read_state

    out = check_output_path(case, out)
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
            try:
                entry = json.loads(line.data)
            except (ValueError, UnicodeDecodeError):
                raise CaseError(f"log entry at line {line.number + 1} is damaged; run `organwatch verify`") from None
            if not isinstance(entry, dict):
                raise CaseError(f"log entry at line {line.number + 1} is damaged; run `organwatch verify`")
            if entry.get("type") == "case.created" or (
                    entry.get("type") in ("capture", "observation")
                    and (wanted is None or entry.get("capture") in wanted)):
                chosen.append((line.number, line.data))
        tree = MerkleTree(leaves)
        del leaves
        if tree.size != tree_size or tree.root().hex() != head["root_hash"]:
            raise CaseError("the log does not match its last signed tree head; run `organwatch verify` before "
                            "exporting")
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
            "consistency.json": json.dumps(consistency_proofs(tree, tree_size, [h["tree_size"] for h in
                                                                                 case.tree_heads()]),
                                           indent=0, sort_keys=True).encode("utf-8"),
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

        def write(archive: zipfile.ZipFile) -> None:
            archive.writestr(MANIFEST, manifest_bytes)
            archive.writestr(SIGNATURE, signing.sign(private, manifest_bytes))
            for name, data in members.items():
                archive.writestr(name, data)
            for capture in capture_list:
                archive.write(case.blob_path(capture["sha256"]), capture["member"])

        sha = _write_atomically(out, write)
        try:
            writer.commit([{"type": "export", "time": utc_now(), "format": BUNDLE_FORMAT, "sha256": sha,
                            "file_name": out.name, "tree_size": tree_size,
                            "captures": sorted(captures)}], {})
        except OSError as exc:
            out.unlink(missing_ok=True)  # an export the log does not record must not exist
            raise CaseError(f"{display_path(exc.filename or case.root)}: cannot log the export "
                            f"({os_reason(exc)}); the bundle was removed, free some space and try again") from None
    return BundleResult(out, sha, len(capture_list), len(chosen), tree_size, kid)


def check_output_path(case: Case, out: Path) -> Path:
    """Refuse an output path inside the case (it could replace the log or a blob), except under ``exports/``."""
    target = Path(os.path.realpath(out))
    root = Path(os.path.realpath(case.root))
    if target == root or root in target.parents:
        exports = root / EXPORTS
        if exports not in target.parents:
            raise CaseError(f"{display_path(out)}: inside the case folder, where it could overwrite evidence; write "
                            f"the bundle outside the case or under {display_path(case.root / EXPORTS)}/")
    if target.is_dir():
        raise CaseError(f"{display_path(out)}: is a folder; give the path of the zip file to write")
    return out


def _write_atomically(out: Path, write: Any) -> str:
    """Write a zip to a temporary name beside ``out``, then rename; no partial file survives a failure."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CaseError(f"{display_path(out.parent)}: cannot create the folder ({os_reason(exc)})") from None
    tmp = out.with_name(f".{out.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            write(archive)
        sha = _hash_path(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CaseError(f"{display_path(out)}: cannot write the bundle ({os_reason(exc)}); nothing was "
                        "written") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return sha


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
    #: The signed tree head the bundle was made at (to keep as a witness for later bundles).
    tree_head: dict[str, Any] | None = None
    #: Whether the signer was compared with a fingerprint given by the user.
    key_checked: bool = False
    witnesses_proven: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not any(f.severity == "error" for f in self.findings)

    def codes(self) -> set[str]:
        """The codes found."""
        return {f.code for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"ok": self.ok, "bundle": str(self.path), "key_id": self.key_id, "key_checked": self.key_checked,
                "captures": self.captures, "entries": self.entries, "tree_size": self.tree_size,
                "tree_head": self.tree_head, "witnesses_proven": self.witnesses_proven,
                "findings": [f.__dict__ for f in self.findings]}


def _member_hash(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(info) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _RefusedError(Exception):
    """A member that must not be read (too large, missing); carries the finding."""

    def __init__(self, code: str, where: str, message: str) -> None:
        super().__init__(message)
        self.finding = Finding("error", code, where, message)


def _read_capped(archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], name: str) -> bytes:
    """A member small enough to hold in memory; inflating stops at the cap whatever the header says."""
    info = infos.get(name)
    if info is None:
        raise _RefusedError("member-missing", name, "required member missing from the bundle")
    cap = MEMBER_CAPS[name]
    if info.file_size > cap:
        raise _RefusedError("member-too-large", name, f"declares {info.file_size} bytes, over the {cap}-byte limit for "
                       "this member: refused without inflating it (a decompression bomb, or not a bundle)")
    with archive.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise _RefusedError("member-too-large", name, f"inflates past the {cap}-byte limit for this member")
    return data


def _structure_findings(archive: zipfile.ZipFile, path: Path) -> list[Finding]:
    """Problems of the zip's directory itself, found before anything is inflated."""
    findings: list[Finding] = []
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        return [Finding("error", "bundle-malformed", str(path), f"lists {len(infos)} members, more than any bundle")]
    seen: set[str] = set()
    duplicated: set[str] = set()
    for info in infos:
        name = info.filename
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or "\\" in name:
            findings.append(Finding("error", "member-unsafe", name, "member path escapes the bundle"))
        if name in seen:
            duplicated.add(name)
        seen.add(name)
        mode = info.external_attr >> 16
        kind = ("a directory" if info.is_dir() or stat.S_ISDIR(mode) else
                "a symbolic link" if stat.S_ISLNK(mode) else
                "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
                "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else None)
        if kind is not None:
            findings.append(Finding("error", "member-not-file", name,
                                    f"is {kind}, not a regular file: a bundle holds only files"))
    for name in sorted(duplicated):
        count = sum(1 for info in infos if info.filename == name)
        findings.append(Finding("error", "member-duplicated", name, f"appears {count} times in the zip directory"))
    # Members must not share bytes: a directory pointing many entries at one compressed stream makes
    # a small file inflate (and be hashed) many times over.
    ordered = sorted(infos, key=lambda i: i.header_offset)
    overlaps = 0
    for current, following in itertools.pairwise(ordered):
        end = current.header_offset + 30 + len(current.filename.encode("utf-8")) + current.compress_size
        if following.header_offset < end:
            overlaps += 1
            if overlaps <= 5:
                findings.append(Finding("error", "member-overlap", following.filename,
                                        f"its data overlaps member {current.filename!r}: the zip reuses bytes"))
    if overlaps > 5:
        findings.append(Finding("error", "member-overlap", str(path), f"{overlaps} overlapping members in all"))
    return findings


def verify_bundle(path: Path, expect_key: str | None = None, witnesses: Sequence[Witness] = ()) -> BundleReport:
    """Check a bundle made by :func:`create_bundle`; never raises on a damaged bundle.

    ``expect_key`` must be a whole fingerprint (``ValueError`` otherwise, see
    :func:`organwatch.archive.signing.normalize_fingerprint`); ``witnesses`` are earlier heads the
    bundle's log must still contain.
    """
    expected = signing.normalize_fingerprint(expect_key) if expect_key is not None else None
    report = BundleReport(path, key_checked=expected is not None)
    try:
        return _verify_bundle(path, expected, list(witnesses), report)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, zipfile.BadZipFile, zlib.error, EOFError,
            NotImplementedError, RuntimeError, OSError, RecursionError) as exc:
        # Hostile or damaged input that slipped past the checks above: still a finding, not a crash.
        report.findings.append(Finding("error", "bundle-malformed", str(path),
                                       f"cannot be read as a bundle ({type(exc).__name__}: {str(exc)[:200]})"))
        return report


def _verify_bundle(path: Path, expect_key: str | None, witnesses: list[Witness],
                   report: BundleReport) -> BundleReport:

    def add(code: str, where: str, message: str, severity: Severity = "error") -> None:
        report.findings.append(Finding(severity, code, where, message))

    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
        add("bundle-unreadable", str(path), f"not a readable zip file ({exc})")
        return report
    with archive:
        structure = _structure_findings(archive, path)
        report.findings.extend(structure)
        if structure:
            return report  # nothing is inflated from a zip whose directory is not what a bundle's is
        infos = {info.filename: info for info in archive.infolist()}
        names = list(infos)
        try:
            manifest_bytes = _read_capped(archive, infos, MANIFEST)
            signature = _read_capped(archive, infos, SIGNATURE).decode("ascii")
            public = signing.load_public_key_pem(_read_capped(archive, infos, "public_key.pem"))
            report.key_id = signing.key_id(public)
            if expect_key is not None and report.key_id != expect_key:
                add("key-unexpected", "public_key.pem", f"signed by key {report.key_id}, not the expected {expect_key}")
            if not signing.signature_valid(public, manifest_bytes, signature):
                add("signature-bad", MANIFEST, "the manifest's signature does not verify with the bundled key")
            manifest = json.loads(manifest_bytes)
            head = json.loads(_read_capped(archive, infos, "tree_head.json"))
            proofs = json.loads(_read_capped(archive, infos, "proofs.json"))
            entry_lines = _read_capped(archive, infos, "entries.jsonl").split(b"\n")
            consistency = (json.loads(_read_capped(archive, infos, "consistency.json"))
                           if "consistency.json" in infos else {})
        except _RefusedError as refused:
            report.findings.append(refused.finding)
            return report
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            add("member-malformed", str(path), f"a required member is unreadable ({exc})")
            return report
        if not isinstance(manifest, dict) or not isinstance(head, dict) or not isinstance(proofs, dict):
            add("member-malformed", MANIFEST, "the manifest, tree head or proofs are not JSON objects")
            return report
        report.tree_head = head
        if manifest.get("key_id") != report.key_id:
            add("key-mismatch", MANIFEST, "the manifest names another key than the bundled one")
        if not tree_head_valid(head, public):
            add("signature-bad", "tree_head.json", "the tree head's signature does not verify")
        members = manifest.get("members", {})
        if not isinstance(members, dict):
            add("member-malformed", MANIFEST, "its member list is not an object")
            return report
        # Sizes first, from the zip directory: nothing is inflated when they already disagree.
        to_hash: list[zipfile.ZipInfo] = []
        for name in names:
            if name in (MANIFEST, SIGNATURE):
                continue
            listed = members.get(name)
            if not isinstance(listed, dict):
                add("member-unknown", name, "not listed in the signed manifest")
                continue
            if infos[name].file_size != listed.get("size"):
                add("member-modified", name, f"is {infos[name].file_size} bytes, the manifest says "
                    f"{listed.get('size')}: refused without inflating it")
                continue
            to_hash.append(infos[name])
        for name in members:
            if name not in infos:
                add("member-missing", name, "listed in the manifest but not in the bundle")
        hashed: dict[str, str] = {}
        for info in to_hash:
            sha, size = _member_hash(archive, info)
            hashed[info.filename] = sha
            listed = members[info.filename]
            if sha != listed.get("sha256") or size != listed.get("size"):
                add("member-modified", info.filename, f"content differs from the manifest (hash {sha[:16]}...)")
        tree_size = head.get("tree_size")
        report.tree_size = tree_size if isinstance(tree_size, int) else None
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
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
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
            if isinstance(entry, dict) and entry.get("type") == "capture":
                size_logged = entry.get("size", -1)
                logged[str(entry.get("capture"))] = size_logged if isinstance(size_logged, int) else -1
        captures = manifest.get("captures", [])
        for capture in captures if isinstance(captures, list) else []:
            report.captures += 1
            if not isinstance(capture, dict):
                add("member-malformed", MANIFEST, "a capture listed in the manifest is not an object")
                continue
            capture_sha = capture.get("sha256")
            member = str(capture.get("member", ""))
            if capture_sha not in logged:
                add("entry-missing", member, "no log entry in the bundle records this capture")
                continue
            if member not in hashed:
                continue  # already reported as missing or modified
            info = infos[member]
            if hashed[member] != capture_sha or info.file_size != logged[str(capture_sha)]:
                add("blob-modified", member, f"the original hashes to {hashed[member][:16]}..., not to the logged "
                    f"{str(capture_sha)[:16]}...")
        _check_bundle_witnesses(report, witnesses, public, tree_size, root, consistency)
    return report


def _check_bundle_witnesses(report: BundleReport, witnesses: list[Witness], public: Any, tree_size: Any,
                            root: bytes, consistency: Any) -> None:
    if not witnesses:
        return
    if not isinstance(tree_size, int) or not isinstance(consistency, dict) or not report.ok:
        for witness in witnesses:
            report.findings.append(Finding("error", "head-unproven", f"published head of size {witness.size}",
                                           "the bundle itself failed the checks above, so it proves nothing"))
        return

    def proof_for(m: int) -> list[bytes] | None:
        if m == tree_size:
            return []
        hexes = consistency.get(str(m))
        if not isinstance(hexes, list) or len(hexes) > 64:
            return None
        try:
            return [bytes.fromhex(h) for h in hexes]
        except (ValueError, TypeError):
            return None

    for witness in witnesses:
        result = check_witness(witness, public, tree_size, root, proof_for)
        if result.code is None:
            report.witnesses_proven.append(result.message)
        else:
            report.findings.append(Finding("error", result.code, f"published head of size {witness.size}",
                                           result.message))

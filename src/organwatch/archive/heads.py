"""Published tree heads: what a third party keeps to detect that evidence was later removed.

A signed tree head commits to every log entry up to its size. Whoever holds an old head (pasted
into a report, sent by e-mail, or inside an earlier bundle) can ask the case, or a later bundle, to
prove with an RFC 9162 consistency proof that the log still begins with exactly the entries that
head covered. Truncating the log, rewriting an entry and re-signing every head, or replacing the
key pair all fail that proof, as Certificate Transparency monitors catch a log that forks.

Two forms of the same head, both carrying every signed field:

- JSON: ``{"format": "organwatch-tree-head/1", "tree_size": ..., "root_hash": ..., ...}``
- text, one line meant to be pasted anywhere:
  ``organwatch-head/1 size=12 prev=9 time=2026-01-31T10:00:00.000000Z root=<hex> key=<hex> sig=<base64>``

>>> parse_head_text("see organwatch-head/1 size=2 prev=1 time=t root=" + "0" * 64 + " key=" + "1" * 64
...                 + " sig=AA==")["tree_size"]
2
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from organwatch.archive import signing
from organwatch.archive.log import ENTRY_VERSION, tree_head_valid
from organwatch.archive.merkle import MerkleTree, verify_consistency
from organwatch.errors import OrganWatchError

if TYPE_CHECKING:
    from organwatch.case import Case

HEAD_FORMAT = "organwatch-tree-head/1"
TEXT_TAG = "organwatch-head/1"
SIGNED_FIELDS = ("v", "tree_size", "root_hash", "prev_tree_size", "timestamp", "key_id")
_MAX_HEAD_FILE = 1024 * 1024
_TEXT_RE = re.compile(
    re.escape(TEXT_TAG) + r"\s+size=(\d+)\s+prev=(\d+)\s+time=(\S+)\s+root=([0-9a-fA-F]{64})\s+"
    r"key=([0-9a-fA-F]{64})\s+sig=([A-Za-z0-9+/=]+)")


class HeadError(OrganWatchError):
    """A head given to check against cannot be read."""


@dataclass(frozen=True)
class Witness:
    """A tree head someone kept, and where it came from (for messages)."""

    head: dict[str, Any]
    source: str

    @property
    def size(self) -> int:
        """Number of entries the head covers."""
        return int(self.head["tree_size"])

    def describe(self) -> str:
        """``the head of size 12 signed 2026-01-31T10:00:00Z (from head.txt)``."""
        return f"the head of size {self.size} signed {self.head.get('timestamp')} (from {self.source})"


def head_json(head: dict[str, Any], case_name: str | None = None) -> dict[str, Any]:
    """The JSON form to publish: the signed fields, the signature, and the case's name for the reader."""
    published = {"format": HEAD_FORMAT, **{k: head[k] for k in SIGNED_FIELDS}, "signature": head["signature"]}
    if case_name is not None:
        published["case"] = case_name
    return published


def head_text(head: dict[str, Any]) -> str:
    """The one-line text form of a head."""
    return (f"{TEXT_TAG} size={head['tree_size']} prev={head['prev_tree_size']} time={head['timestamp']} "
            f"root={head['root_hash']} key={head['key_id']} sig={head['signature']}")


def parse_head_text(text: str) -> dict[str, Any] | None:
    """The head in a text (the first ``organwatch-head/1`` line found in it), or None."""
    match = _TEXT_RE.search(text)
    if match is None:
        return None
    size, prev, time, root, key, sig = match.groups()
    return {"v": ENTRY_VERSION, "tree_size": int(size), "prev_tree_size": int(prev), "timestamp": time,
            "root_hash": root.lower(), "key_id": key.lower(), "signature": sig}


def _from_json(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    head = {k: value.get(k) for k in (*SIGNED_FIELDS, "signature")}
    if not (isinstance(head["tree_size"], int) and isinstance(head["prev_tree_size"], int)
            and all(isinstance(head[k], str) for k in ("root_hash", "timestamp", "key_id", "signature"))
            and isinstance(head["v"], int)):
        return None
    if head["tree_size"] < 1 or re.fullmatch(r"[0-9a-f]{64}", str(head["root_hash"])) is None:
        return None
    return head


def _parse(data: bytes, source: str) -> dict[str, Any]:
    text = data.decode("utf-8", "replace")
    try:
        head = _from_json(json.loads(text))
    except ValueError:
        head = parse_head_text(text)
    if head is None:
        raise HeadError(f"{source}: not a tree head (expected the JSON or the `{TEXT_TAG} ...` line that "
                        "`organwatch head` prints, or a bundle)")
    return head


def load_witness(spec: str) -> Witness:
    """A head from a file (JSON, text, or an OrganWatch bundle whose head it takes) or from the text itself."""
    path = Path(spec)
    looks_inline = spec.lstrip().startswith(("{", TEXT_TAG))
    if not looks_inline and path.is_file():
        source = path.name
        try:
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    info = archive.getinfo("tree_head.json")
                    if info.file_size > _MAX_HEAD_FILE:
                        raise HeadError(f"{spec}: the bundle's tree_head.json is too large to be a tree head")
                    data = archive.read(info)
                return Witness(_parse(data, f"{spec} (tree_head.json)"), f"bundle {source}")
            with open(path, "rb") as fh:
                data = fh.read(_MAX_HEAD_FILE + 1)
        except KeyError:
            raise HeadError(f"{spec}: a zip without tree_head.json is not an OrganWatch bundle") from None
        except (OSError, zipfile.BadZipFile, ValueError) as exc:
            raise HeadError(f"{spec}: cannot read the head ({exc})") from None
        if len(data) > _MAX_HEAD_FILE:
            raise HeadError(f"{spec}: over 1 MiB, too large to be a tree head")
        return Witness(_parse(data, spec), source)
    if not looks_inline:
        raise HeadError(f"{spec[:80]!r}: no such file, and not a tree head (give the file, or the JSON or "
                        f"`{TEXT_TAG} ...` line that `organwatch head` prints)")
    return Witness(_parse(spec.encode("utf-8"), "the command line"), "the command line")


@dataclass(frozen=True)
class HeadCheck:
    """The verdict on one witness: None when proven, else a finding code and message."""

    witness: Witness
    code: str | None
    message: str


def check_witness(witness: Witness, public: Ed25519PublicKey, tree_size: int, root: bytes,
                  proof_for: Any) -> HeadCheck:
    """Prove that a log of ``tree_size`` entries with ``root`` still contains the ``witness`` head.

    ``proof_for(m)`` returns the RFC 9162 consistency proof from size ``m`` to ``tree_size`` (a list of
    hashes), or None when it cannot be made.
    """
    head = witness.head
    what = witness.describe()
    key = signing.key_id(public)
    if head["key_id"] != key:
        return HeadCheck(witness, "head-key-mismatch",
                         f"{what} was signed by key {head['key_id']}, but the key here is {key}: the key pair "
                         "was replaced since, or the head belongs to another case")
    if not tree_head_valid(head, public):
        return HeadCheck(witness, "head-invalid", f"{what}: its signature does not verify with the key it names, "
                         "so it was altered or is not a head of this log")
    m = witness.size
    if m > tree_size:
        return HeadCheck(witness, "head-truncated",
                         f"{what} covered {m} log entries, but only {tree_size} are signed now: entries "
                         f"{tree_size} to {m - 1} were removed")
    try:
        old_root = bytes.fromhex(head["root_hash"])
    except ValueError:
        return HeadCheck(witness, "head-invalid", f"{what}: root_hash is not hexadecimal")
    proof = proof_for(m)
    if proof is None:
        return HeadCheck(witness, "head-unproven",
                         f"{what}: no consistency proof from size {m} to size {tree_size} is available here")
    if not verify_consistency(m, tree_size, old_root, root, proof):
        return HeadCheck(witness, "head-inconsistent",
                         f"{what}: the log no longer begins with the entries it covered (the consistency proof "
                         f"from size {m} to {tree_size} fails): one or more of entries 0 to {m - 1} were changed "
                         "or removed and the log was signed again")
    return HeadCheck(witness, None, f"{what} is contained in the log of size {tree_size} (consistency proof "
                     "verified)")


def current_head(case: Case) -> dict[str, Any]:
    """The case's last signed tree head, after checking its signature and that the entries hash to it."""
    from organwatch.archive.log import iter_lines
    from organwatch.archive.merkle import StreamingRoot, leaf_hash
    from organwatch.errors import CaseError

    heads = [h for _, h in case.log.iter_heads() if h is not None]
    if not heads:
        raise CaseError(f"{case.root}: the log holds no signed tree head yet")
    head = heads[-1]
    try:
        public = signing.load_public_key(case.keys_dir)
    except (OSError, ValueError) as exc:
        raise CaseError(f"{case.keys_dir}: the case's public key cannot be read ({exc})") from None
    stream = StreamingRoot()
    for line in iter_lines(case.log.entries_path):
        if line.number >= head["tree_size"]:
            break
        stream.append(leaf_hash(line.data))
    if (_from_json(head) is None or not tree_head_valid(head, public)
            or stream.size != head["tree_size"] or stream.root().hex() != head["root_hash"]):
        raise CaseError(f"{case.root}: the last signed tree head does not match the log or the key; run "
                        "`organwatch verify` before publishing a head")
    return head


def proofs_from_tree(tree: MerkleTree, tree_size: int) -> Any:
    """A ``proof_for`` for :func:`check_witness` over a tree held in memory."""

    def proof_for(m: int) -> list[bytes] | None:
        if not 0 < m <= tree_size <= tree.size:
            return None
        return tree.consistency_proof(m, tree_size)

    return proof_for


def consistency_proofs(tree: MerkleTree, tree_size: int, sizes: Sequence[int]) -> dict[str, list[str]]:
    """Hex consistency proofs from each earlier size to ``tree_size``, as a bundle carries them."""
    return {str(m): [p.hex() for p in tree.consistency_proof(m, tree_size)]
            for m in sorted(set(sizes)) if 0 < m < tree_size}

"""The case's Ed25519 key: generated at ``init``, signs every tree head and bundle manifest.

The private key never leaves ``keys/`` (mode 0600). The public key travels with every bundle, and
its fingerprint (``key_id``, SHA-256 of the raw 32-byte key) is what an investigator publishes so
that a third party can check a bundle came from this case and not from someone who re-signed it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from organwatch.errors import CaseError

PRIVATE_KEY_FILE = "signing-key.pem"
PUBLIC_KEY_FILE = "signing-key.pub.pem"


def key_id(public_key: Ed25519PublicKey) -> str:
    """Fingerprint of a public key: hex SHA-256 of its raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


FINGERPRINT_HEX = 64
_SEPARATORS = re.compile(r"[\s:\-._]")


def normalize_fingerprint(text: str) -> str:
    """A key fingerprint as 64 lower-case hex digits; ``ValueError`` saying why when it is not one.

    Separators people use when they copy a fingerprint (``:``, spaces, ``-``, ``.``, ``_``) are
    accepted. A prefix is not: a key sharing the first few hex digits with another takes seconds to
    generate, so only the whole fingerprint identifies a signer.

    >>> normalize_fingerprint("AB:" * 31 + "AB") == "ab" * 32
    True
    """
    digits = _SEPARATORS.sub("", text).lower()
    if not digits:
        raise ValueError("the key fingerprint is empty: give all 64 hexadecimal digits the case owner published")
    if re.fullmatch(r"[0-9a-f]*", digits) is None:
        bad = next(c for c in digits if c not in "0123456789abcdef")
        raise ValueError(f"the key fingerprint holds {bad!r}, which is not a hexadecimal digit")
    if len(digits) != FINGERPRINT_HEX:
        raise ValueError(f"the key fingerprint has {len(digits)} hexadecimal digits, not {FINGERPRINT_HEX}: a "
                         "shortened fingerprint can be matched by a forged key, so give all of it")
    return digits


def key_permission_warning(keys_dir: Path) -> str | None:
    """A warning when the private key can be read by others than its owner (mode wider than 0600)."""
    path = keys_dir / PRIVATE_KEY_FILE
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if mode & 0o077:
        return (f"{path}: the private signing key has permissions {mode:04o}, readable beyond its owner; "
                f"anyone who reads it can sign forged evidence (fix: chmod 600 {path})")
    return None


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    """The public key as PEM (SubjectPublicKeyInfo), the form bundles carry."""
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key_pem(data: bytes) -> Ed25519PublicKey:
    """Parse a PEM public key; raise ``ValueError`` if it is not an Ed25519 key."""
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def generate_keys(keys_dir: Path) -> Ed25519PublicKey:
    """Create a new key pair in ``keys_dir``; refuses to overwrite an existing key."""
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(keys_dir / PRIVATE_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    (keys_dir / PUBLIC_KEY_FILE).write_bytes(public_key_pem(private.public_key()))
    return private.public_key()


def load_private_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The case's signing key, needed by every command that writes to the log."""
    path = keys_dir / PRIVATE_KEY_FILE
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise CaseError(f"{path}: signing key missing; this case cannot sign new evidence") from None
    except ValueError as exc:
        raise CaseError(f"{path}: signing key unreadable ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CaseError(f"{path}: not an Ed25519 key")
    return key


def load_public_key(keys_dir: Path) -> Ed25519PublicKey:
    """The case's public key, used by ``verify``."""
    return load_public_key_pem((keys_dir / PUBLIC_KEY_FILE).read_bytes())


def sign(private: Ed25519PrivateKey, message: bytes) -> str:
    """Signature of ``message`` as base64 text."""
    return base64.b64encode(private.sign(message)).decode("ascii")


def signature_valid(public: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    """True when ``signature`` (base64) is a valid signature of ``message``."""
    try:
        raw = base64.b64decode(signature, validate=True)
        # Only the canonical encoding counts: otherwise unused padding bits could be altered unnoticed.
        if base64.b64encode(raw).decode("ascii") != signature:
            return False
        public.verify(raw, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True

"""Canonical JSON for log entries: one byte string per value, so hashes and signatures are stable.

This is the subset of RFC 8785 (JCS) that our entries need: objects with ASCII keys sorted, no
insignificant white space, UTF-8 text, integers, strings, booleans and null. Floating-point numbers
are refused because their textual form differs between languages, and an entry that a third party
re-serialises must give the same bytes.

>>> canonical_json({"b": 1, "a": "王立军"})
b'{"a":"\\xe7\\x8e\\x8b\\xe7\\xab\\x8b\\xe5\\x86\\x9b","b":1}'
"""

from __future__ import annotations

import json
from typing import Any

from organwatch.errors import CanonicalJSONError


def _check(value: Any, where: str) -> None:
    # Text is checked once, when the whole output is encoded (see canonical_json).
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        raise CanonicalJSONError(f"{where}: floating-point numbers are not allowed in log entries")
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise CanonicalJSONError(f"{where}: keys must be ASCII strings, not {key!r}")
            _check(item, f"{where}.{key}")
        return
    raise CanonicalJSONError(f"{where}: cannot encode {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """Encode ``value`` as canonical JSON bytes (sorted keys, compact, UTF-8)."""
    _check(value, "$")
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalJSONError("text is not valid Unicode (it holds a lone surrogate)") from None

"""Text that came from evidence, made safe to print: control and bidirectional characters shown literally.

File names, URLs, zip member names and log fields are chosen by whoever made the evidence. Printed
raw, an ANSI escape sequence can repaint the terminal (a fake "OK" over a "FAILED" line), a newline
can forge an extra output line, and U+202E can make ``gpj.exe`` read as ``exe.jpg``. Every human
output (terminal and bundle README) passes such text through :func:`printable`; JSON output keeps
the exact characters.

>>> printable("report\\x1b[2J.pdf")
'report\\\\x1b[2J.pdf'
>>> printable("a\\u202eb")
'a\\\\u202eb'
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls; the bidirectional embeddings, overrides, isolates and marks; the
# line and paragraph separators; lone surrogates (undecodable bytes of a file name).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` (or ``str(text)``) with every control and bidi character written as an escape."""
    return _UNSAFE.sub(_escape, text if isinstance(text, str) else str(text))

"""Decompression bombs built in a second: one deflated block repeated (a full flush makes blocks independent)."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

BLOCK = 1 << 20


def repeated_deflate(block: bytes, times: int, *, prefix: bytes = b"",
                     zlib_header: bool = False) -> tuple[bytes, int, int]:
    """Deflate ``prefix + block * times`` without compressing it all: (compressed, crc32, size)."""
    wbits = zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS
    head = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = head.compress(prefix + block) + head.flush(zlib.Z_FULL_FLUSH)
    body = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    segment = body.compress(block) + body.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    data = first + segment * (times - 1) + tail
    crc = zlib.crc32(prefix)
    adler = zlib.adler32(prefix)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
        if zlib_header:
            adler = zlib.adler32(block, adler)
    if zlib_header:
        data += struct.pack(">I", adler)
    return data, crc, len(prefix) + len(block) * times


def write_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """A ZIP of (name, data, crc32, size, method) members; method 8 = data is raw deflate, 0 = stored."""
    out = bytearray()
    central = bytearray()
    for name, data, crc, size, method in members:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out += encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    return name, data, zlib.crc32(data), len(data), 0


def peak_memory_mb(code: str) -> tuple[float, str]:
    """Run ``code`` in a fresh Python and return its peak resident memory (MB) and what it printed."""
    # VmHWM is the peak of this process's own memory; getrusage's ru_maxrss would also count the parent's
    # pages the child had before exec (pytest's own hundreds of MB).
    script = code + ("\nfrom pathlib import Path\nprint('PEAK', next(line.split()[1] for line in "
                     "Path('/proc/self/status').read_text().splitlines() if line.startswith('VmHWM')))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    peak = next(line for line in done.stdout.splitlines() if line.startswith("PEAK"))
    return int(peak.split()[1]) / 1024, done.stdout

"""A throwaway PostgreSQL cluster for the tests: real Debian PostgreSQL, never a mock.

``throwaway_cluster()`` runs ``initdb`` in a temporary folder as a non-root user (``postgres`` when the tests
run as root, else the current user), starts the server on a free loopback port with its socket in that
folder, yields a ``postgresql://`` URL with ``pg_trgm`` available, then stops the server and removes the
folder. ``make test`` installs the ``postgresql`` package when it is missing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server's ``bin`` folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> tuple[list[str], str]:
    """The command prefix that runs a program as a non-root user, and that user's name."""
    if os.geteuid() != 0:
        return [], pwd.getpwuid(os.geteuid()).pw_name
    return ["runuser", "-u", "postgres", "--"], "postgres"


_DATA: dict[int, tuple[list[str], Path, Path]] = {}  # port -> (command prefix, bin folder, data folder)


def restart_cluster(url: str, mode: str = "immediate") -> None:
    """Restart the throwaway server behind ``url`` (``immediate``: as after a crash, no clean shutdown)."""
    port = int(url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    prefix, bin_dir, data = _DATA[port]
    # -l: the restarted server writes to its log file, not to our pipes (which would then never close).
    subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(data.parent / "server.log"),
                    "-m", mode, "-w", "restart"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a private PostgreSQL server; yield its URL; stop and remove it."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: `apt-get install postgresql` (`make test` does it)")
    prefix, user = _as_user()
    root = Path(tempfile.mkdtemp(prefix="organwatch-pg-"))
    data = root / "data"
    if prefix:
        shutil.chown(root, user)
    port = _free_port()
    try:
        subprocess.run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", user, "--auth=trust",
                        "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
                       check=True, capture_output=True)
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c fsync=off"
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w",
                        "-o", options, "start"], check=True, capture_output=True)
        subprocess.run([*prefix, str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user,
                        "organwatch_test"], check=True, capture_output=True)
        _DATA[port] = (prefix, bin_dir, data)
        yield f"postgresql://{user}@127.0.0.1:{port}/organwatch_test"
    finally:
        _DATA.pop(port, None)
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)

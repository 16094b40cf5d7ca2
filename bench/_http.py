"""What the benchmarks share (imported by ``bench/*_bench.py`` run as scripts): a keep-alive connection like a
browser's, a free loopback port, percentiles, and the driver that runs a bench's ``--child`` on SQLite and on a
throwaway PostgreSQL."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


class Conn(http.client.HTTPConnection):
    """Keep-alive connection with TCP_NODELAY (as a browser's)."""

    def connect(self):
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def free_port(start: int = 0) -> int:
    """A free port on 127.0.0.1: the kernel's choice, or the first free one from ``start``."""
    for port in ([0] if not start else range(start, start + 50)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def run_sqlite_and_postgres(script: str, argv: list[str]) -> int:
    """Run ``script --child`` on a fresh SQLite file, then under ``scripts/pgtemp.py`` (``--sqlite`` / ``--postgres``
    keep one of them). Returns the children's exit codes or'ed."""
    root = Path(__file__).resolve().parents[1]
    rc = 0
    if "--postgres" not in argv:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3")
            rc |= subprocess.call([sys.executable, script, "--child"], env=env, cwd=root)
    if "--sqlite" in argv:
        return rc
    sys.path.insert(0, str(root / "scripts"))
    import pgtemp

    if not pgtemp.find_bindir():
        print("-- postgresql: server binaries not found; run with --child against a PostgreSQL DATABASE_URL")
        return rc
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    return rc | subprocess.call([sys.executable, str(root / "scripts" / "pgtemp.py"), "--", sys.executable,
                                 script, "--child"], env=env, cwd=root)

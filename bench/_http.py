"""What the HTTP benchmarks share (imported by ``bench/*_bench.py`` run as scripts): a keep-alive connection like a
browser's, a free loopback port, percentiles."""

from __future__ import annotations

import http.client
import socket


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

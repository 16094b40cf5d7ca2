"""``kopdes serve``: the web server and the task worker, started, watched and stopped together.

The ``serve`` process is a small supervisor. It starts two children, each in its own process group:

- the web server: gunicorn (pre-fork master + ``gthread`` workers) in production, Django's ``runserver``
  with autoreload under ``--dev``;
- the task worker (``kopdes worker``: django-tasks' ``db_worker`` plus a heartbeat for ``/healthz``).

SIGTERM or SIGINT (Ctrl+C) to ``serve`` is passed on as SIGTERM to both: gunicorn finishes the requests in
flight, the worker finishes its current task. Whatever is still alive after the grace period is killed with
its whole process group, so nothing is left behind. The children also get SIGTERM from the kernel if
``serve`` itself dies (``PR_SET_PDEATHSIG``). A worker that exits on its own is restarted (with a growing
pause); a web server that exits on its own stops everything, and ``serve`` exits with its code so that
systemd (``Restart=on-failure``) starts it again.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    # not Linux (no prctl): the process-group kill on exit still applies
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    restart: bool = False  # restart when it exits on its own (the worker); otherwise its exit stops serve
    proc: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = 0.0

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, env=self.env, process_group=0, preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, sig)

    def kill_group(self) -> None:
        """SIGKILL everything left in the child's process group (the leader may be gone already)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)


@dataclass
class Supervisor:
    web: Child
    worker: Child | None
    say: Callable[[str], None]
    grace: float = 30.0
    ready_address: tuple[str, int] | None = None  # say "ready" once this accepts connections
    ready_message: str = ""
    poll_interval: float = 0.2
    _stop_signal: int | None = field(default=None, init=False)

    @property
    def children(self) -> list[Child]:
        return [c for c in (self.web, self.worker) if c is not None]

    def _on_signal(self, signum, frame) -> None:
        if self._stop_signal is None:
            self._stop_signal = signum
        else:  # a second Ctrl+C: do not wait for the grace period
            for c in self.children:
                c.kill_group()

    def run(self) -> int:
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            return self._run()
        finally:
            self.stop()
            for s, h in previous.items():
                signal.signal(s, h)

    def _run(self) -> int:
        for c in self.children:
            c.start()
        ready = self.ready_address is None
        while self._stop_signal is None:
            code = self.web.proc.poll()
            if code is not None:
                self.say(f"Server web berhenti (kode {code}) / the web server exited (code {code})")
                return code or 1
            if self.worker is not None:
                self._watch_worker()
            if not ready and _accepts(self.ready_address):
                ready = True
                if self.ready_message:
                    self.say(self.ready_message)
            time.sleep(self.poll_interval)
        name = signal.Signals(self._stop_signal).name
        self.say(f"{name} diterima, menghentikan server dan pekerja / {name} received, stopping server and worker")
        return 0

    def _watch_worker(self) -> None:
        w = self.worker
        if w.alive:
            return
        now = time.monotonic()
        if w.next_start == 0.0:  # it just exited: schedule a restart with a growing pause (max 60 s)
            code = w.proc.returncode if w.proc else None
            if now - w.started_at > 60:
                w.restarts = 0
            pause = min(60.0, 2.0 ** w.restarts)
            self.say(f"Pekerja tugas berhenti (kode {code}); mulai lagi dalam {pause:.0f} dtk / "
                     f"task worker exited (code {code}); restarting in {pause:.0f} s")
            w.next_start = now + pause
        elif now >= w.next_start:
            w.restarts += 1
            w.next_start = 0.0
            w.start()

    def stop(self) -> None:
        """SIGTERM to every child, wait up to ``grace`` seconds, then SIGKILL what is left of their groups."""
        for c in self.children:
            c.signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for c in self.children:
            if c.proc is None:
                continue
            try:
                c.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{c.name} tidak berhenti dalam {self.grace:.0f} dtk, dihentikan paksa / "
                         f"{c.name} did not stop within {self.grace:.0f} s, killed")
        for c in self.children:
            c.kill_group()
            if c.proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    c.proc.wait(timeout=5)


def _accepts(address: tuple[str, int]) -> bool:
    host, port = address
    try:
        with socket.create_connection((host.strip("[]"), port), timeout=0.2):
            return True
    except OSError:
        return False


# --- defaults -----------------------------------------------------------------------------------------------

def default_workers(vendor: str, cpus: int | None = None) -> int:
    """Server processes. SQLite: one — writes are serialised by the database file anyway, and several
    processes waiting on its lock each sleep in SQLite's busy handler instead of queueing fairly (see
    docs/deploy/server.md for the measurements). PostgreSQL: one per core."""
    if vendor == "sqlite":
        return 1
    return max(2, cpus or os.cpu_count() or 1)


def default_threads(vendor: str) -> int:
    """Threads per server process: requests waiting on the database or the network overlap."""
    return 4


def python_argv(*args: str) -> list[str]:
    return [sys.executable, *args]

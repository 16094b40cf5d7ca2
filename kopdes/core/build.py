"""Building a fresh installation fast (``kopdes setup``, ``kopdes demo``) and the demo built in the background.

- :func:`sqlite_build_mode`: ``PRAGMA synchronous=OFF`` on this process's SQLite connection while migrations,
  regions and the demo are written (thousands of small commits: each one an fsync otherwise), then back to the
  configured level and a checkpoint that syncs everything to disk. Only for building: a power cut in the middle
  of ``kopdes setup`` may leave a damaged file, which holds nothing yet (delete ``var/kopdes.sqlite3`` and run it
  again). The server's own connections are never touched (they open with ``synchronous=FULL``).
- The background demo (``kopdes setup --demo-background``, used by ``make run``): the demo builder runs as its own
  process and keeps a progress file ``var/demo-building.json``; while it exists
  :class:`~kopdes.core.middleware.DemoBuildingMiddleware` answers every page with "the demo is still being built"
  (503, reloading itself), so nobody logs into half a cooperative and no request waits on the builder's write
  lock. The file disappears when the demo is complete; if the builder stopped, the page says so and how to finish.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

PROGRESS_FILE = "demo-building.json"
LOG_FILE = "demo.log"


@contextlib.contextmanager
def sqlite_build_mode():
    if connection.vendor != "sqlite" or connection.in_atomic_block:  # SQLite refuses it inside a transaction
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        level = os.environ.get("KOPDES_SQLITE_SYNCHRONOUS", "FULL").upper()
        if connection.connection is not None:  # still the same connection (a reconnect is FULL already)
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA synchronous={level if level in ('FULL', 'NORMAL', 'EXTRA') else 'FULL'}")
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def progress_path() -> Path:
    return Path(settings.VAR_DIR) / PROGRESS_FILE


def log_path() -> Path:
    return Path(settings.VAR_DIR) / LOG_FILE


def _write(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


def read_progress() -> dict[str, Any] | None:
    """The background demo's state, or None when no demo is being built."""
    try:
        state = json.loads(progress_path().read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"done": [], "total": 0, "failed": "berkas kemajuan rusak / progress file damaged"}
    if not state.get("failed") and not _alive(state.get("pid")):
        state["failed"] = "proses pembangun demo berhenti / the demo builder process stopped"
    return state


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a finished child nobody waited for yet is a zombie: gone for our purpose
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


class Progress:
    """Kept by the demo builder: which apps are done; removed when the demo is complete."""

    def __init__(self, path: Path, total: int):
        self.path = path
        self.state: dict[str, Any] = {"pid": os.getpid(), "started_at": dt.datetime.now(dt.UTC).isoformat(
            timespec="seconds"), "done": [], "total": total, "current": None, "log": str(log_path())}
        _write(path, self.state)

    def starting(self, app: str) -> None:
        self.state["current"] = app
        _write(self.path, self.state)

    def finished(self, app: str) -> None:
        self.state["done"].append(app)
        self.state["current"] = None
        _write(self.path, self.state)

    def failed(self, message: str) -> None:
        self.state["failed"] = message[:500]
        _write(self.path, self.state)

    def complete(self) -> None:
        self.path.unlink(missing_ok=True)


def start_background_demo() -> int:
    """Start ``kopdes demo --progress`` as a separate process (it outlives this command); return its pid.

    The progress file is written before this returns, so a server started right after never shows a page of a
    half-built demo."""
    from .demo import DEMO_APPS

    path = progress_path()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "kopdes.settings")}
    with open(log_path(), "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kopdes", "demo", "--progress", str(path)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, env=env)
    if not path.exists():  # the child writes it itself at start; never leave a gap before the server starts
        _write(path, {"pid": proc.pid, "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                      "done": [], "total": len(DEMO_APPS), "current": None, "log": str(log_path())})
    return proc.pid

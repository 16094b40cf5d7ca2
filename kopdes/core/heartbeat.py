"""The task worker's heartbeat: a small file in ``var/`` it rewrites every few seconds while alive.

``/healthz`` reports its age, so monitoring sees a stopped worker (queued jobs would wait forever). The file
is per machine: on a server whose worker runs elsewhere, point ``KOPDES_WORKER_HEARTBEAT`` at a shared path.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path

from django.conf import settings

INTERVAL = 10.0  # seconds between beats


def path() -> Path:
    return Path(settings.KOPDES_WORKER_HEARTBEAT)


def beat(worker_id: str = "") -> None:
    """Write the heartbeat atomically (rename), so a reader never sees half a file."""
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}")
    tmp.write_text(json.dumps({"pid": os.getpid(), "worker_id": worker_id, "at": time.time()}))
    os.replace(tmp, p)


def age(now: float | None = None) -> float | None:
    """Seconds since the last beat, or None if no worker ever ran here."""
    try:
        data = json.loads(path().read_text())
        at = float(data["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return max(0.0, (time.time() if now is None else now) - at)


def start_beating(worker_id: str = "", interval: float = INTERVAL) -> threading.Event:
    """Beat now and then every ``interval`` seconds from a daemon thread; set the returned event to stop."""
    stop = threading.Event()
    beat(worker_id)

    def loop() -> None:
        while not stop.wait(interval):
            # a full disk must not kill the worker; /healthz will show the beat getting old
            with contextlib.suppress(OSError):
                beat(worker_id)

    threading.Thread(target=loop, name="kopdes-heartbeat", daemon=True).start()
    return stop

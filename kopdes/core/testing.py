"""Helpers for tests that need real concurrency (threads against PostgreSQL/Citus)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def race(fns: list[Callable[[], object]], timeout: float = 60) -> list[object]:
    """Run every function in its own thread, released together by a barrier; return each result or the exception
    it raised, in order. Each thread connects to the database before the barrier (so connecting does not stagger
    the start and let one thread finish before the others begin) and closes its connection at the end."""
    barrier = threading.Barrier(len(fns))
    results: list[object] = [None] * len(fns)

    def run(i: int, fn: Callable[[], object]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 — the caller asserts on it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results

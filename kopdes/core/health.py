"""``/healthz``: what a monitor needs to know, as JSON, without logging in.

- ``database``: a query answers (and how long it took);
- ``worker``: age of the task worker's heartbeat (kopdes/core/heartbeat.py), stale after
  ``KOPDES_WORKER_MAX_AGE`` seconds;
- ``disk``: free space where ``var/`` lives (database, uploads), low under ``KOPDES_DISK_MIN_FREE_MB``;
- ``backup``: age of the newest ``kopdes backup`` archive, stale after ``KOPDES_BACKUP_MAX_AGE`` seconds (2 days);
  null until a backup exists.

``status`` is ``ok``, ``degraded`` (the site works but something needs attention) or ``down`` (no database).
HTTP 200 unless down (503); ``?strict=1`` answers 503 when degraded too, for monitors that read only the code.
"""

from __future__ import annotations

import shutil
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import backup, heartbeat
from .access import public_view


def check_database() -> dict:
    start = time.perf_counter()
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by type
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.perf_counter() - start) * 1000, 2)}


def check_worker() -> dict:
    age = heartbeat.age()
    limit = settings.KOPDES_WORKER_MAX_AGE
    return {"ok": age is not None and age <= limit,
            "heartbeat_age_s": None if age is None else round(age, 1), "max_age_s": limit}


def check_disk() -> dict:
    usage = shutil.disk_usage(settings.VAR_DIR)
    minimum = settings.KOPDES_DISK_MIN_FREE_MB * 1024 * 1024
    return {"ok": usage.free >= minimum, "free_bytes": usage.free, "total_bytes": usage.total,
            "free_pct": round(100 * usage.free / usage.total, 1) if usage.total else None,
            "min_free_bytes": minimum}


def check_backup() -> dict:
    """Age of the newest archive of ``kopdes backup``; too old after ``KOPDES_BACKUP_MAX_AGE`` seconds. Never
    backed up: unknown (``ok`` null), so a fresh laptop is not reported degraded."""
    last = backup.last_backup()
    if last is None:
        return {"ok": None, "last_age_s": None}
    age = max(time.time() - last.stat().st_mtime, 0.0)
    limit = settings.KOPDES_BACKUP_MAX_AGE
    return {"ok": age <= limit, "last_age_s": round(age, 1), "max_age_s": limit, "file": last.name}


def report() -> tuple[str, dict]:
    checks = {"database": check_database(), "worker": check_worker(), "disk": check_disk(),
              "backup": check_backup()}
    if not checks["database"]["ok"]:
        status = "down"
    elif any(c["ok"] is False for c in checks.values()):
        status = "degraded"
    else:
        status = "ok"
    return status, checks


@public_view
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    status, checks = report()
    code = 503 if status == "down" or (status == "degraded" and request.GET.get("strict") == "1") else 200
    return JsonResponse({"status": status, "time": timezone.now().isoformat(timespec="seconds"),
                         "checks": checks}, status=code)

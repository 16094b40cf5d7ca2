"""/healthz (database, worker heartbeat, disk, backup) and the request log lines, plain and JSON."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
from django.db import connection

from kopdes.core import health, heartbeat
from kopdes.core.logs import JsonFormatter


@pytest.fixture
def beat_file(tmp_path, settings, monkeypatch):
    settings.KOPDES_WORKER_HEARTBEAT = str(tmp_path / "worker.heartbeat")
    monkeypatch.setenv("KOPDES_BACKUP_DIR", str(tmp_path / "backups"))  # no backup yet unless a test makes one
    return tmp_path / "worker.heartbeat"


@pytest.mark.django_db
def test_healthz_all_well(client, beat_file, settings):
    heartbeat.beat("w1")
    r = client.get("/healthz")  # no login needed
    assert r.status_code == 200
    assert r["Cache-Control"].startswith("max-age=0")
    data = r.json()
    assert data["status"] == "ok"
    db, worker, disk, backup = (data["checks"][k] for k in ("database", "worker", "disk", "backup"))
    assert db["ok"] is True and db["vendor"] == connection.vendor and db["ms"] >= 0
    assert worker["ok"] is True and 0 <= worker["heartbeat_age_s"] < 5
    usage = shutil.disk_usage(settings.VAR_DIR)
    assert abs(disk["free_bytes"] - usage.free) < 512 * 1024 * 1024 and disk["total_bytes"] == usage.total
    assert backup == {"ok": None, "last_age_s": None}


@pytest.mark.django_db
def test_healthz_stale_or_missing_worker_is_degraded(client, beat_file, settings):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "degraded"
    assert r.json()["checks"]["worker"] == {"ok": False, "heartbeat_age_s": None, "max_age_s": 60}

    beat_file.write_text(json.dumps({"pid": 1, "worker_id": "w", "at": time.time() - 300}))
    worker = client.get("/healthz").json()["checks"]["worker"]
    assert worker["ok"] is False and 299 <= worker["heartbeat_age_s"] <= 310
    assert client.get("/healthz?strict=1").status_code == 503  # for monitors that only read the code


@pytest.mark.django_db
def test_healthz_reports_the_last_backup_and_its_age(client, beat_file, settings):
    heartbeat.beat()
    folder = beat_file.parent / "backups"
    folder.mkdir()
    old = folder / "kopdes-backup-20261201-020000.tar.gz"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 3 * 24 * 3600,) * 2)  # three days old: past the 2-day limit
    data = client.get("/healthz").json()
    assert data["status"] == "degraded" and data["checks"]["backup"]["ok"] is False
    assert data["checks"]["backup"]["file"] == old.name and data["checks"]["backup"]["last_age_s"] >= 3 * 24 * 3600 - 5
    new = folder / "kopdes-backup-20261203-020000.tar.gz"
    new.write_bytes(b"x")
    backup = client.get("/healthz").json()["checks"]["backup"]
    assert backup["ok"] is True and backup["file"] == new.name and backup["last_age_s"] < 60


@pytest.mark.django_db
def test_healthz_low_disk_is_degraded(client, beat_file, settings):
    heartbeat.beat()
    settings.KOPDES_DISK_MIN_FREE_MB = shutil.disk_usage(settings.VAR_DIR).total // (1024 * 1024) + 1
    data = client.get("/healthz").json()
    assert data["status"] == "degraded" and data["checks"]["disk"]["ok"] is False


@pytest.mark.django_db
def test_healthz_database_down_is_503(client, beat_file, monkeypatch):
    heartbeat.beat()

    def broken():
        return {"ok": False, "vendor": "x", "error": "OperationalError"}

    monkeypatch.setattr(health, "check_database", broken)
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json()["status"] == "down"


def test_heartbeat_thread_keeps_beating(beat_file):
    stop = heartbeat.start_beating("w2", interval=0.05)
    try:
        first = json.loads(beat_file.read_text())["at"]
        time.sleep(0.3)
        assert json.loads(beat_file.read_text())["at"] > first
        assert json.loads(beat_file.read_text())["worker_id"] == "w2"
    finally:
        stop.set()
    assert heartbeat.age() < 1


def test_request_log_line_has_timing(client, caplog):
    with caplog.at_level(logging.INFO, logger="kopdes.request"):
        client.get("/masuk/")
    rec = next(r for r in caplog.records if r.name == "kopdes.request")
    assert re.fullmatch(r"GET /masuk/ 200 \d+\.\dms \d+B user=-", rec.getMessage())
    assert rec.status == 200 and rec.method == "GET" and rec.duration_ms >= 0 and rec.bytes > 1000


@pytest.mark.django_db
def test_request_log_names_the_logged_in_user(koperasi, make_user, client_as, caplog):
    user = make_user("ketua", koperasi=koperasi)
    client = client_as(user)
    with caplog.at_level(logging.INFO, logger="kopdes.request"):
        client.get(f"/k/{koperasi.slug}/")
    rec = [r for r in caplog.records if r.name == "kopdes.request"][-1]
    assert rec.user_id == user.pk and rec.getMessage().endswith(f"user={user.pk}")


def test_json_formatter():
    rec = logging.LogRecord("kopdes.request", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    rec.status = 200
    out = json.loads(JsonFormatter().format(rec))
    assert out["message"] == "GET /x" and out["status"] == 200 and out["level"] == "INFO"
    assert out["logger"] == "kopdes.request" and out["time"].endswith("+00:00")


def test_kopdes_log_json_makes_every_line_json(tmp_path):
    code = ("import django, logging; django.setup()\n"
            "from django.test import Client\n"
            "Client().get('/masuk/')\n"
            "logging.getLogger('kopdes.x').warning('halo %s', 'dunia')\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOPDES_") and k != "DATABASE_URL"}
    env.update(KOPDES_VAR_DIR=str(tmp_path), KOPDES_LOG_JSON="1", KOPDES_ALLOWED_HOSTS="testserver",
               DJANGO_SETTINGS_MODULE="kopdes.settings")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stderr.strip().splitlines()]  # every line parses
    req = next(rec for rec in lines if rec["logger"] == "kopdes.request")
    assert req["path"] == "/masuk/" and req["status"] == 200 and req["duration_ms"] >= 0
    assert any(rec["message"] == "halo dunia" and rec["level"] == "WARNING" for rec in lines)

"""Fast first run: the SQLite build mode, the demo accounts' shared hash, the demo built in the background and the
page every visitor sees while it is."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection

from kopdes.core import build
from kopdes.core.models import User


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_building_page_while_the_demo_is_built(var_dir, client, db):
    assert client.get("/masuk/").status_code == 200  # no progress file: the site as usual
    (var_dir / build.PROGRESS_FILE).write_text(json.dumps({
        "pid": os.getpid(), "done": ["ledger", "members", "savings"], "total": 13, "current": "loans",
        "log": str(var_dir / "demo.log")}))
    for path in ("/masuk/", "/", "/k/surya-adi/"):
        resp = client.get(path)
        assert resp.status_code == 503 and resp["Retry-After"] == "5"
        html = resp.content.decode()
        assert "data demo sedang dibangun" in html and "the demo is still being built" in html
        assert "3 dari 13 bagian selesai" in html and "loans" in html and 'http-equiv="refresh"' in html
        assert "kopdes-demo" in html
    # a login attempt never reaches the half-built database
    resp = client.post("/masuk/", {"username": "ketua", "password": "kopdes-demo"})
    assert resp.status_code == 503 and "_auth_user_id" not in client.session
    # monitoring and static files are not blocked
    assert client.get("/healthz").status_code in (200, 503)
    assert "sedang dibangun" not in client.get("/healthz").content.decode()
    assert client.get("/static/kopdes/kopdes.js").status_code == 200
    # done: the file is gone and the site answers again
    (var_dir / build.PROGRESS_FILE).unlink()
    assert client.get("/masuk/").status_code == 200


def test_building_page_says_when_the_builder_stopped(var_dir, client, db):
    (var_dir / build.PROGRESS_FILE).write_text(json.dumps({
        "pid": _dead_pid(), "done": ["ledger"], "total": 13, "current": "members", "log": "/x/demo.log"}))
    state = build.read_progress()
    assert state and "berhenti" in state["failed"]
    resp = client.get("/masuk/")
    html = resp.content.decode()
    assert resp.status_code == 503
    assert "berhenti sebelum selesai" in html and "stopped before it was complete" in html
    assert "kopdes demo" in html and "/x/demo.log" in html and 'http-equiv="refresh"' not in html


def test_demo_command_keeps_progress_and_removes_it_when_complete(var_dir, db, monkeypatch):
    seen = []
    real_finished = build.Progress.finished

    def spy(self, app):
        real_finished(self, app)
        seen.append(json.loads(self.path.read_text()))

    monkeypatch.setattr(build.Progress, "finished", spy)
    progress = var_dir / build.PROGRESS_FILE
    call_command("demo", "--only", "ledger", "members", "--progress", str(progress), stdout=io.StringIO())
    assert [s["done"] for s in seen] == [["ledger"], ["ledger", "members"]]
    assert seen[0]["total"] == 2 and seen[0]["pid"] == os.getpid()
    assert not progress.exists()

    # every demo account (staff, admin, the member-portal login) opens with the demo password, one shared hash
    users = User.objects.filter(username__in=["ketua", "kasir", "admin", "anggota"])
    assert users.count() == 4
    assert all(u.check_password("kopdes-demo") and not u.check_password("salah") for u in users)
    assert len({u.password for u in users}) == 1 and users[0].password.startswith("argon2")


def test_demo_command_records_a_failure(var_dir, db, monkeypatch):
    import kopdes.ledger.demo as ledger_demo

    def boom(ctx):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(ledger_demo, "build", boom)
    progress = var_dir / build.PROGRESS_FILE
    with pytest.raises(RuntimeError):
        call_command("demo", "--only", "ledger", "--progress", str(progress), stdout=io.StringIO())
    state = json.loads(progress.read_text())
    assert state["failed"] == "RuntimeError: disk penuh" and state["current"] == "ledger" and state["done"] == []


@pytest.mark.django_db(transaction=True)  # SQLite changes the level only outside a transaction
def test_sqlite_build_mode_is_only_for_the_build():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")

    def level():
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous")
            return cur.fetchone()[0]

    before = level()
    with build.sqlite_build_mode():
        assert level() == 0  # OFF
    assert level() == before == 2  # FULL again (settings: KOPDES_SQLITE_SYNCHRONOUS default)


def test_start_background_demo_writes_the_progress_file_first(var_dir, monkeypatch):
    started = []

    class FakePopen:
        def __init__(self, argv, **kw):
            started.append((argv, kw))
            self.pid = 424242

    monkeypatch.setattr(build.subprocess, "Popen", FakePopen)
    pid = build.start_background_demo()
    argv, kw = started[0]
    assert pid == 424242 and argv[1:] == ["-m", "kopdes", "demo", "--progress", str(var_dir / build.PROGRESS_FILE)]
    assert kw["start_new_session"] is True
    state = json.loads((var_dir / build.PROGRESS_FILE).read_text())
    assert state["pid"] == 424242 and state["done"] == [] and state["total"] == 13


def test_the_worker_waits_for_the_background_demo(var_dir, monkeypatch):
    from kopdes.core.management.commands.worker import Command

    progress = var_dir / build.PROGRESS_FILE
    progress.write_text(json.dumps({"pid": os.getpid(), "done": [], "total": 13}))
    sleeps = []

    def fake_sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            progress.unlink()  # the builder finished

    monkeypatch.setattr("time.sleep", fake_sleep)
    Command._wait_for_demo_build(poll=0.5)
    assert sleeps == [0.5, 0.5, 0.5] and not progress.exists()
    # a stopped builder does not keep the worker waiting
    progress.write_text(json.dumps({"pid": _dead_pid(), "done": [], "total": 13}))
    sleeps.clear()
    Command._wait_for_demo_build(poll=0.5)
    assert sleeps == []

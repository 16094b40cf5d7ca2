"""``kopdes serve``: the production server answers, serves static files, and leaves no process behind.

These tests start the real command as a subprocess (its own ``var/`` in a temporary folder; the database of
``DATABASE_URL`` when set, else SQLite there) and look at its process tree in ``/proc``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kopdes.core import serving

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

PORTS = range(18100, 18200)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18100-18199")


def _proc_table() -> dict[int, tuple[int, str]]:
    """pid -> (ppid, state) for every live process."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        rest = stat.rsplit(")", 1)[1].split()
        out[int(d)] = (int(rest[1]), rest[0])
    return out


def descendants(pid: int) -> set[int]:
    table = _proc_table()
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for child, (ppid, _state) in table.items():
            if ppid == p and child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    table = _proc_table()
    return {p for p in pids if p in table and table[p][1] != "Z"}


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def get(url: str, timeout: float = 5.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="module")
def serve_env(tmp_path_factory):
    """A var/ folder of its own; the task worker's table migrated so the worker really polls."""
    var = tmp_path_factory.mktemp("var")
    env = dict(os.environ, KOPDES_VAR_DIR=str(var), PYTHONUNBUFFERED="1")
    env.pop("KOPDES_STATIC_MANIFEST", None)
    subprocess.run([sys.executable, "-m", "kopdes", "migrate", "django_tasks_database", "-v0"],
                   env=env, check=True, timeout=120)
    return env


def start_serve(env, *args) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kopdes", "serve", "--port", str(port), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc, port


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited early ({proc.returncode}):\n{proc.stdout.read()}")
        try:
            return get(url, timeout=2)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def wait_for_children(pid: int, predicate, timeout: float = 30.0) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = descendants(pid)
        if predicate(kids):
            return kids
        time.sleep(0.2)
    raise AssertionError(f"children of {pid} never matched: {[cmdline(k) for k in descendants(pid)]}")


def stop_and_check(proc: subprocess.Popen, kids: set[int], sig=signal.SIGTERM, timeout: float = 60.0) -> str:
    proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    deadline = time.monotonic() + 10
    while alive(kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = alive(kids)
    assert not left, f"processes left after {sig.name}: {[cmdline(p) for p in left]}\n{out}"
    return out


def test_production_server_serves_and_sigterm_leaves_no_process(serve_env):
    proc, port = start_serve(serve_env)
    try:
        status, headers, body = wait_for(f"http://127.0.0.1:{port}/masuk/", proc)
        assert status == 200
        assert headers["Server"].startswith("gunicorn")
        html = body.decode()
        assert 'name="username"' in html
        # static files: hashed names from collectstatic, served by WhiteNoise with a year's cache
        css = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', html)
        assert css, "the page does not link the hashed stylesheet"
        s_status, s_headers, s_body = get(f"http://127.0.0.1:{port}{css.group(1)}")
        assert s_status == 200 and b".btn" in s_body
        assert "immutable" in s_headers["Cache-Control"]

        kids = wait_for_children(proc.pid, lambda ks: sum("gunicorn" in cmdline(k) for k in ks) >= 2
                                 and any("kopdes worker" in cmdline(k) for k in ks))
        # the gunicorn master, its worker process(es) and the task worker
        assert len(kids) >= 3
    except BaseException:
        proc.kill()
        raise
    out = stop_and_check(proc, kids)
    assert proc.returncode == 0, out
    assert "SIGTERM" in out
    assert re.search(r"kopdes\.request: GET /masuk/ 200 \d+\.\dms \d+B user=-", out), out  # request log line


def test_healthz_sees_the_real_worker_and_logs_are_json(serve_env):
    env = dict(serve_env, KOPDES_LOG_JSON="1")
    proc, port = start_serve(env)
    try:
        wait_for(f"http://127.0.0.1:{port}/masuk/", proc)
        deadline = time.monotonic() + 30
        while True:  # the worker's first beat comes as it starts
            status, _h, body = get(f"http://127.0.0.1:{port}/healthz")
            data = json.loads(body)
            if data["checks"]["worker"]["ok"] or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert status == 200 and data["status"] in ("ok", "degraded")
        assert data["checks"]["database"]["ok"] is True
        assert data["checks"]["worker"]["ok"] is True and data["checks"]["worker"]["heartbeat_age_s"] < 15
        kids = descendants(proc.pid)
    except BaseException:
        proc.kill()
        raise
    out = stop_and_check(proc, kids)
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    req = [r for r in records if r["logger"] == "kopdes.request" and r.get("path") == "/healthz"]
    assert req and req[0]["status"] == 200 and req[0]["duration_ms"] >= 0
    assert any(r["logger"] == "gunicorn.error" and "Booting worker" in r["message"] for r in records)


def test_sigint_stops_both_too(serve_env):
    proc, port = start_serve(serve_env, "--workers", "2", "--threads", "2")
    try:
        wait_for(f"http://127.0.0.1:{port}/masuk/", proc)
        kids = wait_for_children(proc.pid, lambda ks: sum("gunicorn" in cmdline(k) for k in ks) >= 3
                                 and any("kopdes worker" in cmdline(k) for k in ks))
    except BaseException:
        proc.kill()
        raise
    out = stop_and_check(proc, kids, signal.SIGINT)
    assert "2 proses × 2 thread" in out
    assert proc.returncode == 0


def test_children_go_when_serve_is_killed(serve_env):
    """Even SIGKILL of serve (no chance to clean up) leaves nothing: the children get SIGTERM from the kernel."""
    proc, port = start_serve(serve_env)
    try:
        wait_for(f"http://127.0.0.1:{port}/masuk/", proc)
        kids = wait_for_children(proc.pid, lambda ks: any("kopdes worker" in cmdline(k) for k in ks))
    except BaseException:
        proc.kill()
        raise
    proc.kill()
    proc.communicate(timeout=10)
    deadline = time.monotonic() + 40
    while alive(kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(kids), [cmdline(p) for p in alive(kids)]


def test_dev_server_autoreload_and_no_orphans(serve_env):
    proc, port = start_serve(serve_env, "--dev")
    try:
        status, headers, _ = wait_for(f"http://127.0.0.1:{port}/masuk/", proc)
        assert status == 200
        assert "WSGIServer" in headers["Server"]  # Django's runserver
        # autoreload: runserver's reloader runs the server in a child of its own
        kids = wait_for_children(proc.pid, lambda ks: sum("runserver" in cmdline(k) for k in ks) >= 2)
    except BaseException:
        proc.kill()
        raise
    stop_and_check(proc, kids)


# --- the supervisor on its own (fast, no Django server) ---------------------------------------------------


def _py(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_supervisor_kills_a_child_that_ignores_sigterm():
    stubborn = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True: time.sleep(1)"
    lines = []
    sup = serving.Supervisor(web=serving.Child("web", _py(stubborn), dict(os.environ)), worker=None,
                             say=lines.append, grace=1.0)
    sup.web.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    sup.stop()
    assert time.monotonic() - t0 < 8
    assert sup.web.proc.returncode == -signal.SIGKILL
    assert any("killed" in line for line in lines)


def test_supervisor_restarts_a_dead_worker_and_stops_when_web_exits(tmp_path):
    marker = tmp_path / "starts"
    worker = _py(f"open({str(marker)!r}, 'a').write('x')")  # exits at once, every time
    web = _py("import time; time.sleep(3.5); raise SystemExit(3)")
    lines = []
    sup = serving.Supervisor(web=serving.Child("web", web, dict(os.environ)),
                             worker=serving.Child("worker", worker, dict(os.environ), restart=True),
                             say=lines.append, grace=2.0)
    code = sup.run()
    assert code == 3  # serve exits with the web server's code (systemd restarts it)
    assert len(marker.read_text()) >= 2  # started, exited, restarted after a 1 s pause (then 2 s)
    assert any("restarting in 1 s" in line for line in lines)


def test_defaults():
    assert serving.default_workers("sqlite", cpus=8) == 1
    assert serving.default_workers("postgresql", cpus=8) == 8
    assert serving.default_workers("postgresql", cpus=1) == 2
    assert serving.default_threads("sqlite") >= 2

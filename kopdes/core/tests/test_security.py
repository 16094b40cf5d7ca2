"""Secure defaults: the production profile passes ``check --deploy`` with no warning, security headers on every
page, a Content-Security-Policy the templates really keep (no inline script, no onclick=), ``testserver`` only
under tests, and what KOPDES_HTTPS=1 changes."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from kopdes.core.models import Role

KOPDES = Path(__file__).resolve().parents[2]


def _run(env_extra: dict, *args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOPDES_")
           and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"KOPDES_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kopdes.settings", **env_extra})
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)


PRODUCTION = {
    "KOPDES_HTTPS": "1",
    "KOPDES_DEBUG": "0",
    "KOPDES_SECRET_KEY": secrets.token_urlsafe(50),
    "KOPDES_ALLOWED_HOSTS": "koperasi.example.id",
}


def test_check_deploy_has_no_warning_with_the_production_profile(tmp_path):
    r = _run(PRODUCTION, "-m", "kopdes", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues (0 silenced)" in r.stdout + r.stderr


def test_check_deploy_does_warn_without_https(tmp_path):
    """The check above is not vacuous: on plain HTTP (a laptop) the deploy check names what is missing."""
    env = dict(PRODUCTION, KOPDES_HTTPS="0")
    r = _run(env, "-m", "kopdes", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert r.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in r.stderr, code


_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
plain = c.get("/masuk/")
tls = c.get("/masuk/", headers={"x-forwarded-proto": "https"})
health = c.get("/healthz")
print(json.dumps({
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
    "tls_status": tls.status_code, "hsts": tls.get("Strict-Transport-Security", ""),
    "cookies": {k: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"])} for k, m in tls.cookies.items()},
    "health_status": health.status_code,
}))
"""


def test_https_profile_behind_a_tls_proxy(tmp_path):
    env = dict(PRODUCTION, KOPDES_ALLOWED_HOSTS="testserver")
    r = _run(env, "-c", _PROBE, tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["plain_status"] == 301 and out["plain_location"] == "https://testserver/masuk/"
    assert out["tls_status"] == 200  # the proxy said https (SECURE_PROXY_SSL_HEADER)
    assert out["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert out["cookies"]["csrftoken"]["secure"]
    assert out["health_status"] != 301  # monitoring on the machine may ask over plain HTTP


def test_http_profile_keeps_plain_cookies_and_no_testserver(tmp_path):
    r = _run({"KOPDES_ALLOWED_HOSTS": "testserver"}, "-c", _PROBE, tmp_path=tmp_path)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["plain_status"] == 200 and out["hsts"] == ""
    assert not out["cookies"]["csrftoken"]["secure"]
    r = _run({}, "-c", "import django; django.setup(); from django.conf import settings; "
                    "print(','.join(settings.ALLOWED_HOSTS))", tmp_path=tmp_path)
    hosts = r.stdout.strip().split(",")
    assert "testserver" not in hosts and "127.0.0.1" in hosts and "localhost" in hosts


def test_security_headers_on_every_page(client):
    r = client.get("/masuk/")
    csp = r["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "camera=(self)" in r["Permissions-Policy"]
    assert "testserver" not in settings.ALLOWED_HOSTS[:-1]  # the test runner appends it, settings never do


# --- the templates keep the policy -----------------------------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER_ATTR = re.compile(r"<[a-z][^>]*?\son[a-z]+\s*=", re.I | re.S)


def _inline_problems(html: str) -> list[str]:
    problems = []
    for m in SCRIPT_TAG.finditer(html):
        attrs = m.group(1)
        if "src=" in attrs:
            continue
        if re.search(r'type\s*=\s*["\']application/(ld\+)?json["\']', attrs):
            continue  # data, never executed (json_script)
        problems.append(f"inline <script{attrs}>")
    problems += [f"inline handler: {m.group(0)[-60:]}" for m in HANDLER_ATTR.finditer(html)]
    if re.search(r"""hx-vals\s*=\s*['"]\s*js:""", html) or "hx-on" in html:
        problems.append("htmx attribute that needs eval")
    if re.search(r"""href\s*=\s*["']\s*javascript:""", html, re.I):
        problems.append("javascript: URL")
    return problems


def test_no_template_has_inline_script_or_handler():
    bad = {}
    for path in KOPDES.rglob("*.html"):
        if "/tests/" in str(path):
            continue
        problems = _inline_problems(path.read_text())
        if problems:
            bad[str(path.relative_to(KOPDES))] = problems
    assert not bad, bad


def test_the_scanner_catches_what_it_should():
    assert _inline_problems("<script>alert(1)</script>")
    assert _inline_problems('<button class="x" onclick="go()">')
    assert _inline_problems("<select hx-vals='js:{a: 1}'>")
    assert not _inline_problems('<script src="/static/a.js"></script><script type="application/json" id="d">{}</script>')
    assert not _inline_problems('<button data-confirm="Yakin?">')


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_script(koperasi, make_user, client_as):
    """What Python code adds to pages (widgets, format_html) is covered too, not only the template files."""
    client = client_as(make_user(Role.KETUA, koperasi=koperasi))
    dinas = make_user(Role.DINAS_KABUPATEN, region="16.02")
    pages = [(None, f"/k/{koperasi.slug}/"), (None, f"/k/{koperasi.slug}/pengguna/"), (None, "/akun/"),
             (None, f"/k/{koperasi.slug}/akuntansi/"), (None, f"/k/{koperasi.slug}/gerai/kasir/"),
             (dinas, "/koperasi/baru/")]  # the region picker
    for user, url in pages:
        if user is not None:
            client.force_login(user)
        r = client.get(url, follow=True)
        assert r.status_code == 200, url
        assert not _inline_problems(r.content.decode()), (url, _inline_problems(r.content.decode()))
        assert "script-src 'self'" in r["Content-Security-Policy"]

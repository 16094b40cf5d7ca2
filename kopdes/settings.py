"""Django settings for Kopdes.

Everything that differs between a laptop and a cluster comes from the environment:
``DATABASE_URL`` (default: SQLite in ``var/``), ``KOPDES_SECRET_KEY``, ``KOPDES_DEBUG``,
``KOPDES_ALLOWED_HOSTS``, ``KOPDES_VAR_DIR``, ``KOPDES_HTTPS`` (behind a TLS proxy: secure cookies, HSTS, redirect
to https). docs/deploy/server.md lists them all.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from kopdes.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("KOPDES_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


#: True when this process has just generated var/secret_key (nothing can have used it yet: `kopdes restore`
#: may replace it with the backup's without --force)
SECRET_KEY_GENERATED_NOW = False


def _secret_key() -> str:
    global SECRET_KEY_GENERATED_NOW
    key = os.environ.get("KOPDES_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
        SECRET_KEY_GENERATED_NOW = True
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("KOPDES_DEBUG", "0") == "1"
# `testserver` (Django's test client) is added by the test runner itself, never here.
ALLOWED_HOSTS = [h for h in os.environ.get("KOPDES_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KOPDES_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

KOPDES_APPS = [
    "kopdes.core",
    "kopdes.ledger",
    "kopdes.members",
    "kopdes.savings",
    "kopdes.loans",
    "kopdes.retail",
    "kopdes.pharmacy",
    "kopdes.clinic",
    "kopdes.warehouse",
    "kopdes.logistics",
    "kopdes.supervision",
    "kopdes.portal",
    "kopdes.api",
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    *KOPDES_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kopdes.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kopdes.core.middleware.DemoBuildingMiddleware",
    "kopdes.core.logs.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kopdes.core.middleware.AuditContextMiddleware",
    "kopdes.core.filters.QueryTextMiddleware",
]

ROOT_URLCONF = "kopdes.urls"
WSGI_APPLICATION = "kopdes.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kopdes.core.context_processors.kopdes",
            ],
            "builtins": ["kopdes.core.templatetags.kopdes_tags"],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'kopdes.sqlite3'}"
# PostgreSQL: persistent connections (one per server thread, reused across requests for
# KOPDES_DB_CONN_MAX_AGE seconds) with a health check before reuse, so a server restart of PostgreSQL or
# a dropped connection costs one reconnect instead of an error page.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db),
        conn_max_age=int(os.environ.get("KOPDES_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # tenant tables are keyed (koperasi_id, id) on PostgreSQL and Citus: see kopdes/core/db/postgresql/base.py
    DATABASES["default"]["ENGINE"] = "kopdes.core.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite on a laptop: a connection is a file open, so none is kept between requests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    # synchronous=FULL (default): a sale the cashier saw succeed survives a power cut (WAL + NORMAL may
    # lose the last commits when the laptop loses power, which happens in a village). NORMAL is faster.
    _sync = os.environ.get("KOPDES_SQLITE_SYNCHRONOUS", "FULL").upper()
    if _sync not in ("FULL", "NORMAL", "EXTRA"):
        raise ValueError(f"KOPDES_SQLITE_SYNCHRONOUS must be FULL, NORMAL or EXTRA, not {_sync!r}")
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so two cashiers never
        # deadlock on a lock upgrade; WAL lets readers go on while one writes; a writer waits up to
        # `timeout` seconds for the lock (SQLite's busy timeout) before giving up.
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("KOPDES_SQLITE_BUSY_TIMEOUT", "30")),
        "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={_sync}; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["kopdes.core.auth.UsernameOrPhoneBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Run for every staff password: the board's user form, `kopdes createuser`, the own-password page
# (kopdes.core.services.check_password; messages in Indonesian and English).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ["username", "full_name", "email", "phone"]}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# `kopdes serve` (the production server) sets KOPDES_STATIC_MANIFEST=1 and runs collectstatic into
# STATIC_ROOT first: WhiteNoise then serves hashed, pre-compressed files cached for a year. Everywhere else
# (tests, `kopdes serve --dev`, scripts) files are served straight from the source folders.
STATIC_MANIFEST = os.environ.get("KOPDES_STATIC_MANIFEST") == "1"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "kopdes.core.staticstorage.ManifestStorage" if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12

# --- security headers, always ----------------------------------------------------------------------------
# No page is ever framed (clickjacking); referrers stay on this site; no MIME sniffing.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (kopdes.core.middleware.SecurityHeadersMiddleware): scripts only from our own static
# files — no inline <script>, no onclick=, no eval (templates declare behaviour with data attributes, see
# static/kopdes/kopdes.js). Inline styles stay allowed (style="" attributes, the receipts' print CSS).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self' blob:",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# The POS scans barcodes with the phone camera; nothing else may use devices.
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=()"

# --- KOPDES_HTTPS=1: served over TLS by a reverse proxy (Caddy, nginx) on this machine -----------------------
HTTPS = os.environ.get("KOPDES_HTTPS", "0") == "1"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # the proxy sets X-Forwarded-Proto (and must overwrite one sent by the client; gunicorn listens on
    # 127.0.0.1 only, so nobody else can reach it)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # monitoring on the machine itself may ask over plain HTTP
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # browsers remember "https only" for a year (KOPDES_HSTS_SECONDS; start with 300 while trying TLS out)
    SECURE_HSTS_SECONDS = int(os.environ.get("KOPDES_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("KOPDES_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("KOPDES_HSTS_PRELOAD", "1") == "1"

MESSAGE_TAGS = {40: "danger"}

TASKS = {"default": {"BACKEND": os.environ.get("KOPDES_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# One line per request with its time (kopdes.core.logs.RequestLogMiddleware); KOPDES_LOG_JSON=1 writes every
# log line as a JSON object for a log collector; KOPDES_REQUEST_LOG=0 silences the request lines.
LOGGING = logging_config(
    json_lines=os.environ.get("KOPDES_LOG_JSON", "0") == "1",
    level=os.environ.get("KOPDES_LOG_LEVEL", "WARNING"),
    request_log=os.environ.get("KOPDES_REQUEST_LOG", "1") == "1",
)

#: the task worker's heartbeat file (see kopdes/core/heartbeat.py), read by /healthz
KOPDES_WORKER_HEARTBEAT = os.environ.get("KOPDES_WORKER_HEARTBEAT", str(VAR_DIR / "worker.heartbeat"))
#: /healthz: the worker counts as stopped when its heartbeat (every 10 s) is older than this
KOPDES_WORKER_MAX_AGE = int(os.environ.get("KOPDES_WORKER_MAX_AGE", "60"))
#: /healthz: less free space than this on the disk of var/ (database, uploads, backups) is a problem
KOPDES_DISK_MIN_FREE_MB = int(os.environ.get("KOPDES_DISK_MIN_FREE_MB", "1024"))
# /healthz reports the last backup as stale after this many seconds (the daily backup plus a day of grace)
KOPDES_BACKUP_MAX_AGE = int(os.environ.get("KOPDES_BACKUP_MAX_AGE", str(2 * 24 * 3600)))

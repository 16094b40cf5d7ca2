"""Gunicorn settings for ``kopdes serve`` (flags given by serve — bind, workers, threads, timeouts — win).

Requests are logged by Kopdes' own middleware (with timings, and as JSON with KOPDES_LOG_JSON=1), so gunicorn's
access log stays off; its error log goes to stderr.
"""

import os

worker_class = "gthread"
accesslog = None
errorlog = "-"
loglevel = os.environ.get("KOPDES_LOG_LEVEL", "info").lower()
# X-Forwarded-Proto/-For are believed only from the reverse proxy on this machine (Caddy/nginx).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Gunicorn ≥ 26 opens a control socket in ~/.gunicorn by default: not needed, and two servers would share it.
control_socket_disable = True
# Restart a worker process after many requests (with jitter) so a slow leak can never grow without bound.
max_requests = 5000
max_requests_jitter = 500

# KOPDES_LOG_JSON=1: gunicorn's own lines (start, worker boot/exit, timeouts) as JSON too, like Kopdes' logs.
if os.environ.get("KOPDES_LOG_JSON") == "1":
    # gunicorn merges this over its defaults one level deep: every section it uses is given in full
    _json_handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": ["console"]},
        "formatters": {"json": {"()": "kopdes.core.logs.JsonFormatter"}},
        "handlers": {"console": _json_handler, "error_console": _json_handler},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False,
                               "qualname": "gunicorn.error"},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False,
                                "qualname": "gunicorn.access"},
        },
    }

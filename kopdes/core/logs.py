"""Logging: one line per request with its time, and JSON lines for log collectors (``KOPDES_LOG_JSON=1``).

Environment: ``KOPDES_LOG_LEVEL`` (root level, default WARNING), ``KOPDES_LOG_JSON=1`` (one JSON object per line
on stderr), ``KOPDES_REQUEST_LOG=0`` (no request lines). Imported by settings: no Django imports at module level.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

REQUEST_LOGGER = "kopdes.request"
#: attributes a LogRecord always has; everything else was passed in ``extra=`` and goes into the JSON
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """``{"time": ..., "level": ..., "logger": ..., "message": ..., <extra fields>, "exc": ...}``"""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def logging_config(*, json_lines: bool, level: str = "WARNING", request_log: bool = True) -> dict:
    formatter = ({"()": "kopdes.core.logs.JsonFormatter"} if json_lines
                 else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"kopdes": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kopdes"}},
        "root": {"handlers": ["console"], "level": level.upper()},
        "loggers": {REQUEST_LOGGER: {"level": "INFO" if request_log else "CRITICAL"}},
    }


class RequestLogMiddleware:
    """``GET /k/surya-adi/ 200 12.3ms 5210B user=7`` for every request that reaches Django (WhiteNoise answers
    static files before this). With JSON logs the same facts are fields: method, path, status, duration_ms,
    bytes, user_id, ip."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.log = logging.getLogger(REQUEST_LOGGER)

    def __call__(self, request):
        if not self.log.isEnabledFor(logging.INFO):
            return self.get_response(request)
        start = time.perf_counter()
        response = self.get_response(request)
        ms = round((time.perf_counter() - start) * 1000, 1)
        size = None if getattr(response, "streaming", False) else len(response.content)
        user_id = _user_id(request)
        from .middleware import client_ip

        self.log.info(
            "%s %s %s %.1fms %sB user=%s", request.method, request.path, response.status_code, ms,
            "-" if size is None else size, user_id or "-",
            extra={"method": request.method, "path": request.path, "status": response.status_code,
                   "duration_ms": ms, "bytes": size, "user_id": user_id, "ip": client_ip(request)},
        )
        return response


def _user_id(request):
    """The user's id if the request already looked the user up (never a session query just for the log)."""
    from django.utils.functional import empty

    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None

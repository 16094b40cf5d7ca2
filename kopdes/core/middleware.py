from __future__ import annotations

import os

from django.conf import settings

from .audit import acting_as


def trusted_proxies() -> set[str]:
    """The reverse proxies whose ``X-Forwarded-For`` is believed: ``FORWARDED_ALLOW_IPS``, as for gunicorn."""
    return {p.strip() for p in os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1").split(",") if p.strip()}


def client_ip(request) -> str | None:
    """The client's address. ``X-Forwarded-For`` counts only when the connection comes from a trusted proxy, and
    then only its last entry (the one that proxy appended): a client cannot pick the address it is counted by
    (the login lock-out per address) by sending the header itself."""
    remote = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded and remote in trusted_proxies():
        return forwarded.split(",")[-1].strip() or remote
    return remote


class AuditContextMiddleware:
    """Makes the request's user, IP and user agent the actor of every write in this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        user = user if user is not None and user.is_authenticated else None
        with acting_as(user, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")):
            return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (settings.CONTENT_SECURITY_POLICY).

    PDFs are left without a CSP: browsers' built-in PDF viewers run as an embedded plugin that
    ``object-src 'none'`` would block. A view may set its own policy; it is kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and not response.get("Content-Type", "").startswith(
            "application/pdf"
        ):
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response


class DemoBuildingMiddleware:
    """While the demo is built in the background (``kopdes setup --demo-background``, see kopdes/core/build.py),
    every page but ``/healthz`` and static files says so (503, reloads itself every 5 s) instead of showing half a
    cooperative or waiting on the builder's write lock. One ``stat`` per request otherwise."""

    EXEMPT = ("/healthz", "/sehat/", "/" + settings.STATIC_URL.lstrip("/"))

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .build import progress_path, read_progress

        if not progress_path().exists() or request.path.startswith(self.EXEMPT):
            return self.get_response(request)
        state = read_progress()
        if state is None:  # finished between the two looks
            return self.get_response(request)
        from django.http import HttpResponse
        from django.template.loader import render_to_string

        done, total = len(state.get("done") or []), int(state.get("total") or 0)
        html = render_to_string("core/demo_building.html", {
            "state": state, "done": done, "total": total, "percent": int(100 * done / total) if total else 0,
            "failed": state.get("failed"),
        })
        resp = HttpResponse(html, status=503)
        resp["Retry-After"] = "5"
        resp["Cache-Control"] = "no-store"
        resp._has_been_logged = True  # expected while building: not an ERROR line every 5 s (the request log has it)
        return resp

"""Lock-out also on the general login page (``/masuk/``): a member's PIN cannot be guessed there either."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed


def _on_failed(sender, credentials=None, request=None, **kwargs):
    from . import services

    ident = (credentials or {}).get("username")
    user = services.find_login(ident) if ident else None
    if user is not None and services.is_member_login(user):
        services.record_failure(user)


def _on_logged_in(sender, request=None, user=None, **kwargs):
    from . import services
    from .models import PortalLogin

    state = PortalLogin.objects.filter(user=user).first()
    if state is None or request is None:
        return
    if state.is_locked and services.is_member_login(user):
        logout(request)
        with contextlib.suppress(Exception):  # no message storage on this request
            messages.error(request, services.locked_error(state).message)
        return
    if state.failed_count:
        PortalLogin.objects.filter(pk=state.pk).update(failed_count=0, locked_until=None)


def connect() -> None:
    user_login_failed.connect(_on_failed, dispatch_uid="portal_lockout_failed")
    user_logged_in.connect(_on_logged_in, dispatch_uid="portal_lockout_logged_in")

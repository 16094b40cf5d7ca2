"""``member_view``: pages of the signed-in member about themselves. Everything is filtered by
``request.member`` (ids in URLs of other members' records → 404)."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse

from .services import members_of

SESSION_KEY = "portal_member_id"


def member_view(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("portal:login"))
        members = list(members_of(request.user))
        if not members:
            return render(request, "portal/no_member.html", status=403)
        chosen = request.session.get(SESSION_KEY)
        member = next((m for m in members if m.pk == chosen), members[0])
        request.member = member
        request.portal_koperasi = member.koperasi
        request.memberships = members
        return view(request, *args, **kwargs)

    wrapped.member_view = True
    return wrapped

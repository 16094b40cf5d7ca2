"""API pages: the schema, a no-JavaScript reference page, and token management (shown once, revocable)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from kopdes.core.access import public_view, tenant_view
from kopdes.core.errors import DomainError

from . import services
from .forms import PersonalTokenForm
from .models import ApiToken
from .schema import openapi


@public_view
@require_GET
@cache_control(max_age=300, public=True)
def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi(), json_dumps_params={"ensure_ascii": False})


@public_view
@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """A plain reference of every operation (ninja's Swagger page loads assets from a CDN: not used)."""
    doc = openapi()
    ops = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            ops.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "tags": ", ".join(op.get("tags", [])), "params": op.get("parameters", []),
                "body": (body or {}).get("$ref", "").rsplit("/", 1)[-1],
                "responses": sorted(op.get("responses", {}).keys()),
            })
    return render(request, "api/docs.html", {"ops": ops, "info": doc["info"]})


def _int(value) -> int:
    return int(value) if str(value or "").isdigit() else 0


def _handle_personal(request, *, koperasi=None):
    form = PersonalTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.create_personal_token(
                request.user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
                koperasi=koperasi, days=form.cleaned_data["days"], by=request.user)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return form, (token, raw)
    return form, None


@login_required
def my_tokens(request: HttpRequest) -> HttpResponse:
    """Any signed-in person (staff, Dinas, member) manages their own personal tokens here."""
    created = None
    form = PersonalTokenForm(initial={"days": 90})
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=_int(request.POST.get("revoke")), user=request.user)
            services.revoke_token(token, by=request.user)
            messages.success(request, _("Token %(prefix)s… dicabut.") % {"prefix": token.prefix})
            return redirect("api:my_tokens")
        form, created = _handle_personal(request)
        if created:
            form = PersonalTokenForm(initial={"days": 90})
    tokens = ApiToken.objects.filter(user=request.user).select_related("koperasi")
    return render(request, "api/my_tokens.html", {"form": form, "tokens": tokens, "created": created})


@tenant_view()
def koperasi_tokens(request: HttpRequest) -> HttpResponse:
    """Personal tokens bound to this cooperative (management sees and revokes all of them).

Sensor tokens belong to the warehouse app's devices (``warehouse`` pages: register a device, token shown once).
"""
    k = request.koperasi
    access = request.access
    created = None
    form = PersonalTokenForm(initial={"days": 90})
    if request.method == "POST":
        if access.supervisor and not access.roles:
            raise PermissionDenied
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=_int(request.POST.get("revoke")), koperasi=k)
            if token.user_id != request.user.pk and not access.is_management:
                raise PermissionDenied
            services.revoke_token(token, by=request.user)
            messages.success(request, _("Token %(prefix)s… dicabut.") % {"prefix": token.prefix})
            return redirect("api:tokens", slug=k.slug)
        form, created = _handle_personal(request, koperasi=k)
        if created:
            form = PersonalTokenForm(initial={"days": 90})
    tokens = ApiToken.objects.filter(koperasi=k).select_related("user")
    if not access.is_management:
        tokens = tokens.filter(user=request.user)
    return render(request, "api/koperasi_tokens.html", {
        "form": form, "tokens": tokens, "created": created,
        "can_manage": access.is_management, "read_only": access.supervisor and not access.roles,
    })

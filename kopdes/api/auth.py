"""Who is calling: a personal token (acting as its user, never beyond the user's web access) or a warehouse
sensor (``kopdes.warehouse.models.Device``: one cooperative, one endpoint)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from kopdes.core.access import Access, accessible_koperasi, active_roles, get_access, supervised_region_codes
from kopdes.core.models import Koperasi, Role, RoleAssignment

from . import services
from .errors import ApiProblem, forbidden, not_found
from .models import DEVICE_RATE_LIMIT, DEVICE_SCOPE, ApiToken


@dataclass
class Principal:
    token: ApiToken | None = None
    device: Any = None  # kopdes.warehouse.models.Device

    @property
    def user(self):
        return self.token.user if self.token is not None else None

    @property
    def is_device(self) -> bool:
        return self.device is not None

    @property
    def rate_key(self) -> str:
        return f"d{self.device.pk}" if self.is_device else f"t{self.token.pk}"

    @property
    def rate_limit(self) -> int:
        return DEVICE_RATE_LIMIT if self.is_device else self.token.rate_limit

    @property
    def label(self) -> str:
        return f"device:{self.device.name}" if self.is_device else f"{self.user.username} (API {self.token.prefix})"

    def has_scope(self, scope: str) -> bool:
        if self.is_device:
            return scope == DEVICE_SCOPE
        return scope in (self.token.scopes or [])


def _device(raw: str):
    try:
        from kopdes.warehouse.models import Device
    except ImportError:  # pragma: no cover - warehouse always installed
        return None
    return Device.objects.authenticate(raw)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``. Counts the request against the credential's per-minute limit."""

    def authenticate(self, request: HttpRequest, token: str):
        token = (token or "").strip()
        if token.startswith("kpd_"):
            tok = services.authenticate(token)
            p = Principal(token=tok) if tok is not None else None
        else:
            dev = _device(token) if 0 < len(token) <= 200 else None
            p = Principal(device=dev) if dev is not None else None
        if p is None:
            return None
        repeated = sorted(k for k, values in request.GET.lists() if len(values) > 1)
        if repeated:
            # no query parameter of this API is a list: a repeated one is ambiguous, never silently one of them
            raise ApiProblem(
                422, f"Parameter {repeated[0]} diberikan lebih dari sekali.",
                f"Query parameter {repeated[0]} was given more than once.", field=repeated[0],
                code="validation_error")
        retry = services.hit(p.rate_key, p.rate_limit)
        if retry is not None:
            raise ApiProblem(
                429, f"Terlalu banyak permintaan: batas {p.rate_limit} per menit. Coba lagi dalam {retry} detik.",
                f"Too many requests: limit {p.rate_limit} per minute. Retry in {retry} seconds.",
                code="rate_limited", headers={"Retry-After": str(retry)},
            )
        request.principal = p
        if p.user is not None:
            request.user = p.user
        return p


def principal(request) -> Principal:
    return request.auth


def require_scope(request, scope: str) -> Principal:
    p = principal(request)
    if p.is_device and scope != DEVICE_SCOPE:
        # a device reaches its one endpoint only: every other resource does not exist for it
        raise not_found()
    if not p.has_scope(scope):
        raise forbidden(f"Token tidak memiliki cakupan {scope}.", f"The token lacks the scope {scope}.",
                        code="insufficient_scope")
    return p


def require_user(request) -> Principal:
    p = principal(request)
    if p.is_device:
        raise not_found()
    return p


def koperasi_for(request, slug: str, area: str, *, write: bool = False, unit: str | None = None
                 ) -> tuple[Koperasi, Access]:
    """The cooperative ``slug`` as the token's user reaches it in the web UI; 404 when they do not."""
    p = require_scope(request, f"{area}:{'write' if write else 'read'}")
    if p.token.koperasi_id is not None and p.token.koperasi.slug != slug:
        raise not_found("Koperasi tidak ditemukan.", "Cooperative not found.")
    roles = active_roles(p.user)
    k = accessible_koperasi(p.user, roles).filter(slug=slug).first()
    access = get_access(p.user, k, roles) if k is not None else None
    if k is None or access is None or not access.is_staff_reader:
        raise not_found("Koperasi tidak ditemukan.", "Cooperative not found.")
    if unit and not access.can_read(unit):
        raise forbidden("Anda tidak memiliki akses ke unit ini.", "You have no access to this unit.")
    if write and not access.can_write(unit):
        raise forbidden("Peran Anda hanya boleh membaca.", "Your role is read-only here.", code="read_only")
    return k, access


def koperasi_queryset(request, area: str):
    """Cooperatives the token's user reads as staff or supervisor (members use ``/me/member``)."""
    p = require_scope(request, f"{area}:read")
    qs = accessible_koperasi(p.user)
    if p.token.koperasi_id is not None:
        qs = qs.filter(pk=p.token.koperasi_id)
    if supervised_region_codes(p.user) is None and not p.user.is_superuser:
        staff = RoleAssignment.objects.active().filter(user=p.user, koperasi__isnull=False).exclude(
            role=Role.ANGGOTA).values("koperasi_id")
        qs = qs.filter(pk__in=staff)
    return qs

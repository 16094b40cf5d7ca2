"""Who is calling: a personal token (acting as its user, never beyond the user's web access) or a device."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from ninja.security import HttpBearer

from kopdes.core.access import Access, accessible_koperasi, get_access, supervised_region_codes
from kopdes.core.models import Koperasi

from . import services
from .errors import ApiProblem, forbidden, not_found
from .models import ApiToken


@dataclass
class Principal:
    token: ApiToken

    @property
    def user(self):
        return self.token.user

    @property
    def is_device(self) -> bool:
        return self.token.kind == ApiToken.Kind.DEVICE

    def has_scope(self, scope: str) -> bool:
        return scope in (self.token.scopes or [])


class TokenAuth(HttpBearer):
    """``Authorization: Bearer kpd_…``. Counts the request against the token's per-minute limit."""

    def authenticate(self, request: HttpRequest, token: str):
        tok = services.authenticate(token)
        if tok is None:
            return None
        retry = services.hit(tok)
        if retry is not None:
            raise ApiProblem(
                429, f"Terlalu banyak permintaan: batas {tok.rate_limit} per menit. Coba lagi dalam {retry} detik.",
                f"Too many requests: limit {tok.rate_limit} per minute. Retry in {retry} seconds.",
                code="rate_limited", headers={"Retry-After": str(retry)},
            )
        principal = Principal(tok)
        request.principal = principal
        if tok.user_id:
            request.user = tok.user
        return principal


def principal(request) -> Principal:
    return request.auth


def require_scope(request, scope: str) -> Principal:
    p = principal(request)
    if p.is_device:
        # a device reaches its one endpoint only: every other resource does not exist for it
        raise not_found()
    if not p.has_scope(scope):
        raise forbidden(f"Token tidak memiliki cakupan {scope}.", f"The token lacks the scope {scope}.",
                        code="insufficient_scope")
    return p


def koperasi_for(request, slug: str, area: str, *, write: bool = False, unit: str | None = None
                 ) -> tuple[Koperasi, Access]:
    """The cooperative ``slug`` as the token's user reaches it in the web UI; 404 when they do not."""
    p = require_scope(request, f"{area}:{'write' if write else 'read'}")
    if p.token.koperasi_id is not None and p.token.koperasi.slug != slug:
        raise not_found("Koperasi tidak ditemukan.", "Cooperative not found.")
    k = accessible_koperasi(p.user).filter(slug=slug).first()
    access = get_access(p.user, k) if k is not None else None
    if k is None or access is None or not access.is_staff_reader:
        raise not_found("Koperasi tidak ditemukan.", "Cooperative not found.")
    if unit and not access.can_read(unit):
        raise forbidden("Anda tidak memiliki akses ke unit ini.", "You have no access to this unit.")
    if write and not access.can_write(unit):
        raise forbidden("Peran Anda hanya boleh membaca.", "Your role is read-only here.", code="read_only")
    return k, access


def koperasi_queryset(request, area: str):
    p = require_scope(request, f"{area}:read")
    qs = accessible_koperasi(p.user)
    if p.token.koperasi_id is not None:
        qs = qs.filter(pk=p.token.koperasi_id)
    # plain members reach their cooperative only through /me
    if supervised_region_codes(p.user) is None and not p.user.is_superuser:
        from kopdes.core.models import Role, RoleAssignment

        staff = RoleAssignment.objects.active().filter(user=p.user, koperasi__isnull=False).exclude(
            role=Role.ANGGOTA).values("koperasi_id")
        qs = qs.filter(pk__in=staff)
    return qs

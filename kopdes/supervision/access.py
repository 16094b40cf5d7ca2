"""Who sees which region, and who may record what (on top of ``kopdes.core.access``)."""

from __future__ import annotations

from django.http import Http404

from kopdes.core.access import get_access, supervised_region_codes
from kopdes.core.models import MANAGEMENT_ROLES, Koperasi, RoleAssignment


def covers(codes: list[str] | None, code: str) -> bool:
    """Does a scope (``[]`` = national) include region ``code`` ("" = the whole country)?"""
    if codes is None:
        return False
    if codes == []:
        return True
    if not code:
        return False
    return any(code == c or code.startswith(f"{c}.") for c in codes)


def scope_of(user) -> list[str] | None:
    return supervised_region_codes(user)


def request_scope(request) -> list[str] | None:
    """:func:`scope_of` the request's user, looked up once per request (pages ask several times)."""
    if not hasattr(request, "_supervision_scope"):
        request._supervision_scope = scope_of(request.user)
    return request._supervision_scope


def require_region(request, code: str) -> list[str]:
    """The user's scope, or 404 when the region is outside it (a region-scoped user never sees another)."""
    codes = request_scope(request)
    if not covers(codes, code):
        raise Http404("Wilayah tidak ditemukan")
    return codes


def root_code(codes: list[str]) -> str:
    """Where a supervisor lands: national "" or their (first) region."""
    return "" if codes == [] else sorted(codes, key=len)[0]


def manages_village(user, village_code: str) -> bool:
    """A pengurus/manajer of the village's own cooperative."""
    if not user.is_authenticated:
        return False
    return RoleAssignment.objects.active().filter(
        user=user, koperasi__region_id=village_code, role__in=MANAGEMENT_ROLES).exists()


def staff_of_village(user, village_code: str) -> bool:
    k = Koperasi.objects.filter(region_id=village_code).first()
    if k is None:
        return False
    acc = get_access(user, k)
    return bool(acc and acc.is_staff_reader)


def can_edit_village(user, village_code: str) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return covers(scope_of(user), village_code) or manages_village(user, village_code)


def can_view_village(user, village_code: str) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return covers(scope_of(user), village_code) or staff_of_village(user, village_code)


def supervises(user, koperasi: Koperasi) -> bool:
    """A Dinas/national user covering this cooperative (writes their own supervision records)."""
    if getattr(user, "is_superuser", False):
        return True
    return covers(scope_of(user), koperasi.region_id)

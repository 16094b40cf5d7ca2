"""Who may reach which cooperative, and do what there.

Every tenant page and API call goes through :func:`get_access` (or the ``tenant_view`` decorator built on it).
A user without any role that reaches a cooperative gets 404: the cooperative does not exist for them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from .models import (
    MANAGEMENT_ROLES,
    PENGURUS_ROLES,
    REGION_ROLES,
    Koperasi,
    Role,
    RoleAssignment,
)
from .units import Unit


@dataclass
class Access:
    """What one user may do in one cooperative."""

    koperasi: Koperasi
    roles: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)  # units the user operates (operator role)
    supervisor: bool = False  # reaches the cooperative through a region role (read-only)
    superuser: bool = False

    @property
    def is_management(self) -> bool:
        return self.superuser or bool(self.roles & MANAGEMENT_ROLES)

    @property
    def is_pengurus(self) -> bool:
        return self.superuser or bool(self.roles & PENGURUS_ROLES)

    @property
    def is_staff_reader(self) -> bool:
        """Reads the cooperative's books and records: staff, pengawas, supervisors (not plain members)."""
        return self.superuser or self.supervisor or bool(self.roles - {Role.ANGGOTA})

    @property
    def is_clinical(self) -> bool:
        """Clinic staff: the only ones (with the patient) who read medical content. Not even an administrator."""
        return Role.OPERATOR in self.roles and Unit.KLINIK in self.units

    @property
    def is_member_only(self) -> bool:
        return self.roles == {Role.ANGGOTA} and not self.supervisor and not self.superuser

    def can_read(self, unit: str | None = None) -> bool:
        if not self.is_staff_reader:
            return False
        if unit and not (self.is_management or Role.PENGAWAS in self.roles or self.supervisor or self.superuser):
            return unit in self.units
        return True

    def can_write(self, unit: str | None = None) -> bool:
        """Pengurus/manajer write everywhere; an operator writes only in their unit; readers never."""
        if self.is_management:
            return True
        if Role.OPERATOR in self.roles:
            return unit is not None and unit in self.units
        return False

    def has_role(self, *roles: str) -> bool:
        return self.superuser or bool(self.roles & set(roles))

    def label(self) -> str:
        if self.superuser:
            return "Administrator"
        names = [Role(r).label for r in sorted(self.roles)]
        if self.supervisor:
            names.append(str(Role.DINAS_KABUPATEN.label.split(" ")[0]))
        return ", ".join(str(n) for n in names)


def region_role_filter(assignments: Iterable[RoleAssignment]) -> Q | None:
    """A Q over ``Koperasi`` for the cooperatives covered by these region roles (None if none)."""
    q: Q | None = None
    for ra in assignments:
        part = Q(pk__isnull=False) if ra.role == Role.NASIONAL else Q(region__code__startswith=f"{ra.region_id}.")
        q = part if q is None else q | part
    return q


def active_roles(user) -> list[RoleAssignment]:
    """The user's active role assignments (one query; pass them to :func:`accessible_koperasi` and
    :func:`get_access` when a request needs both)."""
    if not user.is_authenticated or user.is_superuser:
        return []
    return list(RoleAssignment.objects.active().filter(user=user))


def accessible_koperasi(user, roles: list[RoleAssignment] | None = None) -> QuerySet[Koperasi]:
    """Every cooperative the user reaches through any active role."""
    if not user.is_authenticated:
        return Koperasi.objects.none()
    if user.is_superuser:
        return Koperasi.objects.all()
    active = roles if roles is not None else active_roles(user)
    coop_ids = {ra.koperasi_id for ra in active if ra.koperasi_id}
    q = Q(pk__in=coop_ids)
    region_q = region_role_filter([ra for ra in active if ra.role in REGION_ROLES])
    if region_q is not None:
        q |= region_q
    return Koperasi.objects.filter(q)


def supervised_region_codes(user) -> list[str] | None:
    """Region codes a supervisor covers; ``[]`` for national (everything); None if not a supervisor."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return []
    active = RoleAssignment.objects.active().filter(user=user, role__in=REGION_ROLES)
    codes: list[str] = []
    for ra in active:
        if ra.role == Role.NASIONAL:
            return []
        codes.append(ra.region_id)
    return codes or None


def get_access(user, koperasi: Koperasi, roles: list[RoleAssignment] | None = None) -> Access | None:
    """The user's access to this cooperative, or None when they have none (callers answer 404). ``roles``: the
    user's active assignments if already read (:func:`active_roles`)."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Access(koperasi, superuser=True)
    if roles is None:
        active = list(RoleAssignment.objects.active().filter(user=user).filter(
            Q(koperasi=koperasi) | Q(role__in=REGION_ROLES)
        ))
    else:
        active = [ra for ra in roles if ra.koperasi_id == koperasi.pk or ra.role in REGION_ROLES]
    acc = Access(koperasi)
    for ra in active:
        if ra.koperasi_id == koperasi.pk:
            acc.roles.add(ra.role)
            if ra.unit:
                acc.units.add(ra.unit)
        elif ra.role == Role.NASIONAL or (ra.region_id and koperasi.region_id.startswith(f"{ra.region_id}.")):
            acc.supervisor = True
    if not acc.roles and not acc.supervisor:
        return None
    return acc


def tenant_view(
    *, write: bool = False, unit: str | Unit | None = None, roles: Iterable[str] | None = None, staff: bool = True
) -> Callable:
    """Decorator for views under ``/k/<slug>/``: resolves the cooperative and checks access.

    - anonymous → login redirect; no role reaching this cooperative → 404 (never reveal data);
    - ``staff`` (default): plain members are refused (they have the member portal);
    - ``unit``: reading needs that unit (operators of other units get 403);
    - ``write``: POST needs write access to ``unit``; GET stays readable; ``roles`` narrows writes further.
    Sets ``request.koperasi`` and ``request.access``.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            held = active_roles(request.user)  # read once for both checks
            koperasi = accessible_koperasi(request.user, held).filter(slug=slug).first()
            if koperasi is None:
                raise Http404("Koperasi tidak ditemukan")
            access = get_access(request.user, koperasi, held)
            if access is None:
                raise Http404("Koperasi tidak ditemukan")
            if staff and not access.is_staff_reader:
                raise Http404("Koperasi tidak ditemukan")
            if unit and not access.can_read(str(unit)):
                raise PermissionDenied
            if write and request.method not in ("GET", "HEAD", "OPTIONS"):
                if not access.can_write(str(unit) if unit else None):
                    raise PermissionDenied
                if roles is not None and not access.has_role(*roles):
                    raise PermissionDenied
            request.koperasi = koperasi
            request.access = access
            return view(request, *args, **kwargs)

        wrapped.tenant_view = True  # marker for the URL-walk isolation test
        return wrapped

    return decorator


def require_write(request: HttpRequest, unit: str | None = None, roles: Iterable[str] | None = None) -> None:
    """For views that decide inside (e.g. one page, several forms)."""
    access: Access = request.access
    if not access.can_write(unit) or (roles is not None and not access.has_role(*roles)):
        raise PermissionDenied


def public_view(view):
    """Mark a view as intentionally reachable without login (login page, public receipt verification…).

    The URL-walk isolation test allows anonymous 200 responses only from views marked this way.
    """
    view.kopdes_public = True
    return view

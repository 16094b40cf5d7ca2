"""Who may change the member registry and savings: management, and operators of the kantor or simpan pinjam unit.
Pengawas and supervisors read only."""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied

from kopdes.core.access import tenant_view
from kopdes.core.units import Unit

WRITE_UNITS = (Unit.KANTOR, Unit.SIMPAN_PINJAM)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def can_write(access) -> bool:
    return any(access.can_write(str(u)) for u in WRITE_UNITS)


def can_read_savings(access) -> bool:
    return any(access.can_read(str(u)) for u in WRITE_UNITS)


def registry_view(*, savings: bool = False, roles=None):
    """``tenant_view`` + the registry rule: POST needs :func:`can_write` (and ``roles`` if given); with
    ``savings`` reading needs the kantor or simpan pinjam unit (balances are not for every cashier)."""

    def decorator(view):
        @functools.wraps(view)
        def inner(request, *args, **kwargs):
            acc = request.access
            if savings and not can_read_savings(acc):
                raise PermissionDenied
            if request.method not in SAFE_METHODS:
                if not can_write(acc):
                    raise PermissionDenied
                if roles is not None and not acc.has_role(*roles):
                    raise PermissionDenied
            request.can_write_registry = can_write(acc)
            return view(request, *args, **kwargs)

        return tenant_view()(inner)

    return decorator

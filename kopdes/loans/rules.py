"""Who may do what with loans: the one home of the loan unit's permission rules (issue 14 item 14).

The views ask these about ``request.access``; the services ask them again about the acting user, so no caller
(API, CLI, a new page) skips them:

- applications, analysis, repayments, the loan book: whoever writes the simpan pinjam unit (management or an
  operator of that unit);
- the committee decision (approve, reject), disbursement, write-off, restructuring, products and settings:
  pengurus or manajer (``COMMITTEE_ROLES``); the maker of an application never approves it.
"""

from __future__ import annotations

from kopdes.core.access import Access, get_access
from kopdes.core.errors import PermissionDeniedError
from kopdes.core.models import MANAGEMENT_ROLES
from kopdes.core.units import Unit

UNIT = Unit.SIMPAN_PINJAM
COMMITTEE_ROLES = frozenset(MANAGEMENT_ROLES)


def can_write(access: Access | None) -> bool:
    return access is not None and access.can_write(UNIT)


def is_committee(access: Access | None) -> bool:
    return access is not None and access.has_role(*COMMITTEE_ROLES)


def require_committee(koperasi, user) -> None:
    """The service's own check for a committee decision by a person."""
    acc = get_access(user, koperasi) if user is not None and getattr(user, "pk", None) else None
    if not is_committee(acc):
        raise PermissionDeniedError(
            "Keputusan komite pinjaman hanya oleh pengurus (ketua, sekretaris, bendahara) atau manajer.",
            "Only the board (chair, secretary, treasurer) or the manager decide on a loan.", code="not_committee")

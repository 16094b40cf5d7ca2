"""Who may do what in the books: the one home of the ledger's permission rules (issue 14 item 14).

Views ask these rules about ``request.access`` (to show a button, to refuse a POST); the services ask them again
about the acting user, so an API endpoint, a CLI command or any new caller cannot skip them:

- writing the books (manual journals, cash counts, periods): whoever writes the kantor unit — pengurus, manajer, a
  kantor operator;
- approving or rejecting a manual journal (the checker): pengurus (ketua, sekretaris, bendahara) or the manajer,
  and never its maker (maker–checker);
- re-opening a closed month: the ketua **and** the bendahara, two different people;
- the year-end close, SHU allocation and payout, recording the RAT: pengurus.
"""

from __future__ import annotations

from kopdes.core.access import Access, get_access
from kopdes.core.errors import PermissionDeniedError
from kopdes.core.models import MANAGEMENT_ROLES, PENGURUS_ROLES, Role
from kopdes.core.units import Unit

WRITE_UNIT = Unit.KANTOR
CHECKER_ROLES = frozenset(MANAGEMENT_ROLES)
REOPEN_ROLES = frozenset({Role.KETUA, Role.BENDAHARA})
YEAR_END_ROLES = frozenset(PENGURUS_ROLES)


def can_write(access: Access | None) -> bool:
    return access is not None and access.can_write(WRITE_UNIT)


def can_check_manual_journal(access: Access | None) -> bool:
    return access is not None and access.has_role(*CHECKER_ROLES)


def can_close_year(access: Access | None) -> bool:
    return access is not None and access.has_role(*YEAR_END_ROLES)


def access_of(user, koperasi) -> Access | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return get_access(user, koperasi)


def require_checker(koperasi, user) -> None:
    """The service's own check for approving or rejecting a manual journal."""
    if not can_check_manual_journal(access_of(user, koperasi)):
        raise PermissionDeniedError(
            "Hanya pengurus (ketua, sekretaris, bendahara) atau manajer yang boleh memeriksa jurnal memorial.",
            "Only the board (chair, secretary, treasurer) or the manager may check a manual journal.",
            code="not_checker")


def require_year_end(koperasi, user) -> None:
    """The service's own check for the year-end work — closing the year, recording the RAT, allocating and paying
    the SHU — when a person does it (``user`` None: a system job such as the demo or a maintenance command)."""
    if user is not None and not can_close_year(access_of(user, koperasi)):
        raise PermissionDeniedError("Hanya pengurus yang boleh menutup buku, mencatat RAT dan membagi SHU.",
                                    "Only the board may close the year, record the RAT and distribute the SHU.",
                                    code="not_pengurus")

"""The one lock-out for every door that checks a password or PIN: the staff login (``/masuk/``), the member
portal login (``/portal/masuk/``), the portal's "change PIN" and the staff "change password" page.

Counted per account: its username (case-insensitive) and its phone number in any spelling (0812…, +62812…,
62812…) share one counter (``user:<id>``), whichever door the guess came through; identifiers that match no account
are counted by their spelling. ``MAX_FAILURES`` wrong passwords within ``WINDOW`` lock the account for ``LOCK``; a
correct password afterwards resets the count. Beside it, each client address (IPv4, or the /64 of an IPv6 address)
may make ``MAX_IP_FAILURES`` wrong guesses per ``WINDOW`` over all accounts before it is locked for ``LOCK``.

An attempt is counted *before* the password is checked (:func:`begin` reserves it under a row lock and commits);
only then is the password evaluated, and the result settles the reservation (:meth:`Attempt.failed` keeps it,
:meth:`Attempt.succeeded` resets the account and gives the address its slot back). So sixty guesses sent at the
same moment get at most ``MAX_FAILURES`` evaluations: the others are refused as locked without looking at the
password, and the answer to a locked account never depends on the password. Every failure is written to the audit
trail.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import audit
from .models import LoginThrottle
from .validators import normalize_phone

MAX_FAILURES = 5
MAX_IP_FAILURES = 30
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)


class Locked(Exception):
    """The account or the address is locked; nothing was checked."""

    def __init__(self, minutes: int):
        super().__init__(f"locked for {minutes} minutes")
        self.minutes = minutes


def account_key(user) -> str:
    return f"user:{user.pk}"


def identifier_key(ident: str) -> str:
    """One counter per account (its username and phone number share it); unknown identifiers count by spelling."""
    from .auth import find_user

    user = find_user(ident)
    if user is not None:
        return account_key(user)
    ident = (ident or "").strip()
    phone = normalize_phone(ident)
    if phone.startswith("628") and phone.isdigit():
        return f"hp:{phone}"
    return f"u:{ident.lower()}"[:160]


def ip_key(ip: str | None) -> str | None:
    """The counter of a client address: IPv4 as is, IPv6 by its /64 (one subscriber's whole prefix)."""
    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return f"ip:{addr.ipv4_mapped}"
        return f"ip:{ipaddress.ip_network(f'{addr}/64', strict=False)}"
    return f"ip:{addr}"


def _minutes(until: dt.datetime, now: dt.datetime) -> int:
    secs = (until - now).total_seconds()
    return max(1, int(secs // 60) + (1 if secs % 60 else 0))


def _expired(row: LoginThrottle, now: dt.datetime) -> bool:
    return row.first_failure_at is None or now - row.first_failure_at > WINDOW or (
        row.locked_until is not None and row.locked_until <= now)


@dataclass
class Attempt:
    """One reserved attempt: settle it with :meth:`failed` or :meth:`succeeded`."""

    key: str
    ip_key: str | None
    ip: str | None
    number: int  # this attempt's number on the account's counter
    now: dt.datetime

    def failed(self) -> tuple[int, int]:
        """The password was wrong: the reservation stays. Returns ``(attempts_left, minutes_locked)``."""
        audit.record("login_failed", summary=f"login gagal untuk {self.key} ({self.number}/{MAX_FAILURES})"[:300])
        if self.number >= MAX_FAILURES:
            return 0, _minutes(self.now + LOCK, self.now)
        return MAX_FAILURES - self.number, 0

    def succeeded(self) -> None:
        """The password was right: the account's count starts over, unless other attempts were reserved after this
        one (a burst of guesses in flight keeps its count until the window ends); the address gets its slot back.
        Rows are reset, never deleted, so an attempt reserving at the same moment always finds its row."""
        with transaction.atomic():
            LoginThrottle.objects.filter(key=self.key, failures__lte=self.number).update(
                failures=0, first_failure_at=None, locked_until=None)
            if self.ip_key:
                row = LoginThrottle.objects.select_for_update().filter(key=self.ip_key).first()
                if row is not None and row.failures > 0:
                    row.failures -= 1
                    if row.failures < MAX_IP_FAILURES:
                        row.locked_until = None
                    row.save(update_fields=["failures", "locked_until"])


def begin(ident: str | None = None, ip: str | None = None, *, key: str | None = None,
          now: dt.datetime | None = None) -> Attempt:
    """Reserve one attempt on the account named by ``ident`` (or the counter ``key``) and on the address ``ip``,
    atomically, before the password is looked at. Raises :class:`Locked` when either is locked.

    Call it outside any transaction of the caller: the reservation must be committed before the check (a refused
    login that rolled it back would not count)."""
    now = now or timezone.now()
    key = key or identifier_key(ident or "")
    ipk = ip_key(ip)
    limits = {key: MAX_FAILURES}
    if ipk:
        limits[ipk] = MAX_IP_FAILURES
    with transaction.atomic():
        # the rows exist before they are locked (two first attempts at once must not both create one)
        rows: dict[str, LoginThrottle] = {}
        while len(rows) < len(limits):  # a row deleted by reset() in between is created again
            LoginThrottle.objects.bulk_create([LoginThrottle(key=k) for k in sorted(limits) if k not in rows],
                                              ignore_conflicts=True)
            rows = {r.key: r for r in LoginThrottle.objects.select_for_update().filter(key__in=limits).order_by("key")}
        for k, row in rows.items():
            if _expired(row, now):
                row.failures, row.first_failure_at, row.locked_until = 0, now, None
            elif row.locked_until is not None or row.failures >= limits[k]:
                row.save()
                raise Locked(_minutes(row.locked_until or now + LOCK, now))
        for k, row in rows.items():
            row.failures += 1
            row.last_ip = ip if ipk else None
            if row.failures >= limits[k]:
                row.locked_until = now + LOCK
            row.save()
    return Attempt(key=key, ip_key=ipk, ip=ip, number=rows[key].failures, now=now)


def minutes_locked(ident: str, now: dt.datetime | None = None, *, key: str | None = None) -> int:
    """Minutes left on a lock of this identifier (0 = not locked)."""
    now = now or timezone.now()
    until = (LoginThrottle.objects.filter(key=key or identifier_key(ident)).values_list("locked_until", flat=True)
             .first())
    if until is None or until <= now:
        return 0
    return _minutes(until, now)


def locked_users(user_ids: list[int]) -> set[int]:
    """Which of these accounts are locked now (one query, for lists of logins)."""
    keys = LoginThrottle.objects.filter(key__in=[f"user:{pk}" for pk in user_ids], locked_until__gt=timezone.now())
    return {int(k.split(":", 1)[1]) for k in keys.values_list("key", flat=True)}


def record_failure(ident: str, ip: str | None = None, now: dt.datetime | None = None) -> tuple[int, int]:
    """Count one wrong password outside a guarded check. Returns ``(attempts_left, minutes_locked)``."""
    try:
        return begin(ident, ip, now=now).failed()
    except Locked as exc:
        return 0, exc.minutes


def reset(ident: str | None = None, *, key: str | None = None) -> None:
    """Unlock and start the count over (the row stays: an attempt reserving at the same moment finds it)."""
    LoginThrottle.objects.filter(key=key or identifier_key(ident or "")).update(
        failures=0, first_failure_at=None, locked_until=None)

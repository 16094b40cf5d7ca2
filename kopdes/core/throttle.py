"""Lock-out after repeated wrong passwords on the staff login (``/masuk/``).

Counted per account: its username (case-insensitive) and its phone number in any spelling (0812…, +62812…,
62812…) share one counter; identifiers that match no account are counted by their spelling. ``MAX_FAILURES`` wrong passwords within ``WINDOW`` lock the identifier
for ``LOCK``; a correct password afterwards resets the count. Every failure is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import audit
from .models import LoginThrottle
from .validators import normalize_phone

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)


def identifier_key(ident: str) -> str:
    """One counter per account (its username and phone number share it); unknown identifiers count by spelling."""
    from .auth import find_user

    user = find_user(ident)
    if user is not None:
        return f"user:{user.pk}"
    ident = (ident or "").strip()
    phone = normalize_phone(ident)
    if phone.startswith("628") and phone.isdigit():
        return f"hp:{phone}"
    return f"u:{ident.lower()}"[:160]


def minutes_locked(ident: str, now: dt.datetime | None = None) -> int:
    """Minutes left on a lock of this identifier (0 = not locked)."""
    now = now or timezone.now()
    until = (LoginThrottle.objects.filter(key=identifier_key(ident)).values_list("locked_until", flat=True)
             .first())
    if until is None or until <= now:
        return 0
    return max(1, int((until - now).total_seconds() // 60) + (1 if (until - now).total_seconds() % 60 else 0))


def record_failure(ident: str, ip: str | None = None, now: dt.datetime | None = None) -> tuple[int, int]:
    """Count one wrong password. Returns ``(attempts_left, minutes_locked)``."""
    now = now or timezone.now()
    key = identifier_key(ident)
    with transaction.atomic():
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(key=key)
        if row.first_failure_at is None or now - row.first_failure_at > WINDOW or (
                row.locked_until is not None and row.locked_until <= now):
            row.failures, row.first_failure_at, row.locked_until = 0, now, None
        row.failures += 1
        row.last_ip = ip
        if row.failures >= MAX_FAILURES:
            row.locked_until = now + LOCK
        row.save()
    audit.record("login_failed", summary=f"login gagal untuk {key} ({row.failures}/{MAX_FAILURES})")
    if row.locked_until is not None:
        return 0, minutes_locked(ident, now)
    return MAX_FAILURES - row.failures, 0


def reset(ident: str) -> None:
    LoginThrottle.objects.filter(key=identifier_key(ident)).delete()

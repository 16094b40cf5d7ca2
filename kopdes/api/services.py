"""Token operations: create (the secret is returned once), revoke, authenticate, rate-limit.

Tokens look like ``kpd_<8 chars>_<43 chars>``; the database keeps ``sha256(token)`` and the readable prefix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kopdes.core.errors import DomainError
from kopdes.core.models import Koperasi, User

from .models import ALL_SCOPES, ApiToken, RateCounter

MAX_DAYS = 730


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"kpd_{prefix}_{secrets.token_urlsafe(32)}"


def _expiry(days: int | None) -> dt.datetime | None:
    if days in (None, 0):
        return None
    if days < 1 or days > MAX_DAYS:
        raise DomainError(f"Masa berlaku harus 1–{MAX_DAYS} hari.", f"Validity must be 1–{MAX_DAYS} days.",
                          field="days", code="invalid_expiry")
    return timezone.now() + dt.timedelta(days=days)


@transaction.atomic
def create_personal_token(user: User, *, name: str, scopes: list[str], koperasi: Koperasi | None = None,
                          days: int | None = 90, by: User | None = None) -> tuple[ApiToken, str]:
    """A personal token acting as ``user`` (never more than the user may do in the web UI)."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Nama token wajib diisi.", "Token name is required.", field="name", code="required")
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        raise DomainError(f"Cakupan tidak dikenal: {', '.join(unknown)}", f"Unknown scope: {', '.join(unknown)}",
                          field="scopes", code="unknown_scope")
    if not scopes:
        raise DomainError("Pilih minimal satu cakupan.", "Choose at least one scope.", field="scopes",
                          code="required")
    prefix, raw = _new_secret()
    token = ApiToken.objects.create(
        kind=ApiToken.Kind.PERSONAL, name=name[:80], prefix=prefix, token_hash=digest(raw), user=user,
        koperasi=koperasi, scopes=scopes, expires_at=_expiry(days), created_by=by or user,
    )
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, by: User | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate(raw: str) -> ApiToken | None:
    raw = (raw or "").strip()
    if not raw.startswith("kpd_") or len(raw) > 120:
        return None
    token = ApiToken.objects.select_related("user", "koperasi").filter(token_hash=digest(raw)).first()
    if token is None or not token.is_active:
        return None
    if token.user_id is not None and not token.user.is_active:
        return None
    return token


def hit(key: str, limit: int, now: dt.datetime | None = None) -> int | None:
    """Count one request of credential ``key`` in the current one-minute window.

    Returns None when allowed, else the seconds until the window ends (for ``Retry-After``).
    """
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    updated = RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window=window, count=1)
        except IntegrityError:
            RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
        # once per window: forget old windows
        RateCounter.objects.filter(key=key, window__lt=window - dt.timedelta(minutes=5)).delete()
        if key.startswith("t"):
            ApiToken.objects.filter(pk=int(key[1:])).update(last_used_at=now)
    count = RateCounter.objects.filter(key=key, window=window).values_list("count", flat=True).first() or 0
    if count > limit:
        return max(1, 60 - now.second)
    return None

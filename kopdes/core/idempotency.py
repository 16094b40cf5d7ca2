"""Idempotent operations: a retried request (cashier pressing twice, phone re-sending) returns the first result.

Usage in a service::

    result, replayed = run_idempotent(koperasi, "pos.sale", client_key, payload, lambda: do_sale(...),
                                      owner=f"u{user.pk}")

Keys belong to whoever made them: ``owner`` (a user ``u<id>``, a device ``d<id>``) scopes the key, so two cashiers
or two phones that happen to send the same key never see each other's result or learn that the key was used
(``docs/api.md``: keys are per user, per device for sensors, and per cooperative). Without ``owner`` a key is
shared by the whole cooperative (server-side keys such as the ledger's).

The record is inserted in the same transaction as the work, so either both exist or neither does. A concurrent
duplicate waits on the unique index (PostgreSQL) or the write lock (SQLite), then replays the first result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from .errors import Conflict
from .models import IdempotencyRecord, Koperasi


def payload_hash(payload) -> str:
    blob = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str):
    if record.request_hash != digest:
        raise Conflict(
            "Kunci idempotensi sudah dipakai untuk permintaan yang berbeda.",
            "This idempotency key was already used for a different request.",
            code="idempotency_conflict",
        )
    return record.result


def scoped_key(key: str, owner: str | None = None) -> str:
    """The stored form of a client key: ``<owner>:<key>`` (at most 100 characters)."""
    return (f"{owner}:{key}" if owner else str(key))[:100]


def run_idempotent(
    koperasi: Koperasi | None, scope: str, key: str | None, payload, fn: Callable[[], object], *,
    owner: str | None = None,
) -> tuple[object, bool]:
    """Run ``fn`` once per (koperasi, scope, owner, key). Returns ``(result, replayed)``. ``fn`` must return
    JSON-able."""
    if not key:
        with transaction.atomic():
            return fn(), False
    key = scoped_key(str(key), owner)
    digest = payload_hash(payload)
    kid = koperasi.pk if koperasi is not None else None
    try:
        with transaction.atomic():
            existing = IdempotencyRecord.objects.filter(koperasi_id=kid, scope=scope, key=key).first()
            if existing is not None:
                return _replay(existing, digest), True
            record = IdempotencyRecord.objects.create(koperasi_id=kid, scope=scope, key=key, request_hash=digest)
            result = fn()
            record.result = json.loads(json.dumps(result, cls=DjangoJSONEncoder))
            record.save(update_fields=["result"])
            return result, False
    except IntegrityError:
        # A concurrent request with the same key committed first.
        existing = IdempotencyRecord.objects.filter(koperasi_id=kid, scope=scope, key=key).first()
        if existing is None:
            raise
        return _replay(existing, digest), True

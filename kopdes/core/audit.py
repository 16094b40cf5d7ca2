"""The audit trail: every write, who made it, from where, and the row before and after.

Model saves and deletes in Kopdes apps are recorded automatically through signals; services that write in
bulk call :func:`record` with a summary. The actor comes from the request (see ``AuditContextMiddleware``)
or from :func:`acting_as` in CLI commands and jobs.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import uuid
from dataclasses import dataclass

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

_SKIP_FIELDS = {"password"}


@dataclass
class Actor:
    user_id: int | None = None
    label: str = ""
    ip: str | None = None
    user_agent: str = ""


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("kopdes_actor", default=None)
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("kopdes_audit_suppressed", default=False)


def current_actor() -> Actor:
    return _actor.get() or Actor(label="system")


@contextlib.contextmanager
def acting_as(user=None, label: str = "", ip: str | None = None, user_agent: str = ""):
    actor = Actor(
        user_id=getattr(user, "pk", None),
        label=label or (getattr(user, "username", "") if user else "system"),
        ip=ip,
        user_agent=user_agent[:300],
    )
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


@contextlib.contextmanager
def bulk_mode():
    """Turn off per-row audit for bulk jobs (demo, simulation, imports): they call ``record`` once instead."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def _jsonable(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    from django.db.models.fields.files import FieldFile

    if isinstance(value, FieldFile):  # an empty file field has no url: use the stored name only
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict:
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in _SKIP_FIELDS or getattr(f, "auto_now", False):
            continue
        data[f.attname] = _jsonable(getattr(instance, f.attname))
    return data


def _koperasi_id_of(instance) -> int | None:
    from .models import Koperasi

    if isinstance(instance, Koperasi):
        return instance.pk
    return getattr(instance, "koperasi_id", None)


def record(
    action: str,
    *,
    koperasi_id: int | None = None,
    instance: models.Model | None = None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    from .models import AuditLog

    actor = current_actor()
    AuditLog.objects.create(
        actor_id=actor.user_id,
        actor_label=actor.label[:150],
        koperasi_id_ref=koperasi_id if koperasi_id is not None else (_koperasi_id_of(instance) if instance else None),
        action=action,
        model=instance._meta.label if instance is not None else "",
        object_pk=str(instance.pk) if instance is not None and instance.pk is not None else "",
        summary=summary[:300],
        before=before,
        after=after,
        ip=actor.ip,
        user_agent=actor.user_agent,
    )


def _audited(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or not meta.app_label:
        return False
    module = sender.__module__
    if not module.startswith("kopdes."):
        return False
    if meta.label in ("core.AuditLog", "core.IdempotencyRecord"):
        return False
    return not getattr(sender, "audit_exclude", False)


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or _suppressed.get() or not _audited(sender) or instance.pk is None or instance._state.adding:
        return
    try:
        old = sender._default_manager.filter(pk=instance.pk)
        kid = instance.__dict__.get("koperasi_id")
        if kid is not None and any(f.name == "koperasi" for f in sender._meta.concrete_fields):
            old = old.filter(koperasi_id=kid)  # one shard on Citus
        old = old.first()
    except Exception:  # noqa: BLE001 - the audit must never break a write
        old = None
    instance._audit_before = snapshot(old) if old is not None else None


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw or _suppressed.get() or not _audited(sender):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if before is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed:
            return
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    record("create" if created else "update", instance=instance, before=before, after=after, summary=str(instance)[:300])


def _post_delete(sender, instance, **kwargs):
    if _suppressed.get() or not _audited(sender):
        return
    record("delete", instance=instance, before=snapshot(instance), summary=str(instance)[:300])


def connect_signals() -> None:
    pre_save.connect(_pre_save, dispatch_uid="kopdes_audit_pre_save")
    post_save.connect(_post_save, dispatch_uid="kopdes_audit_post_save")
    post_delete.connect(_post_delete, dispatch_uid="kopdes_audit_post_delete")

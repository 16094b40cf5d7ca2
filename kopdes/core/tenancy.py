"""Which tables belong to a cooperative, and what that means in the database.

Every model is one of:

- **tenant** — a subclass of :class:`~kopdes.core.models.TenantModel`: owned by one cooperative, required
  ``koperasi_id``. On PostgreSQL its primary key is ``(koperasi_id, id)``, its unique constraints start with
  ``koperasi_id`` and its foreign keys to other tenant tables are composite ``(koperasi_id, x_id) → (koperasi_id,
  id)``; on Citus it is distributed by ``koperasi_id``, all colocated.
- **reference** — a global table that tenant tables point to (regions, cooperatives, users, …): on Citus it is
  replicated to every node so that those foreign keys and joins stay on one node.
- **local** — every other global table (sessions, jobs, role assignments, tokens, audit): stays on the
  coordinator.

The classification is computed from the models, so a new model is classified the day it is written; a test fails
on a tenant model with a nullable ``koperasi``.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

TENANT, REFERENCE, LOCAL = "tenant", "reference", "local"


def _is_tenant(model: type[models.Model]) -> bool:
    from .models import TenantModel

    return issubclass(model, TenantModel)


def tenant_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if _is_tenant(m)]


def _reference_models() -> set[type[models.Model]]:
    """Global models a tenant model points to, and (closure) what those point to."""
    todo = [f.related_model for m in tenant_models() for f in m._meta.local_fields
            if f.is_relation and f.related_model is not None and not _is_tenant(f.related_model)]
    seen: set[type[models.Model]] = set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo += [f.related_model for f in m._meta.local_fields if f.is_relation and f.related_model is not None]
    return seen


def kind(model: type[models.Model]) -> str | None:
    if _is_tenant(model):
        return TENANT
    if model in _reference_models():
        return REFERENCE
    return LOCAL if model._meta.managed else None


def tenant_tables() -> list[str]:
    return sorted(m._meta.db_table for m in tenant_models())


def reference_tables() -> list[str]:
    return sorted(m._meta.db_table for m in _reference_models())


def tenant_m2m_tables() -> list[str]:
    """Auto-created many-to-many tables between tenant models: they carry no ``koperasi_id`` (must not exist)."""
    return sorted(f.remote_field.through._meta.db_table for m in tenant_models() for f in m._meta.local_many_to_many
                  if f.remote_field.through._meta.auto_created)

"""Audit for rows holding medical content: who wrote which record when — without the content.

The generic audit (``kopdes.core.audit``) stores before/after snapshots and ``str(instance)``, and the
cooperative's audit page shows them to pengurus and pengawas. For medical records that would leak notes,
diagnoses and prescriptions, so these models opt out (``audit_exclude``) and record a content-free line instead:
model, primary key and the names of the fields that changed.
"""

from __future__ import annotations

from kopdes.core import audit


def _suppressed() -> bool:
    flag = getattr(audit, "_suppressed", None)
    return bool(flag.get()) if flag is not None else False


class PrivateAuditMixin:
    audit_exclude = True
    audit_private_fields: tuple[str, ...] = ()

    def save(self, *args, **kwargs):
        created = self.pk is None or self._state.adding
        super().save(*args, **kwargs)
        if not _suppressed():
            fields = kwargs.get("update_fields")
            summary = f"{self._meta.verbose_name} #{self.pk}"
            if fields:
                summary += ": " + ", ".join(sorted(fields))
            audit.record("create" if created else "update", instance=self, summary=summary)

    def delete(self, *args, **kwargs):
        pk = self.pk
        out = super().delete(*args, **kwargs)
        if not _suppressed():
            audit.record("delete", koperasi_id=getattr(self, "koperasi_id", None),
                         summary=f"{self._meta.label} #{pk} dihapus")
        return out

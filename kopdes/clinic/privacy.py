"""Who may read medical content, enforced in one place for views, exports and queries.

Medical content = complaint, vitals, SOAP notes, diagnoses, procedures, referrals, prescriptions, allergies.

- clinical staff: an operator of unit klinik reads everything of the clinic;
- the apotek's operator reads prescriptions addressed to the apotek (and the patient's allergies) — not notes;
- the patient reads their own record (member portal account linked to the member the patient is);
- pengurus, manajer, pengawas and Dinas/national supervisors see counts and money only. The administrator
  (superuser) is not clinical staff either.

Views call :func:`require_clinical` (403 otherwise) *and* read through :func:`visits_for` / :func:`patients_for`,
which return empty querysets for anyone else — two independent locks. Every read of a record is audited with
:func:`audit_read`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from kopdes.core import audit
from kopdes.core.models import Role
from kopdes.core.units import Unit

from .models import Diagnosis, Patient, Referral, Visit


def is_clinical(access) -> bool:
    return access is not None and Role.OPERATOR in access.roles and str(Unit.KLINIK) in access.units


def is_pharmacy(access) -> bool:
    return access is not None and Role.OPERATOR in access.roles and str(Unit.APOTEK) in access.units


def can_read_prescriptions(access) -> bool:
    return is_clinical(access) or is_pharmacy(access)


def require_clinical(request) -> None:
    if not is_clinical(getattr(request, "access", None)):
        raise PermissionDenied("Catatan medis hanya untuk tenaga klinik.")


def require_prescription_reader(request) -> None:
    if not can_read_prescriptions(getattr(request, "access", None)):
        raise PermissionDenied("Resep hanya untuk tenaga klinik dan apotek.")


def patients_for(koperasi, access):
    if not is_clinical(access):
        return Patient.objects.none()
    return Patient.objects.filter(koperasi=koperasi)


def visits_for(koperasi, access):
    if not is_clinical(access):
        return Visit.objects.none()
    return Visit.objects.filter(koperasi=koperasi)


def diagnoses_for(koperasi, access):
    if not is_clinical(access):
        return Diagnosis.objects.none()
    return Diagnosis.objects.filter(koperasi=koperasi)


def referrals_for(koperasi, access):
    if not is_clinical(access):
        return Referral.objects.none()
    return Referral.objects.filter(koperasi=koperasi)


def audit_read(instance, what: str = "") -> None:
    """Record that someone read a medical record (who, when, from where: see core.audit)."""
    audit.record("read", instance=instance, summary=(what or f"Baca {instance._meta.verbose_name}: {instance}")[:300])

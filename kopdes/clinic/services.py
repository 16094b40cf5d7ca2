"""Clinic operations. Each one is atomic and refuses bad input with a bilingual ``DomainError``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kopdes.core import numbering
from kopdes.core.errors import DomainError
from kopdes.core.identity import is_digits, validate_nik
from kopdes.core.units import Unit

from . import icd10
from .models import ClinicSettings, Diagnosis, Patient, Referral, Tariff, Visit, VisitProcedure

ZERO = Decimal("0")

DEFAULT_TARIFFS = [
    # code, name, kind, member, public
    ("KONS", "Konsultasi & pemeriksaan umum", Tariff.Kind.KONSULTASI, "10000", "20000"),
    ("KONS-ANAK", "Pemeriksaan anak/balita", Tariff.Kind.KONSULTASI, "5000", "15000"),
    ("RAWAT-LUKA", "Perawatan luka sederhana", Tariff.Kind.TINDAKAN, "15000", "25000"),
    ("JAHIT", "Jahit luka (hecting) per luka", Tariff.Kind.TINDAKAN, "35000", "50000"),
    ("GDS", "Cek gula darah sewaktu", Tariff.Kind.TINDAKAN, "10000", "15000"),
    ("KOL", "Cek kolesterol", Tariff.Kind.TINDAKAN, "15000", "25000"),
    ("AU", "Cek asam urat", Tariff.Kind.TINDAKAN, "10000", "15000"),
    ("NEBU", "Nebulisasi", Tariff.Kind.TINDAKAN, "20000", "30000"),
    ("INJ", "Injeksi", Tariff.Kind.TINDAKAN, "10000", "15000"),
    ("EKS-SERUMEN", "Ekstraksi serumen", Tariff.Kind.TINDAKAN, "15000", "25000"),
]


def _err(mid: str, men: str, field: str | None = None, code: str = "invalid") -> DomainError:
    return DomainError(mid, men, field=field, code=code)


def next_number(koperasi, series: str, year: int) -> int:
    """The clinic's series (RM medical records, KJ visits, RJK referrals): core numbering ``clinic.<series>``."""
    return numbering.next_value(koperasi, f"clinic.{series}", year)


def settings_for(koperasi) -> ClinicSettings:
    s = ClinicSettings.objects.filter(koperasi=koperasi).first()
    if s is None:
        s, _c = ClinicSettings.objects.get_or_create(koperasi=koperasi)
    return s


@transaction.atomic
def ensure_default_tariffs(koperasi) -> None:
    have = set(Tariff.objects.filter(koperasi=koperasi).values_list("code", flat=True))
    Tariff.objects.bulk_create([
        Tariff(koperasi=koperasi, code=c, name=n, kind=k, member_price=Decimal(m), public_price=Decimal(p))
        for c, n, k, m, p in DEFAULT_TARIFFS if c not in have
    ])


# --- members (optional link; no foreign key) ---------------------------------------------------------------

def member_info(koperasi, member_id: int | None):
    """(id, number, name, active) of a member of this cooperative, or None."""
    if not member_id:
        return None
    from kopdes.members.models import Member

    m = Member.objects.filter(koperasi=koperasi, pk=member_id).first()
    if m is None:
        return None
    return {"id": m.pk, "number": m.number, "name": m.name, "active": m.status == "aktif", "user_id": m.user_id}


def find_member(koperasi, text: str):
    from kopdes.members.services import find_member_by_card

    return find_member_by_card(koperasi, text)


# --- patients ------------------------------------------------------------------------------------------------

def _clean_patient(koperasi, data: dict, *, instance: Patient | None = None) -> dict:
    out = dict(data)
    name = " ".join((out.get("name") or "").split())
    if len(name) < 2:
        raise _err("Nama pasien wajib diisi.", "The patient's name is required.", "name", "name_required")
    out["name"] = name
    birth = out.get("birth_date")
    if not isinstance(birth, dt.date):
        raise _err("Tanggal lahir wajib diisi.", "Birth date is required.", "birth_date", "birth_required")
    if birth > timezone.localdate():
        raise _err("Tanggal lahir tidak boleh di masa depan.", "Birth date is in the future.", "birth_date")
    sex = out.get("sex")
    if sex not in ("L", "P"):
        raise _err("Pilih jenis kelamin.", "Choose the sex.", "sex")
    nik = (out.get("nik") or "").strip()
    if nik:
        try:
            validate_nik(nik, birth_date=birth, sex=sex)
        except ValidationError as exc:
            text = " ".join(exc.messages)
            mid, _s, men = text.partition(" / ")
            raise _err(mid, men or mid, "nik", "nik") from None
        dup = Patient.objects.filter(koperasi=koperasi, nik=nik)
        if instance is not None:
            dup = dup.exclude(pk=instance.pk)
        other = dup.first()
        if other is not None:
            raise _err(f"NIK {nik} sudah terdaftar sebagai pasien {other.mrn} ({other.name}).",
                       f"NIK {nik} is already registered as patient {other.mrn}.", "nik", "duplicate_nik")
    out["nik"] = nik
    bpjs = (out.get("bpjs_number") or "").strip().replace(" ", "")
    if bpjs and not is_digits(bpjs, 13):
        raise _err("Nomor BPJS Kesehatan harus 13 digit angka.", "The BPJS Kesehatan number must be 13 digits.",
                   "bpjs_number", "bpjs")
    out["bpjs_number"] = bpjs
    out["allergies"] = " ".join((out.get("allergies") or "").split())
    return out


FIELDS = ("name", "nik", "birth_date", "sex", "phone", "address", "bpjs_number", "allergies", "member_id")


@transaction.atomic
def register_patient(koperasi, *, by=None, **data) -> Patient:
    data = _clean_patient(koperasi, data)
    seq = next_number(koperasi, "RM", 0)
    return Patient.objects.create(koperasi=koperasi, seq=seq, mrn=f"RM-{seq:06d}",
                                  **{k: data.get(k) for k in FIELDS if k in data})


@transaction.atomic
def update_patient(patient: Patient, *, by=None, **data) -> Patient:
    merged = {k: getattr(patient, k) for k in FIELDS}
    merged.update(data)
    merged = _clean_patient(patient.koperasi, merged, instance=patient)
    for k in FIELDS:
        setattr(patient, k, merged.get(k))
    patient.save()
    return patient


def search_patients(qs, text: str, limit: int = 30):
    """Fast search over an already-scoped queryset: MRN, NIK, BPJS, phone (digits) or name prefix/words."""
    text = (text or "").strip()
    if not text:
        return list(qs.order_by("-seq")[:limit])
    up = text.upper()
    if up.startswith("RM-") or up.startswith("RM"):
        digits = "".join(ch for ch in up if ch.isdigit())
        if digits:
            return list(qs.filter(seq=int(digits))[:limit])
    if text.isdigit():
        if len(text) == 16:
            return list(qs.filter(nik=text)[:limit])
        if len(text) == 13:
            return list(qs.filter(bpjs_number=text)[:limit])
        if text.startswith("0") or text.startswith("62"):
            return list(qs.filter(phone=text)[:limit])
        return list(qs.filter(seq=int(text))[:limit])
    key = " ".join(text.lower().split())
    found = list(qs.filter(name_key__startswith=key).order_by("name_key")[:limit])
    if len(found) < limit:
        seen = {p.pk for p in found}
        more = qs.filter(name_key__contains=" " + key).order_by("name_key")[: limit - len(found) + len(seen)]
        found += [p for p in more if p.pk not in seen][: limit - len(found)]
    return found


# --- visits --------------------------------------------------------------------------------------------------

def _editable(visit: Visit) -> None:
    if visit.status == Visit.Status.BATAL:
        raise _err("Kunjungan ini sudah dibatalkan.", "This visit was cancelled.", code="visit_cancelled")


@transaction.atomic
def register_visit(koperasi, *, patient: Patient | None, complaint: str = "", date: dt.date | None = None,
                   consultation: Tariff | None = None, by=None) -> Visit:
    if patient is None:
        raise _err("Pilih pasien terlebih dahulu: kunjungan tanpa pasien tidak dapat didaftarkan.",
                   "Choose a patient: a visit cannot be registered without one.", "patient", "patient_required")
    if patient.koperasi_id != koperasi.pk:
        raise _err("Pasien tidak ditemukan.", "Patient not found.", "patient", "not_found")
    date = date or timezone.localdate()
    if consultation is None:
        ensure_default_tariffs(koperasi)
        consultation = Tariff.objects.filter(koperasi=koperasi, kind=Tariff.Kind.KONSULTASI, active=True).first()
    if consultation is not None and consultation.koperasi_id != koperasi.pk:
        raise _err("Tarif tidak ditemukan.", "Tariff not found.", "consultation", "not_found")
    member = member_info(koperasi, patient.member_id)
    member_id = member["id"] if member and member["active"] else None
    fee = consultation.price_for(member_id is not None) if consultation else ZERO
    n = next_number(koperasi, "KJ", date.year)
    # read after the KJ counter row is locked (held until commit): concurrent registrations queue one by one
    queue_no = (Visit.objects.filter(koperasi=koperasi, date=date).aggregate(m=Max("queue_no"))["m"] or 0) + 1
    return Visit.objects.create(
        koperasi=koperasi, number=f"KJ-{date.year}-{n:06d}", queue_no=queue_no, date=date, patient=patient,
        member_id=member_id, complaint=(complaint or "").strip(), consultation=consultation, consultation_fee=fee,
        fee_total=fee, created_by=by if getattr(by, "pk", None) else None,
    )


VITAL_RANGES = {
    "systolic": (50, 300, "Sistolik", "mmHg"), "diastolic": (20, 200, "Diastolik", "mmHg"),
    "temperature": (30, 45, "Suhu", "°C"), "weight": (Decimal("0.3"), 350, "Berat badan", "kg"),
    "height": (20, 250, "Tinggi badan", "cm"), "pulse": (20, 250, "Nadi", "/menit"),
    "resp_rate": (4, 80, "Frekuensi napas", "/menit"),
}


@transaction.atomic
def record_triage(visit: Visit, *, by=None, **vitals) -> Visit:
    _editable(visit)
    for field, (lo, hi, label, unit) in VITAL_RANGES.items():
        if field not in vitals:
            continue
        value = vitals[field]
        if value in ("", None):
            setattr(visit, field, None)
            continue
        try:
            num = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            raise _err(f"{label} harus angka.", f"{label} must be a number.", field) from None
        if not (Decimal(lo) <= num <= Decimal(hi)):
            raise _err(f"{label} {num} {unit} di luar rentang wajar ({lo}–{hi}).",
                       f"{label} {num} {unit} is outside the plausible range ({lo}–{hi}).", field, "vital_range")
        setattr(visit, field, num if field in ("temperature", "weight", "height") else int(num))
    if visit.systolic and visit.diastolic and visit.diastolic >= visit.systolic:
        raise _err("Diastolik harus lebih kecil dari sistolik.", "Diastolic must be below systolic.", "diastolic")
    if visit.status == Visit.Status.MENUNGGU:
        visit.status = Visit.Status.DIPERIKSA
    visit.save()
    return visit


@transaction.atomic
def record_soap(visit: Visit, *, subjective: str = "", objective: str = "", assessment: str = "", plan: str = "",
                by=None) -> Visit:
    _editable(visit)
    visit.subjective, visit.objective = subjective.strip(), objective.strip()
    visit.assessment, visit.plan = assessment.strip(), plan.strip()
    visit.examiner = by if getattr(by, "pk", None) else visit.examiner
    visit.examined_at = timezone.now()
    if visit.status == Visit.Status.MENUNGGU:
        visit.status = Visit.Status.DIPERIKSA
    visit.save()
    return visit


@transaction.atomic
def add_diagnosis(visit: Visit, code: str, *, primary: bool = False) -> Diagnosis:
    _editable(visit)
    found = icd10.get(code)
    if found is None:
        raise _err(f"Kode ICD-10 '{code}' tidak dikenal. Cari dengan nama penyakit atau kode (mis. J06.9).",
                   f"Unknown ICD-10 code '{code}'. Search by disease name or code (e.g. J06.9).", "code", "icd10")
    if Diagnosis.objects.filter(visit=visit, code=found.code).exists():
        raise _err(f"Diagnosis {found.code} sudah dicatat.", f"Diagnosis {found.code} is already recorded.", "code",
                   "duplicate")
    has_primary = Diagnosis.objects.filter(visit=visit, primary=True).exists()
    if primary and has_primary:
        Diagnosis.objects.filter(visit=visit, primary=True).update(primary=False)
    return Diagnosis.objects.create(koperasi_id=visit.koperasi_id, visit=visit, code=found.code,
                                    name=found.name[:255], primary=primary or not has_primary, date=visit.date)


@transaction.atomic
def remove_diagnosis(visit: Visit, diagnosis_id: int) -> None:
    _editable(visit)
    for d in Diagnosis.objects.filter(visit=visit, pk=diagnosis_id):
        d.delete()


def _recompute_fee(visit: Visit) -> None:
    total = visit.consultation_fee + sum((p.amount for p in visit.procedures.all()), ZERO)
    visit.fee_total = total
    visit.save(update_fields=["fee_total"])


@transaction.atomic
def add_procedure(visit: Visit, tariff: Tariff, *, qty: int = 1, note: str = "") -> VisitProcedure:
    _editable(visit)
    if visit.is_paid:
        raise _err("Kunjungan sudah dibayar; tindakan tidak dapat ditambah.", "The visit is already paid.",
                   "tariff", "paid")
    if tariff.koperasi_id != visit.koperasi_id or not tariff.active:
        raise _err("Tarif tindakan tidak ditemukan.", "Procedure tariff not found.", "tariff", "not_found")
    qty = int(qty or 1)
    if qty < 1:
        raise _err("Jumlah minimal 1.", "Quantity must be at least 1.", "qty")
    price = tariff.price_for(visit.member_id is not None)
    p = VisitProcedure.objects.create(koperasi_id=visit.koperasi_id, visit=visit, tariff=tariff, name=tariff.name,
                                      qty=qty, unit_price=price, amount=price * qty, note=note[:200])
    _recompute_fee(visit)
    return p


@transaction.atomic
def prescribe(visit: Visit, items: list[dict], *, by=None, note: str = ""):
    """Electronic prescription sent to the apotek. ``items``: ``[{"drug": Drug, "qty": n, "signa": "3x1"}]``."""
    _editable(visit)
    from kopdes.pharmacy import services as pharmacy

    patient = visit.patient
    prescriber = getattr(by, "display_name", "") or "Klinik desa"
    return pharmacy.create_prescription(
        visit.koperasi, source="klinik", items=items, date=visit.date, visit_id=visit.pk, patient_id=patient.pk,
        patient_name=patient.name, patient_age=patient.age_label, member_id=visit.member_id,
        allergies=patient.allergies, prescriber_name=prescriber,
        prescriber_place=settings_for(visit.koperasi).clinic_name, note=note, by=by,
    )


@transaction.atomic
def create_referral(visit: Visit, *, destination: str, reason: str, specialty: str = "", summary: str = "",
                    by=None) -> Referral:
    _editable(visit)
    if not (destination or "").strip():
        raise _err("Tujuan rujukan wajib diisi.", "The referral destination is required.", "destination")
    if not (reason or "").strip():
        raise _err("Alasan rujukan wajib diisi.", "The reason for referral is required.", "reason")
    n = next_number(visit.koperasi, "RJK", visit.date.year)
    return Referral.objects.create(
        koperasi_id=visit.koperasi_id, visit=visit, number=f"RJK-{visit.date.year}-{n:05d}", date=visit.date,
        destination=destination.strip(), specialty=specialty.strip(), reason=reason.strip(), summary=summary.strip(),
        created_by=by if getattr(by, "pk", None) else None,
    )


@transaction.atomic
def finish_visit(visit: Visit, *, by=None) -> Visit:
    _editable(visit)
    if not visit.diagnoses.exists():
        raise _err("Isi minimal satu diagnosis (ICD-10) sebelum menyelesaikan kunjungan.",
                   "Record at least one ICD-10 diagnosis before finishing the visit.", "code", "diagnosis_required")
    visit.status = Visit.Status.SELESAI
    visit.save(update_fields=["status"])
    return visit


@transaction.atomic
def cancel_visit(visit: Visit, *, by=None) -> Visit:
    if visit.is_paid:
        raise _err("Kunjungan yang sudah dibayar tidak dapat dibatalkan.", "A paid visit cannot be cancelled.")
    visit.status = Visit.Status.BATAL
    visit.save(update_fields=["status"])
    return visit


PAY_ACCOUNTS = {"tunai": "1106", "qris": "1112", "transfer": "1112"}


@transaction.atomic
def pay_visit(visit: Visit, *, method: str = "tunai", by=None, date: dt.date | None = None) -> Visit:
    """Payment at the clinic cashier: Dr kas klinik (1106) / Cr 4131 jasa klinik anggota (member) or 4132."""
    visit = Visit.objects.locked(visit.koperasi_id).get(pk=visit.pk)
    if visit.status == Visit.Status.BATAL:
        raise _err("Kunjungan batal tidak dapat dibayar.", "A cancelled visit cannot be paid.", code="visit_cancelled")
    if visit.is_paid:
        raise _err(f"Kunjungan {visit.number} sudah dibayar.", f"Visit {visit.number} is already paid.",
                   code="already_paid")
    if method not in PAY_ACCOUNTS:
        raise _err("Cara bayar tidak dikenal.", "Unknown payment method.", "method")
    _recompute_fee(visit)
    date = date or timezone.localdate()
    entry_id = None
    if visit.fee_total > 0:
        from kopdes.ledger.services import Line, post

        income = "4131" if visit.member_id else "4132"
        entry = post(visit.koperasi, date=date, memo=f"Jasa klinik {visit.number}", lines=[
            Line(PAY_ACCOUNTS[method], debit=visit.fee_total, unit=Unit.KLINIK, member_id=visit.member_id),
            Line(income, credit=visit.fee_total, unit=Unit.KLINIK, member_id=visit.member_id),
        ], source="clinic.Visit", source_id=str(visit.pk), by=by if getattr(by, "pk", None) else None)
        entry_id = entry.pk
    visit.paid_at = timezone.now()
    visit.payment_method = method
    visit.journal_entry_id = entry_id
    visit.save(update_fields=["paid_at", "payment_method", "journal_entry_id", "fee_total"])
    return visit

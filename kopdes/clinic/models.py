"""Klinik desa: patients, queue and visits (triage, SOAP, ICD-10 diagnoses, procedures), referrals, tariffs.

Medical content (complaint, vitals, SOAP notes, diagnoses, referrals) is private: read it only through
``kopdes.clinic.privacy`` (clinical staff and the patient themself). Prescriptions live in the pharmacy app
(``pharmacy.Prescription``) because the apotek also dispenses paper prescriptions.
Members are referenced by ``member_id`` (no cross-app foreign key).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.core.models import TenantForeignKey, TenantModel, TenantQuerySet

from .private_audit import PrivateAuditMixin

MONEY = {"max_digits": 18, "decimal_places": 2}
ZERO = Decimal("0")


def name_key(name: str) -> str:
    return " ".join((name or "").lower().split())


class ClinicSettings(TenantModel):
    clinic_name = models.CharField(_("nama klinik"), max_length=120, default="Klinik Desa")
    puskesmas_name = models.CharField(_("puskesmas pembina"), max_length=120, blank=True)
    address = models.CharField(_("alamat"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["koperasi"], name="clinic_settings_unique")]


class Tariff(TenantModel):
    class Kind(models.TextChoices):
        KONSULTASI = "konsultasi", _("Konsultasi/pemeriksaan")
        TINDAKAN = "tindakan", _("Tindakan")

    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("nama"), max_length=120)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices, default=Kind.TINDAKAN)
    member_price = models.DecimalField(_("tarif anggota"), **MONEY)
    public_price = models.DecimalField(_("tarif umum"), **MONEY)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "code"], name="clinic_tariff_code_unique"),
            models.CheckConstraint(condition=Q(member_price__gte=0) & Q(public_price__gte=0),
                                   name="clinic_tariff_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name

    def price_for(self, is_member: bool) -> Decimal:
        return self.member_price if is_member else self.public_price


class Patient(PrivateAuditMixin, TenantModel):
    """A patient of the cooperative's clinic: member or not. ``mrn`` = nomor rekam medis per cooperative."""

    class Sex(models.TextChoices):
        L = "L", _("Laki-laki")
        P = "P", _("Perempuan")

    seq = models.PositiveIntegerField(editable=False)
    mrn = models.CharField(_("nomor rekam medis"), max_length=20)
    name = models.CharField(_("nama lengkap"), max_length=120)
    name_key = models.CharField(max_length=120, editable=False, default="")
    nik = models.CharField(_("NIK"), max_length=16, blank=True,
                           help_text=_("kosongkan untuk bayi/anak yang belum punya NIK"))
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("nomor HP"), max_length=16, blank=True)
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    bpjs_number = models.CharField(_("nomor BPJS Kesehatan"), max_length=13, blank=True)
    allergies = models.CharField(_("alergi"), max_length=300, blank=True,
                                 help_text=_("mis. amoksisilin, sulfa; kosong = tidak ada yang diketahui"))
    member_id = models.BigIntegerField(_("anggota"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("pasien")
        verbose_name_plural = _("pasien")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "seq"], name="clinic_patient_seq_unique"),
            models.UniqueConstraint(fields=["koperasi", "mrn"], name="clinic_patient_mrn_unique"),
            models.UniqueConstraint(fields=["koperasi", "nik"], condition=~Q(nik=""), name="clinic_patient_nik_unique"),
        ]
        indexes = [
            models.Index(fields=["koperasi", "name_key"], name="clinic_patient_name",
                         opclasses=["int8_ops", "varchar_pattern_ops"]),
            models.Index(fields=["koperasi", "nik"], name="clinic_patient_nik"),
            models.Index(fields=["koperasi", "bpjs_number"], name="clinic_patient_bpjs"),
            models.Index(fields=["koperasi", "phone"], name="clinic_patient_phone"),
            models.Index(fields=["koperasi", "member_id"], name="clinic_patient_member"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.mrn})"

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)

    def age(self, on: dt.date | None = None) -> int:
        on = on or timezone.localdate()
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    @property
    def age_label(self) -> str:
        years = self.age()
        if years >= 1:
            return f"{years} th"
        months = (timezone.localdate() - self.birth_date).days // 30
        return f"{months} bln"


class Visit(PrivateAuditMixin, TenantModel):
    """One visit (kunjungan): registration in the queue, triage, examination (SOAP), diagnoses, payment."""

    class Status(models.TextChoices):
        MENUNGGU = "menunggu", _("Menunggu")
        DIPERIKSA = "diperiksa", _("Sedang diperiksa")
        SELESAI = "selesai", _("Selesai")
        BATAL = "batal", pgettext_lazy("status", "Batal")

    number = models.CharField(_("nomor kunjungan"), max_length=30)
    queue_no = models.PositiveIntegerField(_("nomor antrean"))
    date = models.DateField(_("tanggal"))
    registered_at = models.DateTimeField(default=timezone.now)
    patient = TenantForeignKey(Patient, on_delete=models.PROTECT, related_name="visits", verbose_name=_("pasien"))
    member_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.MENUNGGU)
    complaint = models.TextField(_("keluhan utama"), blank=True)
    # triage
    systolic = models.PositiveSmallIntegerField(_("sistolik (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("diastolik (mmHg)"), null=True, blank=True)
    temperature = models.DecimalField(_("suhu (°C)"), max_digits=4, decimal_places=1, null=True, blank=True)
    weight = models.DecimalField(_("berat (kg)"), max_digits=5, decimal_places=1, null=True, blank=True)
    height = models.DecimalField(_("tinggi (cm)"), max_digits=5, decimal_places=1, null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(_("nadi (/menit)"), null=True, blank=True)
    resp_rate = models.PositiveSmallIntegerField(_("napas (/menit)"), null=True, blank=True)
    # SOAP
    subjective = models.TextField(_("S — subjektif (anamnesis)"), blank=True)
    objective = models.TextField(_("O — objektif (pemeriksaan)"), blank=True)
    assessment = models.TextField(_("A — asesmen"), blank=True)
    plan = models.TextField(_("P — rencana/terapi"), blank=True)
    examiner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    examined_at = models.DateTimeField(null=True, blank=True)
    # money
    consultation = TenantForeignKey(Tariff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    consultation_fee = models.DecimalField(default=ZERO, **MONEY)
    fee_total = models.DecimalField(default=ZERO, **MONEY)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_method = models.CharField(max_length=10, blank=True)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-date", "queue_no"]
        verbose_name = _("kunjungan")
        verbose_name_plural = _("kunjungan")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="clinic_visit_number_unique"),
            models.UniqueConstraint(fields=["koperasi", "date", "queue_no"], name="clinic_visit_queue_unique"),
        ]
        indexes = [models.Index(fields=["koperasi", "date", "status"], name="clinic_visit_day"),
                   models.Index(fields=["koperasi", "patient", "-date"], name="clinic_visit_patient")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def bmi(self) -> Decimal | None:
        if self.weight and self.height:
            m = self.height / 100
            return (self.weight / (m * m)).quantize(Decimal("0.1"))
        return None


class Diagnosis(PrivateAuditMixin, TenantModel):
    visit = TenantForeignKey(Visit, on_delete=models.CASCADE, related_name="diagnoses")
    code = models.CharField(_("kode ICD-10"), max_length=8)
    name = models.CharField(_("nama diagnosis"), max_length=255)
    primary = models.BooleanField(_("diagnosis utama"), default=False)
    date = models.DateField()

    class Meta:
        ordering = ["-primary", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "code"], name="clinic_diagnosis_unique")]
        indexes = [models.Index(fields=["koperasi", "date", "code"], name="clinic_diagnosis_month")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class VisitProcedure(PrivateAuditMixin, TenantModel):
    visit = TenantForeignKey(Visit, on_delete=models.CASCADE, related_name="procedures")
    tariff = TenantForeignKey(Tariff, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    qty = models.PositiveSmallIntegerField(default=1)
    unit_price = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)
    note = models.CharField(_("catatan"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]


class Referral(PrivateAuditMixin, TenantModel):
    """Surat rujukan to the puskesmas or a hospital."""

    visit = TenantForeignKey(Visit, on_delete=models.PROTECT, related_name="referrals")
    number = models.CharField(max_length=30)
    date = models.DateField()
    destination = models.CharField(_("tujuan rujukan"), max_length=160)
    specialty = models.CharField(_("poli/spesialis"), max_length=80, blank=True)
    reason = models.TextField(_("alasan rujukan"))
    summary = models.TextField(_("ringkasan klinis & terapi yang sudah diberikan"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "number"], name="clinic_referral_number_unique")]

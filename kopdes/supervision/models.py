"""Supervision data: formation of every village's KDMP, per-cooperative snapshots, health scores, visits,
early warnings and pre-aggregated region totals.

Tables
- ``VillageFormation``: one row per desa/kelurahan whose formation has started (keyed by the village code, like
  the region table; linked to its cooperative when one is registered). Villages without a row are "belum mulai".
- ``FormationEvidence``: files proving a milestone (PDF/image), stored outside MEDIA_ROOT, served by a view that
  checks access.
- ``CoopSnapshot`` (tenant): the cooperative's figures (members, savings, loans, NPL, assets, equity, revenue and
  result per unit, last RAT, freshness) + current health class and warning flags. Refreshed incrementally (a
  ``dirty`` flag set on activity) and by the full refresh command. Dashboards never read journal lines.
- ``HealthScore`` (tenant): the score per period with the per-indicator breakdown (trend = the rows over time).
- ``GovernanceIndicator`` / ``AnnualMeetingReport`` (tenant): manual indicators entered by the Dinas; RAT held.
- ``SupervisionVisit`` + ``VisitFinding`` (tenant): the Dinas' visit form.
- ``RegionStat``: totals per region (national, provinsi, kabupaten, kecamatan) as counters, kept in step with the
  snapshots by deltas and rebuilt by the full refresh.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.core.models import Koperasi, Region, TenantForeignKey, TenantModel
from kopdes.core.units import Unit

MONEY = {"max_digits": 18, "decimal_places": 2}

# --- formation ----------------------------------------------------------------------------------------------

#: the legal/administrative milestones, in the order they must happen (dates may not go backwards)
MILESTONES: list[tuple[str, Any]] = [
    ("sosialisasi", _("Sosialisasi")),
    ("musdesus", _("Musyawarah desa khusus")),
    ("rapat_pendirian", _("Rapat pendirian")),
    ("akta", _("Akta notaris")),
    ("ahu", _("SK badan hukum (AHU)")),
    ("nib", _("NIB (OSS)")),
    ("npwp", _("NPWP")),
    ("rekening", _("Rekening bank")),
]
MILESTONE_KEYS = [k for k, _l in MILESTONES]
MILESTONE_LABELS = dict(MILESTONES)

#: stage = number of consecutive milestones done; 9 = all done and at least one unit operational
STAGES: list[tuple[int, Any]] = [
    (0, _("Belum mulai")),
    (1, _("Sosialisasi")),
    (2, _("Musdesus")),
    (3, _("Rapat pendirian")),
    (4, _("Akta notaris")),
    (5, _("Badan hukum (AHU)")),
    (6, _("NIB")),
    (7, _("NPWP")),
    (8, _("Rekening bank")),
    (9, _("Beroperasi")),
]
STAGE_LABELS = dict(STAGES)
#: what a village at stage k is waiting for
NEXT_STEP = {i: (MILESTONES[i][1] if i < len(MILESTONES) else _("Unit usaha beroperasi")) for i in range(9)}


class BuildingStatus(models.TextChoices):
    BELUM = "belum", _("Belum ada")
    LAHAN = "lahan", _("Lahan tersedia")
    DIBANGUN = "dibangun", _("Sedang dibangun")
    SELESAI = "selesai", _("Bangunan selesai")
    BEROPERASI = "beroperasi", _("Gerai beroperasi")


class RecordedVia(models.TextChoices):
    KOPERASI = "koperasi", _("Koperasi")
    DINAS = "dinas", _("Dinas")
    IMPOR = "impor", _("Impor Excel")
    SIMULASI = "simulasi", _("Simulasi")
    SISTEM = "sistem", _("Sistem")


UNIT_CODES = [u.value for u in Unit]


class VillageFormation(models.Model):
    """Formation progress of the KDMP of one desa/kelurahan."""

    region = models.OneToOneField(Region, primary_key=True, on_delete=models.PROTECT, related_name="formation",
                                  db_constraint=False, verbose_name=_("desa/kelurahan"))
    koperasi = models.OneToOneField(Koperasi, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="formation", verbose_name=_("koperasi"))
    formation_model = models.CharField(_("model pembentukan"), max_length=14,
                                       choices=Koperasi.FormationModel.choices, default=Koperasi.FormationModel.BARU)
    stage = models.PositiveSmallIntegerField(_("tahap"), default=0, db_index=True)
    sosialisasi_date = models.DateField(_("tanggal sosialisasi"), null=True, blank=True)
    musdesus_date = models.DateField(_("tanggal musdesus"), null=True, blank=True)
    musdesus_attendance = models.PositiveIntegerField(_("jumlah hadir musdesus"), null=True, blank=True)
    musdesus_berita_acara = models.CharField(_("nomor berita acara musdesus"), max_length=80, blank=True)
    rapat_pendirian_date = models.DateField(_("tanggal rapat pendirian"), null=True, blank=True)
    rapat_pendirian_attendance = models.PositiveIntegerField(_("jumlah pendiri hadir"), null=True, blank=True)
    akta_date = models.DateField(_("tanggal akta"), null=True, blank=True)
    akta_number = models.CharField(_("nomor akta"), max_length=80, blank=True)
    notary_name = models.CharField(_("nama notaris"), max_length=120, blank=True)
    ahu_date = models.DateField(_("tanggal SK AHU"), null=True, blank=True)
    ahu_number = models.CharField(_("nomor SK AHU"), max_length=80, blank=True)
    nib_date = models.DateField(_("tanggal NIB"), null=True, blank=True)
    nib = models.CharField(_("NIB"), max_length=13, blank=True)
    npwp_date = models.DateField(_("tanggal NPWP"), null=True, blank=True)
    npwp = models.CharField(_("NPWP"), max_length=20, blank=True)
    rekening_date = models.DateField(_("tanggal buka rekening"), null=True, blank=True)
    bank_name = models.CharField(_("bank"), max_length=80, blank=True)
    bank_account = models.CharField(_("nomor rekening"), max_length=30, blank=True)
    building_status = models.CharField(_("status bangunan/gerai"), max_length=12, choices=BuildingStatus.choices,
                                       default=BuildingStatus.BELUM)
    # each unit: the date it started operating (null = not operating)
    unit_kantor = models.DateField(_("kantor koperasi beroperasi sejak"), null=True, blank=True)
    unit_sembako = models.DateField(_("gerai sembako beroperasi sejak"), null=True, blank=True)
    unit_simpan_pinjam = models.DateField(_("simpan pinjam beroperasi sejak"), null=True, blank=True)
    unit_klinik = models.DateField(_("klinik desa beroperasi sejak"), null=True, blank=True)
    unit_apotek = models.DateField(_("apotek desa beroperasi sejak"), null=True, blank=True)
    unit_pergudangan = models.DateField(_("pergudangan beroperasi sejak"), null=True, blank=True)
    unit_logistik = models.DateField(_("logistik beroperasi sejak"), null=True, blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    recorded_via = models.CharField(max_length=10, choices=RecordedVia.choices, default=RecordedVia.DINAS)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["region_id"]
        verbose_name = _("pembentukan KDMP")
        verbose_name_plural = _("pembentukan KDMP")
        indexes = [models.Index(fields=["stage", "region"], name="sup_formation_stage")]

    def __str__(self) -> str:
        return f"Pembentukan {self.region_id} (tahap {self.stage})"

    def milestone_date(self, key: str):
        return getattr(self, f"{key}_date")

    def units_operational(self) -> list[str]:
        return [u for u in UNIT_CODES if getattr(self, f"unit_{u}")]

    def compute_stage(self) -> int:
        n = 0
        for key in MILESTONE_KEYS:
            if self.milestone_date(key) is None:
                break
            n += 1
        if n == len(MILESTONE_KEYS) and self.units_operational():
            n += 1
        return n

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS.get(self.stage, "?")


class _EvidenceStorage(LazyObject):
    """Evidence files live outside MEDIA_ROOT (never served as static media): only the evidence view sends them."""

    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.VAR_DIR / "private" / "supervision")


evidence_storage = _EvidenceStorage()


def _evidence_storage():
    return evidence_storage


class FormationEvidence(models.Model):
    formation = models.ForeignKey(VillageFormation, on_delete=models.CASCADE, related_name="evidence")
    milestone = models.CharField(_("tahap"), max_length=20)
    file = models.FileField(_("berkas"), upload_to="bukti/%Y/%m/", storage=_evidence_storage, max_length=200)
    original_name = models.CharField(_("nama berkas"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["milestone", "-uploaded_at"]
        verbose_name = _("bukti pembentukan")
        verbose_name_plural = _("bukti pembentukan")

    def __str__(self) -> str:
        return self.original_name

    @property
    def milestone_label(self) -> str:
        return MILESTONE_LABELS.get(self.milestone, self.milestone)


# --- snapshots and health -----------------------------------------------------------------------------------


class HealthClass(models.TextChoices):
    SEHAT = "sehat", _("Sehat")
    CUKUP = "cukup", _("Cukup sehat")
    PENGAWASAN = "pengawasan", _("Dalam pengawasan")
    KHUSUS = "khusus", _("Dalam pengawasan khusus")
    BELUM = "belum", _("Belum dinilai")


HEALTH_CLASS_ORDER = ["sehat", "cukup", "pengawasan", "khusus", "belum"]


class Warning(models.TextChoices):  # noqa: A001 - domain name
    NO_RAT = "no_rat", _("Belum RAT > 6 bulan setelah tutup buku")
    NPL = "npl", _("NPL di atas batas")
    NEG_EQUITY = "neg_equity", _("Ekuitas negatif")
    CASH_DIFF = "cash_diff", _("Selisih kas")
    INACTIVE = "inactive", _("Tidak ada transaksi")
    WAJIB_ARREARS = "wajib_arrears", _("Tunggakan simpanan wajib")


WARNING_CODES = [w.value for w in Warning]


class CoopSnapshot(TenantModel):
    """The cooperative's figures for supervisors. One row per cooperative."""

    class Source(models.TextChoices):
        BUKU = "buku", _("Dari pembukuan")
        SIMULASI = "simulasi", _("Simulasi")

    region_code = models.CharField(max_length=13, db_index=True)  # denormalised for prefix filters
    as_of = models.DateField(_("per tanggal"))
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.BUKU)
    members = models.PositiveIntegerField(_("anggota aktif"), default=0)
    members_new_90d = models.PositiveIntegerField(default=0)
    simpanan_pokok = models.DecimalField(**MONEY, default=0)
    simpanan_wajib = models.DecimalField(**MONEY, default=0)
    simpanan_sukarela = models.DecimalField(**MONEY, default=0)
    loans_outstanding = models.DecimalField(**MONEY, default=0)
    npl_amount = models.DecimalField(**MONEY, default=0)
    npl_ratio = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)  # percent; None=unknown
    assets = models.DecimalField(**MONEY, default=0)
    liabilities = models.DecimalField(**MONEY, default=0)
    equity = models.DecimalField(**MONEY, default=0)
    revenue = models.DecimalField(**MONEY, default=0)  # fiscal year to date
    result = models.DecimalField(**MONEY, default=0)  # fiscal year to date (before tax)
    revenue_by_unit = models.JSONField(default=dict, blank=True)
    result_by_unit = models.JSONField(default=dict, blank=True)
    cash_difference = models.DecimalField(**MONEY, default=0)  # shortages in the last 90 days
    wajib_arrears_members = models.PositiveIntegerField(default=0)
    wajib_arrears_ratio = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    last_rat_date = models.DateField(null=True, blank=True)
    last_activity_date = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    dirty = models.BooleanField(default=False, db_index=True)
    health_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    health_class = models.CharField(max_length=12, choices=HealthClass.choices, default=HealthClass.BELUM,
                                    db_index=True)
    w_no_rat = models.BooleanField(default=False)
    w_npl = models.BooleanField(default=False)
    w_neg_equity = models.BooleanField(default=False)
    w_cash_diff = models.BooleanField(default=False)
    w_inactive = models.BooleanField(default=False)
    w_wajib_arrears = models.BooleanField(default=False)
    warning_count = models.PositiveSmallIntegerField(default=0, db_index=True)
    warning_detail = models.JSONField(default=dict, blank=True)  # code -> reason text

    audit_exclude = True  # refreshed in bulk; not a user action

    class Meta:
        verbose_name = _("ringkasan koperasi")
        verbose_name_plural = _("ringkasan koperasi")
        constraints = [models.UniqueConstraint(fields=["koperasi"], name="sup_snapshot_one_per_koperasi")]
        indexes = [
            models.Index(fields=["region_code", "health_class"], name="sup_snap_region_class"),
            models.Index(fields=["region_code", "warning_count"], name="sup_snap_region_warn"),
        ]

    def warnings(self) -> list[str]:
        return [c for c in WARNING_CODES if getattr(self, f"w_{c}")]

    @property
    def savings_total(self):
        return self.simpanan_pokok + self.simpanan_wajib + self.simpanan_sukarela


class HealthConfig(models.Model):
    """Weights, ratio bands, class thresholds and warning thresholds. The newest row applies; no row = defaults
    (DOMAIN.md: Permenkop 9/2020 aspects — weights *inferred*, configurable)."""

    name = models.CharField(_("nama"), max_length=120, default="Bawaan (Permenkop 9/2020)")
    weights = models.JSONField(default=dict)
    bands = models.JSONField(default=dict)
    classes = models.JSONField(default=dict)
    thresholds = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("parameter kesehatan")
        verbose_name_plural = _("parameter kesehatan")


class HealthScore(TenantModel):
    period = models.DateField(_("periode (akhir)"))
    score = models.DecimalField(max_digits=5, decimal_places=2)
    health_class = models.CharField(max_length=12, choices=HealthClass.choices)
    breakdown = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "period"], name="sup_health_one_per_period")]
        verbose_name = _("skor kesehatan")
        verbose_name_plural = _("skor kesehatan")


GOVERNANCE_INDICATORS: list[tuple[str, str]] = [
    ("rat", "RAT diselenggarakan tepat waktu dan sesuai AD/ART"),
    ("pengurus", "Pengurus dan pengawas lengkap, dipilih rapat anggota, tidak berhubungan keluarga"),
    ("rencana", "Rencana kerja dan anggaran disahkan rapat anggota"),
    ("laporan", "Laporan keuangan berkala disusun dan disampaikan"),
    ("pengawasan", "Pengawas melakukan pemeriksaan berkala"),
    ("sop", "SOP unit usaha dan simpan pinjam tersedia dan dijalankan"),
]
GOVERNANCE_LABELS = dict(GOVERNANCE_INDICATORS)


class GovernanceIndicator(TenantModel):
    """A governance indicator scored 1–4 by the Dinas for one year."""

    year = models.PositiveSmallIntegerField(_("tahun"))
    key = models.CharField(_("indikator"), max_length=20, choices=GOVERNANCE_INDICATORS)
    score = models.PositiveSmallIntegerField(_("nilai (1–4)"))
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "key"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "year", "key"], name="sup_gov_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=4), name="sup_gov_score_1_4"),
        ]


class AnnualMeetingReport(TenantModel):
    """A RAT held (reported by the cooperative or recorded by the Dinas)."""

    fiscal_year = models.PositiveSmallIntegerField(_("tahun buku"))
    held_on = models.DateField(_("tanggal RAT"))
    attendance = models.PositiveIntegerField(_("anggota hadir"), null=True, blank=True)
    accounts_approved = models.BooleanField(_("laporan keuangan disahkan"), default=True)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "fiscal_year"], name="sup_rat_one_per_year")]


# --- visits -------------------------------------------------------------------------------------------------


class VisitArea(models.TextChoices):
    KELEMBAGAAN = "kelembagaan", _("Kelembagaan")
    TATA_KELOLA = "tata_kelola", _("Tata kelola")
    USAHA = "usaha", _("Usaha")
    KEUANGAN = "keuangan", _("Keuangan")
    SIMPAN_PINJAM = "simpan_pinjam", _("Simpan pinjam")
    MANFAAT = "manfaat", _("Manfaat bagi anggota")


class Rating(models.TextChoices):
    TIDAK_SESUAI = "tidak_sesuai", _("Tidak sesuai")
    CUKUP = "cukup", _("Cukup")
    SESUAI = "sesuai", _("Sesuai")


class FollowUp(models.TextChoices):
    BELUM = "belum", _("Belum ditindaklanjuti")
    PROSES = "proses", _("Dalam proses")
    SELESAI = "selesai", _("Selesai")


class SupervisionVisit(TenantModel):
    date = models.DateField(_("tanggal kunjungan"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("petugas"))
    officer_name = models.CharField(_("nama petugas"), max_length=150)
    purpose = models.CharField(_("tujuan"), max_length=200, blank=True)
    summary = models.TextField(_("ringkasan"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("kunjungan pengawasan")
        verbose_name_plural = _("kunjungan pengawasan")


class VisitFinding(TenantModel):
    visit = TenantForeignKey(SupervisionVisit, on_delete=models.CASCADE, related_name="findings")
    area = models.CharField(_("aspek"), max_length=16, choices=VisitArea.choices)
    indicator = models.CharField(_("indikator"), max_length=200)
    procedure = models.CharField(_("prosedur pemeriksaan"), max_length=200, blank=True)
    evidence = models.CharField(pgettext_lazy("bukti pemeriksaan", "bukti"), max_length=300, blank=True)
    rating = models.CharField(_("penilaian"), max_length=14, choices=Rating.choices)
    finding = models.TextField(_("temuan"), blank=True)
    recommendation = models.TextField(_("rekomendasi"), blank=True)
    responsible = models.CharField(_("penanggung jawab"), max_length=120, blank=True)
    deadline = models.DateField(_("batas waktu"), null=True, blank=True)
    follow_up = models.CharField(_("tindak lanjut"), max_length=8, choices=FollowUp.choices, default=FollowUp.BELUM)
    follow_up_note = models.CharField(_("catatan tindak lanjut"), max_length=300, blank=True)

    class Meta:
        ordering = ["visit_id", "id"]
        verbose_name = _("temuan pengawasan")
        verbose_name_plural = _("temuan pengawasan")

    @property
    def overdue(self) -> bool:
        return bool(self.deadline and self.follow_up != FollowUp.SELESAI and self.deadline < timezone.localdate())


# --- region totals ------------------------------------------------------------------------------------------


class RegionStat(models.Model):
    """Totals of one region ("" = national) as counters (see ``stats.contribution``)."""

    code = models.CharField(max_length=13, primary_key=True, blank=True)
    level = models.PositiveSmallIntegerField(default=0, db_index=True)
    parent_code = models.CharField(max_length=13, blank=True, db_index=True)
    villages = models.PositiveIntegerField(default=0)
    kelurahan = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField(default=timezone.now)

    audit_exclude = True

    class Meta:
        ordering = ["code"]

    def get(self, key: str, default: int = 0) -> int:
        return self.data.get(key, default)


# --- background jobs ----------------------------------------------------------------------------------------


class Job(models.Model):
    """A long supervision job (full refresh, export of a big region) run by the django-tasks worker
    (``manage.py db_worker``), with progress the pages poll. Only its starter (or a superuser) sees it."""

    class Kind(models.TextChoices):
        REFRESH_ALL = "refresh_all", _("Penyegaran semua ringkasan")
        EXPORT = "export", _("Ekspor Excel tabel koperasi")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", pgettext_lazy("tugas latar", "Berjalan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    kind = models.CharField(_("jenis"), max_length=16, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result_file = models.FileField(upload_to="ekspor/%Y/%m/", storage=_evidence_storage, max_length=200, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = True  # progress counters change every few thousand rows

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tugas latar belakang")
        verbose_name_plural = _("tugas latar belakang")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(int(self.done * 100 / self.total), 99) if self.total else 0

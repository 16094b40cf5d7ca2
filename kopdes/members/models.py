"""The member registry (anggota): identity, address in the desa, farm data, heir, lifecycle, exit settlement."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.core.models import TenantForeignKey, TenantModel, TenantOneToOneField, TenantQuerySet


class Occupation(models.TextChoices):
    PETANI = "petani", _("Petani (tanaman pangan)")
    PEKEBUN = "pekebun", _("Pekebun (sawit, karet, kopi…)")
    NELAYAN = "nelayan", _("Nelayan")
    PETERNAK = "peternak", _("Peternak")
    PEDAGANG = "pedagang", _("Pedagang")
    BURUH_TANI = "buruh_tani", _("Buruh tani/kebun")
    BURUH = "buruh", _("Buruh harian lepas")
    WIRASWASTA = "wiraswasta", _("Wiraswasta/UMKM")
    KARYAWAN = "karyawan", _("Karyawan swasta")
    PNS = "pns", _("PNS/ASN")
    TNI_POLRI = "tni_polri", _("TNI/Polri")
    GURU = "guru", _("Guru/tenaga pendidik")
    PERANGKAT_DESA = "perangkat_desa", _("Perangkat desa")
    IBU_RUMAH_TANGGA = "irt", _("Mengurus rumah tangga")
    PENSIUNAN = "pensiunan", _("Pensiunan")
    LAINNYA = "lainnya", _("Lainnya")


#: crops a member grows; the first group qualifies for subsidized fertilizer (RDKK), see DOMAIN.md
CROPS: list[tuple[str, str]] = [
    ("padi", _("Padi")), ("jagung", _("Jagung")), ("kedelai", _("Kedelai")), ("cabai", _("Cabai")),
    ("bawang_merah", _("Bawang merah")), ("bawang_putih", _("Bawang putih")), ("tebu", _("Tebu rakyat")),
    ("kakao", _("Kakao")), ("kopi", _("Kopi")), ("sawit", _("Kelapa sawit")), ("karet", _("Karet")),
    ("singkong", _("Singkong")), ("sayuran", _("Sayuran")), ("buah", _("Buah-buahan")), ("lainnya", _("Lainnya")),
]
CROP_CODES = {c for c, _l in CROPS}
CROP_LABELS = dict(CROPS)
FERTILIZER_CROPS = {"padi", "jagung", "kedelai", "cabai", "bawang_merah", "bawang_putih", "tebu", "kakao", "kopi"}


class MemberQuerySet(TenantQuerySet):
    def for_koperasi(self, koperasi) -> MemberQuerySet:
        kid = koperasi if isinstance(koperasi, int) else koperasi.pk
        return self.filter(koperasi_id=kid)

    def current(self) -> MemberQuerySet:
        """Calon anggota and anggota (not left)."""
        return self.filter(status__in=Member.CURRENT_STATUSES)

    def active(self) -> MemberQuerySet:
        return self.filter(status=Member.Status.AKTIF)


class Member(TenantModel):
    class Status(models.TextChoices):
        CALON = "calon", _("Calon anggota")
        AKTIF = "aktif", _("Anggota")
        KELUAR = "keluar", pgettext_lazy("status anggota", "Keluar")  # not the "Keluar" (log out) of the menu
        DIBERHENTIKAN = "diberhentikan", _("Diberhentikan")
        MENINGGAL = "meninggal", _("Meninggal dunia")

    class Sex(models.TextChoices):
        L = "L", _("Laki-laki")
        P = "P", _("Perempuan")

    CURRENT_STATUSES = ("calon", "aktif")
    EXIT_STATUSES = ("keluar", "diberhentikan", "meninggal")

    seq = models.PositiveIntegerField(_("urutan"), editable=False)
    number = models.CharField(_("nomor anggota"), max_length=20)
    nik = models.CharField(_("NIK"), max_length=16)
    kk = models.CharField(_("nomor KK"), max_length=16, blank=True)
    name = models.CharField(_("nama lengkap"), max_length=120)
    name_key = models.CharField(max_length=120, editable=False, default="")
    birth_place = models.CharField(_("tempat lahir"), max_length=80, blank=True)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    address = models.CharField(_("alamat (jalan/gang)"), max_length=200, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    dusun = models.CharField(_("dusun"), max_length=80, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=16, blank=True)
    occupation = models.CharField(_("pekerjaan"), max_length=20, choices=Occupation.choices,
                                  default=Occupation.PETANI)
    land_area_ha = models.DecimalField(_("luas lahan (ha)"), max_digits=9, decimal_places=3, default=Decimal("0"))
    crops = models.CharField(_("komoditas"), max_length=200, blank=True, help_text=_("kode dipisah koma"))
    farmer_group = models.CharField(_("kelompok tani"), max_length=120, blank=True)
    heir_name = models.CharField(_("nama ahli waris"), max_length=120, blank=True)
    heir_relation = models.CharField(_("hubungan ahli waris"), max_length=40, blank=True)
    heir_nik = models.CharField(_("NIK ahli waris"), max_length=16, blank=True)
    heir_phone = models.CharField(_("HP ahli waris"), max_length=16, blank=True)
    # a storage path, not an ImageField: core.audit.snapshot crashes on an empty FieldFile (reported)
    photo = models.CharField(_("foto"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.CALON)
    registered_on = models.DateField(_("tanggal daftar"))
    joined_on = models.DateField(_("tanggal menjadi anggota"), null=True, blank=True)
    left_on = models.DateField(_("tanggal keluar"), null=True, blank=True)
    exit_note = models.CharField(_("keterangan keluar"), max_length=200, blank=True)
    wajib_autodebit = models.BooleanField(
        _("setuju simpanan wajib didebit dari sukarela"), default=False,
        help_text=_("persetujuan tertulis anggota untuk pendebetan otomatis"),
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="memberships", verbose_name=_("akun portal"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("anggota")
        verbose_name_plural = _("anggota")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "seq"], name="member_seq_unique"),
            models.UniqueConstraint(fields=["koperasi", "number"], name="member_number_unique"),
            models.UniqueConstraint(fields=["koperasi", "nik"], condition=Q(status__in=["calon", "aktif"]),
                                    name="member_nik_current_unique"),
            models.CheckConstraint(condition=Q(land_area_ha__gte=0), name="member_land_nonneg"),
        ]
        indexes = [
            models.Index(fields=["koperasi", "nik"], name="member_k_nik"),
            models.Index(fields=["koperasi", "name_key"], name="member_k_name"),
            models.Index(fields=["koperasi", "phone"], name="member_k_phone"),
            models.Index(fields=["koperasi", "status"], name="member_k_status"),
            models.Index(fields=["nik"], name="member_nik"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def save(self, *args, **kwargs):
        self.name_key = normalize_name(self.name)
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "name" in update_fields or "name_key" in update_fields:
            MemberNameToken.objects.filter(member_id=self.pk).delete()
            MemberNameToken.objects.bulk_create(tokens_for(self))

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT_STATUSES

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.AKTIF

    @property
    def crop_list(self) -> list[str]:
        return [c for c in (self.crops or "").split(",") if c]

    @property
    def crop_labels(self) -> str:
        return ", ".join(str(CROP_LABELS.get(c, c)) for c in self.crop_list)

    @property
    def address_line(self) -> str:
        parts = [self.address]
        if self.rt or self.rw:
            parts.append(f"RT {self.rt or '-'}/RW {self.rw or '-'}")
        if self.dusun:
            parts.append(f"Dusun {self.dusun}")
        return ", ".join(p for p in parts if p)

    @property
    def photo_url(self) -> str:
        if not self.photo:
            return ""
        from django.core.files.storage import default_storage

        return default_storage.url(self.photo)

    @property
    def phone_display(self) -> str:
        p = self.phone or ""
        return "0" + p[2:] if p.startswith("62") else p


def normalize_name(name: str) -> str:
    return " ".join((name or "").lower().split())


def name_tokens(name: str) -> list[str]:
    """Words of a name for the search index: lower case, punctuation stripped, unique."""
    words = [w.strip(".,'\"()-/") for w in normalize_name(name).split()]
    return list(dict.fromkeys(w[:40] for w in words if w))


def tokens_for(member: Member) -> list[MemberNameToken]:
    return [MemberNameToken(koperasi_id=member.koperasi_id, member_id=member.pk, token=t)
            for t in name_tokens(member.name)]


class MemberNameToken(TenantModel):
    """One word of a member's name: the index behind name search (word-prefix range scans, 100k members fast on
    SQLite and PostgreSQL alike). Kept in step by ``Member.save`` and the bulk import."""

    member = TenantForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=40)

    audit_exclude = True

    class Meta:
        # covering: word-prefix range scans, counts and the member ids come from the index alone
        indexes = [models.Index(fields=["koperasi", "token", "member"], name="member_token_k_tok_m")]


class Settlement(TenantModel):
    """The settlement of a leaving member: savings refunded minus debts, and its payout (to the heir if deceased)."""

    member = TenantOneToOneField(Member, on_delete=models.PROTECT, related_name="settlement")
    date = models.DateField(_("tanggal"))
    reason = models.CharField(_("alasan"), max_length=14, choices=Member.Status.choices)
    note = models.CharField(_("keterangan"), max_length=200, blank=True)
    pokok = models.DecimalField(_("simpanan pokok"), max_digits=18, decimal_places=2, default=Decimal(0))
    wajib = models.DecimalField(_("simpanan wajib"), max_digits=18, decimal_places=2, default=Decimal(0))
    sukarela = models.DecimalField(_("simpanan sukarela"), max_digits=18, decimal_places=2, default=Decimal(0))
    debt_total = models.DecimalField(_("total utang"), max_digits=18, decimal_places=2, default=Decimal(0))
    offset_total = models.DecimalField(_("dipotong dari simpanan"), max_digits=18, decimal_places=2,
                                       default=Decimal(0))
    net_refund = models.DecimalField(_("dikembalikan"), max_digits=18, decimal_places=2, default=Decimal(0))
    debts = models.JSONField(_("rincian utang"), default=list, blank=True)
    payee_name = models.CharField(_("penerima"), max_length=120)
    payee_relation = models.CharField(_("hubungan penerima"), max_length=40, blank=True)
    payee_nik = models.CharField(_("NIK penerima"), max_length=16, blank=True)
    entry_id = models.BigIntegerField(null=True, blank=True)
    entry_number = models.CharField(max_length=40, blank=True)
    paid_on = models.DateField(_("tanggal dibayar"), null=True, blank=True)
    paid_method = models.CharField(_("cara bayar"), max_length=10, blank=True)
    paid_reference = models.CharField(_("referensi"), max_length=80, blank=True)
    paid_entry_id = models.BigIntegerField(null=True, blank=True)
    paid_entry_number = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("penyelesaian keanggotaan")
        verbose_name_plural = _("penyelesaian keanggotaan")

    def __str__(self) -> str:
        return f"Penyelesaian {self.member}"

    @property
    def savings_total(self) -> Decimal:
        return self.pokok + self.wajib + self.sukarela

    @property
    def unsettled_debt(self) -> Decimal:
        return self.debt_total - self.offset_total

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None or self.net_refund == 0


class NikMembership(models.Model):
    """Which cooperatives hold a member record with this NIK: a global table (not distributed on Citus), so the
    warning "this NIK is also a member of …" asks one coordinator index instead of every shard. One row per
    (NIK, cooperative), written when a record is created or its NIK corrected (:func:`kopdes.members.services
    .index_niks`); whether that membership is still current is read from the cooperative's own table (one shard).
    """

    nik = models.CharField(max_length=16)
    koperasi = models.ForeignKey("core.Koperasi", on_delete=models.CASCADE, related_name="+")

    audit_exclude = True  # the member record is audited

    class Meta:
        constraints = [models.UniqueConstraint(fields=["nik", "koperasi"], name="members_nikmembership_nik_koperasi")]
        verbose_name = _("NIK di koperasi")
        verbose_name_plural = _("NIK di koperasi")

    def __str__(self) -> str:
        return f"{self.nik} @ {self.koperasi_id}"


class ImportJob(TenantModel):
    """A big member (or opening-savings) import run by the task worker (``manage.py db_worker``), with progress the
    page polls (issue 14 item 8). The uploaded file waits in ``data`` (at most ``core.uploads.MAX_BYTES``) and is
    emptied when the job ends; the result is all-or-nothing like an import during the request."""

    class Kind(models.TextChoices):
        MEMBERS = "anggota", _("Data anggota")
        BALANCES = "saldo", _("Saldo awal simpanan")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", pgettext_lazy("tugas latar", "Berjalan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    filename = models.CharField(_("berkas"), max_length=200)
    data = models.BinaryField(default=b"", editable=False)
    opening_date = models.DateField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = True  # progress counters change every few hundred rows; the import itself is audited

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("impor latar belakang")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

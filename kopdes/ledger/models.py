"""The ledger: chart of accounts, journal entries and lines, numbering counters, periods, month snapshots.

Invariants that belong below the application live in migration 0002 (database triggers on SQLite and
PostgreSQL): a journal entry is inserted as ``draft``; its lines may only be added while it is a draft; the
draft → posted update is refused unless SUM(debit) = SUM(credit) > 0 over its lines (all of the same
cooperative, the same date, accounts of the same cooperative); a posted entry and its lines can never be
updated, nor deleted on PostgreSQL (SQLite allows DELETE because Django's test flush deletes table by table;
:func:`kopdes.ledger.integrity.check_integrity` reports a deleted line or entry).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kopdes.core.models import TenantForeignKey, TenantModel, TenantOneToOneField
from kopdes.core.units import Unit

MONEY = {"max_digits": 18, "decimal_places": 2}


class AccountType(models.TextChoices):
    ASSET = "asset", _("Aset")
    LIABILITY = "liability", _("Liabilitas")
    EQUITY = "equity", _("Ekuitas")
    INCOME = "income", _("Pendapatan")
    COGS = "cogs", _("Harga pokok penjualan")
    EXPENSE = "expense", _("Beban")


class Account(TenantModel):
    """One account of one cooperative's chart (created from ``coa.COA_TEMPLATE``)."""

    class Normal(models.TextChoices):
        DEBIT = "D", _("Debit")
        CREDIT = "C", _("Kredit")

    class Segment(models.TextChoices):
        NONE = "", _("—")
        MEMBER = "member", _("Anggota")
        NONMEMBER = "nonmember", _("Non-anggota")

    code = models.CharField(_("kode"), max_length=12)
    name = models.CharField(_("nama akun"), max_length=150)
    type = models.CharField(_("jenis"), max_length=10, choices=AccountType.choices)
    normal = models.CharField(_("saldo normal"), max_length=1, choices=Normal.choices)
    is_header = models.BooleanField(_("akun induk (tanpa posting)"), default=False)
    is_cash = models.BooleanField(_("kas & bank"), default=False)
    is_contra = models.BooleanField(_("akun lawan (kontra)"), default=False)
    segment = models.CharField(_("segmen"), max_length=10, choices=Segment.choices, blank=True, default="")
    tags = models.CharField(_("label"), max_length=100, blank=True, default="")
    active = models.BooleanField(_("aktif"), default=True)
    from_template = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["koperasi_id", "code"]
        verbose_name = _("akun")
        verbose_name_plural = _("bagan akun")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "code"], name="ledger_account_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def sign(self) -> int:
        """+1 when the normal balance is debit, -1 when credit (balance = sign * (debit - credit))."""
        return 1 if self.normal == self.Normal.DEBIT else -1

    @property
    def level(self) -> int:
        return len(self.code) if len(self.code) <= 2 else 3


class JournalEntry(TenantModel):
    """A balanced, numbered, dated journal entry. Immutable once posted; corrected by a reversal."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        POSTED = "posted", _("Diposting")

    year = models.PositiveSmallIntegerField(_("tahun buku"))
    number = models.PositiveIntegerField(_("nomor"))
    date = models.DateField(_("tanggal"))
    memo = models.CharField(_("keterangan"), max_length=300, blank=True)
    source = models.CharField(_("sumber"), max_length=60, blank=True, help_text=_("mis. retail.Sale"))
    source_id = models.CharField(_("id sumber"), max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    amount = models.DecimalField(_("jumlah"), **MONEY, default=Decimal("0"))
    reversal_of = TenantOneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by",
        verbose_name=_("membalik jurnal"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = True  # high volume: the entry itself is the record (who, when, source)

    class Meta:
        ordering = ["-date", "-year", "-number"]
        verbose_name = _("jurnal")
        verbose_name_plural = _("jurnal")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "year", "number"], name="ledger_entry_unique_number"),
            models.UniqueConstraint(
                fields=["koperasi", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                name="ledger_entry_unique_idem",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="ledger_entry_amount_nonneg"),
        ]
        indexes = [
            models.Index(fields=["koperasi", "date"], name="ledger_entry_k_date"),
            models.Index(fields=["koperasi", "source", "source_id"], name="ledger_entry_k_source"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.memo}"[:120]

    @property
    def reference(self) -> str:
        return f"JU-{self.year}-{self.number:06d}"

    @property
    def is_posted(self) -> bool:
        return self.status == self.Status.POSTED


class JournalLine(TenantModel):
    """One debit or credit of an entry. ``koperasi`` and ``date`` repeat the entry's (fast aggregation)."""

    entry = TenantForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = TenantForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    date = models.DateField()
    debit = models.DecimalField(_("debit"), **MONEY, default=Decimal("0"))
    credit = models.DecimalField(_("kredit"), **MONEY, default=Decimal("0"))
    unit = models.CharField(_("unit usaha"), max_length=20, choices=Unit.choices, default=Unit.KANTOR)
    member_id = models.BigIntegerField(_("anggota"), null=True, blank=True)
    partner_id = models.BigIntegerField(_("mitra/pemasok"), null=True, blank=True)
    memo = models.CharField(_("keterangan"), max_length=200, blank=True)

    audit_exclude = True

    class Meta:
        ordering = ["id"]
        verbose_name = _("baris jurnal")
        verbose_name_plural = _("baris jurnal")
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="ledger_line_one_side",
            ),
        ]
        indexes = [
            models.Index(fields=["koperasi", "account", "date"], name="ledger_line_k_acc_date"),
            models.Index(fields=["koperasi", "date"], name="ledger_line_k_date"),
            models.Index(fields=["koperasi", "member_id", "account"], name="ledger_line_k_member",
                         condition=Q(member_id__isnull=False)),
        ]


class AccountMonth(TenantModel):
    """Month snapshot: debits and credits of one account and unit in one calendar month (posted lines).

    Maintained by ``services.post`` in the same transaction as the lines; never edited by hand;
    ``integrity.check_integrity`` recomputes it from the lines.
    """

    account = TenantForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    debit = models.DecimalField(**MONEY, default=Decimal("0"))
    credit = models.DecimalField(**MONEY, default=Decimal("0"))

    audit_exclude = True

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "account", "unit", "year", "month"],
                                    name="ledger_accmonth_unique"),
        ]
        indexes = [models.Index(fields=["koperasi", "year", "month"], name="ledger_accmonth_k_ym")]


class Period(TenantModel):
    """An accounting month. Absent row = open. Closed months refuse postings dated inside them."""

    class Status(models.TextChoices):
        OPEN = "open", _("Terbuka")
        CLOSED = "closed", _("Ditutup")

    year = models.PositiveSmallIntegerField(_("tahun"))
    month = models.PositiveSmallIntegerField(_("bulan"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("periode")
        verbose_name_plural = _("periode")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "year", "month"], name="ledger_period_unique"),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="ledger_period_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year} ({self.get_status_display()})"


class PeriodReopen(TenantModel):
    """A request to re-open a closed month: needs the ketua and the bendahara (two different people)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu persetujuan")
        DONE = "done", _("Periode dibuka kembali")
        CANCELLED = "cancelled", _("Dibatalkan")

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    reason = models.TextField(_("alasan"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ketua_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    bendahara_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class YearClose(TenantModel):
    """The year-end close of one fiscal year: the closing entry that moved the result to 3401."""

    year = models.PositiveSmallIntegerField()
    result = models.DecimalField(**MONEY)
    entry = TenantOneToOneField(JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["koperasi", "year"], name="ledger_yearclose_unique")]


class ManualJournal(TenantModel):
    """A memorial (manual) journal: made by one person, approved by another, then posted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Menunggu persetujuan")
        POSTED = "posted", _("Disetujui & diposting")
        REJECTED = "rejected", _("Ditolak")

    date = models.DateField(_("tanggal"))
    memo = models.CharField(_("keterangan"), max_length=300)
    lines = models.JSONField(_("baris"), default=list)  # [{"account","debit","credit","unit","member_id","memo"}]
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=300, blank=True)
    entry = TenantOneToOneField(JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("jurnal memorial")
        verbose_name_plural = _("jurnal memorial")

    def __str__(self) -> str:
        return f"Jurnal memorial {self.date} {self.memo}"[:120]

    @property
    def total(self) -> Decimal:
        return sum((Decimal(str(ln.get("debit") or 0)) for ln in self.lines), Decimal(0))


def attachment_path(instance, filename: str) -> str:
    return f"ledger/{instance.koperasi_id}/{instance.journal_id}/{filename}"


class Attachment(TenantModel):
    journal = TenantForeignKey(ManualJournal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("berkas"), upload_to=attachment_path)
    name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class CashCount(TenantModel):
    """Kas opname: the cash counted in a drawer compared with the books; a difference is posted."""

    date = models.DateField(_("tanggal"))
    account = TenantForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("akun kas"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.KANTOR)
    counted = models.DecimalField(_("hasil hitung fisik"), **MONEY)
    book_balance = models.DecimalField(_("saldo buku"), **MONEY)
    difference = models.DecimalField(_("selisih"), **MONEY)
    denominations = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    entry = TenantOneToOneField(JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]


class AnnualMeeting(TenantModel):
    """Rapat Anggota Tahunan (RAT): date, quorum, attendance and decisions."""

    year = models.PositiveSmallIntegerField(_("tahun buku yang dibahas"))
    date = models.DateField(_("tanggal RAT"))
    place = models.CharField(_("tempat"), max_length=200, blank=True)
    members_total = models.PositiveIntegerField(_("jumlah anggota"))
    attendance = models.PositiveIntegerField(_("jumlah hadir"))
    quorum_pct = models.DecimalField(_("kuorum (%)"), max_digits=5, decimal_places=2, default=Decimal("50"))
    statements_approved = models.BooleanField(_("laporan keuangan disahkan"), default=False)
    shu_approved = models.BooleanField(_("pembagian SHU disetujui"), default=False)
    decisions = models.TextField(_("keputusan"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("RAT")
        verbose_name_plural = _("RAT")

    @property
    def quorum_met(self) -> bool:
        return self.members_total > 0 and Decimal(self.attendance) * 100 / self.members_total >= self.quorum_pct


class ShuAllocation(TenantModel):
    """The SHU of one fiscal year split by the by-law percentages (after the RAT approves)."""

    class Status(models.TextChoices):
        COMPUTED = "computed", _("Dihitung")
        POSTED = "posted", _("Diposting")
        PAID = "paid", _("Dibayarkan")

    year = models.PositiveSmallIntegerField()
    shu = models.DecimalField(**MONEY)
    parts = models.JSONField(default=list)  # [{"field","label","pct","amount","account"}]
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPUTED)
    meeting = TenantForeignKey(AnnualMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entry = TenantOneToOneField(JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payout_entry = TenantOneToOneField(JournalEntry, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    payout_mode = models.CharField(max_length=10, blank=True)  # cash | sukarela
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["koperasi", "year"], name="ledger_shu_unique_year")]


class ShuMemberShare(TenantModel):
    allocation = TenantForeignKey(ShuAllocation, on_delete=models.CASCADE, related_name="shares")
    member_id = models.BigIntegerField()
    capital_avg = models.DecimalField(_("rata-rata simpanan pokok+wajib"), **MONEY)
    transactions = models.DecimalField(_("transaksi dengan koperasi"), **MONEY)
    jasa_modal = models.DecimalField(**MONEY)
    jasa_usaha = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)

    audit_exclude = True

    class Meta:
        ordering = ["member_id"]
        constraints = [models.UniqueConstraint(fields=["allocation", "member_id"], name="ledger_shushare_unique")]

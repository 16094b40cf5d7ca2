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

from kopdes.core.models import TenantModel
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


class JournalCounter(TenantModel):
    """The last journal number used by one cooperative in one (fiscal) year. Locked while posting."""

    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["koperasi", "year"], name="ledger_counter_unique")]


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
    reversal_of = models.OneToOneField(
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

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
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

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
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

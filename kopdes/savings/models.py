"""Savings (simpanan): pokok, wajib, sukarela. Every movement is a row here *and* a journal line in the ledger.

The rows here are the member's passbook; the ledger (accounts 3101/3102/2101, member subsidiary lines) is the
book of record. Both are written in the same transaction, and tests check that they agree.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kopdes.core.models import TenantForeignKey, TenantModel
from kopdes.ledger.coa import UNIT_CASH_ACCOUNT

MONEY = {"max_digits": 18, "decimal_places": 2}


class Kind(models.TextChoices):
    POKOK = "pokok", _("Simpanan pokok")
    WAJIB = "wajib", _("Simpanan wajib")
    SUKARELA = "sukarela", _("Simpanan sukarela")


#: ledger account of each kind (chart of accounts contract)
KIND_ACCOUNT = {Kind.POKOK: "3101", Kind.WAJIB: "3102", Kind.SUKARELA: "2101"}


class PaymentMethod(models.TextChoices):
    TUNAI = "tunai", _("Tunai")
    TRANSFER = "transfer", _("Transfer bank")
    QRIS = "qris", _("QRIS")


#: cash/bank account credited or debited by each payment method (the simpan pinjam counter)
METHOD_ACCOUNT = {
    PaymentMethod.TUNAI: UNIT_CASH_ACCOUNT["simpan_pinjam"],
    PaymentMethod.TRANSFER: "1111",
    PaymentMethod.QRIS: "1112",
}


class TxType(models.TextChoices):
    SETOR = "setor", _("Setoran")
    TARIK = "tarik", _("Penarikan")
    SALDO_AWAL = "saldo_awal", _("Saldo awal")
    DEBET_WAJIB = "debet_wajib", _("Debet otomatis simpanan wajib")
    JASA = "jasa", _("Jasa simpanan")
    PAJAK = "pajak", _("Pajak atas jasa")
    PENUTUPAN = "penutupan", _("Penutupan (anggota keluar)")
    SHU = "shu", _("SHU ke simpanan sukarela")


class SavingsSettings(TenantModel):
    """Board decisions on sukarela: minimum balance, jasa (interest) and tax withholding. One row per cooperative."""

    class Basis(models.TextChoices):
        TERENDAH = "terendah", _("Saldo terendah bulan itu")
        RATA_RATA = "rata_rata", _("Saldo rata-rata harian")

    sukarela_min_balance = models.DecimalField(_("saldo minimum sukarela"), **MONEY, default=Decimal("10000"))
    jasa_enabled = models.BooleanField(_("jasa simpanan sukarela dibayar"), default=False)
    jasa_rate_annual = models.DecimalField(_("tingkat jasa per tahun (%)"), max_digits=5, decimal_places=2,
                                           default=Decimal("3.00"))
    jasa_basis = models.CharField(_("dasar perhitungan jasa"), max_length=10, choices=Basis.choices,
                                  default=Basis.TERENDAH)
    tax_rate = models.DecimalField(_("tarif pajak atas jasa (%)"), max_digits=5, decimal_places=2,
                                   default=Decimal("10.00"),
                                   help_text=_("PPh final atas bunga simpanan koperasi (PP 15/2009); dapat diubah"))
    tax_threshold = models.DecimalField(
        _("batas jasa bebas pajak per bulan"), **MONEY, default=Decimal("240000"),
        help_text=_("Jasa sebulan di atas batas ini dipotong pajak seluruhnya (PP 15/2009: Rp240.000); dapat diubah"),
    )
    decided_by = models.CharField(_("dasar keputusan"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pengaturan simpanan")
        constraints = [
            models.UniqueConstraint(fields=["koperasi"], name="savings_settings_one"),
            models.CheckConstraint(condition=Q(sukarela_min_balance__gte=0), name="savings_min_nonneg"),
            models.CheckConstraint(condition=Q(jasa_rate_annual__gte=0) & Q(jasa_rate_annual__lte=100),
                                   name="savings_rate_range"),
            models.CheckConstraint(condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="savings_tax_range"),
        ]


class Receipt(TenantModel):
    """A printed receipt (bukti setor/tarik) for one counter operation."""

    number = models.CharField(_("nomor"), max_length=30)
    member = TenantForeignKey("members.Member", on_delete=models.PROTECT, related_name="savings_receipts")
    date = models.DateField(_("tanggal"))
    kind = models.CharField(_("jenis simpanan"), max_length=10, choices=Kind.choices)
    type = models.CharField(_("transaksi"), max_length=12, choices=TxType.choices)
    amount = models.DecimalField(_("jumlah"), **MONEY)
    method = models.CharField(_("cara bayar"), max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(_("referensi transfer/QRIS"), max_length=80, blank=True)
    balance_after = models.DecimalField(_("saldo setelah"), **MONEY, default=Decimal(0))
    entry_id = models.BigIntegerField(null=True, blank=True)
    entry_number = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("bukti transaksi simpanan")
        constraints = [models.UniqueConstraint(fields=["koperasi", "number"], name="savings_receipt_number")]

    def __str__(self) -> str:
        return self.number


class SavingsTransaction(TenantModel):
    """One movement of one member's savings of one kind. ``amount`` is signed: + in, − out."""

    member = TenantForeignKey("members.Member", on_delete=models.PROTECT, related_name="savings_transactions")
    kind = models.CharField(_("jenis simpanan"), max_length=10, choices=Kind.choices)
    type = models.CharField(_("transaksi"), max_length=12, choices=TxType.choices)
    date = models.DateField(_("tanggal"))
    amount = models.DecimalField(_("jumlah"), **MONEY)
    method = models.CharField(_("cara"), max_length=10, blank=True)
    reference = models.CharField(_("referensi"), max_length=80, blank=True)
    memo = models.CharField(_("keterangan"), max_length=200, blank=True)
    receipt = TenantForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="lines")
    entry_id = models.BigIntegerField(null=True, blank=True)
    entry_number = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = True  # high volume (billing runs, jasa); the journal entry and receipts are the trail

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("mutasi simpanan")
        verbose_name_plural = _("mutasi simpanan")
        indexes = [
            models.Index(fields=["koperasi", "member", "kind", "date"], name="savtx_member_kind"),
            models.Index(fields=["koperasi", "kind", "date"], name="savtx_kind_date"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="savtx_nonzero")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_type_display()} {self.amount}"


class BillingRun(TenantModel):
    """The monthly simpanan wajib billing of one period (first day of the month). One per month."""

    period = models.DateField(_("periode"))
    members_billed = models.PositiveIntegerField(_("anggota ditagih"), default=0)
    amount_billed = models.DecimalField(_("jumlah ditagih"), **MONEY, default=Decimal(0))
    autodebit_count = models.PositiveIntegerField(_("didebit dari sukarela"), default=0)
    autodebit_amount = models.DecimalField(_("jumlah didebit"), **MONEY, default=Decimal(0))
    entry_id = models.BigIntegerField(null=True, blank=True)
    entry_number = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period"]
        verbose_name = _("penagihan simpanan wajib")
        constraints = [models.UniqueConstraint(fields=["koperasi", "period"], name="billing_run_one_per_month")]


class WajibDue(TenantModel):
    """One member's simpanan wajib for one month: billed, paid so far."""

    class Status(models.TextChoices):
        OPEN = "open", _("Belum lunas")
        PAID = "paid", _("Lunas")
        CANCELLED = "cancelled", _("Dibatalkan (anggota keluar)")

    member = TenantForeignKey("members.Member", on_delete=models.PROTECT, related_name="wajib_dues")
    period = models.DateField(_("periode"))
    amount = models.DecimalField(_("tagihan"), **MONEY)
    paid = models.DecimalField(_("dibayar"), **MONEY, default=Decimal(0))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    paid_on = models.DateField(_("tanggal lunas"), null=True, blank=True)

    audit_exclude = True  # created by the thousand in billing runs (the run itself is audited)

    class Meta:
        ordering = ["period"]
        verbose_name = _("tagihan simpanan wajib")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "member", "period"], name="wajib_due_one_per_month"),
            models.CheckConstraint(condition=Q(paid__gte=0) & Q(paid__lte=models.F("amount")),
                                   name="wajib_due_paid_range"),
        ]
        indexes = [models.Index(fields=["koperasi", "status", "period"], name="wajib_due_status")]

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid if self.status == self.Status.OPEN else Decimal(0)


class JasaRun(TenantModel):
    """Monthly jasa (interest) on sukarela for one period, with tax withheld. One per month."""

    period = models.DateField(_("periode"))
    basis = models.CharField(_("dasar"), max_length=10, choices=SavingsSettings.Basis.choices)
    rate_annual = models.DecimalField(_("tingkat per tahun (%)"), max_digits=5, decimal_places=2)
    tax_rate = models.DecimalField(_("tarif pajak (%)"), max_digits=5, decimal_places=2)
    tax_threshold = models.DecimalField(_("batas bebas pajak"), **MONEY)
    members_paid = models.PositiveIntegerField(default=0)
    gross_total = models.DecimalField(**MONEY, default=Decimal(0))
    tax_total = models.DecimalField(**MONEY, default=Decimal(0))
    entry_id = models.BigIntegerField(null=True, blank=True)
    entry_number = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period"]
        verbose_name = _("perhitungan jasa simpanan")
        constraints = [models.UniqueConstraint(fields=["koperasi", "period"], name="jasa_run_one_per_month")]

"""Simpan pinjam: products, loans (application → active → closed), schedule rows, repayments, ageing, bank financing."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kopdes.core.models import TenantForeignKey, TenantModel
from kopdes.core.units import Unit

from .schedule import DAY_COUNTS, FREQUENCIES, METHODS, RATE_PERIODS, Terms


def money(label, **kw):
    kw.setdefault("default", Decimal("0"))
    return models.DecimalField(label, max_digits=18, decimal_places=2, **kw)


def pct(label, default="0", **kw):
    return models.DecimalField(label, max_digits=7, decimal_places=3, default=Decimal(default), **kw)


class LoanSettings(TenantModel):
    """Per-cooperative collectibility scheme and provision percentages (PPAP). Values are configurable defaults."""

    class Scheme(models.TextChoices):
        KOPERASI = "koperasi4", _("Koperasi (4 golongan)")
        BANK = "bank5", _("Bank (5 golongan)")

    scheme = models.CharField(_("skema kolektibilitas"), max_length=10, choices=Scheme.choices,
                              default=Scheme.KOPERASI)
    kl_days = models.PositiveIntegerField(_("kurang lancar jika tunggakan lebih dari (hari)"), default=90)
    d_days = models.PositiveIntegerField(_("diragukan jika tunggakan lebih dari (hari)"), default=180)
    m_days = models.PositiveIntegerField(_("macet jika tunggakan lebih dari (hari)"), default=810,
                                         help_text=_("Diragukan selama 21 bulan menjadi macet."))
    collateral_cover_pct = pct(_("agunan minimal agar diragukan (bukan macet), % sisa pinjaman"), "75")
    pct_lancar = pct(_("PPAP lancar %"), "0.5")
    pct_dpk = pct(_("PPAP dalam perhatian khusus % (skema bank)"), "5")
    pct_kl = pct(_("PPAP kurang lancar %"), "10")
    pct_d = pct(_("PPAP diragukan %"), "50")
    pct_m = pct(_("PPAP macet %"), "100")
    ppap_collateral_pct = pct(
        _("bagian nilai agunan yang mengurangi dasar PPAP (DPK ke bawah), %"), "50",
        help_text=_("Kebijakan koperasi: PPAP pinjaman dalam perhatian khusus, kurang lancar, diragukan dan macet "
                    "dihitung dari sisa pinjaman dikurangi bagian nilai agunan ini (0 = agunan tidak diperhitungkan)."))
    accrue_interest = models.BooleanField(
        _("akui jasa secara akrual (piutang jasa 1134) untuk pinjaman lancar"), default=False,
        help_text=_("Jasa angsuran yang jatuh tempo tetapi belum dibayar dibukukan sebagai pendapatan pada proses "
                    "kolektibilitas; dibalik bila pinjaman menjadi bermasalah (kurang lancar atau lebih buruk)."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["koperasi"], name="loans_settings_one_per_koperasi")]

    def pct_for(self, cls: str) -> Decimal:
        return {"L": self.pct_lancar, "DPK": self.pct_dpk, "KL": self.pct_kl, "D": self.pct_d,
                "M": self.pct_m}.get(cls, Decimal(0))

    def provision(self, cls: str, outstanding: Decimal, collateral_value: Decimal | None) -> Decimal:
        """The PPAP one loan needs: its class's % of the outstanding — below Lancar, of the outstanding less the
        eligible share of its collateral (never below 0). The ageing run's SQL computes the same."""
        base = Decimal(outstanding)
        if cls != "L":
            base = max(base - Decimal(collateral_value or 0) * self.ppap_collateral_pct / 100, Decimal(0))
        return (base * self.pct_for(cls) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # as SQL ROUND


# PPAP percentages per class. Bank (5 classes): the PPKA table of POJK 40/POJK.03/2019 on bank asset quality —
# general 1% on Lancar; special 5% DPK, 15% KL, 50% D, 100% M of the outstanding after eligible collateral.
# Cooperative (4 classes): Kopdes' defaults, not law (0.5 / 10 / 50 / 100).
PPAP_TABLES = {
    LoanSettings.Scheme.BANK: {"pct_lancar": Decimal("1"), "pct_dpk": Decimal("5"), "pct_kl": Decimal("15"),
                               "pct_d": Decimal("50"), "pct_m": Decimal("100")},
    LoanSettings.Scheme.KOPERASI: {"pct_lancar": Decimal("0.5"), "pct_dpk": Decimal("5"), "pct_kl": Decimal("10"),
                                   "pct_d": Decimal("50"), "pct_m": Decimal("100")},
}

LOAN_CLASSES = {"L": "Lancar", "DPK": "Dalam perhatian khusus", "KL": "Kurang lancar", "D": "Diragukan",
                "M": "Macet"}
NPL_CLASSES = ("KL", "D", "M")
SECTORS = [
    ("pertanian", _("Pertanian")), ("perkebunan", _("Perkebunan")), ("peternakan", _("Peternakan")),
    ("perikanan", _("Perikanan")), ("perdagangan", _("Perdagangan / warung")), ("industri", _("Industri rumah tangga")),
    ("jasa", _("Jasa")), ("lainnya", _("Lainnya")),
]


class LoanProduct(TenantModel):
    class Penalty(models.TextChoices):
        NONE = "none", _("Tanpa denda")
        DAILY = "harian", _("Per hari dari angsuran tertunggak")
        INSTALMENT = "angsuran", _("Tetap per angsuran terlambat")

    class EarlyRule(models.TextChoices):
        ACCRUED = "berjalan", _("Jasa berjalan sampai tanggal pelunasan")
        PERIOD = "periode", _("Jasa satu periode berjalan penuh")
        FULL = "penuh", _("Seluruh sisa jasa sesuai jadwal")

    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("nama produk"), max_length=120)
    method = models.CharField(_("metode bunga"), max_length=10, choices=list(METHODS.items()), default="anuitas")
    rate = models.DecimalField(_("suku bunga %"), max_digits=7, decimal_places=3)
    rate_period = models.CharField(_("periode bunga"), max_length=6, choices=list(RATE_PERIODS.items()),
                                   default="bulan")
    day_count = models.CharField(_("basis hari"), max_length=8, choices=list(DAY_COUNTS.items()), default="30/360")
    frequency = models.CharField(_("frekuensi angsuran"), max_length=10, choices=list(FREQUENCIES.items()),
                                 default="bulanan")
    season_months = models.PositiveSmallIntegerField(_("bulan per musim"), default=4)
    balloon = models.BooleanField(_("pokok dibayar di akhir (balon)"), default=False)
    rounding = models.PositiveIntegerField(_("pembulatan angsuran ke atas (Rp)"), default=100)
    min_amount = money(_("plafon minimal"), default=Decimal("500000"))
    max_amount = money(_("plafon maksimal"), default=Decimal("25000000"))
    min_tenor = models.PositiveSmallIntegerField(_("jangka minimal (angsuran)"), default=1)
    max_tenor = models.PositiveSmallIntegerField(_("jangka maksimal (angsuran)"), default=36)
    max_grace = models.PositiveSmallIntegerField(_("masa tenggang maksimal (angsuran)"), default=0)
    admin_fee = money(_("biaya administrasi (Rp)"))
    provision_pct = pct(_("provisi % dari plafon"), "1")
    penalty_mode = models.CharField(_("denda"), max_length=10, choices=Penalty.choices, default=Penalty.DAILY)
    penalty_rate = pct(_("denda % per hari (harian)"), "0.1")
    penalty_amount = money(_("denda per angsuran (Rp)"))
    penalty_grace_days = models.PositiveSmallIntegerField(_("toleransi keterlambatan (hari)"), default=3)
    allocation_order = models.CharField(_("urutan alokasi pembayaran"), max_length=30, default="denda,jasa,pokok",
                                        help_text=_("mis. denda,jasa,pokok"))
    early_rule = models.CharField(_("jasa pada pelunasan dipercepat"), max_length=10, choices=EarlyRule.choices,
                                  default=EarlyRule.ACCRUED)
    savings_multiple = models.DecimalField(_("plafon maks. × simpanan anggota (0 = tidak dibatasi)"), max_digits=6,
                                           decimal_places=2, default=Decimal("0"))
    max_instalment_pct = pct(_("angsuran maks. % pendapatan bersih (0 = tidak dibatasi)"), "40")
    one_active_per_member = models.BooleanField(_("satu pinjaman aktif per anggota untuk produk ini"), default=True)
    guarantee_threshold = money(_("wajib penjamin/agunan di atas (Rp)"), default=Decimal("5000000"))
    two_approver_threshold = money(_("perlu dua pemutus di atas (Rp)"), default=Decimal("10000000"))
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "code"], name="loans_product_code")]
        verbose_name = _("produk pinjaman")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def allocation(self) -> list[str]:
        parts = [p.strip() for p in self.allocation_order.split(",") if p.strip()]
        valid = [p for p in parts if p in ("denda", "jasa", "pokok")]
        for p in ("denda", "jasa", "pokok"):
            if p not in valid:
                valid.append(p)
        return valid


class Loan(TenantModel):
    """An application that becomes a loan. Status: diajukan → dianalisis → disetujui → aktif → lunas / dihapus."""

    class Status(models.TextChoices):
        DIAJUKAN = "diajukan", _("Diajukan")
        DIANALISIS = "dianalisis", _("Sudah dianalisis")
        DISETUJUI = "disetujui", _("Disetujui")
        DITOLAK = "ditolak", _("Ditolak")
        AKTIF = "aktif", _("Aktif")
        LUNAS = "lunas", _("Lunas")
        DIHAPUS = "dihapus", _("Dihapus buku")
        BATAL = "batal", _("Dibatalkan")

    class Purpose(models.TextChoices):
        PRODUKTIF = "produktif", _("Produktif")
        KONSUMTIF = "konsumtif", _("Konsumtif")

    class Channel(models.TextChoices):
        TUNAI = "tunai", _("Tunai")
        SUKARELA = "sukarela", _("Ke/dari simpanan sukarela")
        TRANSFER = "transfer", _("Transfer bank")

    OPEN_STATUSES = ("diajukan", "dianalisis", "disetujui", "aktif")

    number = models.CharField(_("nomor"), max_length=30)
    member = TenantForeignKey("members.Member", on_delete=models.PROTECT, related_name="loans",
                               verbose_name=_("anggota"))
    product = TenantForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="loans")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DIAJUKAN)
    applied_on = models.DateField(_("tanggal pengajuan"))
    amount = money(_("jumlah pinjaman"))
    tenor = models.PositiveSmallIntegerField(_("jangka (angsuran)"))
    grace_principal = models.PositiveSmallIntegerField(_("tenggang pokok"), default=0)
    grace_interest = models.PositiveSmallIntegerField(_("tenggang jasa"), default=0)
    # terms copied from the product when applying (a product change never alters a loan)
    method = models.CharField(max_length=10)
    rate = models.DecimalField(max_digits=7, decimal_places=3)
    rate_period = models.CharField(max_length=6)
    day_count = models.CharField(max_length=8)
    frequency = models.CharField(max_length=10)
    season_months = models.PositiveSmallIntegerField(default=4)
    balloon = models.BooleanField(default=False)
    rounding = models.PositiveIntegerField(default=100)
    purpose = models.CharField(_("tujuan"), max_length=10, choices=Purpose.choices)
    sector = models.CharField(_("sektor usaha"), max_length=12, choices=SECTORS, blank=True)
    purpose_note = models.CharField(_("keterangan penggunaan"), max_length=200, blank=True)
    income = money(_("pendapatan per bulan"))
    expense = money(_("pengeluaran per bulan"))
    other_instalments = money(_("angsuran lain per bulan"))
    collateral_type = models.CharField(_("jenis agunan"), max_length=60, blank=True)
    collateral_value = money(_("nilai agunan"))
    collateral_docs = models.CharField(_("dokumen agunan"), max_length=200, blank=True)
    guarantor = TenantForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="guaranteed_loans", verbose_name=_("penjamin (anggota)"))
    analysis_note = models.TextField(_("catatan analisis"), blank=True)
    analysed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reject_reason = models.TextField(_("alasan penolakan"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # disbursement
    disbursed_on = models.DateField(_("tanggal pencairan"), null=True, blank=True)
    first_due_date = models.DateField(_("angsuran pertama"), null=True, blank=True)
    disbursement_channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    admin_fee = money(_("biaya administrasi"))
    provision_fee = money(_("provisi"))
    disbursement_entry_id = models.BigIntegerField(null=True, blank=True)
    # running state, maintained by services (the ledger is the truth; tests hold them equal)
    outstanding = money(_("sisa pokok"))
    dpd = models.IntegerField(_("hari tunggakan"), default=0)
    loan_class = models.CharField(_("kolektibilitas"), max_length=3, default="L")
    restructured = models.BooleanField(_("direstrukturisasi"), default=False)
    closed_on = models.DateField(null=True, blank=True)
    written_off_amount = money(_("jumlah dihapus buku"))
    recovered_amount = money(_("pemulihan"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applied_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "number"], name="loans_loan_number")]
        indexes = [models.Index(fields=["koperasi", "status"], name="loans_k_status"),
                   models.Index(fields=["koperasi", "member"], name="loans_k_member")]
        verbose_name = _("pinjaman")

    def __str__(self) -> str:
        return f"{self.number}"

    def terms(self, start=None, principal=None, tenor=None, first_due=None) -> Terms:
        return Terms(principal=principal if principal is not None else self.amount, rate=self.rate,
                     tenor=tenor or self.tenor, method=self.method, rate_period=self.rate_period,
                     frequency=self.frequency, day_count=self.day_count,
                     start_date=start or self.disbursed_on or self.applied_on,
                     first_due_date=first_due if first_due is not None else self.first_due_date,
                     grace_principal=self.grace_principal, grace_interest=self.grace_interest, balloon=self.balloon,
                     season_months=self.season_months, rounding=self.rounding)

    @property
    def net_income(self) -> Decimal:
        return self.income - self.expense - self.other_instalments

    @property
    def method_label(self) -> str:
        return METHODS.get(self.method, self.method)

    @property
    def rate_period_label(self) -> str:
        return RATE_PERIODS.get(self.rate_period, self.rate_period)

    @property
    def frequency_label(self) -> str:
        return FREQUENCIES.get(self.frequency, self.frequency)

    @property
    def class_label(self) -> str:
        return LOAN_CLASSES.get(self.loan_class, self.loan_class)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Approval(TenantModel):
    loan = TenantForeignKey(Loan, on_delete=models.CASCADE, related_name="approvals")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["loan", "by"], name="loans_approval_once")]


class Installment(TenantModel):
    audit_exclude = True

    loan = TenantForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    version = models.PositiveSmallIntegerField(default=1)  # bumped by restructuring
    superseded = models.BooleanField(default=False)
    no = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    principal_due = money("pokok")
    interest_due = money("jasa")
    principal_paid = money("pokok dibayar")
    interest_paid = money("jasa dibayar")
    penalty_paid = money("denda dibayar")
    penalty_waived = money("denda dihapus")
    settled = models.BooleanField(default=False)
    settled_on = models.DateField(null=True, blank=True)
    # accrual basis (LoanSettings.accrue_interest): interest booked to 1134 for this row, and the part of it paid
    interest_accrued = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0),
                                           db_default=Decimal(0))
    accrual_cleared = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0),
                                          db_default=Decimal(0))

    class Meta:
        ordering = ["loan", "version", "no"]
        indexes = [models.Index(fields=["koperasi", "settled", "due_date"], name="loans_inst_k_open_due",
                                condition=Q(settled=False, superseded=False))]

    @property
    def total_due(self) -> Decimal:
        return self.principal_due + self.interest_due

    @property
    def unpaid_principal(self) -> Decimal:
        return self.principal_due - self.principal_paid

    @property
    def unpaid_interest(self) -> Decimal:
        return self.interest_due - self.interest_paid

    @property
    def unpaid(self) -> Decimal:
        return self.unpaid_principal + self.unpaid_interest

    @property
    def accrual_open(self) -> Decimal:
        """Accrued interest still receivable on 1134 for this row."""
        return self.interest_accrued - self.accrual_cleared


class Repayment(TenantModel):
    class Kind(models.TextChoices):
        ANGSURAN = "angsuran", _("Angsuran")
        PELUNASAN = "pelunasan", _("Pelunasan dipercepat")
        PEMULIHAN = "pemulihan", _("Pemulihan setelah hapus buku")
        KOMPENSASI = "kompensasi", _("Kompensasi simpanan (anggota keluar)")

    loan = TenantForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    number = models.CharField(max_length=30)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ANGSURAN)
    date = models.DateField()
    amount = money("jumlah")
    channel = models.CharField(max_length=10, choices=Loan.Channel.choices, default=Loan.Channel.TUNAI)
    penalty = money("denda")
    interest = money("jasa")
    principal = money("pokok")
    interest_waived = money("jasa dibebaskan")
    allocation = models.JSONField(default=list)  # [[installment_id, penalty, interest, principal], …]
    # accrual basis: {installment_id: [accrued interest cleared by this payment, accrual reversed (waived)]}
    accrual = models.JSONField(default=dict, blank=True)
    entry_id = models.BigIntegerField(null=True, blank=True)
    reversed = models.BooleanField(default=False)
    reversal_entry_id = models.BigIntegerField(null=True, blank=True)
    reversal_reason = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "number"], name="loans_repayment_number")]
        indexes = [models.Index(fields=["koperasi", "date"], name="loans_rep_k_date")]


class LoanEvent(TenantModel):
    """History of a loan: application, analysis, approvals, disbursement, restructuring, write-off…"""

    loan = TenantForeignKey(Loan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    date = models.DateField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class AgeingRun(TenantModel):
    as_of = models.DateField()
    scheme = models.CharField(max_length=10)
    loan_count = models.IntegerField(default=0)
    outstanding = money("outstanding")
    provision_required = money("PPAP wajib")
    provision_before = money("PPAP sebelum")
    provision_posted = money("selisih dijurnal")
    by_class = models.JSONField(default=dict)
    entry_id = models.BigIntegerField(null=True, blank=True)
    accrual_posted = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))  # net to 1134
    accrual_entry_id = models.BigIntegerField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-id"]


class LoanClassHistory(TenantModel):
    """One row per active loan per ageing run (written set-based; high volume, so no DB-level FK checks)."""

    audit_exclude = True

    koperasi = models.ForeignKey("core.Koperasi", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    run = TenantForeignKey(AgeingRun, on_delete=models.CASCADE, related_name="rows", db_constraint=False)
    loan = TenantForeignKey(Loan, on_delete=models.CASCADE, related_name="class_history", db_constraint=False)
    loan_class = models.CharField(max_length=3)
    dpd = models.IntegerField()
    outstanding = money("outstanding")
    provision = money("PPAP")


class BankFacility(TenantModel):
    """The cooperative's own borrowing (PMK 49/2025 Himbara financing) — a payable with its schedule."""

    class Status(models.TextChoices):
        AKTIF = "aktif", _("Aktif")
        LUNAS = "lunas", _("Lunas")

    bank_name = models.CharField(_("bank"), max_length=80)
    contract_number = models.CharField(_("nomor perjanjian"), max_length=60)
    amount = money(_("plafon"))
    operating_part = money(_("bagian modal kerja/operasional"))
    rate = models.DecimalField(_("bunga % per tahun"), max_digits=7, decimal_places=3, default=Decimal("6"))
    tenor = models.PositiveSmallIntegerField(_("jangka (bulan)"), default=72)
    grace = models.PositiveSmallIntegerField(_("masa tenggang pokok (bulan)"), default=6)
    method = models.CharField(_("metode"), max_length=10, choices=list(METHODS.items()), default="anuitas")
    received_on = models.DateField(_("tanggal pencairan"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.KANTOR)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.AKTIF)
    entry_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(_("keterangan"), max_length=200, blank=True)

    class Meta:
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.contract_number}"

    def terms(self) -> Terms:
        """Instalments on the 12th (PMK 49/2025), the first in the month after the disbursement."""
        from .services import pmk49_first_due

        return Terms(principal=self.amount, rate=self.rate, rate_period="tahun", tenor=self.tenor, method=self.method,
                     start_date=self.received_on, first_due_date=pmk49_first_due(self.received_on),
                     grace_principal=self.grace, rounding=1)


class BankInstallment(TenantModel):
    facility = TenantForeignKey(BankFacility, on_delete=models.CASCADE, related_name="installments")
    no = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    principal_due = money("pokok")
    interest_due = money("bunga")
    paid_on = models.DateField(null=True, blank=True)
    entry_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["facility", "no"]

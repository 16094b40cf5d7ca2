"""Gerai sembako data: catalogue, HET tables, the generic stock engine, purchasing, POS, regulated goods.

The stock engine (``Product``, ``ProductUom``, ``Location``, ``Lot``, ``StockQuant``, ``StockMove``) is generic:
the apotek (drugs by batch and expiry) and the gudang (the cooperative's own stock) use the same tables through
``kopdes.retail.stock`` and ``kopdes.retail.pos``. Members are referenced by ``member_id`` (no cross-app FK) so
that the stock engine does not depend on the members app's migrations.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.core.models import TenantForeignKey, TenantModel
from kopdes.core.units import Unit

from .barcodes import validate_barcode

MONEY = {"max_digits": 18, "decimal_places": 2}
QTY = {"max_digits": 16, "decimal_places": 3}
ZERO = Decimal("0")

#: ledger accounts of a business unit that sells through the POS
UNIT_ACCOUNTS = {
    Unit.SEMBAKO: {"cash": "1103", "rev_member": "4111", "rev_public": "4112", "cogs_member": "5111",
                   "cogs_public": "5112", "inventory": "1151"},
    Unit.APOTEK: {"cash": "1105", "rev_member": "4121", "rev_public": "4122", "cogs_member": "5121",
                  "cogs_public": "5122", "inventory": "1152"},
}
INVENTORY_ACCOUNTS = ("1151", "1152", "1153", "1154")


class Regulated(models.TextChoices):
    NONE = "", _("Tidak diatur")
    PUPUK = "pupuk", _("Pupuk bersubsidi")
    SPHP = "sphp", _("Beras SPHP")
    LPG3 = "lpg3", _("LPG 3 kg")
    HET = "het", _("Barang ber-HET lain (Minyakita, gula, beras)")


class FertilizerType(models.TextChoices):
    UREA = "urea", _("Urea")
    NPK = "npk", _("NPK")
    NPK_KAKAO = "npk_kakao", _("NPK Kakao")
    ZA = "za", _("ZA")
    ORGANIK = "organik", _("Organik")


class PriceCeiling(models.Model):
    """HET: a government maximum retail price, dated and per region, with its decree (reference table).

    ``region_code`` is a Kemendagri prefix ("" = national, "16" = a province, "16.02" = a kabupaten); the most
    specific prefix of the cooperative's desa wins, then the latest ``valid_from`` on or before the date.
    ``max_price`` is per ``uom`` (the product's base unit, e.g. kg or tabung).
    """

    commodity = models.CharField(_("komoditas"), max_length=40, db_index=True,
                                 help_text=_("kunci, mis. pupuk_urea, beras_sphp, lpg3, minyakita"))
    name = models.CharField(_("nama"), max_length=120)
    region_code = models.CharField(_("wilayah"), max_length=13, blank=True, default="",
                                   help_text=_("kosong = nasional"))
    uom = models.CharField(_("satuan"), max_length=20, default="kg")
    max_price = models.DecimalField(_("HET per satuan"), **MONEY)
    valid_from = models.DateField(_("berlaku mulai"))
    valid_to = models.DateField(_("berlaku sampai"), null=True, blank=True)
    decree = models.CharField(_("dasar hukum (keputusan)"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["commodity", "region_code", "-valid_from"]
        verbose_name = _("HET")
        verbose_name_plural = _("tabel HET")
        constraints = [models.CheckConstraint(condition=Q(max_price__gt=0), name="retail_het_positive")]

    def __str__(self) -> str:
        return f"{self.name} {self.region_code or 'nasional'} {self.valid_from}: {self.max_price}"


class Category(TenantModel):
    name = models.CharField(_("nama"), max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kategori")
        constraints = [models.UniqueConstraint(fields=["koperasi", "name"], name="retail_category_unique")]

    def __str__(self) -> str:
        return self.name


class Product(TenantModel):
    """A stock item of any unit (sembako, apotek, gudang). Quantities are in ``base_uom``.

    ``stock_value`` / ``stock_qty`` (all locations) carry the moving-average cost; both only change inside
    ``kopdes.retail.stock`` under a lock on this row, together with a ``StockMove``.
    """

    unit = models.CharField(_("unit usaha"), max_length=20, choices=Unit.choices, default=Unit.SEMBAKO)
    code = models.CharField(_("kode internal"), max_length=30)
    barcode = models.CharField(_("barcode"), max_length=14, blank=True, validators=[validate_barcode])
    name = models.CharField(_("nama barang"), max_length=160)
    category = TenantForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 verbose_name=_("kategori"))
    base_uom = models.CharField(_("satuan dasar"), max_length=20, default="pcs")
    member_price = models.DecimalField(_("harga anggota"), **MONEY)
    public_price = models.DecimalField(_("harga umum"), **MONEY)
    regulated = models.CharField(_("barang diatur"), max_length=10, choices=Regulated.choices, blank=True,
                                 default="")
    het_commodity = models.CharField(_("komoditas HET"), max_length=40, blank=True)
    fertilizer_type = models.CharField(_("jenis pupuk"), max_length=12, choices=FertilizerType.choices,
                                       blank=True)
    inventory_account = models.CharField(_("akun persediaan"), max_length=10, default="1151")
    track_lots = models.BooleanField(_("per batch/lot"), default=False)
    requires_expiry = models.BooleanField(_("wajib tanggal kedaluwarsa"), default=False)
    min_stock = models.DecimalField(_("stok minimum"), default=ZERO, **QTY)
    active = models.BooleanField(_("aktif"), default=True)
    stock_qty = models.DecimalField(default=ZERO, editable=False, **QTY)
    stock_value = models.DecimalField(default=ZERO, editable=False, **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("barang")
        verbose_name_plural = _("barang")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "code"], name="retail_product_code_unique"),
            models.UniqueConstraint(fields=["koperasi", "barcode"], condition=~Q(barcode=""),
                                    name="retail_product_barcode_unique"),
            models.CheckConstraint(condition=Q(member_price__gte=0) & Q(public_price__gte=0),
                                   name="retail_product_price_nonneg"),
            models.CheckConstraint(condition=Q(stock_qty__gte=0), name="retail_product_qty_nonneg"),
        ]
        indexes = [models.Index(fields=["koperasi", "unit", "active"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def avg_cost(self) -> Decimal:
        if self.stock_qty <= 0:
            return ZERO
        return (self.stock_value / self.stock_qty).quantize(Decimal("0.0001"))

    def clean(self) -> None:
        if self.regulated == Regulated.PUPUK and not self.fertilizer_type:
            raise ValidationError({"fertilizer_type": _("Pilih jenis pupuk. / Choose the fertilizer type.")})
        if self.regulated in (Regulated.PUPUK, Regulated.SPHP, Regulated.LPG3, Regulated.HET) \
                and not self.het_commodity:
            raise ValidationError({"het_commodity": _("Barang diatur wajib punya komoditas HET. / "
                                                      "A regulated item needs its HET commodity.")})
        from .catalog import check_het_prices

        check_het_prices(self)


class ProductUom(TenantModel):
    """A selling/purchasing pack: ``factor`` base units (sak 50 kg = 50 kg, dus = 40 pcs)."""

    product = TenantForeignKey(Product, on_delete=models.CASCADE, related_name="uoms")
    name = models.CharField(_("satuan"), max_length=30)
    factor = models.DecimalField(_("isi (satuan dasar)"), **QTY)
    barcode = models.CharField(_("barcode"), max_length=14, blank=True, validators=[validate_barcode])
    member_price = models.DecimalField(_("harga anggota"), null=True, blank=True, **MONEY)
    public_price = models.DecimalField(_("harga umum"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["product", "factor"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="retail_uom_unique"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="retail_uom_factor_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.factor} {self.product.base_uom})"


class Location(TenantModel):
    class Kind(models.TextChoices):
        GERAI = "gerai", _("Gerai")
        GUDANG = "gudang", _("Gudang")
        APOTEK = "apotek", _("Apotek")
        TRANSIT = "transit", _("Dalam perjalanan")

    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("nama"), max_length=80)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.GERAI)
    unit = models.CharField(_("unit usaha"), max_length=20, choices=Unit.choices, default=Unit.SEMBAKO)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "code"], name="retail_location_unique")]

    def __str__(self) -> str:
        return self.name


class Lot(TenantModel):
    """A batch of a product: optional batch number and expiry date (drugs, fertilizer, food)."""

    product = TenantForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(_("nomor batch"), max_length=40)
    expiry_date = models.DateField(pgettext_lazy("tanggal", "kedaluwarsa"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expiry_date", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "lot_number"], name="retail_lot_unique")]

    def __str__(self) -> str:
        return f"{self.lot_number} (ED {self.expiry_date or '-'})"


class StockQuant(TenantModel):
    """On-hand quantity of a product at a location (per lot). Derived cache of ``StockMove``; never negative."""

    audit_exclude = True
    product = TenantForeignKey(Product, on_delete=models.PROTECT, related_name="quants")
    location = TenantForeignKey(Location, on_delete=models.PROTECT, related_name="quants")
    lot = TenantForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="quants")
    qty = models.DecimalField(default=ZERO, **QTY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "location", "lot"], condition=Q(lot__isnull=False),
                                    name="retail_quant_unique_lot"),
            models.UniqueConstraint(fields=["product", "location"], condition=Q(lot__isnull=True),
                                    name="retail_quant_unique_nolot"),
            models.CheckConstraint(condition=Q(qty__gte=0), name="retail_quant_nonneg"),
        ]


class StockMove(TenantModel):
    """The append-only stock ledger. ``qty`` is signed in base units; ``value`` is signed rupiah at cost.

    The sum of ``value`` per inventory account equals that account's balance in the ledger.
    """

    audit_exclude = True

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Penerimaan")
        SALE = "sale", _("Penjualan")
        SALE_RETURN = "sale_return", _("Retur penjualan")
        PURCHASE_RETURN = "purchase_return", _("Retur ke pemasok")
        TRANSFER = "transfer", _("Pindah lokasi")
        OPNAME = "opname", _("Stok opname")
        WRITEOFF = "writeoff", _("Penghapusan (rusak/kedaluwarsa)")
        OPENING = "opening", _("Saldo awal")

    date = models.DateField(_("tanggal"), db_index=True)
    at = models.DateTimeField(default=timezone.now)
    product = TenantForeignKey(Product, on_delete=models.PROTECT, related_name="moves")
    location = TenantForeignKey(Location, on_delete=models.PROTECT, related_name="moves")
    lot = TenantForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    qty = models.DecimalField(**QTY)
    unit_cost = models.DecimalField(max_digits=18, decimal_places=4)
    value = models.DecimalField(**MONEY)
    inventory_account = models.CharField(max_length=10)
    source = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    memo = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["koperasi", "product", "date"]),
            models.Index(fields=["koperasi", "source", "source_id"]),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Mutasi stok tidak dapat diubah. / Stock moves are append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Mutasi stok tidak dapat dihapus. / Stock moves are append-only."))


class RetailSettings(TenantModel):
    """Per-cooperative limits for regulated goods and member credit (configurable, never law in code)."""

    lpg_limit_qty = models.DecimalField(_("batas LPG 3 kg per pembeli (tabung)"), default=Decimal("2"), **QTY)
    lpg_limit_days = models.PositiveIntegerField(_("periode batas LPG (hari)"), default=7)
    sphp_limit_kg = models.DecimalField(_("batas beras SPHP per transaksi (kg)"), default=Decimal("10"), **QTY)
    credit_limit = models.DecimalField(_("batas bon per anggota"), default=Decimal("500000"), **MONEY)
    receipt_footer = models.CharField(_("catatan struk"), max_length=200, blank=True,
                                      default="Terima kasih. Belanja di koperasi, SHU kembali ke anggota.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["koperasi"], name="retail_settings_unique")]


class Supplier(TenantModel):
    class Kind(models.TextChoices):
        BULOG = "bulog", _("Perum Bulog")
        PUPUK = "pupuk", _("Distributor Pupuk Indonesia")
        LPG = "lpg", _("Agen LPG Pertamina")
        GROSIR = "grosir", _("Grosir / distributor")
        ANGGOTA = "anggota", _("Anggota (hasil bumi)")
        LAIN = "lain", _("Lainnya")

    name = models.CharField(_("nama"), max_length=160)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.GROSIR)
    member_id = models.BigIntegerField(_("anggota"), null=True, blank=True)
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    npwp = models.CharField(_("NPWP"), max_length=20, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PurchaseOrder(TenantModel):
    class Status(models.TextChoices):
        ORDERED = "ordered", _("Dipesan")
        PARTIAL = "partial", _("Diterima sebagian")
        RECEIVED = "received", _("Diterima penuh")
        CANCELLED = "cancelled", _("Dibatalkan")

    number = models.CharField(_("nomor"), max_length=30)
    supplier = TenantForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    date = models.DateField(_("tanggal"))
    location = TenantForeignKey(Location, on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ORDERED)
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "number"], name="retail_po_number_unique")]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Decimal:
        return sum((ln.qty * ln.unit_cost for ln in self.lines.all()), ZERO)


class PurchaseOrderLine(TenantModel):
    order = TenantForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = TenantForeignKey(Product, on_delete=models.PROTECT)
    qty = models.DecimalField(**QTY)
    unit_cost = models.DecimalField(max_digits=18, decimal_places=4)
    received_qty = models.DecimalField(default=ZERO, **QTY)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="retail_poline_qty_positive")]

    @property
    def remaining(self) -> Decimal:
        return self.qty - self.received_qty


class GoodsReceipt(TenantModel):
    """Goods in: stock up, payable to the supplier (Dr persediaan / Cr 2111)."""

    number = models.CharField(_("nomor"), max_length=30)
    supplier = TenantForeignKey(Supplier, on_delete=models.PROTECT, related_name="receipts")
    order = TenantForeignKey(PurchaseOrder, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="receipts")
    date = models.DateField(_("tanggal"))
    location = TenantForeignKey(Location, on_delete=models.PROTECT)
    supplier_ref = models.CharField(_("no. surat jalan/faktur"), max_length=60, blank=True)
    total = models.DecimalField(default=ZERO, **MONEY)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "number"], name="retail_gr_number_unique")]

    def __str__(self) -> str:
        return self.number


class GoodsReceiptLine(TenantModel):
    receipt = TenantForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = TenantForeignKey(PurchaseOrderLine, null=True, blank=True, on_delete=models.PROTECT)
    product = TenantForeignKey(Product, on_delete=models.PROTECT)
    lot = TenantForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT)
    qty = models.DecimalField(**QTY)
    unit_cost = models.DecimalField(max_digits=18, decimal_places=4)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]


class SupplierInvoice(TenantModel):
    number = models.CharField(_("nomor faktur pemasok"), max_length=60)
    supplier = TenantForeignKey(Supplier, on_delete=models.PROTECT, related_name="invoices")
    date = models.DateField(_("tanggal"))
    due_date = models.DateField(_("jatuh tempo"), null=True, blank=True)
    amount = models.DecimalField(_("jumlah"), **MONEY)
    paid = models.DecimalField(default=ZERO, **MONEY)
    receipts = models.ManyToManyField(GoodsReceipt, blank=True, related_name="invoices",
                                      through="SupplierInvoiceReceipt")

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "supplier", "number"],
                                               name="retail_invoice_unique")]

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid



class SupplierInvoiceReceipt(TenantModel):
    """Which goods receipts an invoice covers (an explicit link that carries ``koperasi``: Citus colocates it)."""

    invoice = TenantForeignKey(SupplierInvoice, on_delete=models.CASCADE, related_name="receipt_links")
    receipt = TenantForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="invoice_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["koperasi", "invoice", "receipt"],
                                               name="retail_invoice_receipt_unique")]

class SupplierPayment(TenantModel):
    supplier = TenantForeignKey(Supplier, on_delete=models.PROTECT, related_name="payments")
    invoice = TenantForeignKey(SupplierInvoice, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="payments")
    date = models.DateField(_("tanggal"))
    amount = models.DecimalField(_("jumlah"), **MONEY)
    account = models.CharField(_("dibayar dari"), max_length=10, default="1103")
    reference = models.CharField(_("referensi"), max_length=60, blank=True)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]


class PurchaseReturn(TenantModel):
    number = models.CharField(_("nomor"), max_length=30)
    supplier = TenantForeignKey(Supplier, on_delete=models.PROTECT, related_name="returns")
    date = models.DateField(_("tanggal"))
    location = TenantForeignKey(Location, on_delete=models.PROTECT)
    product = TenantForeignKey(Product, on_delete=models.PROTECT)
    lot = TenantForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT)
    qty = models.DecimalField(**QTY)
    credit_amount = models.DecimalField(_("nilai kredit pemasok"), **MONEY)
    reason = models.CharField(_("alasan"), max_length=200, blank=True)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]


class Shift(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Buka")
        CLOSED = "closed", _("Tutup")

    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.SEMBAKO)
    location = TenantForeignKey(Location, on_delete=models.PROTECT)
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    opening_float = models.DecimalField(_("modal awal laci"), **MONEY)
    closed_at = models.DateTimeField(null=True, blank=True)
    expected_cash = models.DecimalField(null=True, blank=True, **MONEY)
    counted_cash = models.DecimalField(_("uang dihitung"), null=True, blank=True, **MONEY)
    difference = models.DecimalField(null=True, blank=True, **MONEY)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "cashier", "unit"], condition=Q(status="open"),
                                               name="retail_one_open_shift")]

    def __str__(self) -> str:
        return f"Shift #{self.pk} {self.cashier}"


class Sale(TenantModel):
    class Method(models.TextChoices):
        CASH = "cash", _("Tunai")
        QRIS = "qris", _("QRIS")
        TRANSFER = "transfer", _("Transfer")
        SUKARELA = "sukarela", _("Potong simpanan sukarela")
        BON = "bon", _("Bon (kredit anggota)")

    audit_exclude = True  # high volume; the journal entry and idempotency record are the trail
    number = models.CharField(max_length=30)
    client_id = models.CharField(max_length=100)
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.SEMBAKO)
    shift = TenantForeignKey(Shift, on_delete=models.PROTECT, related_name="sales")
    location = TenantForeignKey(Location, on_delete=models.PROTECT)
    date = models.DateField(db_index=True)
    at = models.DateTimeField(default=timezone.now)
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    member_name = models.CharField(max_length=150, blank=True)
    member_number = models.CharField(max_length=40, blank=True)
    buyer_nik = models.CharField(max_length=16, blank=True)
    buyer_name = models.CharField(max_length=150, blank=True)
    total = models.DecimalField(**MONEY)
    cost_total = models.DecimalField(default=ZERO, **MONEY)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.CASH)
    tendered = models.DecimalField(default=ZERO, **MONEY)
    change = models.DecimalField(default=ZERO, **MONEY)
    payment_ref = models.CharField(max_length=60, blank=True)
    returned_total = models.DecimalField(default=ZERO, **MONEY)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    handover_photo = models.ImageField(upload_to="retail/serah-terima/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="retail_sale_number_unique"),
            models.UniqueConstraint(fields=["koperasi", "client_id"], name="retail_sale_client_unique"),
        ]
        indexes = [models.Index(fields=["koperasi", "date"]), models.Index(fields=["koperasi", "member_id"])]

    def __str__(self) -> str:
        return self.number


class SaleLine(TenantModel):
    audit_exclude = True
    sale = TenantForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    product = TenantForeignKey(Product, on_delete=models.PROTECT)
    uom_name = models.CharField(max_length=30)
    factor = models.DecimalField(default=Decimal("1"), **QTY)
    qty = models.DecimalField(**QTY)  # in uom
    base_qty = models.DecimalField(**QTY)
    unit_price = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)
    cost = models.DecimalField(default=ZERO, **MONEY)
    returned_qty = models.DecimalField(default=ZERO, **QTY)  # in base units

    class Meta:
        ordering = ["id"]


class SaleReturn(TenantModel):
    number = models.CharField(max_length=30)
    sale = TenantForeignKey(Sale, on_delete=models.PROTECT, related_name="returns")
    date = models.DateField()
    shift = TenantForeignKey(Shift, null=True, blank=True, on_delete=models.PROTECT)
    amount = models.DecimalField(**MONEY)
    cost = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=200, blank=True)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]


class FertilizerAllocation(TenantModel):
    """RDKK: a farmer's allocation of one fertilizer type for one season (kg)."""

    member_id = models.BigIntegerField(_("anggota"), db_index=True)
    nik = models.CharField(_("NIK"), max_length=16)
    farmer_name = models.CharField(_("nama petani"), max_length=150)
    farmer_group = models.CharField(_("kelompok tani"), max_length=120)
    season = models.CharField(_("musim tanam"), max_length=20, help_text=_("mis. 2026-MT1"))
    fertilizer_type = models.CharField(_("jenis pupuk"), max_length=12, choices=FertilizerType.choices)
    allocated_kg = models.DecimalField(_("alokasi (kg)"), **QTY)
    redeemed_kg = models.DecimalField(_("sudah ditebus (kg)"), default=ZERO, **QTY)
    valid_from = models.DateField(_("berlaku mulai"))
    valid_to = models.DateField(_("berlaku sampai"))
    commodity = models.CharField(_("komoditas"), max_length=40, blank=True)
    land_ha = models.DecimalField(_("luas lahan (ha)"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["farmer_group", "farmer_name"]
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "member_id", "season", "fertilizer_type"],
                                    name="retail_rdkk_unique"),
            models.CheckConstraint(condition=Q(redeemed_kg__lte=models.F("allocated_kg")),
                                   name="retail_rdkk_not_exceeded"),
            models.CheckConstraint(condition=Q(redeemed_kg__gte=0), name="retail_rdkk_nonneg"),
        ]

    @property
    def remaining_kg(self) -> Decimal:
        return self.allocated_kg - self.redeemed_kg


class FertilizerRedemption(TenantModel):
    allocation = TenantForeignKey(FertilizerAllocation, on_delete=models.PROTECT, related_name="redemptions")
    sale = TenantForeignKey(Sale, on_delete=models.PROTECT, related_name="redemptions")
    date = models.DateField()
    qty_kg = models.DecimalField(**QTY)
    nik = models.CharField(max_length=16)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["-date", "-id"]


class StockCount(TenantModel):
    """Stock opname: counted vs system quantity per product at a location; the variance is posted."""

    location = TenantForeignKey(Location, on_delete=models.PROTECT)
    date = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    variance_value = models.DecimalField(default=ZERO, **MONEY)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]


class StockCountLine(TenantModel):
    count = TenantForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    product = TenantForeignKey(Product, on_delete=models.PROTECT)
    lot = TenantForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT)
    system_qty = models.DecimalField(**QTY)
    counted_qty = models.DecimalField(**QTY)
    value = models.DecimalField(default=ZERO, **MONEY)


class SyncException(TenantModel):
    """A sale rung while the till was offline that the server refused when it arrived (stock sold out meanwhile,
    quota used at another till, HET changed, credit limit passed, shift closed, corrupted entry …).

    Nothing is dropped and nothing is applied behind the manager's back: the sale's payload and the refusal are
    kept here until a manager accepts it (``pos.checkout`` runs again, with every rule, under the same key) or
    refuses it (the customer is refunded or the goods taken back outside the system; the note says which).
    Policy: ``docs/dev/offline-till.md``.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Menunggu keputusan")
        ACCEPTED = "accepted", _("Diterima (penjualan dicatat)")
        REFUSED = "refused", _("Ditolak")

    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.SEMBAKO)
    client_id = models.CharField(max_length=100)  # the scoped idempotency key of the queued sale
    device = models.CharField(_("perangkat"), max_length=20, blank=True)
    provisional_number = models.CharField(_("nomor sementara"), max_length=40, blank=True)
    shift = TenantForeignKey(Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField(default=dict)
    total = models.DecimalField(default=ZERO, **MONEY)  # as the till computed it offline
    code = models.CharField(max_length=40, blank=True)
    reason = models.TextField(_("alasan ditolak"))
    rung_at = models.DateTimeField(_("waktu di kasir"), null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    sale = TenantForeignKey(Sale, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(_("catatan keputusan"), max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("pengecualian sinkron")
        verbose_name_plural = _("pengecualian sinkron")
        constraints = [models.UniqueConstraint(fields=["koperasi", "client_id"], name="retail_syncexc_client_unique")]
        indexes = [models.Index(fields=["koperasi", "status"])]

    def __str__(self) -> str:
        return self.provisional_number or self.client_id

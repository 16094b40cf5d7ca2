"""Apotek desa: the drug-specific data on top of the retail stock engine.

Stock (items, packs, locations, lots with batch number + expiry, FEFO, moving-average cost, stock moves) is the
retail engine's (``kopdes.retail``): every ``Drug`` is linked 1:1 to a ``retail.Product`` of unit apotek through
``product_id`` (no cross-app foreign key, so the two apps' migrations stay independent). This app adds what
only drugs have: class (bebas / bebas terbatas / keras / narkotika-psikotropika), generic name, strength, form,
HET/e-catalogue price, prescriptions, dispensing with labels and counselling, expiry write-offs.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.clinic.private_audit import PrivateAuditMixin
from kopdes.core.models import TenantForeignKey, TenantModel

MONEY = {"max_digits": 18, "decimal_places": 2}
QTY = {"max_digits": 16, "decimal_places": 3}
ZERO = Decimal("0")


class DrugClass(models.TextChoices):
    BEBAS = "bebas", _("Obat bebas (lingkaran hijau)")
    BEBAS_TERBATAS = "bebas_terbatas", _("Obat bebas terbatas (lingkaran biru)")
    KERAS = "keras", _("Obat keras (K merah, dengan resep)")
    NARKOTIKA = "narkotika", _("Narkotika/psikotropika (tidak dilayani apotek desa)")


class DrugForm(models.TextChoices):
    TABLET = "tablet", _("Tablet")
    KAPLET = "kaplet", _("Kaplet")
    KAPSUL = "kapsul", _("Kapsul")
    SIRUP = "sirup", _("Sirup")
    SUSPENSI = "suspensi", _("Suspensi")
    DROPS = "tetes", _("Tetes")
    SALEP = "salep", _("Salep/krim")
    INJEKSI = "injeksi", _("Injeksi")
    INFUS = "infus", _("Cairan infus")
    PUYER = "puyer", _("Serbuk/puyer")
    SUPPOSITORIA = "supositoria", _("Supositoria")
    INHALER = "inhaler", _("Inhaler")
    LAIN = "lain", _("Lainnya")


class PharmacySettings(TenantModel):
    near_expiry_days = models.PositiveIntegerField(_("peringatan kedaluwarsa (hari sebelum ED)"), default=90)
    pharmacist_name = models.CharField(_("penanggung jawab (apoteker/TTK)"), max_length=120, blank=True)
    license_number = models.CharField(_("nomor SIPA/SIPTTK"), max_length=60, blank=True)
    label_footer = models.CharField(_("catatan etiket"), max_length=120, blank=True,
                                    default="Simpan di tempat sejuk dan kering. Jauhkan dari anak-anak.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["koperasi"], name="pharmacy_settings_unique")]


class Drug(TenantModel):
    product_id = models.BigIntegerField(_("barang (stok)"), null=True, blank=True, editable=False)
    code = models.CharField(_("kode"), max_length=30)
    generic_name = models.CharField(_("nama generik"), max_length=120)
    brand = models.CharField(_("merek"), max_length=120, blank=True)
    strength = models.CharField(_("kekuatan"), max_length=40, blank=True, help_text=_("mis. 500 mg, 125 mg/5 ml"))
    form = models.CharField(_("bentuk sediaan"), max_length=12, choices=DrugForm.choices, default=DrugForm.TABLET)
    drug_class = models.CharField(_("golongan"), max_length=16, choices=DrugClass.choices, default=DrugClass.BEBAS)
    base_uom = models.CharField(_("satuan terkecil"), max_length=20, default="tablet")
    het_price = models.DecimalField(_("HET/harga e-katalog per satuan"), null=True, blank=True, **MONEY)
    het_reference = models.CharField(_("dasar harga (e-katalog/keputusan)"), max_length=160, blank=True)
    member_price = models.DecimalField(_("harga anggota per satuan"), **MONEY)
    public_price = models.DecimalField(_("harga umum per satuan"), **MONEY)
    min_stock = models.DecimalField(_("stok minimum"), default=ZERO, **QTY)
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["generic_name", "strength"]
        verbose_name = _("obat")
        verbose_name_plural = _("obat")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "code"], name="pharmacy_drug_code_unique"),
            models.UniqueConstraint(fields=["koperasi", "product_id"], condition=Q(product_id__isnull=False),
                                    name="pharmacy_drug_product_unique"),
            models.CheckConstraint(condition=~Q(drug_class="narkotika"), name="pharmacy_no_narcotics"),
            models.CheckConstraint(condition=Q(member_price__gte=0) & Q(public_price__gte=0),
                                   name="pharmacy_drug_price_nonneg"),
        ]
        indexes = [models.Index(fields=["koperasi", "generic_name"], name="pharmacy_drug_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        parts = [self.generic_name, self.strength, self.get_form_display()]
        text = " ".join(p for p in parts if p)
        return f"{text} ({self.brand})" if self.brand else text

    @property
    def needs_prescription(self) -> bool:
        return self.drug_class == DrugClass.KERAS


class Prescription(PrivateAuditMixin, TenantModel):
    """A prescription addressed to the apotek: electronic from the clinic, or a paper one typed in."""

    class Source(models.TextChoices):
        KLINIK = "klinik", _("Resep elektronik klinik desa")
        KERTAS = "kertas", _("Resep kertas (dokter/puskesmas lain)")

    class Status(models.TextChoices):
        BARU = "baru", _("Baru, menunggu")
        SEBAGIAN = "sebagian", _("Diserahkan sebagian")
        SELESAI = "selesai", _("Sudah diserahkan")
        BATAL = "batal", pgettext_lazy("status", "Batal")

    number = models.CharField(_("nomor resep"), max_length=30)
    date = models.DateField(_("tanggal resep"))
    source = models.CharField(_("asal"), max_length=8, choices=Source.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BARU)
    visit_id = models.BigIntegerField(null=True, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True)
    patient_name = models.CharField(_("nama pasien"), max_length=120)
    patient_age = models.CharField(_("umur"), max_length=20, blank=True)
    member_id = models.BigIntegerField(null=True, blank=True)
    allergies = models.CharField(_("alergi"), max_length=300, blank=True)
    prescriber_name = models.CharField(_("penulis resep"), max_length=120)
    prescriber_license = models.CharField(_("nomor SIP"), max_length=60, blank=True)
    prescriber_place = models.CharField(_("fasilitas kesehatan"), max_length=160, blank=True)
    photo = models.ImageField(_("foto resep"), upload_to="apotek/resep/%Y/%m/", blank=True)
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("resep")
        verbose_name_plural = _("resep")
        constraints = [models.UniqueConstraint(fields=["koperasi", "number"], name="pharmacy_rx_number_unique")]
        indexes = [models.Index(fields=["koperasi", "status", "date"], name="pharmacy_rx_queue"),
                   models.Index(fields=["koperasi", "patient_id"], name="pharmacy_rx_patient"),
                   models.Index(fields=["koperasi", "visit_id"], name="pharmacy_rx_visit")]

    def __str__(self) -> str:
        return self.number


class PrescriptionItem(PrivateAuditMixin, TenantModel):
    prescription = TenantForeignKey(Prescription, on_delete=models.CASCADE, related_name="items")
    drug = TenantForeignKey(Drug, on_delete=models.PROTECT, related_name="+", verbose_name=_("obat"))
    qty = models.DecimalField(pgettext_lazy("kuantitas", "jumlah"), **QTY)
    signa = models.CharField(_("aturan pakai (signa)"), max_length=120)
    note = models.CharField(_("catatan"), max_length=120, blank=True)
    dispensed_qty = models.DecimalField(default=ZERO, **QTY)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="pharmacy_rxitem_qty_positive"),
                       models.CheckConstraint(condition=~Q(signa=""), name="pharmacy_rxitem_signa_required")]

    @property
    def remaining(self) -> Decimal:
        return self.qty - self.dispensed_qty


class Dispensing(PrivateAuditMixin, TenantModel):
    """One handing-over of drugs at the apotek (over the counter or on prescription), sold through the POS."""

    number = models.CharField(max_length=30)
    date = models.DateField(db_index=True)
    at = models.DateTimeField(default=timezone.now)
    prescription = TenantForeignKey(Prescription, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="dispensings")
    sale_id = models.BigIntegerField(null=True, blank=True)
    sale_number = models.CharField(max_length=30, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True)
    patient_name = models.CharField(_("nama pasien/pembeli"), max_length=120, blank=True)
    member_id = models.BigIntegerField(null=True, blank=True)
    counselling_note = models.TextField(_("catatan konseling/PIO"), blank=True)
    total = models.DecimalField(default=ZERO, **MONEY)
    cost_total = models.DecimalField(default=ZERO, **MONEY)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    client_id = models.CharField(max_length=100, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["koperasi", "number"], name="pharmacy_disp_number_unique")]
        indexes = [models.Index(fields=["koperasi", "date"], name="pharmacy_disp_date")]

    def __str__(self) -> str:
        return self.number


class DispenseLine(PrivateAuditMixin, TenantModel):
    dispensing = TenantForeignKey(Dispensing, on_delete=models.CASCADE, related_name="lines")
    drug = TenantForeignKey(Drug, on_delete=models.PROTECT, related_name="dispense_lines")
    item = TenantForeignKey(PrescriptionItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drug_class = models.CharField(max_length=16, choices=DrugClass.choices)
    qty = models.DecimalField(**QTY)
    unit_price = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)
    cost = models.DecimalField(default=ZERO, **MONEY)
    signa = models.CharField(_("aturan pakai"), max_length=120, blank=True)
    uom_name = models.CharField(_("kemasan"), max_length=30, blank=True)  # sold per pack (strip, box); qty is in base
    uom_qty = models.DecimalField(_("jumlah kemasan"), null=True, blank=True, **QTY)
    lots = models.JSONField(default=list)  # [{"lot_id", "lot_number", "expiry", "qty"}]
    earliest_expiry = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["koperasi", "drug_class"], name="pharmacy_line_class")]


class ExpiryWriteOff(TenantModel):
    """Expired (or damaged) stock removed: Dr 6114 beban persediaan kedaluwarsa / Cr 1152 persediaan obat."""

    drug = TenantForeignKey(Drug, on_delete=models.PROTECT, related_name="writeoffs")
    lot_id = models.BigIntegerField(null=True, blank=True)
    lot_number = models.CharField(max_length=40)
    expiry_date = models.DateField(null=True, blank=True)
    qty = models.DecimalField(**QTY)
    value = models.DecimalField(**MONEY)
    date = models.DateField()
    reason = models.CharField(_("alasan"), max_length=200, default="Kedaluwarsa")
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")

    class Meta:
        ordering = ["-date", "-id"]

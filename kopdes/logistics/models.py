"""Logistik desa: vehicles and their documents, drivers, delivery orders with stops and proof, trips with costs,
fleet maintenance. Money goes through ``ledger.services.post`` on the logistics unit.

Members and ledger entries are referenced by plain ids (apps built in parallel; services check them).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.core.models import TenantForeignKey, TenantModel

MONEY = {"max_digits": 18, "decimal_places": 2}
KG = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0")


class Vehicle(TenantModel):
    class Kind(models.TextChoices):
        TRUK = "truk", _("Truk")
        PICKUP_4X4 = "pickup_4x4", _("Pikap 4×4")
        RODA_TIGA = "roda_tiga", _("Kendaraan roda tiga")
        MOTOR = "motor", _("Sepeda motor")
        LAINNYA = "lainnya", _("Lainnya")

    code = models.CharField(_("kode"), max_length=20)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    plate = models.CharField(_("nomor polisi"), max_length=15)
    brand = models.CharField(_("merek/tipe"), max_length=80, blank=True)
    year = models.PositiveSmallIntegerField(_("tahun"), null=True, blank=True)
    capacity_kg = models.DecimalField(_("daya angkut (kg)"), **KG)
    capacity_m3 = models.DecimalField(_("volume bak (m³)"), max_digits=8, decimal_places=2, null=True, blank=True)
    odometer_km = models.PositiveIntegerField(_("odometer (km)"), default=0)
    requires_kir = models.BooleanField(_("wajib uji KIR"), default=True)
    requires_insurance = models.BooleanField(_("wajib asuransi"), default=False)
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kendaraan")
        verbose_name_plural = _("kendaraan")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "code"], name="lg_vehicle_code_unique"),
            models.UniqueConstraint(fields=["koperasi", "plate"], name="lg_vehicle_plate_unique"),
            models.CheckConstraint(condition=Q(capacity_kg__gt=0), name="lg_vehicle_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plate} ({self.get_kind_display()})"

    def required_documents(self) -> list[str]:
        out = [VehicleDocument.Kind.STNK]
        if self.requires_kir:
            out.append(VehicleDocument.Kind.KIR)
        if self.requires_insurance:
            out.append(VehicleDocument.Kind.ASURANSI)
        return out


class VehicleDocument(TenantModel):
    class Kind(models.TextChoices):
        STNK = "stnk", _("STNK")
        KIR = "kir", _("Uji KIR")
        ASURANSI = "asuransi", _("Asuransi")
        PAJAK = "pajak", _("Pajak tahunan")

    vehicle = TenantForeignKey(Vehicle, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("dokumen"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("nomor"), max_length=60, blank=True)
    issued_on = models.DateField(_("tanggal terbit"), null=True, blank=True)
    valid_until = models.DateField(_("berlaku sampai"))
    note = models.CharField(_("catatan"), max_length=200, blank=True)

    class Meta:
        ordering = ["vehicle_id", "kind", "-valid_until"]
        verbose_name = _("dokumen kendaraan")
        verbose_name_plural = _("dokumen kendaraan")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.vehicle.plate} s.d. {self.valid_until:%d-%m-%Y}"


class Driver(TenantModel):
    name = models.CharField(_("nama"), max_length=120)
    phone = models.CharField(_("nomor HP"), max_length=16, blank=True)
    license_class = models.CharField(_("golongan SIM"), max_length=10, blank=True)
    license_number = models.CharField(_("nomor SIM"), max_length=30, blank=True)
    license_valid_until = models.DateField(_("SIM berlaku sampai"), null=True, blank=True)
    member_id = models.BigIntegerField(_("anggota"), null=True, blank=True)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("pengemudi")
        verbose_name_plural = _("pengemudi")

    def __str__(self) -> str:
        return self.name


class DeliveryTariff(TenantModel):
    """Delivery fee: base + per km (by distance) or base + per kg (by weight). Dated; the latest applies."""

    base_fee = models.DecimalField(_("biaya dasar"), default=ZERO, **MONEY)
    per_km = models.DecimalField(_("tarif per km"), default=ZERO, **MONEY)
    per_kg = models.DecimalField(_("tarif per kg"), default=ZERO, max_digits=12, decimal_places=2)
    member_discount_pct = models.DecimalField(_("potongan anggota (%)"), max_digits=5, decimal_places=2,
                                              default=ZERO)
    effective_from = models.DateField(_("berlaku mulai"))
    note = models.CharField(_("dasar penetapan"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("tarif pengiriman")
        verbose_name_plural = _("tarif pengiriman")


class Trip(TenantModel):
    """One run of a vehicle with its driver: odometer, costs, and the deliveries it carried."""

    class Status(models.TextChoices):
        OPEN = "open", _("Berjalan")
        CLOSED = "closed", _("Selesai")

    number = models.CharField(_("nomor perjalanan"), max_length=30)
    vehicle = TenantForeignKey(Vehicle, on_delete=models.PROTECT, related_name="trips")
    driver = TenantForeignKey(Driver, on_delete=models.PROTECT, related_name="trips")
    date = models.DateField(_("tanggal"))
    odometer_start = models.PositiveIntegerField(_("odometer berangkat (km)"))
    odometer_end = models.PositiveIntegerField(_("odometer kembali (km)"), null=True, blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("perjalanan")
        verbose_name_plural = _("perjalanan")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="lg_trip_number_unique"),
            models.CheckConstraint(condition=Q(odometer_end__isnull=True) | Q(odometer_end__gte=models.F(
                "odometer_start")), name="lg_trip_odometer_order"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.vehicle.plate}"

    @property
    def km(self) -> int:
        return (self.odometer_end - self.odometer_start) if self.odometer_end is not None else 0


class TripCost(TenantModel):
    class Kind(models.TextChoices):
        BBM = "bbm", _("Bahan bakar")
        TOL = "tol", _("Tol/retribusi")
        PARKIR = "parkir", _("Parkir")
        UANG_JALAN = "uang_jalan", _("Uang jalan pengemudi")
        BONGKAR_MUAT = "bongkar_muat", _("Bongkar muat")
        LAIN = "lain", _("Lain-lain")

    trip = TenantForeignKey(Trip, on_delete=models.PROTECT, related_name="costs")
    kind = models.CharField(_("jenis biaya"), max_length=14, choices=Kind.choices)
    amount = models.DecimalField(_("jumlah"), **MONEY)
    liters = models.DecimalField(_("liter"), max_digits=8, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=120, blank=True)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="lg_tripcost_positive")]


class DeliveryOrder(TenantModel):
    class Kind(models.TextChoices):
        SUPPLIER_TO_WAREHOUSE = "pemasok_gudang", _("Pemasok → gudang")
        WAREHOUSE_TO_KIOSK = "gudang_gerai", _("Gudang → gerai")
        TO_MEMBER = "ke_anggota", _("Koperasi → anggota")
        TO_BUYER = "ke_pembeli", _("Koperasi → pembeli/offtaker")
        OTHER = "lain", _("Lainnya")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Direncanakan")
        LOADED = "loaded", _("Dimuat")
        ON_THE_WAY = "on_the_way", _("Dalam perjalanan")
        DELIVERED = "delivered", _("Terkirim")
        FAILED = "failed", _("Gagal/batal")

    class FeeBasis(models.TextChoices):
        NONE = "none", _("Tanpa biaya (internal)")
        DISTANCE = "distance", _("Menurut jarak")
        WEIGHT = "weight", _("Menurut berat")
        FLAT = "flat", _("Tarif tetap")

    class Payment(models.TextChoices):
        CASH = "tunai", _("Tunai (kas logistik)")
        CREDIT = "piutang", _("Piutang")

    number = models.CharField(_("nomor DO"), max_length=30)
    kind = models.CharField(_("jenis pengiriman"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("tanggal rencana"))
    origin = models.CharField(_("asal"), max_length=160)
    destination = models.CharField(pgettext_lazy("tujuan pengiriman", "tujuan"), max_length=160)
    member_id = models.BigIntegerField(_("anggota (penerima/pemesan)"), null=True, blank=True, db_index=True)
    customer_name = models.CharField(_("pemesan/penerima"), max_length=120, blank=True)
    vehicle = TenantForeignKey(Vehicle, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries")
    driver = TenantForeignKey(Driver, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries")
    trip = TenantForeignKey(Trip, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    fee_basis = models.CharField(_("dasar biaya"), max_length=8, choices=FeeBasis.choices, default=FeeBasis.NONE)
    distance_km = models.DecimalField(_("jarak (km)"), max_digits=8, decimal_places=1, default=ZERO)
    fee_amount = models.DecimalField(_("biaya pengiriman"), default=ZERO, **MONEY)
    payment = models.CharField(_("pembayaran"), max_length=8, choices=Payment.choices, default=Payment.CASH)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    # goods of the cooperative moved between its own stock locations (gudang → gerai/apotek) through the
    # retail stock engine when the delivery is confirmed: plain ids of ``retail.Location``
    from_location_id = models.BigIntegerField(_("lokasi stok asal"), null=True, blank=True)
    to_location_id = models.BigIntegerField(_("lokasi stok tujuan"), null=True, blank=True)
    stock_moved_on = models.DateField(_("stok dipindahkan"), null=True, blank=True)
    stock_value = models.DecimalField(_("nilai pokok barang dipindahkan"), default=ZERO, **MONEY)
    stock_entry_id = models.BigIntegerField(null=True, blank=True)
    # proof of delivery
    recipient_name = models.CharField(_("nama penerima"), max_length=120, blank=True)
    delivered_at = models.DateTimeField(_("waktu diterima"), null=True, blank=True)
    failure_reason = models.CharField(_("alasan gagal"), max_length=200, blank=True)
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("surat jalan / DO")
        verbose_name_plural = _("surat jalan / DO")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="lg_do_number_unique"),
            models.CheckConstraint(condition=Q(fee_amount__gte=0), name="lg_do_fee_nonneg"),
        ]
        indexes = [models.Index(fields=["koperasi", "status", "date"], name="lg_do_status_date")]

    def __str__(self) -> str:
        return f"{self.number} {self.destination}"

    @property
    def total_weight_kg(self) -> Decimal:
        return sum((i.weight_kg for i in self.items.all()), ZERO)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.LOADED, self.Status.ON_THE_WAY)

    @property
    def moves_stock(self) -> bool:
        return self.from_location_id is not None and self.to_location_id is not None


class DeliveryProof(TenantModel):
    """A proof-of-delivery file: photo of the goods handed over or the recipient's signature.

    (A separate row, so the order itself carries no empty file field.)"""

    class Kind(models.TextChoices):
        PHOTO = "foto", _("Foto bukti")
        SIGNATURE = "ttd", _("Tanda tangan")

    order = TenantForeignKey(DeliveryOrder, on_delete=models.PROTECT, related_name="proofs")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    file = models.FileField(upload_to="logistics/proof/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class DeliveryStop(TenantModel):
    class Kind(models.TextChoices):
        PICKUP = "muat", _("Muat")
        DROP = "bongkar", _("Bongkar/antar")

    order = TenantForeignKey(DeliveryOrder, on_delete=models.CASCADE, related_name="stops")
    seq = models.PositiveSmallIntegerField(_("urutan"))
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices, default=Kind.DROP)
    name = models.CharField(_("nama tempat/penerima"), max_length=120)
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    done_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        ordering = ["order_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="lg_stop_seq_unique")]


class DeliveryItem(TenantModel):
    order = TenantForeignKey(DeliveryOrder, on_delete=models.CASCADE, related_name="items")
    #: a ``retail.Product`` of the cooperative's own stock (plain id); ``qty`` is then in its base unit
    product_id = models.BigIntegerField(_("barang stok"), null=True, blank=True)
    description = models.CharField(_("barang"), max_length=160)
    qty = models.DecimalField(_("jumlah"), max_digits=14, decimal_places=3, default=ZERO)
    uom = models.CharField(_("satuan"), max_length=20, blank=True)
    weight_kg = models.DecimalField(_("berat (kg)"), **KG)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(weight_kg__gte=0), name="lg_item_weight_nonneg")]


class MaintenancePlan(TenantModel):
    """Fleet maintenance schedule: a task every N km and/or every N days."""

    vehicle = TenantForeignKey(Vehicle, on_delete=models.PROTECT, related_name="maintenance_plans")
    task = models.CharField(pgettext_lazy("tugas", "pekerjaan"), max_length=120)
    interval_km = models.PositiveIntegerField(_("setiap (km)"), null=True, blank=True)
    interval_days = models.PositiveIntegerField(_("setiap (hari)"), null=True, blank=True)
    last_done_on = models.DateField(_("terakhir dikerjakan"), null=True, blank=True)
    last_done_km = models.PositiveIntegerField(_("odometer terakhir"), null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["vehicle_id", "task"]
        verbose_name = _("jadwal perawatan")
        verbose_name_plural = _("jadwal perawatan")
        constraints = [
            models.CheckConstraint(condition=Q(interval_km__isnull=False) | Q(interval_days__isnull=False),
                                   name="lg_plan_has_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle.plate}: {self.task}"

    def next_due_date(self) -> dt.date | None:
        if not self.interval_days:
            return None
        base = self.last_done_on or self.vehicle.created_at.date()
        return base + dt.timedelta(days=self.interval_days)

    def next_due_km(self) -> int | None:
        if not self.interval_km:
            return None
        return (self.last_done_km or 0) + self.interval_km

    def due_state(self, today: dt.date, *, warn_days: int = 14, warn_km: int = 500) -> str:
        """``overdue`` | ``soon`` | ``ok``."""
        d, k = self.next_due_date(), self.next_due_km()
        odo = self.vehicle.odometer_km
        if (d and d <= today) or (k is not None and odo >= k):
            return "overdue"
        if (d and d <= today + dt.timedelta(days=warn_days)) or (k is not None and odo >= k - warn_km):
            return "soon"
        return "ok"


class MaintenanceRecord(TenantModel):
    vehicle = TenantForeignKey(Vehicle, on_delete=models.PROTECT, related_name="maintenance")
    plan = TenantForeignKey(MaintenancePlan, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="records")
    date = models.DateField(_("tanggal"))
    odometer_km = models.PositiveIntegerField(_("odometer (km)"))
    description = models.CharField(pgettext_lazy("tugas", "pekerjaan"), max_length=200)
    workshop = models.CharField(_("bengkel"), max_length=120, blank=True)
    cost = models.DecimalField(_("biaya"), default=ZERO, **MONEY)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("riwayat perawatan")
        verbose_name_plural = _("riwayat perawatan")
        constraints = [models.CheckConstraint(condition=Q(cost__gte=0), name="lg_maint_cost_nonneg")]

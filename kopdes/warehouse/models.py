"""Pergudangan & cold storage: facilities, zones, members' produce in custody, warehouse receipts, temperatures.

Members' stored produce is *custody*, not the cooperative's inventory: it lives in these tables
(``StoredLot`` + the append-only ``CustodyMove``), never in the kiosk's stock engine. The cooperative's own
stock in a warehouse (fertilizer, rice, LPG) uses the retail engine through a ``retail.Location`` of kind
``gudang``; ``Facility.stock_location_id`` points at it.

Cross-app references (members, ledger entries, retail locations) are plain ids, so this app's migrations do
not depend on apps built in parallel; services check them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopdes.core.models import TenantForeignKey, TenantModel, TenantOneToOneField, TenantQuerySet

MONEY = {"max_digits": 18, "decimal_places": 2}
KG = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0")


class Commodity(models.TextChoices):
    GABAH = "gabah", _("Gabah")
    BERAS = "beras", _("Beras")
    JAGUNG = "jagung", _("Jagung pipil")
    KEDELAI = "kedelai", _("Kedelai")
    KOPI = "kopi", _("Kopi")
    KAKAO = "kakao", _("Kakao")
    SAWIT = "sawit", _("Kelapa sawit (TBS)")
    KARET = "karet", _("Karet")
    LADA = "lada", _("Lada")
    IKAN = "ikan", _("Ikan")
    SAYURAN = "sayuran", _("Sayuran")
    BUAH = "buah", _("Buah-buahan")
    LAINNYA = "lainnya", _("Lainnya")


class CapacityUnit(models.TextChoices):
    KG = "kg", _("kg")
    M3 = "m3", _("m³")
    PALLET = "pallet", _("palet")


class Facility(TenantModel):
    class Kind(models.TextChoices):
        GUDANG = "gudang", _("Gudang")
        COLD_STORAGE = "cold_storage", _("Cold storage")

    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("nama"), max_length=120)
    kind = models.CharField(_("jenis"), max_length=14, choices=Kind.choices, default=Kind.GUDANG)
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    stock_location_id = models.BigIntegerField(
        _("lokasi stok koperasi (retail.Location)"), null=True, blank=True,
        help_text=_("lokasi jenis gudang di mesin stok gerai untuk barang milik koperasi"),
    )
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("fasilitas gudang")
        verbose_name_plural = _("fasilitas gudang")
        constraints = [models.UniqueConstraint(fields=["koperasi", "code"], name="wh_facility_code_unique")]

    def __str__(self) -> str:
        return self.name


class Zone(TenantModel):
    """A zone, rack or cold room of a facility, with its capacity in one unit (kg, m³ or pallets)."""

    class Kind(models.TextChoices):
        LANTAI = "lantai", _("Lantai/zona")
        RAK = "rak", _("Rak")
        COLD_ROOM = "cold_room", _("Ruang pendingin")

    facility = TenantForeignKey(Facility, on_delete=models.PROTECT, related_name="zones")
    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("nama"), max_length=120)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.LANTAI)
    capacity = models.DecimalField(_("kapasitas"), **KG)
    capacity_unit = models.CharField(_("satuan kapasitas"), max_length=6, choices=CapacityUnit.choices,
                                     default=CapacityUnit.KG)
    temp_min = models.DecimalField(_("suhu minimum (°C)"), max_digits=5, decimal_places=2, null=True, blank=True)
    temp_max = models.DecimalField(_("suhu maksimum (°C)"), max_digits=5, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["facility_id", "code"]
        verbose_name = _("zona/rak")
        verbose_name_plural = _("zona/rak")
        constraints = [
            models.UniqueConstraint(fields=["facility", "code"], name="wh_zone_code_unique"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="wh_zone_capacity_positive"),
            models.CheckConstraint(
                condition=Q(temp_min__isnull=True) | Q(temp_max__isnull=True) | Q(temp_min__lt=models.F("temp_max")),
                name="wh_zone_temp_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility.code}/{self.code} {self.name}"

    @property
    def is_cold(self) -> bool:
        return self.kind == self.Kind.COLD_ROOM

    def clean(self) -> None:
        if self.is_cold and (self.temp_min is None or self.temp_max is None):
            raise ValidationError({"temp_min": _("Ruang pendingin membutuhkan rentang suhu target. / "
                                                 "A cold room needs a target temperature range.")})
        if self.temp_min is not None and self.temp_max is not None and self.temp_min >= self.temp_max:
            raise ValidationError({"temp_max": _("Suhu maksimum harus di atas suhu minimum. / "
                                                 "Maximum must be above minimum.")})

    def in_range(self, celsius: Decimal) -> bool:
        if self.temp_min is not None and celsius < self.temp_min:
            return False
        return not (self.temp_max is not None and celsius > self.temp_max)


class StorageTariff(TenantModel):
    """Storage price per kg, per day or per month, for members and for the public. Dated; the latest applies.

    ``commodity`` blank = every commodity; ``cold`` = applies to cold rooms.
    """

    class Period(models.TextChoices):
        DAY = "day", _("per kg per hari")
        MONTH = "month", _("per kg per bulan (30 hari)")

    commodity = models.CharField(_("komoditas"), max_length=10, choices=Commodity.choices, blank=True)
    cold = models.BooleanField(_("ruang pendingin"), default=False)
    period = models.CharField(_("periode"), max_length=6, choices=Period.choices, default=Period.MONTH)
    member_rate = models.DecimalField(_("tarif anggota (Rp/kg)"), max_digits=12, decimal_places=4)
    public_rate = models.DecimalField(_("tarif umum (Rp/kg)"), max_digits=12, decimal_places=4)
    effective_from = models.DateField(_("berlaku mulai"))
    note = models.CharField(_("dasar penetapan"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("tarif penyimpanan")
        verbose_name_plural = _("tarif penyimpanan")
        constraints = [
            models.CheckConstraint(condition=Q(member_rate__gte=0) & Q(public_rate__gte=0),
                                   name="wh_tariff_nonneg"),
        ]

    def __str__(self) -> str:
        what = self.get_commodity_display() if self.commodity else _("semua komoditas")
        return f"{what}{' (dingin)' if self.cold else ''}: {self.member_rate}/{self.public_rate} {self.period}"


class StoredLot(TenantModel):
    """One intake of produce owned by a member or a public depositor (custody). ``remaining_kg`` is derived
    from ``CustodyMove`` and kept in step by the services."""

    class Status(models.TextChoices):
        STORED = "stored", _("Tersimpan")
        RELEASED = "released", _("Sudah dikeluarkan")

    number = models.CharField(_("nomor lot"), max_length=30)
    facility = TenantForeignKey(Facility, on_delete=models.PROTECT, related_name="lots")
    zone = TenantForeignKey(Zone, on_delete=models.PROTECT, related_name="lots")
    commodity = models.CharField(_("komoditas"), max_length=10, choices=Commodity.choices)
    variety = models.CharField(_("varietas/jenis"), max_length=60, blank=True)
    grade = models.CharField(_("mutu/kelas"), max_length=20, blank=True)
    moisture_pct = models.DecimalField(_("kadar air (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    impurities_pct = models.DecimalField(_("kotoran/benda asing (%)"), max_digits=5, decimal_places=2, null=True,
                                         blank=True)
    bags = models.PositiveIntegerField(_("jumlah karung/kemasan"), default=0)
    gross_kg = models.DecimalField(_("berat kotor (kg)"), **KG)
    net_kg = models.DecimalField(_("berat bersih (kg)"), **KG)
    volume_m3 = models.DecimalField(_("volume (m³)"), max_digits=10, decimal_places=3, null=True, blank=True)
    pallets = models.DecimalField(_("palet"), max_digits=8, decimal_places=2, null=True, blank=True)
    remaining_kg = models.DecimalField(_("sisa tersimpan (kg)"), **KG)
    # owner: a member (member_id) or a public depositor
    member_id = models.BigIntegerField(_("anggota"), null=True, blank=True, db_index=True)
    depositor_name = models.CharField(_("nama penyimpan"), max_length=120)
    depositor_phone = models.CharField(_("HP penyimpan"), max_length=16, blank=True)
    depositor_id_number = models.CharField(_("NIK/identitas penyimpan"), max_length=20, blank=True)
    # tariff copied at intake (later tariff changes do not touch stored lots)
    tariff_period = models.CharField(max_length=6, choices=StorageTariff.Period.choices)
    tariff_rate = models.DecimalField(_("tarif (Rp/kg)"), max_digits=12, decimal_places=4)
    intake_date = models.DateField(_("tanggal masuk"))
    fees_through = models.DateField(_("sewa dihitung s.d."))
    fees_charged = models.DecimalField(_("sewa sudah ditagih"), default=ZERO, **MONEY)
    closed_on = models.DateField(_("tanggal keluar habis"), null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.STORED)
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-intake_date", "-id"]
        verbose_name = _("lot titipan")
        verbose_name_plural = _("lot titipan")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="wh_lot_number_unique"),
            models.CheckConstraint(condition=Q(net_kg__gt=0) & Q(gross_kg__gte=models.F("net_kg")),
                                   name="wh_lot_weights"),
            models.CheckConstraint(condition=Q(remaining_kg__gte=0) & Q(remaining_kg__lte=models.F("net_kg")),
                                   name="wh_lot_remaining_bounds"),
        ]
        indexes = [models.Index(fields=["koperasi", "zone", "status"], name="wh_lot_zone_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_commodity_display()} {self.net_kg} kg"

    @property
    def is_member(self) -> bool:
        return self.member_id is not None

    def occupied(self, unit: str) -> Decimal:
        """What the remaining quantity occupies, in a zone's capacity unit (pro rata for m³ and pallets)."""
        if unit == CapacityUnit.KG:
            return self.remaining_kg
        total = self.volume_m3 if unit == CapacityUnit.M3 else self.pallets
        if not total:
            return ZERO
        return (total * self.remaining_kg / self.net_kg).quantize(Decimal("0.001"))

    def accrued_fee(self, as_of: dt.date) -> Decimal:
        from .fees import storage_fee

        return storage_fee(self.remaining_kg, self.tariff_rate, self.tariff_period, self.fees_through, as_of)


class CustodyMove(TenantModel):
    """Append-only register of produce in custody: +kg on intake, −kg on release. Sum per lot = remaining."""

    audit_exclude = True

    class Kind(models.TextChoices):
        INTAKE = "intake", pgettext_lazy("arus gudang", "Masuk")
        RELEASE = "release", pgettext_lazy("arus gudang", "Keluar")

    lot = TenantForeignKey(StoredLot, on_delete=models.PROTECT, related_name="moves")
    facility = TenantForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    zone = TenantForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(db_index=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    kg = models.DecimalField(**KG)
    source_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["koperasi", "facility", "date"], name="wh_move_fac_date")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Mutasi titipan tidak dapat diubah. / Custody moves are append-only."))
        super().save(*args, **kwargs)


class WarehouseReceipt(TenantModel):
    """Resi gudang: one per lot. ``public_code`` is the unguessable key of the public verification page."""

    class Status(models.TextChoices):
        VALID = "valid", pgettext_lazy("status resi gudang", "Berlaku")
        PLEDGED = "pledged", pgettext_lazy("status resi gudang", "Dijaminkan")
        RELEASED = "released", _("Sudah dilepas (barang keluar)")
        CANCELLED = "cancelled", _("Dibatalkan")

    lot = TenantOneToOneField(StoredLot, on_delete=models.PROTECT, related_name="receipt")
    number = models.CharField(_("nomor resi"), max_length=40, unique=True)
    public_code = models.CharField(max_length=24, unique=True, editable=False)
    issued_on = models.DateField(_("tanggal terbit"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("resi gudang")
        verbose_name_plural = _("resi gudang")

    def __str__(self) -> str:
        return self.number

    @staticmethod
    def new_public_code() -> str:
        return secrets.token_urlsafe(12)[:16]

    @property
    def active_pledge(self):
        return self.pledges.filter(released_on__isnull=True).first()


class Pledge(TenantModel):
    """A receipt pledged to a lender: no release until the lender releases the pledge."""

    class Lender(models.TextChoices):
        LOAN_UNIT = "usp", _("Unit simpan pinjam koperasi")
        BANK = "bank", _("Bank")
        OTHER = "lain", _("Lembaga keuangan lain")

    receipt = TenantForeignKey(WarehouseReceipt, on_delete=models.PROTECT, related_name="pledges")
    lender_kind = models.CharField(_("pemberi pinjaman"), max_length=4, choices=Lender.choices)
    lender_name = models.CharField(_("nama pemberi pinjaman"), max_length=120)
    reference = models.CharField(_("nomor perjanjian/pinjaman"), max_length=60, blank=True)
    amount = models.DecimalField(_("nilai pinjaman"), default=ZERO, **MONEY)
    pledged_on = models.DateField(_("tanggal dijaminkan"))
    released_on = models.DateField(_("tanggal dilepas pemberi pinjaman"), null=True, blank=True)
    release_reference = models.CharField(_("surat roya/pelepasan"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-pledged_on", "-id"]
        verbose_name = _("gadai resi")
        verbose_name_plural = _("gadai resi")
        constraints = [
            models.UniqueConstraint(fields=["receipt"], condition=Q(released_on__isnull=True),
                                    name="wh_one_active_pledge"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt.number} → {self.lender_name}"


class Release(TenantModel):
    """Produce leaving custody (partial or full) with the storage fee charged up to that day."""

    class Payment(models.TextChoices):
        CASH = "tunai", _("Tunai (kas gudang)")
        CREDIT = "piutang", _("Piutang")

    number = models.CharField(_("nomor pengeluaran"), max_length=30)
    lot = TenantForeignKey(StoredLot, on_delete=models.PROTECT, related_name="releases")
    date = models.DateField(_("tanggal"))
    kg = models.DecimalField(_("berat keluar (kg)"), **KG)
    fee_from = models.DateField()
    fee_days = models.PositiveIntegerField(default=0)
    fee_amount = models.DecimalField(_("sewa gudang"), default=ZERO, **MONEY)
    payment = models.CharField(_("pembayaran"), max_length=8, choices=Payment.choices, default=Payment.CASH)
    collected_by = models.CharField(_("diambil oleh"), max_length=120, blank=True)
    journal_entry_id = models.BigIntegerField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("pengeluaran titipan")
        verbose_name_plural = _("pengeluaran titipan")
        constraints = [
            models.UniqueConstraint(fields=["koperasi", "number"], name="wh_release_number_unique"),
            models.CheckConstraint(condition=Q(kg__gt=0), name="wh_release_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.kg} kg"


# --- cold storage ---------------------------------------------------------------------------------------------

def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class DeviceQuerySet(TenantQuerySet):
    def authenticate(self, token: str | None) -> Device | None:
        """The active device owning this raw token (``<prefix>.<secret>``), or None. Constant-time compare."""
        if not token or "." not in token:
            return None
        from kopdes.core import codes

        prefix, _sep, _secret = token.partition(".")
        found = codes.resolve(codes.Kind.DEVICE, prefix)  # the token names its cooperative only through this
        if found is None:
            return None
        device = (self.filter(koperasi_id=found[0], pk=found[1], token_prefix=prefix, active=True)
                  .select_related("koperasi", "zone").first())
        if device is None or not device.verify_token(token):
            return None
        return device


class Device(TenantModel):
    """A temperature sensor (or gateway) of one cold room, authenticated by a hashed token bound to one
    cooperative. The raw token is shown once when issued (``issue_token``)."""

    name = models.CharField(_("nama perangkat"), max_length=80)
    zone = TenantForeignKey(Zone, on_delete=models.PROTECT, related_name="devices",
                             verbose_name=_("ruang pendingin"))
    serial = models.CharField(_("nomor seri"), max_length=60, blank=True)
    token_prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("aktif"), default=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("sensor suhu")
        verbose_name_plural = _("sensor suhu")

    def __str__(self) -> str:
        return self.name

    def issue_token(self) -> str:
        """Set a new token (the old one stops working) and return it in clear: ``<prefix>.<secret>``."""
        self.token_prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(24)
        raw = f"{self.token_prefix}.{secret}"
        self.token_hash = _hash_token(raw)
        return raw

    def verify_token(self, token: str) -> bool:
        if not token or not self.token_hash:
            return False
        return hmac.compare_digest(self.token_hash, _hash_token(token))


class TemperatureReading(TenantModel):
    """One temperature of a cold room. Sensor readings are unique per (device, time): a re-sent message is
    ignored."""

    audit_exclude = True

    class Source(models.TextChoices):
        MANUAL = "manual", _("Dicatat petugas")
        SENSOR = "sensor", _("Sensor")

    zone = TenantForeignKey(Zone, on_delete=models.PROTECT, related_name="readings")
    device = TenantForeignKey(Device, null=True, blank=True, on_delete=models.PROTECT, related_name="readings")
    at = models.DateTimeField()
    celsius = models.DecimalField(max_digits=5, decimal_places=2)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.SENSOR)
    out_of_range = models.BooleanField(default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")

    class Meta:
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["device", "at"], name="wh_reading_device_at_unique"),
        ]
        indexes = [models.Index(fields=["zone", "at"], name="wh_reading_zone_at")]


class Excursion(TenantModel):
    """A period when a cold room was out of its target range (an alert until acknowledged)."""

    zone = TenantForeignKey(Zone, on_delete=models.PROTECT, related_name="excursions")
    started_at = models.DateTimeField()
    last_out_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    min_celsius = models.DecimalField(max_digits=5, decimal_places=2)
    max_celsius = models.DecimalField(max_digits=5, decimal_places=2)
    readings = models.PositiveIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    note = models.CharField(_("tindakan"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("penyimpangan suhu")
        verbose_name_plural = _("penyimpangan suhu")
        indexes = [models.Index(fields=["zone", "ended_at"], name="wh_exc_zone_open")]

    def __str__(self) -> str:
        return f"{self.zone} {self.started_at:%d-%m-%Y %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def duration(self) -> dt.timedelta:
        return (self.ended_at or timezone.now()) - self.started_at

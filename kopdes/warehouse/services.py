"""Warehouse operations. Each is atomic; refusals raise ``DomainError`` and write nothing.

Functions for other developers:

- API (device readings): ``Device.objects.authenticate(raw_token) -> Device | None`` then
  ``record_readings(device.koperasi, device, readings)`` with ``readings = [{"at": iso-8601 | datetime,
  "celsius": "4.5" | Decimal | number}, ...]`` → ``{"received", "stored", "duplicates", "out_of_range",
  "alerts_opened"}``. ``authenticate_and_record(token, readings)`` does both (``UnknownDevice`` → 401).
- Member portal: ``kopdes.warehouse.queries.member_storage(koperasi, member_id)``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kopdes.core import codes, numbering
from kopdes.core.errors import DomainError, NotFound
from kopdes.core.idempotency import run_idempotent
from kopdes.core.models import Koperasi
from kopdes.core.units import Unit

from .fees import fee_days, storage_fee
from .models import (
    CapacityUnit,
    Commodity,
    CustodyMove,
    Device,
    Excursion,
    Facility,
    Pledge,
    Release,
    StorageTariff,
    StoredLot,
    TemperatureReading,
    WarehouseReceipt,
    Zone,
)

ZERO = Decimal("0")
KG_Q = Decimal("0.001")
CASH_ACCOUNT = "1107"
RECEIVABLE_ACCOUNT = "1143"
INCOME_MEMBER = "4141"
INCOME_PUBLIC = "4142"
MAX_BATCH = 5000
INSERT_CHUNK = 500  # rows per multi-row INSERT (8 parameters each: well under SQLite's and PostgreSQL's limits)
TEMP_LIMITS = (Decimal("-60"), Decimal("80"))


class UnknownDevice(DomainError):
    status = 401


# --- helpers ----------------------------------------------------------------------------------------------------

def _dec(value, field: str, *, label: str, positive: bool = False, allow_none: bool = False,
         q: Decimal | None = None) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise DomainError(f"{label} wajib diisi.", f"{label} is required.", field=field, code="required")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(f"{label} bukan angka: {value!r}.", f"{label} is not a number: {value!r}.", field=field,
                          code="invalid_number") from None
    if not d.is_finite():
        raise DomainError(f"{label} bukan angka.", f"{label} is not a number.", field=field, code="invalid_number")
    if positive and d <= 0:
        raise DomainError(f"{label} harus lebih dari nol.", f"{label} must be greater than zero.", field=field,
                          code="not_positive")
    if not positive and d < 0:
        raise DomainError(f"{label} tidak boleh negatif.", f"{label} must not be negative.", field=field,
                          code="negative")
    return d.quantize(q) if q is not None else d


def _next_seq(koperasi: Koperasi, name: str, year: int) -> int:
    """Core numbering, series ``warehouse.<name>``."""
    return numbering.next_value(koperasi, f"warehouse.{name}", year)


def _member(koperasi: Koperasi, member_id: int):
    from kopdes.members.models import Member

    m = Member.objects.filter(koperasi=koperasi, pk=member_id).first()
    if m is None:
        raise DomainError("Anggota tidak ditemukan di koperasi ini.", "Member not found in this cooperative.",
                          field="member", code="unknown_member")
    return m


def _ledger():
    from kopdes.ledger import services as ledger

    return ledger


# --- facilities, zones, tariffs ---------------------------------------------------------------------------------

@transaction.atomic
def create_facility(koperasi: Koperasi, *, code: str, name: str, kind: str = Facility.Kind.GUDANG,
                    address: str = "") -> Facility:
    code = (code or "").strip().upper()
    if not code or not (name or "").strip():
        raise DomainError("Kode dan nama fasilitas wajib diisi.", "Code and name are required.", field="code",
                          code="required")
    if Facility.objects.filter(koperasi=koperasi, code=code).exists():
        raise DomainError(f"Kode fasilitas {code} sudah dipakai.", f"Facility code {code} is taken.", field="code",
                          code="duplicate_code")
    return Facility.objects.create(koperasi=koperasi, code=code, name=name.strip(), kind=kind, address=address)


@transaction.atomic
def create_zone(facility: Facility, *, code: str, name: str, kind: str = Zone.Kind.LANTAI, capacity,
                capacity_unit: str = CapacityUnit.KG, temp_min=None, temp_max=None) -> Zone:
    code = (code or "").strip().upper()
    if not code or not (name or "").strip():
        raise DomainError("Kode dan nama zona wajib diisi.", "Code and name are required.", field="code",
                          code="required")
    if Zone.objects.filter(facility=facility, code=code).exists():
        raise DomainError(f"Kode zona {code} sudah ada di {facility.name}.", f"Zone code {code} exists.",
                          field="code", code="duplicate_code")
    cap = _dec(capacity, "capacity", label="Kapasitas", positive=True, q=KG_Q)
    tmin = _dec_signed(temp_min, "temp_min", "Suhu minimum")
    tmax = _dec_signed(temp_max, "temp_max", "Suhu maksimum")
    if kind == Zone.Kind.COLD_ROOM and (tmin is None or tmax is None):
        raise DomainError("Ruang pendingin membutuhkan suhu minimum dan maksimum target.",
                          "A cold room needs a target minimum and maximum temperature.", field="temp_min",
                          code="temp_range_required")
    if tmin is not None and tmax is not None and tmin >= tmax:
        raise DomainError("Suhu maksimum harus di atas suhu minimum.", "Maximum must be above minimum.",
                          field="temp_max", code="temp_range_order")
    return Zone.objects.create(koperasi=facility.koperasi, facility=facility, code=code, name=name.strip(),
                               kind=kind, capacity=cap, capacity_unit=capacity_unit, temp_min=tmin, temp_max=tmax)


def _dec_signed(value, field: str, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(f"{label} bukan angka.", f"{label} is not a number.", field=field,
                          code="invalid_number") from None
    if not d.is_finite() or not (TEMP_LIMITS[0] <= d <= TEMP_LIMITS[1]):
        raise DomainError(f"{label} di luar batas wajar (−60…80 °C).", f"{label} is out of bounds (−60…80 °C).",
                          field=field, code="out_of_bounds")
    return d.quantize(Decimal("0.01"))


@transaction.atomic
def set_tariff(koperasi: Koperasi, *, member_rate, public_rate, period: str = StorageTariff.Period.MONTH,
               commodity: str = "", cold: bool = False, effective_from: dt.date, note: str = "") -> StorageTariff:
    m = _dec(member_rate, "member_rate", label="Tarif anggota")
    p = _dec(public_rate, "public_rate", label="Tarif umum")
    if period not in StorageTariff.Period.values:
        raise DomainError("Periode tarif tidak dikenal.", "Unknown tariff period.", field="period", code="invalid")
    if commodity and commodity not in Commodity.values:
        raise DomainError("Komoditas tidak dikenal.", "Unknown commodity.", field="commodity", code="invalid")
    return StorageTariff.objects.create(koperasi=koperasi, commodity=commodity, cold=cold, period=period,
                                        member_rate=m, public_rate=p, effective_from=effective_from, note=note)


def current_tariff(koperasi: Koperasi, commodity: str, cold: bool, on: dt.date) -> StorageTariff:
    qs = StorageTariff.objects.filter(koperasi=koperasi, cold=cold, effective_from__lte=on)
    t = qs.filter(commodity=commodity).order_by("-effective_from", "-id").first() or \
        qs.filter(commodity="").order_by("-effective_from", "-id").first()
    if t is None:
        raise DomainError(
            "Belum ada tarif penyimpanan untuk komoditas ini" + (" di ruang pendingin" if cold else "")
            + f" pada {on:%d-%m-%Y}. Tetapkan tarif terlebih dahulu.",
            f"No storage tariff for this commodity{' in cold rooms' if cold else ''} on {on.isoformat()}.",
            field="commodity", code="no_tariff",
        )
    return t


def zone_occupied(zone: Zone) -> Decimal:
    total = ZERO
    for lot in StoredLot.objects.filter(zone=zone, status=StoredLot.Status.STORED):
        total += lot.occupied(zone.capacity_unit)
    return total


# --- intake, receipts ---------------------------------------------------------------------------------------------

def intake(koperasi: Koperasi, *, zone: Zone, commodity: str, gross_kg, net_kg, date: dt.date,
           member_id: int | None = None, depositor_name: str = "", depositor_phone: str = "",
           depositor_id_number: str = "", variety: str = "", grade: str = "", moisture_pct=None,
           impurities_pct=None, bags: int = 0, volume_m3=None, pallets=None, note: str = "", by=None,
           idempotency_key: str | None = None) -> StoredLot:
    """Take produce into custody and issue its warehouse receipt. Refused above the zone's capacity."""
    payload = {"zone": zone.pk, "commodity": commodity, "gross": str(gross_kg), "net": str(net_kg),
               "date": date.isoformat(), "member": member_id, "name": depositor_name, "vol": str(volume_m3),
               "pallets": str(pallets)}

    def _do():
        lot = _intake(koperasi, zone=zone, commodity=commodity, gross_kg=gross_kg, net_kg=net_kg, date=date,
                      member_id=member_id, depositor_name=depositor_name, depositor_phone=depositor_phone,
                      depositor_id_number=depositor_id_number, variety=variety, grade=grade,
                      moisture_pct=moisture_pct, impurities_pct=impurities_pct, bags=bags, volume_m3=volume_m3,
                      pallets=pallets, note=note, by=by)
        return {"lot_id": lot.pk}

    result, _replayed = run_idempotent(koperasi, "warehouse.intake", idempotency_key, payload, _do)
    return StoredLot.objects.get(pk=result["lot_id"], koperasi=koperasi)


def _intake(koperasi, *, zone, commodity, gross_kg, net_kg, date, member_id, depositor_name, depositor_phone,
            depositor_id_number, variety, grade, moisture_pct, impurities_pct, bags, volume_m3, pallets, note,
            by) -> StoredLot:
    if zone.koperasi_id != koperasi.pk:
        raise NotFound("Zona tidak ditemukan.", "Zone not found.", field="zone", code="unknown_zone")
    zone = Zone.objects.locked(zone.koperasi_id).select_related("facility").get(pk=zone.pk)
    if not zone.active or not zone.facility.active:
        raise DomainError("Zona/fasilitas tidak aktif.", "Zone or facility is inactive.", field="zone",
                          code="inactive_zone")
    if commodity not in Commodity.values:
        raise DomainError("Pilih komoditas.", "Choose a commodity.", field="commodity", code="invalid")
    gross = _dec(gross_kg, "gross_kg", label="Berat kotor", positive=True, q=KG_Q)
    net = _dec(net_kg, "net_kg", label="Berat bersih", positive=True, q=KG_Q)
    if net > gross:
        raise DomainError("Berat bersih tidak boleh melebihi berat kotor.", "Net weight cannot exceed gross weight.",
                          field="net_kg", code="net_above_gross")
    moisture = _dec(moisture_pct, "moisture_pct", label="Kadar air", allow_none=True, q=Decimal("0.01"))
    impurities = _dec(impurities_pct, "impurities_pct", label="Kotoran", allow_none=True, q=Decimal("0.01"))
    for val, fld, label in ((moisture, "moisture_pct", "Kadar air"), (impurities, "impurities_pct", "Kotoran")):
        if val is not None and val > 100:
            raise DomainError(f"{label} tidak boleh lebih dari 100%.", f"{label} cannot exceed 100%.", field=fld,
                              code="invalid_pct")
    vol = _dec(volume_m3, "volume_m3", label="Volume", allow_none=True, q=KG_Q)
    pal = _dec(pallets, "pallets", label="Palet", allow_none=True, q=Decimal("0.01"))
    unit = zone.capacity_unit
    if unit == CapacityUnit.M3 and not vol:
        raise DomainError("Zona ini berkapasitas m³: isi volume barang.", "This zone is measured in m³: enter volume.",
                          field="volume_m3", code="volume_required")
    if unit == CapacityUnit.PALLET and not pal:
        raise DomainError("Zona ini berkapasitas palet: isi jumlah palet.", "This zone is measured in pallets.",
                          field="pallets", code="pallets_required")
    if member_id:
        m = _member(koperasi, int(member_id))
        if m.status not in ("calon", "aktif"):
            raise DomainError(f"{m.name} bukan anggota aktif; catat sebagai penyimpan umum.",
                              f"{m.name} is not a current member; record as a public depositor.", field="member",
                              code="member_not_current")
        member_id = m.pk
        depositor_name = depositor_name or m.name
        depositor_phone = depositor_phone or (m.phone or "")
    else:
        member_id = None
        if not (depositor_name or "").strip():
            raise DomainError("Nama penyimpan (bukan anggota) wajib diisi.", "The depositor's name is required.",
                              field="depositor_name", code="required")
    need = {CapacityUnit.KG: net, CapacityUnit.M3: vol, CapacityUnit.PALLET: pal}[unit]
    used = zone_occupied(zone)
    free = zone.capacity - used
    if need > free:
        u = zone.get_capacity_unit_display()
        raise DomainError(
            f"Kapasitas {zone.name} tidak cukup: tersisa {free.normalize():f} {u}, barang masuk {need.normalize():f} {u}.",
            f"Not enough capacity in {zone.name}: {free.normalize():f} {u} free, intake {need.normalize():f} {u}.",
            field="net_kg" if unit == CapacityUnit.KG else ("volume_m3" if unit == CapacityUnit.M3 else "pallets"),
            code="over_capacity",
        )
    tariff = current_tariff(koperasi, commodity, zone.is_cold, date)
    year = date.year
    lot = StoredLot.objects.create(
        koperasi=koperasi, number=f"LT-{year}-{_next_seq(koperasi, 'lot', year):05d}", facility=zone.facility,
        zone=zone, commodity=commodity, variety=variety, grade=grade, moisture_pct=moisture,
        impurities_pct=impurities, bags=int(bags or 0), gross_kg=gross, net_kg=net, volume_m3=vol, pallets=pal,
        remaining_kg=net, member_id=member_id, depositor_name=depositor_name.strip()[:120],
        depositor_phone=(depositor_phone or "")[:16], depositor_id_number=(depositor_id_number or "")[:20],
        tariff_period=tariff.period, tariff_rate=tariff.member_rate if member_id else tariff.public_rate,
        intake_date=date, fees_through=date - dt.timedelta(days=1), note=note,
        created_by=by if getattr(by, "pk", None) else None,
    )
    CustodyMove.objects.create(koperasi=koperasi, lot=lot, facility=zone.facility, zone=zone, date=date,
                               kind=CustodyMove.Kind.INTAKE, kg=net, source_id=lot.number)
    _issue_receipt(lot)
    return lot


def _issue_receipt(lot: StoredLot) -> WarehouseReceipt:
    k = lot.koperasi
    year = lot.intake_date.year
    number = f"RG-{k.pk:04d}-{year}-{_next_seq(k, 'receipt', year):05d}"
    for _attempt in range(5):
        code = WarehouseReceipt.new_public_code()
        try:
            with transaction.atomic():
                receipt = WarehouseReceipt.objects.create(koperasi=k, lot=lot, number=number, public_code=code,
                                                          issued_on=lot.intake_date)
                # the verification link finds its cooperative from the code alone: unique nationwide
                codes.claim(codes.Kind.RECEIPT, code, koperasi_id=k.pk, object_id=receipt.pk)
                return receipt
        except (IntegrityError, codes.CodeTaken):  # astronomically unlikely public_code clash: draw again
            continue
    raise DomainError("Gagal menerbitkan resi.", "Could not issue the receipt.", code="receipt_failed")


# --- pledges ------------------------------------------------------------------------------------------------------

def _locked_receipt(receipt: WarehouseReceipt) -> WarehouseReceipt:
    return WarehouseReceipt.objects.locked(receipt.koperasi_id).select_related("lot").get(pk=receipt.pk)


@transaction.atomic
def pledge(receipt: WarehouseReceipt, *, lender_kind: str, lender_name: str, date: dt.date, reference: str = "",
           amount=ZERO, by=None) -> Pledge:
    receipt = _locked_receipt(receipt)
    if receipt.status == WarehouseReceipt.Status.PLEDGED:
        raise DomainError(f"Resi {receipt.number} sudah dijaminkan.", f"Receipt {receipt.number} is already pledged.",
                          field="receipt", code="already_pledged")
    if receipt.status != WarehouseReceipt.Status.VALID:
        raise DomainError(f"Resi {receipt.number} tidak berlaku lagi ({receipt.get_status_display()}).",
                          f"Receipt {receipt.number} is no longer valid.", field="receipt", code="receipt_not_valid")
    if lender_kind not in Pledge.Lender.values:
        raise DomainError("Pilih jenis pemberi pinjaman.", "Choose the lender type.", field="lender_kind",
                          code="invalid")
    if not (lender_name or "").strip():
        raise DomainError("Nama pemberi pinjaman wajib diisi.", "Lender name is required.", field="lender_name",
                          code="required")
    if date < receipt.issued_on:
        raise DomainError("Tanggal gadai sebelum resi terbit.", "Pledge date precedes the receipt.", field="date",
                          code="invalid_date")
    amt = _dec(amount or 0, "amount", label="Nilai pinjaman", q=Decimal("0.01"))
    p = Pledge.objects.create(koperasi=receipt.koperasi, receipt=receipt, lender_kind=lender_kind,
                              lender_name=lender_name.strip(), reference=reference, amount=amt, pledged_on=date,
                              created_by=by if getattr(by, "pk", None) else None)
    receipt.status = WarehouseReceipt.Status.PLEDGED
    receipt.save(update_fields=["status"])
    return p


@transaction.atomic
def release_pledge(receipt: WarehouseReceipt, *, date: dt.date, reference: str = "", by=None) -> Pledge:
    """The lender's release (roya): the receipt becomes valid again and the produce may leave."""
    receipt = _locked_receipt(receipt)
    p = Pledge.objects.locked(receipt.koperasi_id).filter(receipt=receipt, released_on__isnull=True).first()
    if p is None:
        raise DomainError(f"Resi {receipt.number} tidak sedang dijaminkan.", f"Receipt {receipt.number} is not pledged.",
                          field="receipt", code="not_pledged")
    if date < p.pledged_on:
        raise DomainError("Tanggal pelepasan sebelum tanggal gadai.", "Release date precedes the pledge.",
                          field="date", code="invalid_date")
    p.released_on = date
    p.release_reference = reference
    p.released_by = by if getattr(by, "pk", None) else None
    p.save(update_fields=["released_on", "release_reference", "released_by"])
    receipt.status = WarehouseReceipt.Status.VALID
    receipt.save(update_fields=["status"])
    return p


# --- release ------------------------------------------------------------------------------------------------------

def release(lot: StoredLot, *, kg, date: dt.date, payment: str = Release.Payment.CASH, collected_by: str = "",
            by=None, idempotency_key: str | None = None) -> Release:
    """Produce leaves custody (partial or full). The storage fee accrued on everything stored up to ``date`` is
    charged now and posted (unit pergudangan; member revenue carries the member)."""
    payload = {"lot": lot.pk, "kg": str(kg), "date": date.isoformat(), "payment": payment}

    def _do():
        return {"release_id": _release(lot, kg=kg, date=date, payment=payment, collected_by=collected_by,
                                       by=by).pk}

    result, _replayed = run_idempotent(lot.koperasi, "warehouse.release", idempotency_key, payload, _do)
    return Release.objects.get(pk=result["release_id"], koperasi_id=lot.koperasi_id)


def _release(lot: StoredLot, *, kg, date, payment, collected_by, by) -> Release:
    lot = StoredLot.objects.locked(lot.koperasi_id).select_related("koperasi", "zone", "facility").get(pk=lot.pk)
    koperasi = lot.koperasi
    receipt = WarehouseReceipt.objects.locked(lot.koperasi_id).filter(lot=lot).first()
    if receipt is not None and receipt.status == WarehouseReceipt.Status.PLEDGED:
        p = receipt.active_pledge
        raise DomainError(
            f"Resi {receipt.number} sedang dijaminkan kepada {p.lender_name if p else 'pemberi pinjaman'}: "
            "barang tidak dapat dikeluarkan sebelum pemberi pinjaman melepas jaminan.",
            f"Receipt {receipt.number} is pledged to {p.lender_name if p else 'a lender'}: no release until the "
            "lender releases the pledge.", field="kg", code="receipt_pledged",
        )
    if lot.status != StoredLot.Status.STORED or lot.remaining_kg <= 0:
        raise DomainError(f"Lot {lot.number} sudah habis dikeluarkan.", f"Lot {lot.number} is already released.",
                          field="kg", code="lot_released")
    qty = _dec(kg, "kg", label="Berat keluar", positive=True, q=KG_Q)
    if qty > lot.remaining_kg:
        raise DomainError(
            f"Berat keluar {qty.normalize():f} kg melebihi sisa tersimpan {lot.remaining_kg.normalize():f} kg.",
            f"Release of {qty.normalize():f} kg exceeds the {lot.remaining_kg.normalize():f} kg stored.",
            field="kg", code="over_release",
        )
    if date < lot.intake_date or date < lot.fees_through:
        raise DomainError("Tanggal keluar sebelum tanggal masuk/pengeluaran terakhir.",
                          "Release date precedes the intake or the last release.", field="date", code="invalid_date")
    if payment not in Release.Payment.values:
        raise DomainError("Pilih cara pembayaran.", "Choose the payment.", field="payment", code="invalid")
    days = fee_days(lot.fees_through, date)
    fee = storage_fee(lot.remaining_kg, lot.tariff_rate, lot.tariff_period, lot.fees_through, date)
    rel = Release.objects.create(
        koperasi=koperasi, number=f"KL-{date.year}-{_next_seq(koperasi, 'release', date.year):05d}", lot=lot,
        date=date, kg=qty, fee_from=lot.fees_through + dt.timedelta(days=1), fee_days=days, fee_amount=fee,
        payment=payment, collected_by=collected_by, by=by if getattr(by, "pk", None) else None,
    )
    if fee > 0:
        member_id = lot.member_id
        debit_acc = CASH_ACCOUNT if payment == Release.Payment.CASH else RECEIVABLE_ACCOUNT
        L = _ledger().Line
        entry = _ledger().post(
            koperasi, date=date,
            memo=f"Sewa gudang {lot.number} ({days} hari, {lot.depositor_name if member_id else 'umum'})",
            lines=[
                L(debit_acc, debit=fee, unit=Unit.PERGUDANGAN, member_id=member_id),
                L(INCOME_MEMBER if member_id else INCOME_PUBLIC, credit=fee, unit=Unit.PERGUDANGAN,
                  member_id=member_id),
            ],
            source="warehouse.Release", source_id=str(rel.pk), by=by,
        )
        Release.objects.row(rel).update(journal_entry_id=entry.pk)
        rel.journal_entry_id = entry.pk
    lot.remaining_kg -= qty
    lot.fees_through = date
    lot.fees_charged += fee
    if lot.remaining_kg == 0:
        lot.status = StoredLot.Status.RELEASED
        lot.closed_on = date
    lot.save(update_fields=["remaining_kg", "fees_through", "fees_charged", "status", "closed_on"])
    CustodyMove.objects.create(koperasi=koperasi, lot=lot, facility=lot.facility, zone=lot.zone, date=date,
                               kind=CustodyMove.Kind.RELEASE, kg=-qty, source_id=rel.number)
    if receipt is not None and lot.remaining_kg == 0:
        receipt.status = WarehouseReceipt.Status.RELEASED
        receipt.save(update_fields=["status"])
    return rel


# --- cold storage: devices and readings ---------------------------------------------------------------------------

@transaction.atomic
def register_device(zone: Zone, *, name: str, serial: str = "") -> tuple[Device, str]:
    """A new sensor for a cold room. Returns ``(device, raw_token)``; the raw token is shown once."""
    if not zone.is_cold:
        raise DomainError("Sensor suhu hanya untuk ruang pendingin.", "Temperature sensors belong to cold rooms.",
                          field="zone", code="not_cold_room")
    if not (name or "").strip():
        raise DomainError("Nama perangkat wajib diisi.", "Device name is required.", field="name", code="required")
    device = Device(koperasi=zone.koperasi, zone=zone, name=name.strip(), serial=serial)
    raw = device.issue_token()
    device.save()
    return device, _claim_token_prefix(device, raw)


def _claim_token_prefix(device: Device, raw: str) -> str:
    """The prefix names the device nationwide (a sensor sends only its token): draw again on a clash."""
    for _attempt in range(5):
        try:
            codes.claim(codes.Kind.DEVICE, device.token_prefix, koperasi_id=device.koperasi_id, object_id=device.pk)
            return raw
        except codes.CodeTaken:
            raw = device.issue_token()
            device.save(update_fields=["token_prefix", "token_hash"])
    raise DomainError("Gagal membuat token perangkat.", "Could not issue a device token.", code="token_failed")


@transaction.atomic
def rotate_device_token(device: Device) -> str:
    codes.release(codes.Kind.DEVICE, koperasi_id=device.koperasi_id, object_id=device.pk)
    raw = device.issue_token()
    device.save(update_fields=["token_prefix", "token_hash"])
    return _claim_token_prefix(device, raw)


def _parse_at(value, i: int) -> dt.datetime:
    at = value
    if isinstance(value, str):
        at = parse_datetime(value.strip())
    if not isinstance(at, dt.datetime):
        raise DomainError(f"Data ke-{i + 1}: waktu tidak valid ({value!r}); pakai ISO 8601 dengan zona waktu.",
                          f"Reading {i + 1}: invalid time {value!r}; use ISO 8601 with a time zone.",
                          field=f"readings[{i}].at", code="invalid_time")
    if timezone.is_naive(at):
        raise DomainError(f"Data ke-{i + 1}: waktu tanpa zona waktu.", f"Reading {i + 1}: time has no time zone.",
                          field=f"readings[{i}].at", code="naive_time")
    return at.astimezone(dt.UTC)


def _parse_celsius(value, i: int) -> Decimal:
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, AttributeError):
        d = None
    if d is None or not d.is_finite() or not (TEMP_LIMITS[0] <= d <= TEMP_LIMITS[1]):
        raise DomainError(f"Data ke-{i + 1}: suhu tidak valid ({value!r}); batas −60…80 °C.",
                          f"Reading {i + 1}: invalid temperature {value!r} (−60…80 °C).",
                          field=f"readings[{i}].celsius", code="invalid_temperature")
    return d.quantize(Decimal("0.01"))


def authenticate_and_record(token: str | None, readings: list) -> dict:
    """For the API: refuse an unknown/inactive device (``UnknownDevice``, 401), else record the batch."""
    device = Device.objects.authenticate(token)
    if device is None:
        raise UnknownDevice("Perangkat tidak dikenal atau token salah: data suhu ditolak.",
                            "Unknown device or wrong token: readings refused.", field="token", code="unknown_device")
    return record_readings(device.koperasi, device, readings)


@transaction.atomic
def record_readings(koperasi: Koperasi, device: Device | None, readings: list, *, now: dt.datetime | None = None
                    ) -> dict:
    """Store a batch of sensor readings. The batch is all-or-nothing on bad data; readings already stored
    (same device + time, e.g. a re-sent message) are ignored, so a retry never duplicates."""
    if (device is None or device.pk is None or device.koperasi_id != getattr(koperasi, "pk", None)
            or not Device.objects.filter(pk=device.pk, koperasi=koperasi, active=True).exists()):
        raise UnknownDevice("Perangkat tidak dikenal di koperasi ini: data suhu ditolak.",
                            "Unknown device for this cooperative: readings refused.", field="device",
                            code="unknown_device")
    if not isinstance(readings, list | tuple):
        raise DomainError("Data suhu harus berupa daftar.", "Readings must be a list.", field="readings",
                          code="invalid")
    if len(readings) > MAX_BATCH:
        raise DomainError(f"Paling banyak {MAX_BATCH} data per kiriman.", f"At most {MAX_BATCH} readings per batch.",
                          field="readings", code="batch_too_large")
    now = now or timezone.now()
    limit = now + dt.timedelta(minutes=10)
    parsed: dict[dt.datetime, Decimal] = {}
    dup_in_batch = 0
    for i, r in enumerate(readings):
        if not isinstance(r, dict):
            raise DomainError(f"Data ke-{i + 1} tidak valid.", f"Reading {i + 1} is invalid.",
                              field=f"readings[{i}]", code="invalid")
        at = _parse_at(r.get("at"), i)
        c = _parse_celsius(r.get("celsius"), i)
        if at > limit:
            raise DomainError(f"Data ke-{i + 1}: waktu di masa depan ({at.isoformat()}); periksa jam sensor.",
                              f"Reading {i + 1}: time in the future; check the sensor clock.",
                              field=f"readings[{i}].at", code="future_time")
        if at in parsed:
            dup_in_batch += 1
            continue
        parsed[at] = c
    zone = Zone.objects.locked(device.koperasi_id).get(pk=device.zone_id)
    result = _store_readings(koperasi, zone, device, parsed, source=TemperatureReading.Source.SENSOR, by=None)
    result["received"] = len(readings)
    result["duplicates"] += dup_in_batch
    Device.objects.row(device).update(last_seen_at=now)
    return result


@transaction.atomic
def record_manual_reading(koperasi: Koperasi, zone: Zone, *, at: dt.datetime, celsius, by=None) -> dict:
    if zone.koperasi_id != koperasi.pk:
        raise NotFound("Ruang tidak ditemukan.", "Room not found.", field="zone", code="unknown_zone")
    if not zone.is_cold:
        raise DomainError("Suhu hanya dicatat untuk ruang pendingin.", "Temperatures are for cold rooms.",
                          field="zone", code="not_cold_room")
    at_utc = _parse_at(at, 0)
    if at_utc > timezone.now() + dt.timedelta(minutes=10):
        raise DomainError("Waktu pencatatan di masa depan.", "Time is in the future.", field="at", code="future_time")
    c = _parse_celsius(celsius, 0)
    zone = Zone.objects.locked(zone.koperasi_id).get(pk=zone.pk)
    return _store_readings(koperasi, zone, None, {at_utc: c}, source=TemperatureReading.Source.MANUAL, by=by)


class _Row(NamedTuple):
    at: dt.datetime
    celsius: Decimal
    out_of_range: bool


def _store_readings(koperasi, zone: Zone, device: Device | None, parsed: dict, *, source: str, by) -> dict:
    out = {"stored": 0, "duplicates": 0, "out_of_range": 0, "alerts_opened": 0}
    if not parsed:
        return out
    if device is not None:
        lo, hi = min(parsed), max(parsed)
        existing = set(TemperatureReading.objects.filter(device=device, at__gte=lo, at__lte=hi)
                       .values_list("at", flat=True))
        existing = {e.astimezone(dt.UTC) for e in existing}
    else:
        existing = set()
    rows: list[_Row] = []
    lo_t, hi_t = zone.temp_min, zone.temp_max
    for at in sorted(parsed):
        if at in existing:
            out["duplicates"] += 1
            continue
        c = parsed[at]
        rows.append(_Row(at, c, (lo_t is not None and c < lo_t) or (hi_t is not None and c > hi_t)))
    _insert_readings(koperasi.pk, zone.pk, device.pk if device is not None else None, source,
                     by.pk if getattr(by, "pk", None) else None, rows)
    out["stored"] = len(rows)
    out["out_of_range"] = sum(1 for r in rows if r.out_of_range)
    out["alerts_opened"] = _track_excursions(zone, rows)
    return out


def _insert_readings(koperasi_id: int, zone_id: int, device_id: int | None, source: str, by_id: int | None,
                     rows: list[_Row]) -> None:
    """Plain ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL): a sensor batch is the hot path, and the
    ORM's per-row model and field preparation costs more than the database. Values are adapted by the backend's
    own ops. A row already stored by a concurrent request (same device and time) is skipped by the unique
    constraint."""
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(TemperatureReading._meta.db_table)
    cols = "(koperasi_id, zone_id, device_id, at, celsius, source, out_of_range, by_id)"
    if connection.vendor == "postgresql":  # three array parameters instead of 8 per row: no query splitting
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} {cols} SELECT %s::bigint, %s::bigint, %s::bigint, u.at, u.c, %s::varchar, "
                "u.o, %s::bigint FROM unnest(%s::timestamptz[], %s::numeric[], %s::boolean[]) AS u(at, c, o) "
                "ON CONFLICT DO NOTHING",
                [koperasi_id, zone_id, device_id, source, by_id, [r.at for r in rows], [r.celsius for r in rows],
                 [r.out_of_range for r in rows]])
        return
    head = f"INSERT INTO {table} {cols} VALUES "
    with connection.cursor() as cur:
        for i in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[i:i + INSERT_CHUNK]
            params: list = []
            for r in chunk:
                params += [koperasi_id, zone_id, device_id, ops.adapt_datetimefield_value(r.at),
                           ops.adapt_decimalfield_value(r.celsius, 5, 2), source, r.out_of_range, by_id]
            cur.execute(head + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
                        + " ON CONFLICT DO NOTHING", params)


def _track_excursions(zone: Zone, rows: list[_Row]) -> int:
    """Open, extend and close excursions from new readings (in time order). Returns how many were opened."""
    if zone.temp_min is None and zone.temp_max is None:
        return 0
    opened = 0
    exc = Excursion.objects.filter(zone=zone, ended_at__isnull=True).order_by("-started_at").first()
    dirty = False
    for r in rows:
        if r.out_of_range:
            if exc is None:
                # a late reading (or a second sensor in the room) inside a known excursion extends it
                exc = (Excursion.objects.filter(zone=zone, started_at__lte=r.at, ended_at__gte=r.at)
                       .order_by("-started_at").first())
                if exc is not None:
                    exc.readings += 1
                    exc.min_celsius = min(exc.min_celsius, r.celsius)
                    exc.max_celsius = max(exc.max_celsius, r.celsius)
                    exc.save(update_fields=["readings", "min_celsius", "max_celsius"])
                    exc = None
                    continue
                exc = Excursion(koperasi_id=zone.koperasi_id, zone=zone, started_at=r.at, last_out_at=r.at,
                                min_celsius=r.celsius, max_celsius=r.celsius, readings=0)
                opened += 1
            exc.readings += 1
            exc.min_celsius = min(exc.min_celsius, r.celsius)
            exc.max_celsius = max(exc.max_celsius, r.celsius)
            exc.last_out_at = max(exc.last_out_at, r.at)
            exc.started_at = min(exc.started_at, r.at)
            dirty = True
        elif exc is not None and r.at > exc.last_out_at:
            exc.ended_at = r.at
            exc.save()
            exc, dirty = None, False
    if exc is not None and dirty:
        exc.save()
    return opened


@transaction.atomic
def acknowledge_excursion(excursion: Excursion, *, note: str, by=None) -> Excursion:
    if not (note or "").strip():
        raise DomainError("Tuliskan tindakan yang diambil.", "Describe the action taken.", field="note",
                          code="required")
    excursion.acknowledged_at = timezone.now()
    excursion.acknowledged_by = by if getattr(by, "pk", None) else None
    excursion.note = note.strip()[:300]
    excursion.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
    return excursion

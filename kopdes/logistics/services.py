"""Logistics operations. Each is atomic; refusals raise ``DomainError`` and write nothing.

Money: delivery fees (Dr 1108 kas logistik / 1143 piutang, Cr 4151 anggota with member_id / 4152 non-anggota),
trip costs (Dr 6108 BBM or 6104 transport, Cr 1108), maintenance (Dr 6109, Cr 1108) — all on Unit.LOGISTIK.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kopdes.core import numbering
from kopdes.core.errors import DomainError, NotFound
from kopdes.core.idempotency import run_idempotent
from kopdes.core.models import Koperasi
from kopdes.core.money import round_rupiah
from kopdes.core.units import Unit

from .models import (
    DeliveryItem,
    DeliveryOrder,
    DeliveryProof,
    DeliveryStop,
    DeliveryTariff,
    Driver,
    MaintenancePlan,
    MaintenanceRecord,
    Trip,
    TripCost,
    Vehicle,
    VehicleDocument,
)

ZERO = Decimal("0")
CASH = "1108"
RECEIVABLE = "1143"
INCOME_MEMBER = "4151"
INCOME_PUBLIC = "4152"
FUEL = "6108"
TRANSPORT = "6104"
VEHICLE_MAINTENANCE = "6109"
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def _dec(value, field: str, label: str, *, positive: bool = False, q: str = "0.001") -> Decimal:
    if value is None or value == "":
        raise DomainError(f"{label} wajib diisi.", f"{label} is required.", field=field, code="required")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(f"{label} bukan angka.", f"{label} is not a number.", field=field,
                          code="invalid_number") from None
    if not d.is_finite() or d < 0 or (positive and d == 0):
        raise DomainError(f"{label} harus {'lebih dari nol' if positive else 'tidak negatif'}.",
                          f"{label} must be {'positive' if positive else 'non-negative'}.", field=field,
                          code="invalid_number")
    return d.quantize(Decimal(q))


def _next_seq(koperasi: Koperasi, name: str, year: int) -> int:
    """Core numbering, series ``logistics.<name>``."""
    return numbering.next_value(koperasi, f"logistics.{name}", year)


def _same_koperasi(koperasi: Koperasi, obj, label: str, field: str) -> None:
    if obj is not None and obj.koperasi_id != koperasi.pk:
        raise NotFound(f"{label} tidak ditemukan.", f"{label} not found.", field=field, code="not_found")


def _post(koperasi, **kw):
    from kopdes.ledger.services import post

    return post(koperasi, **kw)


def _line(*a, **kw):
    from kopdes.ledger.services import Line

    return Line(*a, **kw)


def _user(by):
    return by if getattr(by, "pk", None) else None


# --- fleet ------------------------------------------------------------------------------------------------------

@transaction.atomic
def create_vehicle(koperasi: Koperasi, *, code: str, kind: str, plate: str, capacity_kg, brand: str = "",
                   year: int | None = None, capacity_m3=None, odometer_km: int = 0, requires_kir: bool | None = None,
                   requires_insurance: bool = False) -> Vehicle:
    code = (code or "").strip().upper()
    plate = " ".join((plate or "").upper().split())
    if not code or not plate:
        raise DomainError("Kode dan nomor polisi wajib diisi.", "Code and plate are required.", field="plate",
                          code="required")
    if kind not in Vehicle.Kind.values:
        raise DomainError("Pilih jenis kendaraan.", "Choose the vehicle type.", field="kind", code="invalid")
    if Vehicle.objects.filter(koperasi=koperasi, plate=plate).exists():
        raise DomainError(f"Nomor polisi {plate} sudah terdaftar.", f"Plate {plate} already registered.",
                          field="plate", code="duplicate_plate")
    if Vehicle.objects.filter(koperasi=koperasi, code=code).exists():
        raise DomainError(f"Kode {code} sudah dipakai.", f"Code {code} is taken.", field="code", code="duplicate_code")
    if requires_kir is None:
        requires_kir = kind in (Vehicle.Kind.TRUK, Vehicle.Kind.PICKUP_4X4, Vehicle.Kind.RODA_TIGA)
    return Vehicle.objects.create(
        koperasi=koperasi, code=code, kind=kind, plate=plate, brand=brand, year=year,
        capacity_kg=_dec(capacity_kg, "capacity_kg", "Daya angkut", positive=True),
        capacity_m3=_dec(capacity_m3, "capacity_m3", "Volume", q="0.01") if capacity_m3 not in (None, "") else None,
        odometer_km=int(odometer_km or 0), requires_kir=requires_kir, requires_insurance=requires_insurance,
    )


@transaction.atomic
def add_document(vehicle: Vehicle, *, kind: str, valid_until: dt.date, number: str = "",
                 issued_on: dt.date | None = None, note: str = "") -> VehicleDocument:
    if kind not in VehicleDocument.Kind.values:
        raise DomainError("Pilih jenis dokumen.", "Choose the document type.", field="kind", code="invalid")
    if issued_on and valid_until < issued_on:
        raise DomainError("Masa berlaku sebelum tanggal terbit.", "Valid-until precedes the issue date.",
                          field="valid_until", code="invalid_date")
    return VehicleDocument.objects.create(koperasi_id=vehicle.koperasi_id, vehicle=vehicle, kind=kind, number=number,
                                          issued_on=issued_on, valid_until=valid_until, note=note)


def document_problems(vehicle: Vehicle, on: dt.date) -> list[tuple[str, str]]:
    """``[(kind, Indonesian message)]`` for required documents missing or expired on ``on``."""
    latest: dict[str, VehicleDocument] = {}
    for d in vehicle.documents.order_by("kind", "-valid_until"):
        latest.setdefault(d.kind, d)
    problems = []
    for kind in vehicle.required_documents():
        label = VehicleDocument.Kind(kind).label
        d = latest.get(kind)
        if d is None:
            problems.append((kind, f"{label} belum dicatat"))
        elif d.valid_until < on:
            problems.append((kind, f"{label} habis berlaku {d.valid_until:%d-%m-%Y}"))
    for kind, d in latest.items():  # optional documents that were recorded must be valid too
        if kind not in vehicle.required_documents() and d.valid_until < on and kind != VehicleDocument.Kind.PAJAK:
            problems.append((kind, f"{VehicleDocument.Kind(kind).label} habis berlaku {d.valid_until:%d-%m-%Y}"))
    return problems


def check_vehicle(vehicle: Vehicle, on: dt.date, field: str = "vehicle") -> None:
    if not vehicle.active:
        raise DomainError(f"Kendaraan {vehicle.plate} tidak aktif.", f"Vehicle {vehicle.plate} is inactive.",
                          field=field, code="vehicle_inactive")
    problems = document_problems(vehicle, on)
    if problems:
        msg = "; ".join(m for _k, m in problems)
        raise DomainError(
            f"Kendaraan {vehicle.plate} tidak boleh jalan pada {on:%d-%m-%Y}: {msg}. Perpanjang dokumen dulu.",
            f"Vehicle {vehicle.plate} may not run on {on.isoformat()}: documents expired or missing "
            f"({', '.join(k for k, _m in problems)}).", field=field, code="vehicle_documents_expired",
        )


def check_driver(driver: Driver, on: dt.date) -> None:
    if not driver.active:
        raise DomainError(f"Pengemudi {driver.name} tidak aktif.", f"Driver {driver.name} is inactive.",
                          field="driver", code="driver_inactive")
    if driver.license_valid_until and driver.license_valid_until < on:
        raise DomainError(f"SIM {driver.name} habis berlaku {driver.license_valid_until:%d-%m-%Y}.",
                          f"{driver.name}'s licence expired on {driver.license_valid_until.isoformat()}.",
                          field="driver", code="driver_license_expired")


@transaction.atomic
def create_driver(koperasi: Koperasi, *, name: str, phone: str = "", license_class: str = "",
                  license_number: str = "", license_valid_until: dt.date | None = None,
                  member_id: int | None = None) -> Driver:
    if not (name or "").strip():
        raise DomainError("Nama pengemudi wajib diisi.", "Driver name is required.", field="name", code="required")
    return Driver.objects.create(koperasi=koperasi, name=name.strip(), phone=phone, license_class=license_class,
                                 license_number=license_number, license_valid_until=license_valid_until,
                                 member_id=member_id)


# --- tariffs and fees -------------------------------------------------------------------------------------------

@transaction.atomic
def set_tariff(koperasi: Koperasi, *, base_fee=0, per_km=0, per_kg=0, member_discount_pct=0,
               effective_from: dt.date, note: str = "") -> DeliveryTariff:
    disc = _dec(member_discount_pct, "member_discount_pct", "Potongan anggota", q="0.01")
    if disc > 100:
        raise DomainError("Potongan tidak boleh lebih dari 100%.", "Discount cannot exceed 100%.",
                          field="member_discount_pct", code="invalid_pct")
    return DeliveryTariff.objects.create(
        koperasi=koperasi, base_fee=_dec(base_fee, "base_fee", "Biaya dasar", q="0.01"),
        per_km=_dec(per_km, "per_km", "Tarif per km", q="0.01"), per_kg=_dec(per_kg, "per_kg", "Tarif per kg", q="0.01"),
        member_discount_pct=disc, effective_from=effective_from, note=note,
    )


def compute_fee(koperasi: Koperasi, *, basis: str, on: dt.date, distance_km=ZERO, weight_kg=ZERO,
                flat_fee=None, is_member: bool = False) -> Decimal:
    if basis == DeliveryOrder.FeeBasis.NONE:
        return Decimal("0.00")
    if basis == DeliveryOrder.FeeBasis.FLAT:
        return round_rupiah(_dec(flat_fee, "flat_fee", "Biaya pengiriman", q="0.01"))
    t = DeliveryTariff.objects.filter(koperasi=koperasi, effective_from__lte=on).order_by("-effective_from",
                                                                                          "-id").first()
    if t is None:
        raise DomainError("Belum ada tarif pengiriman; tetapkan tarif atau pakai tarif tetap.",
                          "No delivery tariff yet; set one or use a flat fee.", field="fee_basis", code="no_tariff")
    if basis == DeliveryOrder.FeeBasis.DISTANCE:
        if not distance_km:
            raise DomainError("Isi jarak (km) untuk biaya menurut jarak.", "Enter the distance.",
                              field="distance_km", code="distance_required")
        fee = t.base_fee + t.per_km * Decimal(distance_km)
    else:
        fee = t.base_fee + t.per_kg * Decimal(weight_kg)
    if is_member and t.member_discount_pct:
        fee = fee * (100 - t.member_discount_pct) / 100
    return round_rupiah(fee)


# --- delivery orders --------------------------------------------------------------------------------------------

def create_delivery(koperasi: Koperasi, *, kind: str, date: dt.date, origin: str, destination: str,
                    items: list[dict], stops: list[dict] | None = None, member_id: int | None = None,
                    customer_name: str = "", vehicle: Vehicle | None = None, driver: Driver | None = None,
                    fee_basis: str = DeliveryOrder.FeeBasis.NONE, distance_km=0, flat_fee=None,
                    payment: str = DeliveryOrder.Payment.CASH, note: str = "", by=None,
                    from_location=None, to_location=None,
                    idempotency_key: str | None = None) -> DeliveryOrder:
    """A delivery order. For goods of the cooperative's own stock going from one of its locations to another
    (gudang → gerai sembako / apotek, kind ``gudang_gerai``), pass ``from_location``/``to_location``
    (``retail.Location``) and items with ``product_id`` (``qty`` in the product's base unit): the stock moves
    through the retail stock engine when the delivery is confirmed (see ``confirm_delivery``)."""
    payload = {"kind": kind, "date": date.isoformat(), "o": origin, "d": destination,
               "items": [{k: str(v) for k, v in it.items()} for it in items],
               "stops": stops or [], "m": member_id, "v": getattr(vehicle, "pk", None), "fee": fee_basis,
               "km": str(distance_km), "flat": str(flat_fee), "from": getattr(from_location, "pk", from_location),
               "to": getattr(to_location, "pk", to_location)}

    def _do():
        return {"id": _create_delivery(koperasi, kind=kind, date=date, origin=origin, destination=destination,
                                       items=items, stops=stops or [], member_id=member_id,
                                       customer_name=customer_name, vehicle=vehicle, driver=driver,
                                       fee_basis=fee_basis, distance_km=distance_km, flat_fee=flat_fee,
                                       payment=payment, note=note, by=by, from_location=from_location,
                                       to_location=to_location).pk}

    result, _r = run_idempotent(koperasi, "logistics.delivery", idempotency_key, payload, _do)
    return DeliveryOrder.objects.get(pk=result["id"], koperasi=koperasi)


def _create_delivery(koperasi, *, kind, date, origin, destination, items, stops, member_id, customer_name, vehicle,
                     driver, fee_basis, distance_km, flat_fee, payment, note, by, from_location=None,
                     to_location=None) -> DeliveryOrder:
    if kind not in DeliveryOrder.Kind.values:
        raise DomainError("Pilih jenis pengiriman.", "Choose the delivery type.", field="kind", code="invalid")
    if not (origin or "").strip() or not (destination or "").strip():
        raise DomainError("Asal dan tujuan wajib diisi.", "Origin and destination are required.",
                          field="destination", code="required")
    if fee_basis not in DeliveryOrder.FeeBasis.values:
        raise DomainError("Pilih dasar biaya.", "Choose the fee basis.", field="fee_basis", code="invalid")
    if payment not in DeliveryOrder.Payment.values:
        raise DomainError("Pilih cara pembayaran.", "Choose the payment.", field="payment", code="invalid")
    _same_koperasi(koperasi, vehicle, "Kendaraan", "vehicle")
    _same_koperasi(koperasi, driver, "Pengemudi", "driver")
    if member_id:
        from kopdes.members.models import Member

        m = Member.objects.filter(koperasi=koperasi, pk=member_id).first()
        if m is None:
            raise DomainError("Anggota tidak ditemukan.", "Member not found.", field="member", code="unknown_member")
        customer_name = customer_name or m.name
    if not items:
        raise DomainError("Isi minimal satu barang.", "Add at least one item.", field="items", code="required")
    clean_items = []
    products = {}
    for i, it in enumerate(items):
        product = None
        if it.get("product_id") not in (None, ""):
            product = _stock_product(koperasi, it["product_id"], i)
            products[i] = product
        desc = (it.get("description") or (product.name if product else "")).strip()
        if not desc:
            raise DomainError(f"Barang ke-{i + 1}: nama barang wajib diisi.", f"Item {i + 1}: description required.",
                              field=f"items[{i}].description", code="required")
        qty = _dec(it.get("qty") or 0, f"items[{i}].qty", "Jumlah", positive=product is not None)
        uom = (it.get("uom") or (product.base_uom if product else ""))[:20]
        clean_items.append((desc[:160], qty, uom, _dec(it.get("weight_kg"), f"items[{i}].weight_kg", "Berat"),
                            product.pk if product else None))
    src, dst = _stock_route(koperasi, kind, from_location, to_location, products)
    if src is not None:
        _check_stock(koperasi, src, [(products[i], c[1], i) for i, c in enumerate(clean_items) if i in products],
                     date)
    weight = sum((c[3] for c in clean_items), ZERO)
    km = _dec(distance_km or 0, "distance_km", "Jarak", q="0.1")
    if vehicle is not None:
        check_vehicle(vehicle, date)
        if weight > vehicle.capacity_kg:
            raise DomainError(
                f"Muatan {weight.normalize():f} kg melebihi daya angkut {vehicle.plate} "
                f"({vehicle.capacity_kg.normalize():f} kg).",
                f"Load {weight.normalize():f} kg exceeds {vehicle.plate}'s capacity.", field="vehicle",
                code="over_capacity")
    if driver is not None:
        check_driver(driver, date)
    fee = compute_fee(koperasi, basis=fee_basis, on=date, distance_km=km, weight_kg=weight, flat_fee=flat_fee,
                      is_member=bool(member_id))
    order = DeliveryOrder.objects.create(
        koperasi=koperasi, number=f"DO-{date.year}-{_next_seq(koperasi, 'do', date.year):05d}", kind=kind, date=date,
        origin=origin.strip()[:160], destination=destination.strip()[:160], member_id=member_id or None,
        customer_name=(customer_name or "")[:120], vehicle=vehicle, driver=driver, fee_basis=fee_basis,
        distance_km=km, fee_amount=fee, payment=payment, note=note, created_by=_user(by),
        from_location_id=src.pk if src is not None else None, to_location_id=dst.pk if dst is not None else None,
    )
    DeliveryItem.objects.bulk_create([
        DeliveryItem(koperasi=koperasi, order=order, description=d, qty=q, uom=u, weight_kg=w, product_id=pid)
        for d, q, u, w, pid in clean_items
    ])
    stops = stops or [{"name": destination, "kind": DeliveryStop.Kind.DROP}]
    DeliveryStop.objects.bulk_create([
        DeliveryStop(koperasi=koperasi, order=order, seq=i + 1, kind=s.get("kind") or DeliveryStop.Kind.DROP,
                     name=(s.get("name") or destination)[:120], address=(s.get("address") or "")[:200])
        for i, s in enumerate(stops)
    ])
    return order


# --- own stock moved between the cooperative's locations (retail stock engine) ------------------------------------

def _stock_product(koperasi, product_id, i: int):
    from kopdes.retail.models import Product

    try:
        p = Product.objects.filter(koperasi=koperasi, pk=int(product_id), active=True).first()
    except (TypeError, ValueError):
        p = None
    if p is None:
        raise DomainError(f"Barang ke-{i + 1}: barang stok tidak ditemukan di koperasi ini.",
                          f"Item {i + 1}: stock product not found in this cooperative.",
                          field=f"items[{i}].product", code="unknown_product")
    return p


def _location(koperasi, loc, field: str):
    from kopdes.retail.models import Location

    pk = getattr(loc, "pk", loc)
    try:
        found = Location.objects.filter(koperasi=koperasi, pk=int(pk), active=True).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise DomainError("Lokasi stok tidak ditemukan di koperasi ini.", "Stock location not found in this "
                          "cooperative.", field=field, code="unknown_location")
    return found


def _stock_route(koperasi, kind, from_location, to_location, products: dict):
    """The (source, destination) ``retail.Location`` of a stock-moving delivery, or ``(None, None)``."""
    if from_location in (None, "") and to_location in (None, ""):
        if products:
            raise DomainError("Barang stok koperasi dipindahkan antar lokasi: pilih lokasi asal dan tujuan.",
                              "Stock products move between locations: choose the source and destination.",
                              field="from_location", code="location_required")
        return None, None
    if kind != DeliveryOrder.Kind.WAREHOUSE_TO_KIOSK:
        raise DomainError("Pemindahan stok hanya untuk pengiriman gudang → gerai/apotek.",
                          "Stock moves only with warehouse → kiosk deliveries.", field="kind",
                          code="stock_transfer_kind")
    if from_location in (None, "") or to_location in (None, ""):
        raise DomainError("Pilih lokasi stok asal dan tujuan.", "Choose both the source and destination locations.",
                          field="to_location" if from_location not in (None, "") else "from_location",
                          code="location_required")
    src = _location(koperasi, from_location, "from_location")
    dst = _location(koperasi, to_location, "to_location")
    if src.pk == dst.pk:
        raise DomainError("Lokasi asal dan tujuan sama.", "Source and destination are the same.",
                          field="to_location", code="same_location")
    if not products:
        raise DomainError("Pilih barang stok yang dipindahkan (minimal satu baris dengan barang stok).",
                          "Choose the stock products moved (at least one line with a stock product).",
                          field="items", code="products_required")
    return src, dst


def _check_stock(koperasi, src, lines, on: dt.date) -> None:
    """Refuse early (at creation and loading) when the source location does not hold what is to be moved."""
    from kopdes.retail import stock

    need: dict[int, Decimal] = {}
    first: dict[int, int] = {}
    for product, qty, i in lines:
        need[product.pk] = need.get(product.pk, ZERO) + qty
        first.setdefault(product.pk, i)
    for product, _qty, _i in lines:
        if product.pk not in need:
            continue
        want = need.pop(product.pk)
        have = stock.on_hand(koperasi, product, src, sellable_on=on)
        if have < want:
            i = first[product.pk]
            raise DomainError(
                f"Stok {product.name} di {src.name} tidak cukup: tersedia {stock.fmt_qty(have)} {product.base_uom}, "
                f"dikirim {stock.fmt_qty(want)}.",
                f"Not enough {product.name} at {src.name}: {stock.fmt_qty(have)} {product.base_uom} available, "
                f"{stock.fmt_qty(want)} to ship.", field=f"items[{i}].qty", code="insufficient_stock")


def _order_stock_lines(order: DeliveryOrder):
    from kopdes.retail.models import Product

    items = list(order.items.filter(product_id__isnull=False).order_by("id"))
    prods = {p.pk: p for p in Product.objects.filter(koperasi_id=order.koperasi_id,
                                                     pk__in=[i.product_id for i in items])}
    return [(prods[i.product_id], i.qty, n) for n, i in enumerate(items)]


def _move_stock(order: DeliveryOrder, date: dt.date, by=None) -> None:
    """Goods arrive: transfer each stock item at cost from the source to the destination location (retail
    engine: FEFO, lots kept, append-only moves with source ``retail.Transfer`` / the DO number). When the two
    locations belong to different business units, the inventory value moves between the units in the ledger
    (Dr persediaan unit tujuan / Cr persediaan unit asal), so each unit's stock and its ledger agree."""
    from kopdes.retail import stock
    from kopdes.retail.models import Location

    k = order.koperasi
    src = Location.objects.get(koperasi=k, pk=order.from_location_id)
    dst = Location.objects.get(koperasi=k, pk=order.to_location_id)
    per_account: dict[str, Decimal] = {}
    total = ZERO
    for product, qty, _i in _order_stock_lines(order):
        moves = stock.transfer(k, product=product, source=src, dest=dst, qty=qty, date=date, by=_user(by),
                               memo=f"{order.number}: {src.name} → {dst.name}", ref=order.number)
        value = sum((m.value for m in moves if m.qty > 0), ZERO)
        per_account[product.inventory_account] = per_account.get(product.inventory_account, ZERO) + value
        total += value
    order.stock_moved_on = date
    order.stock_value = total
    if src.unit != dst.unit and total > 0:
        lines = []
        for account, value in sorted(per_account.items()):
            if value > 0:
                lines += [_line(account, debit=value, unit=dst.unit), _line(account, credit=value, unit=src.unit)]
        entry = _post(k, date=date, memo=f"Pindah persediaan {order.number}: {src.name} → {dst.name}"[:300],
                      lines=lines, source="logistics.DeliveryStock", source_id=str(order.pk), by=_user(by))
        order.stock_entry_id = entry.pk


def _locked_order(order: DeliveryOrder) -> DeliveryOrder:
    return DeliveryOrder.objects.locked(order.koperasi_id).get(pk=order.pk)


@transaction.atomic
def assign(order: DeliveryOrder, *, vehicle: Vehicle, driver: Driver | None = None, trip: Trip | None = None
           ) -> DeliveryOrder:
    order = _locked_order(order)
    koperasi = order.koperasi
    _same_koperasi(koperasi, vehicle, "Kendaraan", "vehicle")
    _same_koperasi(koperasi, driver, "Pengemudi", "driver")
    _same_koperasi(koperasi, trip, "Perjalanan", "trip")
    if not order.is_open:
        raise DomainError("Pengiriman sudah selesai.", "The delivery is finished.", field="vehicle", code="closed")
    if trip is not None:
        if trip.status != Trip.Status.OPEN:
            raise DomainError("Perjalanan sudah selesai.", "The trip is closed.", field="trip", code="trip_closed")
        vehicle, driver = trip.vehicle, trip.driver
    check_vehicle(vehicle, order.date)
    if driver is not None:
        check_driver(driver, order.date)
    weight = order.total_weight_kg
    if weight > vehicle.capacity_kg:
        raise DomainError(f"Muatan {weight.normalize():f} kg melebihi daya angkut {vehicle.plate}.",
                          f"Load exceeds {vehicle.plate}'s capacity.", field="vehicle", code="over_capacity")
    order.vehicle, order.driver, order.trip = vehicle, driver or order.driver, trip or order.trip
    order.save(update_fields=["vehicle", "driver", "trip"])
    return order


_NEXT = {
    DeliveryOrder.Status.PLANNED: {DeliveryOrder.Status.LOADED, DeliveryOrder.Status.FAILED},
    DeliveryOrder.Status.LOADED: {DeliveryOrder.Status.ON_THE_WAY, DeliveryOrder.Status.FAILED},
    DeliveryOrder.Status.ON_THE_WAY: {DeliveryOrder.Status.DELIVERED, DeliveryOrder.Status.FAILED},
}


def _check_transition(order: DeliveryOrder, to: str) -> None:
    if to not in _NEXT.get(order.status, set()):
        raise DomainError(
            f"Status {order.get_status_display()} tidak dapat diubah menjadi {DeliveryOrder.Status(to).label}.",
            f"Cannot move from {order.status} to {to}.", field="status", code="invalid_transition")


@transaction.atomic
def set_status(order: DeliveryOrder, status: str, *, on: dt.date | None = None, by=None) -> DeliveryOrder:
    """Planned → loaded → on the way. (Delivered: ``confirm_delivery``; failed: ``fail_delivery``.)"""
    order = _locked_order(order)
    if status in (DeliveryOrder.Status.DELIVERED, DeliveryOrder.Status.FAILED):
        raise DomainError("Pakai konfirmasi terkirim/gagal.", "Use confirm/fail.", field="status", code="invalid")
    _check_transition(order, status)
    on = on or timezone.localdate()
    if order.vehicle is None:
        raise DomainError("Tetapkan kendaraan terlebih dahulu.", "Assign a vehicle first.", field="vehicle",
                          code="vehicle_required")
    check_vehicle(order.vehicle, on)
    if order.driver is not None:
        check_driver(order.driver, on)
    if status == DeliveryOrder.Status.LOADED and order.moves_stock:
        from kopdes.retail.models import Location

        src = Location.objects.get(koperasi_id=order.koperasi_id, pk=order.from_location_id)
        _check_stock(order.koperasi, src, _order_stock_lines(order), on)
    order.status = status
    order.save(update_fields=["status"])
    return order


def _image_file(data, name: str) -> ContentFile | None:
    """An uploaded file, raw bytes, or a ``data:image/png;base64,...`` URL (signature pad)."""
    if data in (None, ""):
        return None
    if isinstance(data, str):
        if not data.startswith("data:image/") or ";base64," not in data:
            raise DomainError("Format tanda tangan/foto tidak dikenal.", "Unknown image format.", field=name,
                              code="invalid_image")
        head, b64 = data.split(";base64,", 1)
        ext = head.split("/")[1][:4] or "png"
        try:
            raw = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise DomainError("Gambar rusak.", "Corrupt image.", field=name, code="invalid_image") from None
        content = ContentFile(raw, name=f"{name}.{ext}")
    elif isinstance(data, bytes):
        content = ContentFile(data, name=f"{name}.jpg")
    else:
        content = data
    if getattr(content, "size", 0) > MAX_PHOTO_BYTES:
        raise DomainError("Gambar terlalu besar (maks. 5 MB).", "Image too large (max 5 MB).", field=name,
                          code="image_too_large")
    return content


@transaction.atomic
def confirm_delivery(order: DeliveryOrder, *, recipient_name: str, at: dt.datetime | None = None, photo=None,
                     signature=None, by=None) -> DeliveryOrder:
    """Proof of delivery; the fee is earned now and posted (unit logistik, member_id on member revenue).
    A stock-moving delivery (gudang → gerai) transfers its stock items now (``_move_stock``)."""
    order = _locked_order(order)
    _check_transition(order, DeliveryOrder.Status.DELIVERED)
    if not (recipient_name or "").strip():
        raise DomainError("Nama penerima wajib diisi sebagai bukti terima.", "The recipient's name is required.",
                          field="recipient_name", code="required")
    photo_file = _image_file(photo, "proof_photo")
    sig_file = _image_file(signature, "signature")
    if photo_file is None and sig_file is None:
        raise DomainError("Lampirkan foto bukti atau tanda tangan penerima.",
                          "Attach a proof photo or the recipient's signature.", field="proof_photo",
                          code="proof_required")
    at = at or timezone.now()
    date = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    if order.moves_stock:  # before any file is written: a refusal here leaves nothing behind
        _move_stock(order, date, by)
    order.recipient_name = recipient_name.strip()[:120]
    order.delivered_at = at
    order.status = DeliveryOrder.Status.DELIVERED
    for kind, f in ((DeliveryProof.Kind.PHOTO, photo_file), (DeliveryProof.Kind.SIGNATURE, sig_file)):
        if f is not None:
            proof = DeliveryProof(koperasi_id=order.koperasi_id, order=order, kind=kind)
            proof.file.save(f"{order.number}-{kind}{_ext(f)}", f, save=False)
            proof.save()
    order.stops.filter(done_at__isnull=True).update(done_at=at)
    if order.fee_amount > 0:
        member_id = order.member_id
        entry = _post(
            order.koperasi, date=date, memo=f"Jasa pengiriman {order.number} ke {order.destination}"[:300],
            lines=[
                _line(CASH if order.payment == DeliveryOrder.Payment.CASH else RECEIVABLE, debit=order.fee_amount,
                      unit=Unit.LOGISTIK, member_id=member_id),
                _line(INCOME_MEMBER if member_id else INCOME_PUBLIC, credit=order.fee_amount, unit=Unit.LOGISTIK,
                      member_id=member_id),
            ],
            source="logistics.DeliveryOrder", source_id=str(order.pk), by=by,
        )
        order.journal_entry_id = entry.pk
    order.save()
    return order


def _ext(f) -> str:
    name = getattr(f, "name", "") or ""
    return "." + name.rsplit(".", 1)[-1][:4].lower() if "." in name else ".png"


@transaction.atomic
def fail_delivery(order: DeliveryOrder, *, reason: str, by=None) -> DeliveryOrder:
    order = _locked_order(order)
    _check_transition(order, DeliveryOrder.Status.FAILED)
    if not (reason or "").strip():
        raise DomainError("Tuliskan alasan gagal/batal.", "Give the reason.", field="failure_reason",
                          code="required")
    order.status = DeliveryOrder.Status.FAILED
    order.failure_reason = reason.strip()[:200]
    order.save(update_fields=["status", "failure_reason"])
    return order


# --- trips ------------------------------------------------------------------------------------------------------

@transaction.atomic
def start_trip(koperasi: Koperasi, *, vehicle: Vehicle, driver: Driver, date: dt.date, odometer_start: int | None = None,
               deliveries: list[DeliveryOrder] = (), note: str = "") -> Trip:
    _same_koperasi(koperasi, vehicle, "Kendaraan", "vehicle")
    _same_koperasi(koperasi, driver, "Pengemudi", "driver")
    vehicle = Vehicle.objects.locked(vehicle.koperasi_id).get(pk=vehicle.pk)
    check_vehicle(vehicle, date)
    check_driver(driver, date)
    if Trip.objects.filter(vehicle=vehicle, status=Trip.Status.OPEN).exists():
        raise DomainError(f"{vehicle.plate} masih dalam perjalanan lain; selesaikan dulu.",
                          f"{vehicle.plate} is on another trip.", field="vehicle", code="vehicle_busy")
    odo = vehicle.odometer_km if odometer_start in (None, "") else int(odometer_start)
    if odo < vehicle.odometer_km:
        raise DomainError(f"Odometer {odo} km lebih kecil dari catatan terakhir {vehicle.odometer_km} km.",
                          f"Odometer {odo} km is below the last recorded {vehicle.odometer_km} km.",
                          field="odometer_start", code="odometer_back")
    trip = Trip.objects.create(koperasi=koperasi, number=f"TR-{date.year}-{_next_seq(koperasi, 'trip', date.year):05d}",
                               vehicle=vehicle, driver=driver, date=date, odometer_start=odo, note=note)
    load = ZERO
    for d in deliveries:
        load += d.total_weight_kg
        assign(d, vehicle=vehicle, driver=driver, trip=trip)
    if load > vehicle.capacity_kg:
        raise DomainError(f"Total muatan {load.normalize():f} kg melebihi daya angkut {vehicle.plate}.",
                          "Total load exceeds the vehicle's capacity.", field="deliveries", code="over_capacity")
    return trip


@transaction.atomic
def add_trip_cost(trip: Trip, *, kind: str, amount, liters=None, note: str = "", date: dt.date | None = None,
                  by=None) -> TripCost:
    if kind not in TripCost.Kind.values:
        raise DomainError("Pilih jenis biaya.", "Choose the cost type.", field="kind", code="invalid")
    amt = _dec(amount, "amount", "Jumlah biaya", positive=True, q="0.01")
    lit = _dec(liters, "liters", "Liter", q="0.01") if liters not in (None, "") else None
    cost = TripCost.objects.create(koperasi_id=trip.koperasi_id, trip=trip, kind=kind, amount=amt, liters=lit,
                                   note=note)
    entry = _post(trip.koperasi, date=date or trip.date,
                  memo=f"{cost.get_kind_display()} {trip.number} {trip.vehicle.plate}"[:300],
                  lines=[_line(FUEL if kind == TripCost.Kind.BBM else TRANSPORT, debit=amt, unit=Unit.LOGISTIK),
                         _line(CASH, credit=amt, unit=Unit.LOGISTIK)],
                  source="logistics.TripCost", source_id=str(cost.pk), by=by)
    TripCost.objects.row(cost).update(journal_entry_id=entry.pk)
    cost.journal_entry_id = entry.pk
    return cost


@transaction.atomic
def close_trip(trip: Trip, *, odometer_end: int) -> Trip:
    trip = Trip.objects.locked(trip.koperasi_id).select_related("vehicle").get(pk=trip.pk)
    if trip.status != Trip.Status.OPEN:
        raise DomainError("Perjalanan sudah ditutup.", "The trip is already closed.", field="odometer_end",
                          code="trip_closed")
    try:
        odo = int(odometer_end)
    except (TypeError, ValueError):
        raise DomainError("Odometer kembali wajib diisi.", "Enter the end odometer.", field="odometer_end",
                          code="required") from None
    if odo < trip.odometer_start:
        raise DomainError(f"Odometer kembali ({odo}) lebih kecil dari odometer berangkat ({trip.odometer_start}).",
                          "End odometer below start odometer.", field="odometer_end", code="odometer_back")
    if odo - trip.odometer_start > 2000:
        raise DomainError("Jarak satu perjalanan lebih dari 2.000 km: periksa odometer.",
                          "More than 2,000 km in one trip: check the odometer.", field="odometer_end",
                          code="odometer_implausible")
    trip.odometer_end = odo
    trip.status = Trip.Status.CLOSED
    trip.save(update_fields=["odometer_end", "status"])
    Vehicle.objects.filter(koperasi_id=trip.koperasi_id, pk=trip.vehicle_id, odometer_km__lt=odo).update(odometer_km=odo)
    return trip


# --- maintenance ------------------------------------------------------------------------------------------------

@transaction.atomic
def add_maintenance_plan(vehicle: Vehicle, *, task: str, interval_km: int | None = None,
                         interval_days: int | None = None, last_done_on: dt.date | None = None,
                         last_done_km: int | None = None) -> MaintenancePlan:
    if not (task or "").strip():
        raise DomainError("Nama pekerjaan wajib diisi.", "Task is required.", field="task", code="required")
    if not interval_km and not interval_days:
        raise DomainError("Isi interval km atau hari.", "Give an interval in km or days.", field="interval_km",
                          code="interval_required")
    return MaintenancePlan.objects.create(koperasi_id=vehicle.koperasi_id, vehicle=vehicle, task=task.strip(),
                                          interval_km=interval_km or None, interval_days=interval_days or None,
                                          last_done_on=last_done_on, last_done_km=last_done_km)


@transaction.atomic
def record_maintenance(vehicle: Vehicle, *, date: dt.date, odometer_km: int, description: str, cost=0,
                       workshop: str = "", plan: MaintenancePlan | None = None, by=None) -> MaintenanceRecord:
    if not (description or "").strip():
        raise DomainError("Uraian pekerjaan wajib diisi.", "Description is required.", field="description",
                          code="required")
    amt = _dec(cost or 0, "cost", "Biaya", q="0.01")
    if plan is not None and plan.vehicle_id != vehicle.pk:
        raise DomainError("Jadwal bukan milik kendaraan ini.", "Plan belongs to another vehicle.", field="plan",
                          code="invalid")
    rec = MaintenanceRecord.objects.create(koperasi_id=vehicle.koperasi_id, vehicle=vehicle, plan=plan, date=date,
                                           odometer_km=int(odometer_km), description=description.strip()[:200],
                                           workshop=workshop, cost=amt)
    if amt > 0:
        entry = _post(vehicle.koperasi, date=date, memo=f"Perawatan {vehicle.plate}: {rec.description}"[:300],
                      lines=[_line(VEHICLE_MAINTENANCE, debit=amt, unit=Unit.LOGISTIK),
                             _line(CASH, credit=amt, unit=Unit.LOGISTIK)],
                      source="logistics.MaintenanceRecord", source_id=str(rec.pk), by=by)
        MaintenanceRecord.objects.row(rec).update(journal_entry_id=entry.pk)
        rec.journal_entry_id = entry.pk
    if plan is not None:
        MaintenancePlan.objects.row(plan).update(last_done_on=date, last_done_km=int(odometer_km))
    Vehicle.objects.row(vehicle).filter(odometer_km__lt=int(odometer_km)).update(odometer_km=int(odometer_km))
    return rec

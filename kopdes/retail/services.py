"""Gerai operations that change state: purchasing, payables, transfers, opname, write-offs, RDKK.

Each function is atomic and posts its ledger entry in the same transaction (via ``bridge.post_legs``).
The POS lives in ``pos.py``; the stock engine in ``stock.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from kopdes.core.errors import DomainError
from kopdes.core.money import format_rupiah
from kopdes.core.units import Unit

from . import bridge, stock
from .bridge import Leg
from .models import (
    FertilizerAllocation,
    FertilizerType,
    GoodsReceipt,
    GoodsReceiptLine,
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReturn,
    StockCount,
    StockCountLine,
    StockMove,
    StockQuant,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)
from .numbering import next_number
from .pos import _dec

ZERO = Decimal("0")
PAYABLE = "2111"
CASH_ACCOUNTS = ("1101", "1103", "1105", "1111", "1112")


def _product(koperasi, pid) -> Product:
    p = Product.objects.filter(koperasi=koperasi, pk=pid).first()
    if p is None:
        raise DomainError("Barang tidak ditemukan.", "Product not found.", field="product", code="not_found")
    return p


def default_location(koperasi, unit: str = Unit.SEMBAKO) -> Location:
    kind = {Unit.APOTEK: Location.Kind.APOTEK, Unit.PERGUDANGAN: Location.Kind.GUDANG}.get(unit, Location.Kind.GERAI)
    loc = Location.objects.filter(koperasi=koperasi, unit=unit, kind=kind, active=True).order_by("pk").first()
    if loc is None:
        code = {Unit.APOTEK: "APT", Unit.PERGUDANGAN: "GDG"}.get(unit, "GERAI")
        name = {Unit.APOTEK: "Apotek desa", Unit.PERGUDANGAN: "Gudang koperasi"}.get(unit, "Gerai sembako")
        loc, _c = Location.objects.get_or_create(koperasi=koperasi, code=code,
                                                 defaults={"name": name, "kind": kind, "unit": unit})
    return loc


# --- purchase orders -------------------------------------------------------------------------------------

@transaction.atomic
def create_purchase_order(koperasi, *, supplier: Supplier, location: Location, lines: list[dict],
                          date: dt.date | None = None, note: str = "", by=None) -> PurchaseOrder:
    """``lines``: ``[{"product_id", "qty", "unit_cost"}]`` (base units)."""
    if supplier.koperasi_id != koperasi.pk or location.koperasi_id != koperasi.pk:
        raise DomainError("Pemasok/lokasi tidak ditemukan.", "Supplier/location not found.", field="supplier")
    if not lines:
        raise DomainError("Pesanan tanpa barang.", "The order has no lines.", field="lines", code="empty")
    date = date or timezone.localdate()
    po = PurchaseOrder.objects.create(koperasi=koperasi, number=next_number(koperasi, "PO", date), supplier=supplier,
                                      date=date, location=location, note=note[:200], created_by=by)
    for raw in lines:
        p = _product(koperasi, raw["product_id"])
        qty, cost = _dec(raw["qty"], "qty"), _dec(raw["unit_cost"], "unit_cost")
        if qty <= 0 or cost < 0:
            raise DomainError(f"Jumlah/harga {p.name} tidak valid.", f"Bad quantity/cost for {p.name}.", field="qty")
        PurchaseOrderLine.objects.create(koperasi=koperasi, order=po, product=p, qty=qty, unit_cost=cost)
    return po


@transaction.atomic
def receive_goods(koperasi, *, supplier: Supplier, location: Location, lines: list[dict],
                  order: PurchaseOrder | None = None, date: dt.date | None = None, supplier_ref: str = "",
                  by=None) -> GoodsReceipt:
    """Goods in (partial receipts of an order allowed). ``lines``: ``[{"product_id", "qty", "unit_cost",
    "order_line_id"?, "lot_number"?, "expiry_date"?}]``. Posts Dr persediaan (per product account) / Cr 2111."""
    if supplier.koperasi_id != koperasi.pk or location.koperasi_id != koperasi.pk:
        raise DomainError("Pemasok/lokasi tidak ditemukan.", "Supplier/location not found.", field="supplier")
    if not lines:
        raise DomainError("Penerimaan tanpa barang.", "The receipt has no lines.", field="lines", code="empty")
    date = date or timezone.localdate()
    if order is not None:
        order = PurchaseOrder.objects.locked(koperasi).get(pk=order.pk, koperasi=koperasi)
        if order.status in (PurchaseOrder.Status.RECEIVED, PurchaseOrder.Status.CANCELLED):
            raise DomainError("Pesanan ini sudah selesai atau dibatalkan.", "This order is closed.", field="order")
    gr = GoodsReceipt.objects.create(koperasi=koperasi, number=next_number(koperasi, "GR", date), supplier=supplier,
                                     order=order, date=date, location=location, supplier_ref=supplier_ref[:60],
                                     created_by=by)
    legs: list[Leg] = []
    total = ZERO
    unit = location.unit
    for raw in lines:
        qty = _dec(raw.get("qty", 0), "qty")
        if qty == 0:
            continue
        p = _product(koperasi, raw["product_id"])
        cost = _dec(raw.get("unit_cost", 0), "unit_cost")
        if qty < 0 or cost < 0:
            raise DomainError(f"Jumlah/harga {p.name} tidak valid.", f"Bad quantity/cost for {p.name}.", field="qty")
        ol = None
        if raw.get("order_line_id"):
            ol = PurchaseOrderLine.objects.locked(order.koperasi_id).filter(order=order, pk=raw["order_line_id"]).first()
            if ol is None or ol.product_id != p.pk:
                raise DomainError("Baris pesanan tidak cocok.", "Order line mismatch.", field="order_line")
            if qty > ol.remaining:
                raise DomainError(f"Diterima {stock.fmt_qty(qty)} melebihi sisa pesanan {stock.fmt_qty(ol.remaining)} "
                                  f"untuk {p.name}.", f"Received quantity exceeds what is still on order for {p.name}.",
                                  field="qty", code="over_receipt")
            ol.received_qty += qty
            ol.save(update_fields=["received_qty"])
        expiry = raw.get("expiry_date") or None
        if isinstance(expiry, str):
            expiry = dt.date.fromisoformat(expiry)
        lot = stock.get_lot(koperasi, p, raw.get("lot_number", ""), expiry)
        mv = stock.receive(koperasi, product=p, location=location, qty=qty, unit_cost=cost, date=date, lot=lot,
                           kind=StockMove.Kind.RECEIPT, source="retail.GoodsReceipt", source_id=gr.pk, by=by,
                           memo=gr.number)
        GoodsReceiptLine.objects.create(koperasi=koperasi, receipt=gr, order_line=ol, product=p, lot=lot, qty=qty,
                                        unit_cost=cost, amount=mv.value)
        total += mv.value
        legs.append(Leg(p.inventory_account, mv.value, unit))
    if total == 0 and not legs:
        raise DomainError("Penerimaan tanpa barang.", "The receipt has no lines.", field="lines", code="empty")
    legs.append(Leg(PAYABLE, -total, unit))
    entry = bridge.post_legs(koperasi, date=date, memo=f"Penerimaan {gr.number} dari {supplier.name}", legs=legs,
                             source="retail.GoodsReceipt", source_id=gr.pk, by=by)
    gr.total = total
    gr.journal_entry_id = entry.pk if entry else None
    gr.save(update_fields=["total", "journal_entry_id"])
    if order is not None:
        lines_left = [ln.remaining for ln in order.lines.all()]
        order.status = (PurchaseOrder.Status.RECEIVED if all(x <= 0 for x in lines_left)
                        else PurchaseOrder.Status.PARTIAL)
        order.save(update_fields=["status"])
    return gr


@transaction.atomic
def record_supplier_invoice(koperasi, *, supplier: Supplier, number: str, amount, date: dt.date | None = None,
                            due_date: dt.date | None = None, receipts: list[GoodsReceipt] = ()) -> SupplierInvoice:
    """The supplier's invoice for received goods (the payable was posted at receipt; this tracks due dates)."""
    amount = _dec(amount, "amount").quantize(Decimal("0.01"))
    if not number.strip():
        raise DomainError("Isi nomor faktur pemasok.", "Enter the supplier invoice number.", field="number")
    if amount <= 0:
        raise DomainError("Jumlah faktur harus positif.", "Invoice amount must be positive.", field="amount")
    if SupplierInvoice.objects.filter(koperasi=koperasi, supplier=supplier, number=number.strip()).exists():
        raise DomainError("Faktur ini sudah dicatat.", "This invoice is already recorded.", field="number",
                          code="duplicate")
    inv = SupplierInvoice.objects.create(koperasi=koperasi, supplier=supplier, number=number.strip(), amount=amount,
                                         date=date or timezone.localdate(), due_date=due_date)
    if receipts:
        inv.receipts.set([r for r in receipts if r.koperasi_id == koperasi.pk], through_defaults={"koperasi": koperasi})
    return inv


def payable_balance(koperasi, supplier: Supplier) -> Decimal:
    """What the cooperative owes this supplier: receipts − returns − payments."""
    received = GoodsReceipt.objects.filter(koperasi=koperasi, supplier=supplier).aggregate(s=Sum("total"))["s"] or ZERO
    returned = (PurchaseReturn.objects.filter(koperasi=koperasi, supplier=supplier)
                .aggregate(s=Sum("credit_amount"))["s"] or ZERO)
    paid = SupplierPayment.objects.filter(koperasi=koperasi, supplier=supplier).aggregate(s=Sum("amount"))["s"] or ZERO
    return received - returned - paid


@transaction.atomic
def pay_supplier(koperasi, *, supplier: Supplier, amount, account: str = "1103",
                 invoice: SupplierInvoice | None = None, date: dt.date | None = None, reference: str = "",
                 by=None, unit: str = Unit.SEMBAKO) -> SupplierPayment:
    """Pay a supplier: Dr 2111 / Cr cash or bank. Never more than owed."""
    amount = _dec(amount, "amount").quantize(Decimal("0.01"))
    if account not in CASH_ACCOUNTS:
        raise DomainError("Pilih akun kas/bank.", "Choose a cash/bank account.", field="account")
    Supplier.objects.locked(supplier.koperasi_id).filter(pk=supplier.pk).first()
    owed = payable_balance(koperasi, supplier)
    if amount <= 0 or amount > owed:
        raise DomainError(f"Pembayaran harus antara Rp1 dan utang {format_rupiah(owed)}.",
                          f"Payment must be positive and not above the {format_rupiah(owed)} owed.", field="amount",
                          code="overpayment")
    if invoice is not None:
        invoice = SupplierInvoice.objects.locked(koperasi).get(pk=invoice.pk, koperasi=koperasi, supplier=supplier)
        if amount > invoice.outstanding:
            raise DomainError("Pembayaran melebihi sisa faktur.", "Payment exceeds the invoice balance.",
                              field="amount", code="overpayment")
        invoice.paid += amount
        invoice.save(update_fields=["paid"])
    date = date or timezone.localdate()
    pay = SupplierPayment.objects.create(koperasi=koperasi, supplier=supplier, invoice=invoice, date=date,
                                         amount=amount, account=account, reference=reference[:60])
    entry = bridge.post_legs(koperasi, date=date, memo=f"Pembayaran ke {supplier.name}",
                             legs=[Leg(PAYABLE, amount, unit), Leg(account, -amount, unit)],
                             source="retail.SupplierPayment", source_id=pay.pk, by=by)
    pay.journal_entry_id = entry.pk if entry else None
    pay.save(update_fields=["journal_entry_id"])
    return pay


@transaction.atomic
def return_to_supplier(koperasi, *, supplier: Supplier, product: Product, location: Location, qty,
                       credit_amount=None, lot=None, reason: str = "", date: dt.date | None = None,
                       by=None) -> PurchaseReturn:
    """Goods back to the supplier: stock out at average cost; payable reduced by the credit agreed (default:
    the cost). A difference goes to 6114 (loss) or 4203 (gain)."""
    date = date or timezone.localdate()
    ret = PurchaseReturn.objects.create(koperasi=koperasi, number=next_number(koperasi, "RB", date), supplier=supplier,
                                        date=date, location=location, product=product, lot=lot,
                                        qty=_dec(qty, "qty"), credit_amount=ZERO, reason=reason[:200])
    slices = stock.issue(koperasi, product=product, location=location, qty=qty, date=date, lot=lot,
                         kind=StockMove.Kind.PURCHASE_RETURN, source="retail.PurchaseReturn", source_id=ret.pk, by=by,
                         memo=ret.number, allow_expired=True)
    cost = sum((s.value for s in slices), ZERO)
    credit = cost if credit_amount in (None, "") else _dec(credit_amount, "credit_amount").quantize(Decimal("0.01"))
    unit = location.unit
    diff = credit - cost
    legs = [Leg(PAYABLE, credit, unit), Leg(product.inventory_account, -cost, unit)]
    if diff:
        legs.append(Leg("4203" if diff > 0 else "6114", -diff, unit))
    entry = bridge.post_legs(koperasi, date=date, memo=f"Retur {ret.number} ke {supplier.name}", legs=legs,
                             source="retail.PurchaseReturn", source_id=ret.pk, by=by)
    ret.credit_amount = credit
    ret.journal_entry_id = entry.pk if entry else None
    ret.save(update_fields=["credit_amount", "journal_entry_id"])
    return ret


# --- stock operations ------------------------------------------------------------------------------------

@transaction.atomic
def write_off(koperasi, *, product: Product, location: Location, qty, lot=None, reason: str = "",
              date: dt.date | None = None, by=None, unit: str | None = None):
    """Damaged/expired stock out: Dr 6114 / Cr persediaan. Expired lots allowed (that's the point)."""
    date = date or timezone.localdate()
    slices = stock.issue(koperasi, product=product, location=location, qty=qty, date=date, lot=lot,
                         kind=StockMove.Kind.WRITEOFF, source="retail.WriteOff", source_id="", by=by,
                         memo=reason[:200] or "penghapusan", allow_expired=True)
    cost = sum((s.value for s in slices), ZERO)
    u = unit or location.unit
    return bridge.post_legs(koperasi, date=date, memo=f"Penghapusan {product.name}: {reason}"[:200],
                            legs=[Leg("6114", cost, u), Leg(product.inventory_account, -cost, u)],
                            source="retail.WriteOff", source_id=slices[0].move.pk, by=by)


@transaction.atomic
def stock_opname(koperasi, *, location: Location, counts: list[dict], date: dt.date | None = None,
                 note: str = "", by=None) -> StockCount:
    """Counted vs system quantity per product (and lot); the variance is moved and posted:
    shortage Dr 6114 / Cr persediaan at average cost, surplus Dr persediaan / Cr 4203 at average cost.
    ``counts``: ``[{"product_id", "counted", "lot_id"?}]``."""
    date = date or timezone.localdate()
    if location.koperasi_id != koperasi.pk:
        raise DomainError("Lokasi tidak ditemukan.", "Location not found.", field="location", code="not_found")
    if not counts:
        raise DomainError("Isi jumlah hitung minimal satu barang.", "Enter the counted quantity of at least one "
                          "product.", field="counted", code="empty")
    sc = StockCount.objects.create(koperasi=koperasi, location=location, date=date, note=note[:200], by=by)
    legs: list[Leg] = []
    total = ZERO
    unit = location.unit
    for raw in counts:
        p = _product(koperasi, raw["product_id"])
        counted = _dec(raw["counted"], "counted")
        if counted < 0:
            raise DomainError("Jumlah hitung tidak boleh negatif.", "Counted quantity must not be negative.",
                              field="counted")
        lot = None
        if raw.get("lot_id"):
            lot = p.lots.filter(pk=raw["lot_id"]).first()
            if lot is None:
                raise DomainError("Batch tidak dikenal.", "Unknown batch.", field="lot", code="not_found")
        stock.lock_products(koperasi, [p.pk])
        # without a lot the whole product at the location is counted (every batch); with one, that batch
        quants = StockQuant.objects.filter(koperasi=koperasi, product=p, location=location)
        if lot is not None:
            quants = quants.filter(lot=lot)
        system = quants.aggregate(s=Sum("qty"))["s"] or ZERO
        diff = counted - system
        value = ZERO
        if diff < 0:
            slices = stock.issue(koperasi, product=p, location=location, qty=-diff, date=date, lot=lot,
                                 kind=StockMove.Kind.OPNAME, source="retail.StockCount", source_id=sc.pk, by=by,
                                 memo="selisih kurang", allow_expired=True)
            value = -sum((s.value for s in slices), ZERO)
            legs += [Leg("6114", -value, unit), Leg(p.inventory_account, value, unit)]
        elif diff > 0:
            p.refresh_from_db()
            cost = p.avg_cost if p.stock_qty > 0 else ZERO
            if cost == 0:
                last = StockMove.objects.filter(koperasi=koperasi, product=p, qty__gt=0).order_by("-id").first()
                cost = last.unit_cost if last else ZERO
            mv = stock.receive(koperasi, product=p, location=location, qty=diff, unit_cost=cost, date=date, lot=lot,
                               kind=StockMove.Kind.OPNAME, source="retail.StockCount", source_id=sc.pk, by=by,
                               memo="selisih lebih")
            value = mv.value
            legs += [Leg(p.inventory_account, value, unit), Leg("4203", -value, unit)]
        total += value
        StockCountLine.objects.create(koperasi=koperasi, count=sc, product=p, lot=lot, system_qty=system,
                                      counted_qty=counted, value=value)
    entry = bridge.post_legs(koperasi, date=date, memo=f"Stok opname {location.name} {date}", legs=legs,
                             source="retail.StockCount", source_id=sc.pk, by=by)
    sc.variance_value = total
    sc.journal_entry_id = entry.pk if entry else None
    sc.save(update_fields=["variance_value", "journal_entry_id"])
    return sc


@transaction.atomic
def opening_stock(koperasi, *, product: Product, location: Location, qty, unit_cost, date: dt.date | None = None,
                  lot_number: str = "", expiry_date=None, equity_account: str = "3103", by=None) -> StockMove:
    """Initial stock when a cooperative starts using Kopdes (Dr persediaan / Cr modal penyertaan by default)."""
    date = date or timezone.localdate()
    lot = stock.get_lot(koperasi, product, lot_number, expiry_date)
    mv = stock.receive(koperasi, product=product, location=location, qty=qty, unit_cost=unit_cost, date=date, lot=lot,
                       kind=StockMove.Kind.OPENING, source="retail.Opening", by=by, memo="saldo awal")
    bridge.post_legs(koperasi, date=date, memo=f"Saldo awal {product.name}",
                     legs=[Leg(product.inventory_account, mv.value, location.unit),
                           Leg(equity_account, -mv.value, location.unit)],
                     source="retail.Opening", source_id=mv.pk, by=by)
    return mv


# --- RDKK --------------------------------------------------------------------------------------------------

@transaction.atomic
def set_allocation(koperasi, *, member_id: int, season: str, fertilizer_type: str, allocated_kg,
                   valid_from: dt.date, valid_to: dt.date, farmer_group: str = "", commodity: str = "",
                   land_ha=None) -> FertilizerAllocation:
    """Enter or revise one RDKK allocation. A revision may not go below what was already redeemed."""
    if fertilizer_type not in FertilizerType.values:
        raise DomainError("Jenis pupuk tidak dikenal.", "Unknown fertilizer type.", field="fertilizer_type")
    kg = _dec(allocated_kg, "allocated_kg")
    if kg < 0:
        raise DomainError("Alokasi tidak boleh negatif.", "Allocation must not be negative.", field="allocated_kg")
    if valid_to < valid_from:
        raise DomainError("Tanggal akhir sebelum tanggal mulai.", "End date before start date.", field="valid_to")
    info = bridge.get_member(koperasi, member_id)
    alloc = (FertilizerAllocation.objects.locked(koperasi)
             .filter(koperasi=koperasi, member_id=member_id, season=season, fertilizer_type=fertilizer_type).first())
    if alloc is None:
        return FertilizerAllocation.objects.create(
            koperasi=koperasi, member_id=member_id, nik=info.nik, farmer_name=info.name,
            farmer_group=farmer_group or info.farmer_group or "-", season=season, fertilizer_type=fertilizer_type,
            allocated_kg=kg, valid_from=valid_from, valid_to=valid_to, commodity=commodity, land_ha=land_ha)
    if kg < alloc.redeemed_kg:
        raise DomainError(f"Alokasi baru lebih kecil dari yang sudah ditebus ({stock.fmt_qty(alloc.redeemed_kg)} kg).",
                          "The new allocation is below what was already redeemed.", field="allocated_kg")
    alloc.allocated_kg = kg
    alloc.valid_from, alloc.valid_to = valid_from, valid_to
    alloc.farmer_group = farmer_group or alloc.farmer_group
    alloc.save()
    return alloc


RDKK_COLUMNS = ["nik", "nama", "kelompok_tani", "musim", "jenis_pupuk", "alokasi_kg", "berlaku_mulai",
                "berlaku_sampai", "komoditas", "luas_ha"]


@transaction.atomic
def import_rdkk(koperasi, rows: list[dict]) -> dict:
    """Import RDKK rows (already parsed from Excel). All or nothing: any bad row aborts with its row number.
    Farmers are matched to members by NIK."""
    from kopdes.members.models import Member

    by_nik = {m.nik: m for m in Member.objects.filter(koperasi=koperasi, status__in=["aktif", "calon"])}
    n = 0
    for i, row in enumerate(rows, start=2):
        nik = str(row.get("nik") or "").strip()
        m = by_nik.get(nik)
        try:
            if m is None:
                raise DomainError(f"NIK {nik} bukan anggota koperasi ini.", f"NIK {nik} is not a member.", field="nik")
            ftype = str(row.get("jenis_pupuk") or "").strip().lower().replace(" ", "_")
            vf, vt = row.get("berlaku_mulai"), row.get("berlaku_sampai")
            vf = vf.date() if isinstance(vf, dt.datetime) else (dt.date.fromisoformat(str(vf)) if vf else None)
            vt = vt.date() if isinstance(vt, dt.datetime) else (dt.date.fromisoformat(str(vt)) if vt else None)
            if not vf or not vt:
                raise DomainError("Tanggal berlaku wajib diisi.", "Validity dates are required.", field="berlaku_mulai")
            set_allocation(koperasi, member_id=m.pk, season=str(row.get("musim") or "").strip(), fertilizer_type=ftype,
                           allocated_kg=str(row.get("alokasi_kg") or 0), valid_from=vf, valid_to=vt,
                           farmer_group=str(row.get("kelompok_tani") or "").strip(),
                           commodity=str(row.get("komoditas") or ""),
                           land_ha=Decimal(str(row["luas_ha"])) if row.get("luas_ha") not in (None, "") else None)
        except DomainError as exc:
            raise DomainError(f"Baris {i}: {exc.message_id}", f"Row {i}: {exc.message_en}", field="file",
                              code=exc.code) from exc
        except (ValueError, TypeError) as exc:
            raise DomainError(f"Baris {i}: data tidak valid ({exc}).", f"Row {i}: invalid data.", field="file") from exc
        n += 1
    return {"imported": n}


def read_rdkk_excel(fileobj) -> list[dict]:
    """Rows of the first sheet; header row names as in ``RDKK_COLUMNS`` (case-insensitive)."""
    from kopdes.core import uploads

    it = iter(list(uploads.rows(fileobj, ".xlsx", csv_ok=False)))
    header = [str(h or "").strip().lower() for h in next(it, [])]
    missing = [c for c in RDKK_COLUMNS[:8] if c not in header]
    if missing:
        raise DomainError(f"Kolom wajib tidak ada: {', '.join(missing)}.", f"Missing columns: {', '.join(missing)}.",
                          field="file")
    return [dict(zip(header, r, strict=False)) for r in it if any(v not in (None, "") for v in r)]

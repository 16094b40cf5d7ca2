"""The generic point of sale, parameterised by business unit (``Unit.SEMBAKO``, ``Unit.APOTEK`` …).

``checkout`` is atomic and idempotent by the client-generated ``client_id`` (``kopdes.core.idempotency``): a
retry after a dropped connection returns the first sale, a different payload under the same id is refused.
The unit's accounts come from ``UNIT_ACCOUNTS`` (cash, member/non-member revenue and COGS, inventory); each
product credits its own ``inventory_account`` (1151 gerai, 1152 obat, 1153 pupuk).

Other units add their own rules per line through ``line_check(product, line_dict, ctx)`` (e.g. the apotek
refusing obat keras without a prescription): raise ``DomainError`` to refuse; nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from kopdes.core import locks
from kopdes.core.errors import DomainError
from kopdes.core.idempotency import run_idempotent, scoped_key
from kopdes.core.identity import validate_nik
from kopdes.core.money import format_rupiah
from kopdes.core.units import Unit

from . import bridge, stock
from .bridge import Leg
from .catalog import check_charge_within_het, price_for
from .models import (
    UNIT_ACCOUNTS,
    FertilizerAllocation,
    FertilizerRedemption,
    Location,
    Lot,
    Product,
    ProductUom,
    Regulated,
    RetailSettings,
    Sale,
    SaleLine,
    SaleReturn,
    Shift,
    StockMove,
)
from .numbering import next_number

ZERO = Decimal("0")
SALE_PREFIX = {Unit.SEMBAKO: "GS", Unit.APOTEK: "AP", Unit.PERGUDANGAN: "GD"}
#: debit side of a sale by payment method (sukarela: the savings unit's counter account, which the savings
#: withdrawal credits — the two entries net to Dr 2101 member / Cr revenue and keep the passbook exact)
PAYMENT_ACCOUNT = {"qris": "1112", "transfer": "1112", "sukarela": "1104", "bon": "1141"}


def settings_for(koperasi) -> RetailSettings:
    obj = RetailSettings.objects.filter(koperasi=koperasi).first()
    if obj is None:
        obj, _c = RetailSettings.objects.get_or_create(koperasi=koperasi)
    return obj


def _dec(value, field_name: str) -> Decimal:
    try:
        d = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError("Jumlah tidak valid.", "Invalid number.", field=field_name, code="bad_number")
    if not d.is_finite():
        raise DomainError("Jumlah tidak valid.", "Invalid number.", field=field_name, code="bad_number")
    return d


# --- shifts ---------------------------------------------------------------------------------------------

@transaction.atomic
def open_shift(koperasi, *, cashier, location: Location, opening_float, unit: str = Unit.SEMBAKO) -> Shift:
    if location.koperasi_id != koperasi.pk:
        raise DomainError("Lokasi tidak ditemukan.", "Location not found.", field="location")
    amount = _dec(opening_float, "opening_float")
    if amount < 0:
        raise DomainError("Modal awal laci tidak boleh negatif.", "The opening float must not be negative.",
                          field="opening_float")
    if Shift.objects.filter(koperasi=koperasi, cashier=cashier, unit=unit, status=Shift.Status.OPEN).exists():
        raise DomainError("Anda masih punya shift yang terbuka. Tutup dulu sebelum membuka yang baru.",
                          "You still have an open shift. Close it first.", field="opening_float",
                          code="shift_open")
    return Shift.objects.create(koperasi=koperasi, cashier=cashier, location=location, unit=unit,
                                opening_float=amount)


def open_shift_for(koperasi, cashier, unit: str = Unit.SEMBAKO) -> Shift | None:
    return Shift.objects.filter(koperasi=koperasi, cashier=cashier, unit=unit, status=Shift.Status.OPEN).first()


def expected_cash(shift: Shift) -> Decimal:
    cash_sales = Sale.objects.filter(shift=shift, method=Sale.Method.CASH).aggregate(s=Sum("total"))["s"] or ZERO
    refunds = (SaleReturn.objects.filter(shift=shift, sale__method=Sale.Method.CASH).aggregate(s=Sum("amount"))["s"]
               or ZERO)
    return shift.opening_float + cash_sales - refunds


@transaction.atomic
def close_shift(koperasi, shift: Shift, *, counted_cash, by=None, note: str = "", date: dt.date | None = None) -> Shift:
    """Close with the counted cash; the difference is recorded and posted (6115 short / 4203 over)."""
    shift = Shift.objects.locked(koperasi).get(pk=shift.pk, koperasi=koperasi)
    if shift.status != Shift.Status.OPEN:
        raise DomainError("Shift ini sudah ditutup.", "This shift is already closed.", code="shift_closed")
    counted = _dec(counted_cash, "counted_cash")
    if counted < 0:
        raise DomainError("Uang dihitung tidak boleh negatif.", "Counted cash must not be negative.",
                          field="counted_cash")
    expected = expected_cash(shift)
    diff = (counted - expected).quantize(Decimal("0.01"))
    today = date or timezone.localdate()
    cash = UNIT_ACCOUNTS[shift.unit]["cash"]
    entry = None
    if diff:
        legs = [Leg(cash, diff, shift.unit),
                Leg("4203" if diff > 0 else "6115", -diff, shift.unit)]
        entry = bridge.post_legs(koperasi, date=today, memo=f"Selisih kas shift #{shift.pk}", legs=legs,
                                 source="retail.Shift", source_id=shift.pk, by=by)
    shift.closed_at = timezone.now()
    shift.expected_cash = expected
    shift.counted_cash = counted
    shift.difference = diff
    shift.status = Shift.Status.CLOSED
    shift.note = note[:200]
    shift.journal_entry_id = entry.pk if entry else None
    shift.save()
    return shift


# --- checkout -------------------------------------------------------------------------------------------

@dataclass
class SaleContext:
    koperasi: object
    unit: str
    date: dt.date
    member: bridge.MemberInfo | None
    buyer_nik: str
    extra: dict = field(default_factory=dict)


def _product_ids(lines) -> list[int]:
    out = []
    for raw in lines:
        try:
            out.append(int(raw.get("product_id")))
        except (TypeError, ValueError, AttributeError):
            raise DomainError("Barang tidak dikenal.", "Unknown product.", field="product", code="not_found")
    return out


def _resolve_line(koperasi, unit: str, raw: dict, is_member: bool, products: dict[int, Product]) -> dict:
    product = products.get(int(raw.get("product_id")))
    if product is not None and product.unit != unit:
        product = None
    if product is None or not product.active:
        raise DomainError("Barang tidak ditemukan atau tidak aktif di unit ini.",
                          "Product not found or inactive in this unit.", field="product", code="not_found")
    uom = None
    if raw.get("uom_id"):
        uom = ProductUom.objects.filter(koperasi=koperasi, product=product, pk=raw["uom_id"]).first()
        if uom is None:
            raise DomainError("Satuan tidak dikenal.", "Unknown unit of measure.", field="uom", code="not_found")
    qty = _dec(raw.get("qty", 1), "qty")
    if qty <= 0:
        raise DomainError(f"Jumlah {product.name} harus lebih dari nol.", f"Quantity of {product.name} must be positive.",
                          field="qty", code="bad_qty")
    factor = uom.factor if uom else Decimal("1")
    price = price_for(product, uom, is_member)
    if raw.get("price") not in (None, ""):
        price = _dec(raw["price"], "price").quantize(Decimal("0.01"))
        if price < 0:
            raise DomainError("Harga tidak boleh negatif.", "Price must not be negative.", field="price")
    lot = None
    if raw.get("lot_id"):
        lot = Lot.objects.filter(koperasi=koperasi, product=product, pk=raw["lot_id"]).first()
        if lot is None:
            raise DomainError("Batch tidak dikenal.", "Unknown batch.", field="lot", code="not_found")
    return {"product": product, "uom": uom, "qty": qty, "factor": factor, "base_qty": qty * factor,
            "price": price, "amount": (price * qty).quantize(Decimal("0.01")), "lot": lot, "raw": raw}


def _check_regulated(koperasi, ctx: SaleContext, resolved: list[dict], rs: RetailSettings | None) -> list[tuple]:
    """Fertilizer quota (locked), LPG per-buyer limit, SPHP per-purchase limit. Returns redemptions to write."""
    redemptions = []
    by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
    fert: dict[str, list[dict]] = defaultdict(list)
    for r in resolved:
        p = r["product"]
        by_kind[p.regulated] += r["base_qty"]
        if p.regulated == Regulated.PUPUK:
            fert[p.fertilizer_type].append(r)
    if by_kind.get(Regulated.SPHP, ZERO) > 0 and by_kind[Regulated.SPHP] > rs.sphp_limit_kg:
        raise DomainError(
            f"Beras SPHP dibatasi {stock.fmt_qty(rs.sphp_limit_kg)} kg per transaksi "
            f"(diminta {stock.fmt_qty(by_kind[Regulated.SPHP])} kg).",
            f"SPHP rice is limited to {stock.fmt_qty(rs.sphp_limit_kg)} kg per purchase.",
            field="qty", code="sphp_limit")
    if by_kind.get(Regulated.LPG3, ZERO) > 0:
        if not ctx.buyer_nik:
            raise DomainError("Penjualan LPG 3 kg wajib mencatat NIK pembeli.", "LPG 3 kg sales need the buyer's NIK.",
                              field="buyer_nik", code="nik_required")
        # the purchases of this NIK are summed under its lock row: concurrent LPG sales to one NIK queue here
        locks.hold(koperasi, f"retail.lpg:{ctx.buyer_nik}")
        since = ctx.date - dt.timedelta(days=rs.lpg_limit_days - 1)
        bought = (SaleLine.objects.filter(koperasi=koperasi, sale__buyer_nik=ctx.buyer_nik, sale__date__gte=since,
                                          sale__date__lte=ctx.date, product__regulated=Regulated.LPG3)
                  .aggregate(s=Sum("base_qty"), r=Sum("returned_qty")))
        already = (bought["s"] or ZERO) - (bought["r"] or ZERO)
        if already + by_kind[Regulated.LPG3] > rs.lpg_limit_qty:
            raise DomainError(
                f"Batas LPG 3 kg untuk NIK ini {stock.fmt_qty(rs.lpg_limit_qty)} tabung per {rs.lpg_limit_days} hari; "
                f"sudah dibeli {stock.fmt_qty(already)}.",
                f"LPG 3 kg limit for this NIK is {stock.fmt_qty(rs.lpg_limit_qty)} per {rs.lpg_limit_days} days; "
                f"already bought {stock.fmt_qty(already)}.", field="qty", code="lpg_limit")
    if fert:
        if ctx.member is None or not ctx.member.active:
            raise DomainError("Pupuk bersubsidi hanya dijual kepada anggota yang terdaftar di RDKK. Pindai kartu anggota.",
                              "Subsidized fertilizer is sold only to members listed in the RDKK. Scan the member card.",
                              field="member", code="not_in_rdkk")
        for ftype, rows in sorted(fert.items()):
            kg = sum((r["base_qty"] for r in rows), ZERO)
            alloc = (FertilizerAllocation.objects.locked(koperasi)
                     .filter(koperasi=koperasi, member_id=ctx.member.id, fertilizer_type=ftype,
                             valid_from__lte=ctx.date, valid_to__gte=ctx.date).order_by("valid_from").first())
            label = rows[0]["product"].get_fertilizer_type_display()
            if alloc is None:
                raise DomainError(f"{ctx.member.name} tidak terdaftar di RDKK untuk pupuk {label} pada musim ini.",
                                  f"{ctx.member.name} is not in the RDKK for {label} this season.",
                                  field="member", code="not_in_rdkk")
            if kg > alloc.remaining_kg:
                raise DomainError(
                    f"Melebihi alokasi RDKK {label}: sisa {stock.fmt_qty(alloc.remaining_kg)} kg, diminta "
                    f"{stock.fmt_qty(kg)} kg.",
                    f"Above the RDKK allocation for {label}: {stock.fmt_qty(alloc.remaining_kg)} kg left, "
                    f"{stock.fmt_qty(kg)} kg requested.", field="qty", code="over_allocation")
            alloc.redeemed_kg += kg
            alloc.save(update_fields=["redeemed_kg"])
            redemptions.append((alloc, kg, sum((r["amount"] for r in rows), ZERO)))
    return redemptions


def _payment_payload(method, tendered, payment_ref):
    return {"method": method, "tendered": str(tendered) if tendered not in (None, "") else "", "ref": payment_ref}


def checkout(koperasi, *, client_id: str, shift: Shift, lines: list[dict], member: str | int | None = None,
             method: str = Sale.Method.CASH, tendered=None, payment_ref: str = "", buyer_nik: str = "",
             buyer_name: str = "", by=None, date: dt.date | None = None,
             line_check: Callable[[Product, dict, SaleContext], None] | None = None, photo=None) -> dict:
    """Ring up a sale. ``lines``: ``[{"product_id", "qty", "uom_id"?, "price"?, "lot_id"?}]`` (qty in the pack's
    unit). ``member``: member id (int) or scanned card text / member number / NIK (str). Returns
    ``{"sale_id", "number", "total", "change", "replayed"}``. Refusals raise ``DomainError``; nothing is written.
    """
    if not client_id:
        raise DomainError("ID transaksi dari kasir tidak ada.", "Missing client transaction id.", code="no_client_id")
    # the key is the cashier's (docs/api.md: keys are per user): another cashier's identical key is another sale
    owner = f"u{getattr(by, 'pk', None) or shift.cashier_id}"
    client_id = scoped_key(str(client_id), owner)
    payload = {"shift": shift.pk, "lines": lines, "member": str(member or ""),
               "pay": _payment_payload(method, tendered, payment_ref), "nik": buyer_nik or ""}

    def _do():
        return _checkout(koperasi, client_id=str(client_id)[:100], shift=shift, lines=lines, member=member,
                         method=method, tendered=tendered, payment_ref=payment_ref, buyer_nik=buyer_nik,
                         buyer_name=buyer_name, by=by, date=date, line_check=line_check, photo=photo)

    result, replayed = run_idempotent(koperasi, f"retail.sale.{shift.unit}", client_id, payload, _do)
    return {**result, "replayed": replayed}


def _checkout(koperasi, *, client_id, shift, lines, member, method, tendered, payment_ref, buyer_nik,
              buyer_name, by, date, line_check, photo) -> dict:
    # the shift row lock: a sale never races the closing of its shift, and numbers within a shift are gap-free
    shift = Shift.objects.locked(koperasi).select_related("location").get(pk=shift.pk,
                                                                                        koperasi=koperasi)
    if shift.status != Shift.Status.OPEN:
        raise DomainError("Shift kasir sudah ditutup. Buka shift baru untuk berjualan.",
                          "The cashier shift is closed. Open a new shift to sell.", field="shift",
                          code="shift_closed")
    unit = shift.unit
    accounts = UNIT_ACCOUNTS[unit]
    date = date or timezone.localdate()
    if not lines:
        raise DomainError("Keranjang masih kosong.", "The cart is empty.", field="lines", code="empty")
    if len(lines) > 200:
        raise DomainError("Terlalu banyak baris.", "Too many lines.", field="lines")
    minfo = None
    # Lock order of a sale (every till takes them in this order, so no two sales deadlock): shift, member (bon
    # and sukarela: the credit limit and the savings balance are the member's), buyer's NIK (LPG limit), RDKK
    # allocations (by fertilizer type), products (by id), document counters, the ledger's counter last.
    lock_member = method in (Sale.Method.SUKARELA, Sale.Method.BON)
    if member not in (None, ""):
        if isinstance(member, int):
            minfo = bridge.get_member(koperasi, member, lock=lock_member)
        else:
            minfo = bridge.find_member(koperasi, str(member))
            if minfo is not None and lock_member:
                bridge.get_member(koperasi, minfo.id, lock=True)
        if minfo is None:
            raise DomainError("Kartu/nomor anggota tidak dikenal di koperasi ini.",
                              "Member card/number not known in this cooperative.", field="member",
                              code="member_not_found")
    is_member = bool(minfo and minfo.active)
    buyer_nik = (buyer_nik or "").strip()
    if not buyer_nik and minfo:
        buyer_nik = minfo.nik
    if buyer_nik:
        try:
            validate_nik(buyer_nik)
        except ValidationError as exc:
            raise DomainError(f"NIK pembeli tidak valid: {exc.messages[0]}", "The buyer's NIK is invalid.",
                              field="buyer_nik", code="bad_nik")
    ctx = SaleContext(koperasi, unit, date, minfo if is_member else None, buyer_nik)
    ids = _product_ids(lines)
    products = {p.pk: p for p in Product.objects.filter(koperasi=koperasi, pk__in=set(ids))}
    resolved = [_resolve_line(koperasi, unit, raw, is_member, products) for raw in lines]
    for r in resolved:
        check_charge_within_het(koperasi, r["product"], r["price"], r["factor"], date)
        if line_check is not None:
            line_check(r["product"], r["raw"], ctx)
    total = sum((r["amount"] for r in resolved), ZERO).quantize(Decimal("0.01"))
    # the cooperative's limits are read only when a rule needs them (most sales: no regulated goods, no bon)
    needs_limits = method == Sale.Method.BON or any(r["product"].regulated in (Regulated.SPHP, Regulated.LPG3)
                                                   for r in resolved)
    rs = settings_for(koperasi) if needs_limits else None

    # payment checks (before any write)
    if method not in Sale.Method.values:
        raise DomainError("Cara bayar tidak dikenal.", "Unknown payment method.", field="method")
    change = ZERO
    tendered_d = total
    if method == Sale.Method.CASH:
        if tendered not in (None, ""):
            tendered_d = _dec(tendered, "tendered").quantize(Decimal("0.01"))
            if tendered_d < total:
                raise DomainError(f"Uang diterima {format_rupiah(tendered_d)} kurang dari total {format_rupiah(total)}.",
                                  f"Cash received is less than the total {format_rupiah(total)}.",
                                  field="tendered", code="underpaid")
        change = tendered_d - total
    elif method in (Sale.Method.QRIS, Sale.Method.TRANSFER):
        if not payment_ref.strip():
            raise DomainError("Isi nomor referensi QRIS/transfer.", "Enter the QRIS/transfer reference.",
                              field="payment_ref", code="ref_required")
    elif method in (Sale.Method.SUKARELA, Sale.Method.BON):
        if not is_member:
            raise DomainError("Potong simpanan dan bon hanya untuk anggota aktif. Pindai kartu anggota.",
                              "Savings debit and credit are for active members only.", field="member",
                              code="member_required")
        if method == Sale.Method.SUKARELA:
            pass  # the savings service checks the balance (and its minimum) when debiting, below
        else:
            # read under the member's row lock (taken above): concurrent bon sales to one member queue here
            owed = bridge.member_balance(koperasi, "1141", minfo.id)
            if owed + total > rs.credit_limit:
                raise DomainError(
                    f"Melebihi batas bon {format_rupiah(rs.credit_limit)} (bon berjalan {format_rupiah(owed)}).",
                    f"Above the credit limit {format_rupiah(rs.credit_limit)} (owed {format_rupiah(owed)}).",
                    field="method", code="credit_limit")

    redemptions = _check_regulated(koperasi, ctx, resolved, rs)
    # per-shift numbering (like Odoo's session/order refs): gap-free within the shift, whose row we hold locked,
    # so no counter shared by all cashiers to wait on; taken before the hot locks below
    seq = Sale.objects.filter(shift=shift).count() + 1
    number = f"{SALE_PREFIX.get(unit, 'PJ')}-{shift.pk:05d}-{seq:04d}"

    # --- hot section: from the product row locks to the commit (kept to a fixed handful of statements:
    # lock, quants read, quants written, sale, lines, moves, product caches, the ledger posting, one update)
    locked = stock.lock_products(koperasi, [r["product"].pk for r in resolved])
    issued, moves = stock.issue_many_locked(
        koperasi, location=shift.location, date=date, kind=StockMove.Kind.SALE, source="retail.Sale", by=by,
        memo=number, requests=[(locked[r["product"].pk], r["base_qty"], r["lot"]) for r in resolved])
    costs = [sum((s.value for s in slices), ZERO) for slices in issued]
    cost_total = sum(costs, ZERO)
    sale = Sale(
        koperasi=koperasi, number=number, client_id=client_id, unit=unit, shift=shift,
        location=shift.location, date=date, cashier=by or shift.cashier, member_id=minfo.id if is_member else None,
        member_name=minfo.name if is_member else "", member_number=minfo.number if is_member else "",
        buyer_nik=buyer_nik, buyer_name=buyer_name[:150] or (minfo.name if minfo else ""), total=total,
        cost_total=cost_total, method=method, tendered=tendered_d if method == Sale.Method.CASH else total,
        change=change, payment_ref=payment_ref[:60],
    )
    if photo:
        sale.handover_photo = photo
    sale.save(force_insert=True)
    member_id = sale.member_id
    legs: list[Leg] = []
    sale_lines = []
    for r, cost in zip(resolved, costs, strict=True):
        sale_lines.append(SaleLine(
            koperasi=koperasi, sale=sale, product=r["product"], uom_name=r["uom"].name if r["uom"] else
            r["product"].base_uom, factor=r["factor"], qty=r["qty"], base_qty=r["base_qty"], unit_price=r["price"],
            amount=r["amount"], cost=cost))
        legs.append(Leg(accounts["rev_member" if is_member else "rev_public"], -r["amount"], unit, member_id))
        legs.append(Leg(accounts["cogs_member" if is_member else "cogs_public"], cost, unit, member_id))
        legs.append(Leg(r["product"].inventory_account, -cost, unit))
    for mv in moves:
        mv.source_id = str(sale.pk)
    SaleLine.objects.bulk_create(sale_lines)
    stock.flush_deferred(locked.values(), moves)
    pay_account = accounts["cash"] if method == Sale.Method.CASH else PAYMENT_ACCOUNT[method]
    pay_unit = Unit.SIMPAN_PINJAM if method == Sale.Method.SUKARELA else unit
    legs.append(Leg(pay_account, total, pay_unit, member_id if method == Sale.Method.BON else None))
    for alloc, kg, amount in redemptions:
        FertilizerRedemption.objects.create(koperasi=koperasi, allocation=alloc, sale=sale, date=date, qty_kg=kg,
                                            nik=buyer_nik, amount=amount)
    if method == Sale.Method.SUKARELA:
        bridge.savings_move(koperasi, member_id, -total, reference=number, date=date, by=by)
    # the ledger last: its cooperative-wide counter row is the one lock every cashier shares
    entry = bridge.post_legs(koperasi, date=date, memo=f"Penjualan {number}" + (f" — {minfo.name}" if is_member else ""),
                             legs=legs, source="retail.Sale", source_id=sale.pk, by=by)
    if entry is not None:
        Sale.objects.row(sale).update(journal_entry_id=entry.pk)
    return {"sale_id": sale.pk, "number": number, "total": str(total), "change": str(change)}


# --- returns --------------------------------------------------------------------------------------------

@transaction.atomic
def return_sale(koperasi, sale: Sale, *, lines: list[dict], reason: str = "", shift: Shift | None = None,
                by=None, date: dt.date | None = None) -> SaleReturn:
    """Customer return: ``lines`` = ``[{"line_id", "qty"}]`` (qty in the line's unit). Stock back at the line's
    cost into the lots it came from; revenue and COGS reversed; refund through the sale's payment method
    (cash from the current shift's drawer, or back to sukarela/bon/QRIS)."""
    if sale.member_id and sale.method in (Sale.Method.SUKARELA, Sale.Method.BON):
        bridge.get_member(koperasi, sale.member_id, lock=True)  # the member before stock, as a sale does
    sale = Sale.objects.locked(koperasi).get(pk=sale.pk, koperasi=koperasi)
    date = date or timezone.localdate()
    accounts = UNIT_ACCOUNTS[sale.unit]
    if sale.method == Sale.Method.CASH and (shift is None or shift.status != Shift.Status.OPEN):
        raise DomainError("Retur tunai membutuhkan shift kasir yang terbuka.", "A cash refund needs an open shift.",
                          field="shift", code="shift_closed")
    is_member = sale.member_id is not None
    amount_total, cost_total = ZERO, ZERO
    legs: list[Leg] = []
    pending = []
    for raw in lines:
        sl = SaleLine.objects.locked(sale.koperasi_id).filter(sale=sale, pk=raw.get("line_id")).select_related("product").first()
        if sl is None:
            raise DomainError("Baris penjualan tidak dikenal.", "Unknown sale line.", field="line")
        qty = _dec(raw.get("qty", 0), "qty")
        if qty <= 0:
            continue
        base = qty * sl.factor
        if base > sl.base_qty - sl.returned_qty:
            raise DomainError(f"Retur {sl.product.name} melebihi jumlah yang dibeli.",
                              f"Return of {sl.product.name} exceeds the quantity bought.", field="qty",
                              code="over_return")
        amount = (sl.amount * base / sl.base_qty).quantize(Decimal("0.01"))
        cost = (sl.cost * base / sl.base_qty).quantize(Decimal("0.01"))
        pending.append((sl, base, amount, cost))
    if not pending:
        raise DomainError("Tidak ada barang yang diretur.", "Nothing to return.", field="qty", code="empty")
    ret = SaleReturn.objects.create(koperasi=koperasi, number=next_number(koperasi, "RJ", date), sale=sale,
                                    date=date, shift=shift, amount=ZERO, cost=ZERO, reason=reason[:200])
    for sl, base, amount, cost in pending:
        # back into the lots the sale took from (latest slice first)
        moves = list(StockMove.objects.filter(koperasi=koperasi, source="retail.Sale", source_id=str(sale.pk),
                                              product=sl.product, kind=StockMove.Kind.SALE).order_by("-id"))
        left, left_cost = base, cost
        for i, mv in enumerate(moves):
            if left <= 0:
                break
            take = min(-mv.qty, left)
            val = left_cost if (take == left or i == len(moves) - 1) else (cost * take / base).quantize(Decimal("0.01"))
            stock.receive(koperasi, product=sl.product, location=sale.location, qty=take, unit_cost=0, value=val,
                          date=date, lot=mv.lot, kind=StockMove.Kind.SALE_RETURN, source="retail.SaleReturn",
                          source_id=ret.pk, by=by, memo=ret.number)
            left -= take
            left_cost -= val
        sl.returned_qty += base
        sl.save(update_fields=["returned_qty"])
        if sl.product.regulated == Regulated.PUPUK:
            red = FertilizerRedemption.objects.filter(sale=sale, allocation__fertilizer_type=sl.product.fertilizer_type
                                                      ).select_related("allocation").first()
            if red:
                alloc = FertilizerAllocation.objects.locked(sale.koperasi_id).get(pk=red.allocation_id)
                alloc.redeemed_kg -= min(base, alloc.redeemed_kg)
                alloc.save(update_fields=["redeemed_kg"])
                FertilizerRedemption.objects.create(koperasi=koperasi, allocation=alloc, sale=sale, date=date,
                                                    qty_kg=-base, nik=sale.buyer_nik, amount=-amount)
        amount_total += amount
        cost_total += cost
        legs.append(Leg(accounts["rev_member" if is_member else "rev_public"], amount, sale.unit, sale.member_id))
        legs.append(Leg(accounts["cogs_member" if is_member else "cogs_public"], -cost, sale.unit, sale.member_id))
        legs.append(Leg(sl.product.inventory_account, cost, sale.unit))
    pay_account = accounts["cash"] if sale.method == Sale.Method.CASH else PAYMENT_ACCOUNT[sale.method]
    pay_unit = Unit.SIMPAN_PINJAM if sale.method == Sale.Method.SUKARELA else sale.unit
    legs.append(Leg(pay_account, -amount_total, pay_unit, sale.member_id if sale.method == Sale.Method.BON else None))
    if sale.method == Sale.Method.SUKARELA:
        bridge.savings_move(koperasi, sale.member_id, amount_total, reference=ret.number, date=date, by=by)
    entry = bridge.post_legs(koperasi, date=date, memo=f"Retur {ret.number} atas {sale.number}", legs=legs,
                             source="retail.SaleReturn", source_id=ret.pk, by=by)
    ret.amount, ret.cost = amount_total, cost_total
    ret.journal_entry_id = entry.pk if entry else None
    ret.save(update_fields=["amount", "cost", "journal_entry_id"])
    sale.returned_total += amount_total
    sale.save(update_fields=["returned_total"])
    return ret


@transaction.atomic
def pay_credit(koperasi, *, member_id: int, amount, method: str = "cash", reference: str = "", by=None,
               date: dt.date | None = None, unit: str = Unit.SEMBAKO):
    """A member pays off (part of) their bon: Dr cash/bank, Cr 1141 (member)."""
    amount = _dec(amount, "amount").quantize(Decimal("0.01"))
    info = bridge.get_member(koperasi, member_id, lock=True)
    owed = bridge.member_balance(koperasi, "1141", info.id)
    if amount <= 0 or amount > owed:
        raise DomainError(f"Jumlah pelunasan harus antara Rp1 dan bon berjalan {format_rupiah(owed)}.",
                          "Repayment must be positive and not above the amount owed.", field="amount")
    cash = UNIT_ACCOUNTS[unit]["cash"] if method == "cash" else "1112"
    return bridge.post_legs(koperasi, date=date or timezone.localdate(), memo=f"Pelunasan bon {info.name}",
                            legs=[Leg(cash, amount, unit), Leg("1141", -amount, unit, info.id)],
                            source="retail.Credit", source_id=f"{info.id}:{reference}"[:40], by=by)

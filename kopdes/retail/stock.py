"""The stock engine shared by gerai, apotek and gudang.

Every change of stock goes through this module and writes an append-only ``StockMove``. Rules:

- quantities are in the product's base unit; a ``Lot`` (batch number + optional expiry) is optional per product;
- cost is the moving average per product (over all locations of the cooperative): receipts add
  ``qty × unit_cost``; issues take ``stock_value × qty / stock_qty`` (rounded to the sen), so issuing the last
  unit leaves exactly zero value and ``sum(StockMove.value)`` always equals ``Product.stock_value``;
- issues pick lots FEFO (earliest expiry first, lots without expiry last) and never an expired lot
  (a lot is expired when ``expiry_date < date``); stock can never go negative (``DomainError`` code
  ``insufficient_stock``);
- callers hold the transaction: every function must run inside ``transaction.atomic`` (they are decorated) and
  the caller posts the ledger entry from the returned move values (``inventory_account`` is on each move).

Concurrency: all quantity/value changes of one product happen under ``SELECT … FOR UPDATE`` on the product row
(``lock_products`` takes them in id order, so two cashiers never deadlock).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from kopdes.core.errors import DomainError

from .models import Location, Lot, Product, StockMove, StockQuant

ZERO = Decimal("0")
CENT = Decimal("0.01")


def _q(x: Decimal) -> Decimal:
    return Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_qty(q: Decimal) -> str:
    q = Decimal(q).normalize()
    return f"{q:f}".replace(".", ",")


@dataclass
class Issued:
    """One lot-slice of an issue."""

    move: StockMove
    lot: Lot | None
    qty: Decimal
    value: Decimal


def lock_products(koperasi, product_ids) -> dict[int, Product]:
    """Lock product rows (id order) for the rest of the transaction; returns them by id."""
    ids = sorted({int(i) for i in product_ids})
    rows = Product.objects.locked(koperasi).filter(koperasi=koperasi, pk__in=ids).order_by("pk")
    return {p.pk: p for p in rows}


def get_lot(koperasi, product: Product, lot_number: str = "", expiry_date: dt.date | None = None) -> Lot | None:
    """The lot for a receipt (created if new). Products that track lots require a number (and expiry if set)."""
    lot_number = (lot_number or "").strip()
    if not lot_number:
        if product.track_lots:
            raise DomainError(f"Nomor batch {product.name} wajib diisi.", f"Batch number of {product.name} is required.",
                              field="lot_number", code="lot_required")
        if product.requires_expiry or expiry_date:
            lot_number = f"ED-{expiry_date:%Y%m%d}" if expiry_date else ""
        if not lot_number:
            return None
    existing = Lot.objects.filter(koperasi=koperasi, product=product, lot_number=lot_number).first()
    if existing is not None and not expiry_date:
        return existing
    if product.requires_expiry and not expiry_date:
        raise DomainError(f"Tanggal kedaluwarsa {product.name} wajib diisi.",
                          f"Expiry date of {product.name} is required.", field="expiry_date", code="expiry_required")
    lot, created = Lot.objects.get_or_create(koperasi=koperasi, product=product, lot_number=lot_number,
                                             defaults={"expiry_date": expiry_date})
    if not created and expiry_date and lot.expiry_date != expiry_date:
        raise DomainError(f"Batch {lot_number} sudah tercatat dengan kedaluwarsa {lot.expiry_date}.",
                          f"Batch {lot_number} is already recorded with expiry {lot.expiry_date}.",
                          field="expiry_date", code="lot_expiry_mismatch")
    return lot


def _quant(koperasi, product, location, lot) -> StockQuant:
    q = StockQuant.objects.filter(koperasi=koperasi, product=product, location=location, lot=lot).first()
    if q is None:
        q = StockQuant.objects.create(koperasi=koperasi, product=product, location=location, lot=lot, qty=ZERO)
    return q


def _move(koperasi, product, location, lot, kind, qty, value, date, source, source_id, by, memo) -> StockMove:
    unit_cost = (abs(value) / abs(qty)).quantize(Decimal("0.0001")) if qty else ZERO
    return StockMove.objects.create(
        koperasi=koperasi, product=product, location=location, lot=lot, kind=kind, qty=qty, value=value,
        unit_cost=unit_cost, inventory_account=product.inventory_account, date=date, source=source,
        source_id=str(source_id or ""), by=by if getattr(by, "pk", None) else None, memo=memo[:200],
    )


def _check_location(koperasi, location: Location) -> None:
    if location.koperasi_id != koperasi.pk:
        raise DomainError("Lokasi tidak ditemukan.", "Location not found.", field="location", code="not_found")


@transaction.atomic
def receive(koperasi, *, product: Product, location: Location, qty, unit_cost, date: dt.date | None = None,
            lot: Lot | None = None, kind: str = StockMove.Kind.RECEIPT, source: str = "", source_id="", by=None,
            memo: str = "", value: Decimal | None = None) -> StockMove:
    """Stock in at ``unit_cost`` (or an exact ``value``): updates the moving average. Returns the move."""
    _check_location(koperasi, location)
    qty = Decimal(str(qty))
    if qty <= 0:
        raise DomainError("Jumlah harus lebih dari nol.", "Quantity must be positive.", field="qty", code="bad_qty")
    date = date or timezone.localdate()
    product = lock_products(koperasi, [product.pk])[product.pk]
    value = _q(value) if value is not None else _q(qty * Decimal(str(unit_cost)))
    if value < 0:
        raise DomainError("Harga pokok tidak boleh negatif.", "Cost must not be negative.", field="unit_cost")
    quant = _quant(koperasi, product, location, lot)
    StockQuant.objects.row(quant).update(qty=F("qty") + qty)
    Product.objects.row(product).update(stock_qty=F("stock_qty") + qty, stock_value=F("stock_value") + value)
    return _move(koperasi, product, location, lot, kind, qty, value, date, source, source_id, by, memo)


def available_quants(koperasi, product: Product, location: Location, on: dt.date, lot: Lot | None = None):
    """Quants that may be issued, in FEFO order (earliest expiry first, no-expiry last), expired excluded."""
    qs = StockQuant.objects.filter(koperasi=koperasi, product=product, location=location, qty__gt=0).select_related("lot")
    if lot is not None:
        qs = qs.filter(lot=lot)
    qs = qs.filter(Q(lot__isnull=True) | Q(lot__expiry_date__isnull=True) | Q(lot__expiry_date__gte=on))
    return sorted(qs, key=_fefo)


def _fefo(q: StockQuant):
    """FEFO sort key: earliest expiry first, lots without expiry (and no lot) last, then by lot id."""
    return (q.lot is None or q.lot.expiry_date is None,
            q.lot.expiry_date if q.lot and q.lot.expiry_date else dt.date.max, q.lot_id or 0)


def on_hand(koperasi, product: Product, location: Location | None = None, *, sellable_on: dt.date | None = None
            ) -> Decimal:
    qs = StockQuant.objects.filter(koperasi=koperasi, product=product)
    if location is not None:
        qs = qs.filter(location=location)
    if sellable_on is not None:
        qs = qs.filter(Q(lot__isnull=True) | Q(lot__expiry_date__isnull=True) | Q(lot__expiry_date__gte=sellable_on))
    return qs.aggregate(s=Sum("qty"))["s"] or ZERO


def _insufficient(product: Product, location: Location, available: Decimal, qty: Decimal,
                  expired: Decimal) -> DomainError:
    """The one refusal for a shortfall (single issue and batch issue alike), naming expired stock that is there."""
    extra_id = f" ({fmt_qty(expired)} {product.base_uom} kedaluwarsa tidak boleh dijual)" if expired > 0 else ""
    extra_en = f" ({fmt_qty(expired)} {product.base_uom} expired, not sellable)" if expired > 0 else ""
    return DomainError(
        f"Stok {product.name} di {location.name} tidak cukup: tersedia {fmt_qty(available)} {product.base_uom}, "
        f"diminta {fmt_qty(qty)}{extra_id}.",
        f"Not enough stock of {product.name} at {location.name}: {fmt_qty(available)} {product.base_uom} "
        f"available, {fmt_qty(qty)} requested{extra_en}.",
        field="qty", code="insufficient_stock",
    )

@transaction.atomic
def issue(koperasi, *, product: Product, location: Location, qty, date: dt.date | None = None,
          kind: str = StockMove.Kind.SALE, source: str = "", source_id="", by=None, memo: str = "",
          lot: Lot | None = None, allow_expired: bool = False) -> list[Issued]:
    """Stock out at moving-average cost, FEFO over lots (or the given ``lot``). Never negative, never expired
    (unless ``allow_expired`` for a write-off). Returns the slices; ``sum(s.value)`` is the cost."""
    product = lock_products(koperasi, [product.pk])[product.pk]
    return issue_locked(koperasi, product=product, location=location, qty=qty, date=date, kind=kind, source=source,
                        source_id=source_id, by=by, memo=memo, lot=lot, allow_expired=allow_expired)


def issue_locked(koperasi, *, product: Product, location: Location, qty, date: dt.date | None = None,
                 kind: str = StockMove.Kind.SALE, source: str = "", source_id="", by=None, memo: str = "",
                 lot: Lot | None = None, allow_expired: bool = False, deferred: list | None = None,
                 ) -> list[Issued]:
    """``issue`` for a caller that already holds the product's row lock (from ``lock_products``, fresh values)
    inside its own transaction — no savepoint, no second lock (the POS uses it for speed). Updates the passed
    ``product`` object's ``stock_qty``/``stock_value`` in memory too. With ``deferred`` (a list), the product
    row and the moves are not written: the caller bulk-writes them (``flush_deferred``)."""
    _check_location(koperasi, location)
    qty = Decimal(str(qty))
    if qty <= 0:
        raise DomainError("Jumlah harus lebih dari nol.", "Quantity must be positive.", field="qty", code="bad_qty")
    date = date or timezone.localdate()
    if allow_expired:
        quants = list(StockQuant.objects.filter(koperasi=koperasi, product=product, location=location, qty__gt=0,
                                                **({"lot": lot} if lot is not None else {})).select_related("lot"))
    else:
        quants = available_quants(koperasi, product, location, date, lot)
    available = sum((q.qty for q in quants), ZERO)
    if available < qty:
        expired = on_hand(koperasi, product, location) - on_hand(koperasi, product, location, sellable_on=date)
        raise _insufficient(product, location, available, qty, expired)
    out: list[Issued] = []
    remaining = qty
    stock_qty, stock_value = product.stock_qty, product.stock_value
    for quant in quants:
        if remaining <= 0:
            break
        take = min(quant.qty, remaining)
        value = stock_value if take == stock_qty else _q(stock_value * take / stock_qty)
        stock_qty -= take
        stock_value -= value
        remaining -= take
        StockQuant.objects.row(quant).update(qty=F("qty") - take)
        if deferred is None:
            mv = _move(koperasi, product, location, quant.lot, kind, -take, -value, date, source, source_id, by, memo)
        else:
            mv = StockMove(koperasi=koperasi, product=product, location=location, lot=quant.lot, kind=kind, qty=-take,
                           value=-value, unit_cost=(value / take).quantize(Decimal("0.0001")),
                           inventory_account=product.inventory_account, date=date, source=source,
                           source_id=str(source_id or ""), by=by if getattr(by, "pk", None) else None, memo=memo[:200])
            deferred.append(mv)
        out.append(Issued(mv, quant.lot, take, value))
    product.stock_qty, product.stock_value = stock_qty, stock_value
    if deferred is None:
        Product.objects.row(product).update(stock_qty=stock_qty, stock_value=stock_value)
    return out


def issue_many_locked(koperasi, *, location: Location, requests: list[tuple], date: dt.date,
                      kind: str = StockMove.Kind.SALE, source: str = "", source_id="", by=None, memo: str = "",
                      ) -> tuple[list[list[Issued]], list[StockMove]]:
    """Issue several lines at once for a caller holding the products' row locks (``lock_products``) — the POS.

    ``requests``: ``[(locked_product, base_qty, lot_or_None), …]`` (a product may appear more than once). One
    query reads every quant of those products at the location, one ``bulk_update`` writes the new quantities;
    the products' caches are updated in memory and the moves returned unsaved: the caller sets their
    ``source_id`` and writes both with ``flush_deferred``. Same rules as ``issue``: FEFO, never an expired lot,
    never negative (nothing is written before every line is known to fit)."""
    _check_location(koperasi, location)
    ids = {p.pk for p, _q, _l in requests}
    all_quants = (StockQuant.objects.filter(koperasi=koperasi, product_id__in=ids, location=location, qty__gt=0)
                  .select_related("lot").order_by("pk"))
    by_product: dict[int, list[StockQuant]] = defaultdict(list)
    for q in all_quants:
        by_product[q.product_id].append(q)
    out: list[list[Issued]] = []
    moves: list[StockMove] = []
    touched: dict[int, StockQuant] = {}
    by_id = by if getattr(by, "pk", None) else None
    for product, qty, lot in requests:
        qty = Decimal(str(qty))
        if qty <= 0:
            raise DomainError("Jumlah harus lebih dari nol.", "Quantity must be positive.", field="qty",
                              code="bad_qty")
        quants = sorted((q for q in by_product[product.pk] if q.qty > 0 and (lot is None or q.lot_id == lot.pk)
                         and (q.lot is None or q.lot.expiry_date is None or q.lot.expiry_date >= date)), key=_fefo)
        available = sum((q.qty for q in quants), ZERO)
        if available < qty:
            everything = sum((q.qty for q in by_product[product.pk] if lot is None or q.lot_id == lot.pk), ZERO)
            raise _insufficient(product, location, available, qty, everything - available)
        slices: list[Issued] = []
        remaining = qty
        for quant in quants:
            if remaining <= 0:
                break
            take = min(quant.qty, remaining)
            value = product.stock_value if take == product.stock_qty else _q(product.stock_value * take
                                                                             / product.stock_qty)
            product.stock_qty -= take
            product.stock_value -= value
            remaining -= take
            quant.qty -= take
            touched[quant.pk] = quant
            mv = StockMove(koperasi=koperasi, product=product, location=location, lot=quant.lot, kind=kind,
                           qty=-take, value=-value, unit_cost=(value / take).quantize(Decimal("0.0001")),
                           inventory_account=product.inventory_account, date=date, source=source,
                           source_id=str(source_id or ""), by=by_id, memo=memo[:200])
            moves.append(mv)
            slices.append(Issued(mv, quant.lot, take, value))
        out.append(slices)
    _write_columns(StockQuant, touched.values(), ["qty"])
    return out, moves


def _write_columns(model, objs, fields: list[str]) -> None:
    """``UPDATE … SET f = CASE id WHEN … END … WHERE id IN (…)`` for rows whose new values are in memory —
    the same statement as ``bulk_update`` without its per-call expression building (it is on the POS's hot path,
    under the product locks). Values are plain Decimals; no signals (like ``bulk_update``)."""
    objs = list(objs)
    if not objs:
        return
    table = model._meta.db_table
    params: list = []
    sets = []
    for f in fields:
        column = model._meta.get_field(f).column
        sets.append(f"{column} = CASE id " + " ".join(["WHEN %s THEN %s"] * len(objs)) + " END")
        for o in objs:
            params += [o.pk, getattr(o, f)]
    kids = {o.koperasi_id for o in objs}
    if len(kids) != 1:
        raise ValueError("_write_columns writes one cooperative's rows at a time")
    params += [kids.pop(), *(o.pk for o in objs)]
    sql = (f"UPDATE {table} SET {', '.join(sets)} "  # koperasi_id first: Citus routes it to one shard
           f"WHERE koperasi_id = %s AND id IN ({', '.join(['%s'] * len(objs))})")
    with connection.cursor() as cur:
        cur.execute(sql, params)


def flush_deferred(products, moves: list) -> None:
    """Write what ``issue_locked(..., deferred=moves)`` kept in memory: product caches and moves, in bulk."""
    if moves:
        StockMove.objects.bulk_create(moves)
    _write_columns(Product, products, ["stock_qty", "stock_value"])


@transaction.atomic
def transfer(koperasi, *, product: Product, source: Location, dest: Location, qty, date: dt.date | None = None,
             lot: Lot | None = None, by=None, memo: str = "", ref: str = "") -> list[StockMove]:
    """Move stock between locations at cost (FEFO, lots kept). No ledger effect within one inventory account."""
    if source.pk == dest.pk:
        raise DomainError("Lokasi asal dan tujuan sama.", "Source and destination are the same.", field="dest")
    _check_location(koperasi, dest)
    slices = issue(koperasi, product=product, location=source, qty=qty, date=date, kind=StockMove.Kind.TRANSFER,
                   source="retail.Transfer", source_id=ref, by=by, memo=memo or f"ke {dest.name}", lot=lot)
    moves = [s.move for s in slices]
    for s in slices:
        moves.append(receive(koperasi, product=product, location=dest, qty=s.qty, unit_cost=0, value=s.value,
                             date=date, lot=s.lot, kind=StockMove.Kind.TRANSFER, source="retail.Transfer",
                             source_id=ref, by=by, memo=memo or f"dari {source.name}"))
    return moves


def valuation(koperasi, *, account: str | None = None, as_of: dt.date | None = None) -> dict:
    """Stock value per inventory account from the move ledger (what the ledger's 115x accounts must show)."""
    qs = StockMove.objects.filter(koperasi=koperasi)
    if as_of:
        qs = qs.filter(date__lte=as_of)
    if account:
        qs = qs.filter(inventory_account=account)
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in qs.values("inventory_account").annotate(v=Sum("value")):
        out[row["inventory_account"]] = _q(row["v"] or ZERO)
    return dict(out)


def valuation_by_product(koperasi, *, unit: str | None = None, location: Location | None = None):
    """Current quantity, average cost and value per product (fast: from the product/quant caches)."""
    qs = Product.objects.filter(koperasi=koperasi)
    if unit:
        qs = qs.filter(unit=unit)
    if location is None:
        return [(p, p.stock_qty, p.avg_cost, p.stock_value) for p in qs.filter(stock_qty__gt=0).order_by("name")]
    rows = (StockQuant.objects.filter(koperasi=koperasi, location=location, qty__gt=0)
            .values("product").annotate(q=Sum("qty")))
    qty_by = {r["product"]: r["q"] for r in rows}
    out = []
    for p in qs.filter(pk__in=qty_by.keys()).order_by("name"):
        q = qty_by[p.pk]
        out.append((p, q, p.avg_cost, _q(p.avg_cost * q)))
    return out


def lots_near_expiry(koperasi, *, within_days: int = 90, on: dt.date | None = None, unit: str | None = None):
    """Quants whose lot expires within ``within_days`` (expired ones included), earliest first."""
    on = on or timezone.localdate()
    qs = StockQuant.objects.filter(koperasi=koperasi, qty__gt=0, lot__expiry_date__isnull=False,
                                   lot__expiry_date__lte=on + dt.timedelta(days=within_days))
    if unit:
        qs = qs.filter(product__unit=unit)
    return qs.select_related("product", "lot", "location").order_by("lot__expiry_date")


def low_stock(koperasi, *, unit: str | None = None):
    qs = Product.objects.filter(koperasi=koperasi, active=True, min_stock__gt=0, stock_qty__lte=F("min_stock"))
    if unit:
        qs = qs.filter(unit=unit)
    return qs.order_by("name")


def stock_card(koperasi, product: Product, *, location: Location | None = None, lot: Lot | None = None,
               date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    """Opening balance and moves with running balance (per location and/or lot if given)."""
    qs = StockMove.objects.filter(koperasi=koperasi, product=product)
    if location is not None:
        qs = qs.filter(location=location)
    if lot is not None:
        qs = qs.filter(lot=lot)
    opening_q, opening_v = ZERO, ZERO
    if date_from:
        agg = qs.filter(date__lt=date_from).aggregate(q=Sum("qty"), v=Sum("value"))
        opening_q, opening_v = agg["q"] or ZERO, agg["v"] or ZERO
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    rows, bal_q, bal_v = [], opening_q, opening_v
    for mv in qs.select_related("location", "lot").order_by("date", "id"):
        bal_q += mv.qty
        bal_v += mv.value
        rows.append({"move": mv, "balance_qty": bal_q, "balance_value": bal_v})
    return {"opening_qty": opening_q, "opening_value": opening_v, "rows": rows, "closing_qty": bal_q,
            "closing_value": bal_v}

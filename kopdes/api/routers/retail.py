"""Gerai sembako: stock levels and POS sales (e.g. a counter phone or a partner till)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Header, Query, Router, Schema

from kopdes.core.units import Unit
from kopdes.retail import pos, stock

from ..auth import koperasi_for
from ..common import Money, Paged, PageQuery, idempotent, paginate, responses
from ..errors import ApiProblem
from ..types import Amount, Quantity

router = Router(tags=["gerai"])
UNIT = Unit.SEMBAKO


class StockRow(Schema):
    product_id: int
    code: str
    name: str
    quantity: Decimal
    uom: str
    average_cost: Money
    value: Money
    low: bool


class StockFilter(PageQuery):
    q: str | None = Field(None, max_length=80, description="bagian nama atau kode produk")
    low: bool = Field(False, description="hanya produk di bawah stok minimum")


@router.get("/koperasi/{slug}/retail/stock", response=responses(Paged(StockRow)), summary="Stok gerai")
def stock_levels(request, slug: str, f: Query[StockFilter]):
    k, _a = koperasi_for(request, slug, "retail", unit=UNIT)
    low_ids = {p.pk for p in stock.low_stock(k, unit=UNIT)}
    rows = stock.valuation_by_product(k, unit=UNIT)
    if f.q:
        needle = f.q.lower()
        rows = [r for r in rows if needle in r[0].name.lower() or needle in (r[0].code or "").lower()]
    if f.low:
        rows = [r for r in rows if r[0].pk in low_ids]
    return paginate(request, rows, f, lambda r: {
        "product_id": r[0].pk, "code": r[0].code or "", "name": r[0].name, "quantity": r[1],
        "uom": str(getattr(r[0], "base_uom", "") or ""), "average_cost": r[2], "value": r[3],
        "low": r[0].pk in low_ids})


class SaleLineIn(Schema):
    product_id: int = Field(..., ge=1)
    qty: Quantity
    uom_id: int | None = Field(None, ge=1)


class SaleIn(Schema):
    lines: list[SaleLineIn] = Field(..., min_length=1, max_length=200)
    member: str | None = Field(None, max_length=120, description="nomor anggota, NIK atau teks QR kartu anggota")
    method: Literal["cash", "qris", "transfer", "sukarela", "bon"] = "cash"
    tendered: Amount | None = None
    payment_ref: str = Field("", max_length=80)
    buyer_nik: str = Field("", max_length=16)


class SaleOut(Schema):
    number: str
    total: Money
    change: Money


@router.post("/koperasi/{slug}/retail/sales", response=responses(SaleOut, 400, 409, status=201),
             summary="Penjualan kasir (POS) pada shift kasir yang terbuka")
def sale(request, slug: str, data: SaleIn, response: HttpResponse,
         idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=80)):
    """Sells on the token owner's open cashier shift (open it in the POS page first)."""
    k, _a = koperasi_for(request, slug, "retail", write=True, unit=UNIT)
    shift = pos.open_shift_for(k, request.user, UNIT)
    if shift is None:
        raise ApiProblem(409, "Belum ada shift kasir yang terbuka untuk pengguna token ini.",
                         "No open cashier shift for this token's user.", code="no_open_shift")
    lines = [{k2: (str(v) if k2 == "qty" else v) for k2, v in ln.model_dump().items() if v is not None}
             for ln in data.lines]

    def run():
        r = pos.checkout(k, client_id=f"api:{idempotency_key}", shift=shift, lines=lines,
                         member=data.member or None, method=data.method, tendered=data.tendered,
                         payment_ref=data.payment_ref, buyer_nik=data.buyer_nik, by=request.user)
        return {"number": r["number"], "total": r["total"], "change": r.get("change") or Decimal(0)}

    result = idempotent(request, k, "retail.sale", idempotency_key,
                              {"slug": slug, **data.model_dump(mode="json")}, run)
    if request.idempotent_replayed:
        response["Idempotent-Replayed"] = "true"
    return result

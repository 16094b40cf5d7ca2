"""The till offline: what a shift needs on the device, and the sync of sales rung while the network was down.

The till keeps in IndexedDB the catalogue (:func:`catalogue`: products, packs, prices, HET in force, a stock
snapshot; members with their bon and the credit limit) and queues sales rung offline, each with its client id
(``<device>-<uuid>``). At sync every queued sale goes through :func:`sync_sale`, which runs the one checkout
(``pos.checkout``: every rule again, the ledger, the idempotency key) — a sale sent twice is recorded once.

A sale the server refuses is **held** as a :class:`~kopdes.retail.models.SyncException` with its payload and the
reason: nothing is dropped, nothing is applied silently. The manager accepts it (the checkout runs again under
the same key) or refuses it with a note. Policy and branches: ``docs/dev/offline-till.md``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kopdes.core.errors import DomainError
from kopdes.core.idempotency import scoped_key
from kopdes.core.units import Unit

from . import pos
from .catalog import hets_in_force
from .models import Product, ProductUom, Sale, Shift, SyncException

#: how many members a device keeps for a shift (active and candidate members, newest first beyond that)
MEMBER_LIMIT = 5000


class Held(DomainError):
    """A refusal that only the sync can see (the total changed since the till rang it)."""


def _s(v) -> str:
    return str(v) if v is not None else ""


def catalogue(koperasi, unit: str = Unit.SEMBAKO) -> dict:
    """Everything the till needs to sell for a shift without the network (JSON-able)."""
    from kopdes.members.models import Member

    products = list(Product.objects.filter(koperasi=koperasi, unit=unit, active=True).order_by("name"))
    uoms: dict[int, list[ProductUom]] = {}
    for u in ProductUom.objects.filter(koperasi=koperasi, product__in=products):
        uoms.setdefault(u.product_id, []).append(u)
    hets = hets_in_force(koperasi, commodities={p.het_commodity for p in products if p.het_commodity})
    rows = []
    for p in products:
        het = hets.get(p.het_commodity)
        base = {"id": p.pk, "code": p.code, "name": p.name, "stock": _s(p.stock_qty), "regulated": p.regulated,
                "het": _s(het.max_price) if het else "", "het_uom": het.uom if het else ""}
        rows.append({**base, "key": f"{p.pk}:", "uom_id": None, "uom": p.base_uom, "factor": "1",
                     "barcode": p.barcode, "member_price": _s(pos.price_for(p, None, True)),
                     "public_price": _s(pos.price_for(p, None, False))})
        for u in uoms.get(p.pk, []):
            rows.append({**base, "key": f"{p.pk}:{u.pk}", "uom_id": u.pk, "uom": u.name, "factor": _s(u.factor),
                         "barcode": u.barcode, "member_price": _s(pos.price_for(p, u, True)),
                         "public_price": _s(pos.price_for(p, u, False))})
    bon = bridge_member_balances(koperasi)
    members = [{"id": m.pk, "number": m.number, "name": m.name, "phone": m.phone, "active": m.status == "aktif",
                "bon": _s(bon.get(m.pk, Decimal("0")))}
               for m in Member.objects.filter(koperasi=koperasi, status__in=["aktif", "calon"])
               .only("pk", "number", "name", "phone", "status").order_by("-pk")[:MEMBER_LIMIT]]
    rs = pos.settings_for(koperasi)
    return {"at": timezone.now().isoformat(), "date": timezone.localdate().isoformat(), "products": rows,
            "members": members, "credit_limit": _s(rs.credit_limit), "slug": koperasi.slug}


def bridge_member_balances(koperasi) -> dict[int, Decimal]:
    from kopdes.ledger.queries import member_balances

    return member_balances(koperasi, "1141")


def _shift_of(koperasi, user, body: dict, unit: str) -> Shift:
    try:
        sid = int(body.get("shift_id"))
    except (TypeError, ValueError):
        sid = None
    shift = Shift.objects.filter(koperasi=koperasi, pk=sid, cashier=user, unit=unit).first() if sid else None
    if shift is None:
        raise DomainError("Shift kasir dari transaksi ini tidak ditemukan.", "The sale's cashier shift is not known.",
                          field="shift", code="shift_closed")
    return shift


def _date_of(entry: dict, shift: Shift) -> dt.date | None:
    """The day the sale was rung (the till's clock), when it is within the shift and not in the future."""
    try:
        day = dt.date.fromisoformat(str(entry.get("date") or ""))
    except ValueError:
        return None
    today = timezone.localdate()
    opened = timezone.localtime(shift.opened_at).date()
    return day if opened <= day <= today else None


def run_checkout(koperasi, user, body: dict, *, shift: Shift, date: dt.date | None = None, photo=None,
                 unit: str = Unit.SEMBAKO) -> dict:
    """The till's JSON body (``kasir/bayar/``) → ``pos.checkout``. Raises ``DomainError``."""
    member = body.get("member_id")
    try:
        member = int(member) if member not in (None, "") else None
    except (TypeError, ValueError):
        raise DomainError("Anggota tidak dikenal.", "Unknown member.", field="member", code="member_not_found")
    lines = body.get("lines") or []
    if not isinstance(lines, list) or not all(isinstance(x, dict) for x in lines):
        raise DomainError("Baris keranjang tidak valid.", "Invalid cart lines.", field="lines", code="corrupt")
    return pos.checkout(
        koperasi, client_id=str(body.get("client_id") or ""), shift=shift, lines=lines, member=member,
        method=body.get("method") or "cash", tendered=body.get("tendered"), payment_ref=body.get("payment_ref") or "",
        buyer_nik=body.get("buyer_nik") or "", buyer_name=body.get("buyer_name") or "", by=user, date=date,
        photo=photo)


def money(v) -> Decimal | None:
    try:
        d = Decimal(str(v))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


def _checked(koperasi, user, entry: dict, body: dict, unit: str) -> dict:
    if body.get("method") == Sale.Method.SUKARELA:
        raise DomainError("Potong simpanan sukarela tidak boleh dilakukan saat offline (uang keluar dari simpanan).",
                          "A savings debit cannot be made offline (money leaving savings).", field="method",
                          code="offline_withdrawal")
    shift = _shift_of(koperasi, user, body, unit)
    expected = money(entry.get("total"))
    with transaction.atomic():
        result = run_checkout(koperasi, user, body, shift=shift, date=_date_of(entry, shift), unit=unit)
        if expected is not None and not result["replayed"] and Decimal(result["total"]) != expected:
            # the customer paid what the till showed: a different total now (price, HET, member status) is the
            # manager's decision, so the whole sale is rolled back and held
            raise Held(f"Total di server {result['total']} berbeda dari total di kasir {expected}: harga atau "
                       f"status anggota berubah sejak transaksi offline.",
                       f"The server's total {result['total']} differs from the till's {expected}.", code="total_changed")
    return result


def sync_sale(koperasi, user, entry, unit: str = Unit.SEMBAKO) -> dict:
    """One queued sale → ``{"status": "ok", "number", "sale_id", …}`` or ``{"status": "held", "reason", "code"}``
    (recorded as a sync exception), or ``{"status": "rejected"}`` for an entry without a client id (nothing to
    key it by)."""
    if not isinstance(entry, dict) or not str(entry.get("client_id") or "").strip():
        return {"status": "rejected", "code": "corrupt", "reason": "Entri antrean rusak: tanpa ID transaksi."}
    cid = str(entry["client_id"]).strip()[:80]
    key = scoped_key(cid, f"u{user.pk}")
    held = SyncException.objects.filter(koperasi=koperasi, client_id=key).first()
    if held is not None:
        return {"status": "held", "client_id": cid, "code": held.code, "reason": held.reason, "exception_id": held.pk}
    body = entry.get("body")
    try:
        if not isinstance(body, dict) or str(body.get("client_id") or "") != cid:
            raise DomainError("Entri antrean rusak: isi transaksi tidak terbaca.", "Corrupted queue entry.",
                              code="corrupt")
        result = _checked(koperasi, user, entry, body, unit)
    except DomainError as exc:
        return _hold(koperasi, user, entry, key, cid, body, exc, unit)
    return {"status": "ok", "client_id": cid, **result}


def _hold(koperasi, user, entry, key, cid, body, exc: DomainError, unit) -> dict:
    shift = None
    if isinstance(body, dict):
        try:
            shift = Shift.objects.filter(koperasi=koperasi, pk=int(body.get("shift_id")), cashier=user).first()
        except (TypeError, ValueError):
            shift = None
    rung = parse_datetime(str(entry.get("at") or "")) if entry.get("at") else None
    if rung is not None and timezone.is_naive(rung):
        rung = timezone.make_aware(rung)
    payload = {k: v for k, v in entry.items() if k != "photo"}
    if isinstance(payload.get("body"), dict):
        payload["body"] = {k: v for k, v in payload["body"].items() if k != "photo"}
    try:
        with transaction.atomic():
            row = SyncException.objects.create(
                koperasi=koperasi, unit=unit, client_id=key, device=str(entry.get("device") or "")[:20],
                provisional_number=str(entry.get("provisional") or "")[:40], shift=shift, cashier=user,
                payload=payload, total=money(entry.get("total")) or Decimal("0"), code=(exc.code or "")[:40],
                reason=exc.message, rung_at=rung)
    except IntegrityError:  # the same entry sent twice at once: the first one holds it
        row = SyncException.objects.get(koperasi=koperasi, client_id=key)
    return {"status": "held", "client_id": cid, "code": row.code, "reason": row.reason, "exception_id": row.pk}


@transaction.atomic
def accept(koperasi, exc: SyncException, *, by, note: str = "") -> SyncException:
    """The manager accepts a held sale: the checkout runs again now under the same key, every rule included (a
    rule still broken refuses it again with the new reason; the row stays open). Only into the sale's own shift
    while it is open — a closed shift's cash was counted already, so such a sale is refused with a note."""
    exc = SyncException.objects.locked(koperasi).get(pk=exc.pk, koperasi=koperasi)
    if exc.status != SyncException.Status.OPEN:
        raise DomainError("Pengecualian ini sudah diputuskan.", "This exception is already resolved.", code="resolved")
    body = exc.payload.get("body") or {}
    if exc.shift is None or exc.shift.status != Shift.Status.OPEN:
        raise DomainError("Shift kasir transaksi ini sudah ditutup: tolak dan catat penyelesaiannya.",
                          "The sale's shift is closed: refuse it and note how it was settled.", code="shift_closed")
    # the row lock above, the checkout and the decision commit together (a rule still broken: nothing of it)
    result = run_checkout(koperasi, exc.cashier, body, shift=exc.shift, unit=exc.unit)
    exc.status = SyncException.Status.ACCEPTED
    exc.sale_id = result["sale_id"]
    exc.resolved_by = by
    exc.resolved_at = timezone.now()
    exc.resolution_note = note[:300]
    exc.save()
    return exc


@transaction.atomic
def refuse(koperasi, exc: SyncException, *, by, note: str) -> SyncException:
    if not note.strip():
        raise DomainError("Tulis bagaimana transaksi ini diselesaikan (uang dikembalikan, barang ditarik …).",
                          "Write how this sale was settled.", field="note", code="note_required")
    exc = SyncException.objects.locked(koperasi).get(pk=exc.pk, koperasi=koperasi)
    if exc.status != SyncException.Status.OPEN:
        raise DomainError("Pengecualian ini sudah diputuskan.", "This exception is already resolved.", code="resolved")
    exc.status = SyncException.Status.REFUSED
    exc.resolved_by = by
    exc.resolved_at = timezone.now()
    exc.resolution_note = note[:300]
    exc.save()
    return exc

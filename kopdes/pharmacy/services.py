"""Apotek operations on top of the retail engine (stock: ``kopdes.retail.stock``/``services``; sale: ``pos``).

- the drug catalogue keeps a 1:1 ``retail.Product`` (unit apotek, account 1152, lots with expiry required);
- receipts go through ``retail.services.receive_goods`` (batch number + expiry on every line);
- dispensing goes through ``retail.pos.checkout`` (FEFO, never an expired lot, moving-average cost, posting
  Dr 1105 / Cr 4121|4122, Dr 5121|5122 / Cr 1152) with a ``line_check`` that refuses obat keras without a
  prescription; this app records the dispensing (prescription, lots, signa, counselling note);
- expired stock is written off with ``retail.services.write_off`` (Dr 6114 / Cr 1152).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from kopdes.core import numbering
from kopdes.core.errors import DomainError
from kopdes.core.idempotency import run_idempotent
from kopdes.core.units import Unit

from .models import (
    DispenseLine,
    Dispensing,
    Drug,
    DrugClass,
    ExpiryWriteOff,
    PharmacySettings,
    Prescription,
    PrescriptionItem,
)

ZERO = Decimal("0")


def _err(mid: str, men: str, field: str | None = None, code: str = "invalid") -> DomainError:
    return DomainError(mid, men, field=field, code=code)


def _dec(value, field: str) -> Decimal:
    try:
        d = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise _err("Jumlah tidak valid.", "Invalid number.", field, "bad_number") from None
    if not d.is_finite():
        raise _err("Jumlah tidak valid.", "Invalid number.", field, "bad_number")
    return d


def next_number(koperasi, series: str, year: int) -> int:
    """The apotek's series (RSP prescriptions, SRH dispensings): core numbering ``pharmacy.<series>``."""
    return numbering.next_value(koperasi, f"pharmacy.{series}", year)


def settings_for(koperasi) -> PharmacySettings:
    s = PharmacySettings.objects.filter(koperasi=koperasi).first()
    if s is None:
        s, _c = PharmacySettings.objects.get_or_create(koperasi=koperasi)
    return s


def location(koperasi):
    from kopdes.retail.services import default_location

    return default_location(koperasi, Unit.APOTEK)


def product_of(drug: Drug):
    from kopdes.retail.models import Product

    return Product.objects.get(pk=drug.product_id, koperasi_id=drug.koperasi_id)


def drug_of_product(koperasi, product) -> Drug | None:
    return Drug.objects.filter(koperasi=koperasi, product_id=product.pk).first()


# --- catalogue -----------------------------------------------------------------------------------------------

def _refuse_narcotics(drug_class: str) -> None:
    if drug_class == DrugClass.NARKOTIKA:
        raise _err("Narkotika dan psikotropika tidak boleh dijual atau disimpan apotek desa.",
                   "Narcotics and psychotropics may not be stocked or sold by a village pharmacy.",
                   "drug_class", "narcotics_refused")


DRUG_FIELDS = ("code", "generic_name", "brand", "strength", "form", "drug_class", "base_uom", "het_price",
               "het_reference", "member_price", "public_price", "min_stock", "active")


@transaction.atomic
def save_drug(koperasi, data: dict, *, instance: Drug | None = None) -> Drug:
    """Create or update a drug and its stock item (retail ``Product``, unit apotek, lots with expiry)."""
    from kopdes.retail.catalog import save_product
    from kopdes.retail.models import Product

    _refuse_narcotics(data.get("drug_class", instance.drug_class if instance else ""))
    drug = instance or Drug(koperasi=koperasi)
    for k in DRUG_FIELDS:
        if k in data:
            setattr(drug, k, data[k])
    if not (drug.generic_name or "").strip():
        raise _err("Nama generik wajib diisi.", "The generic name is required.", "generic_name")
    if not (drug.code or "").strip():
        raise _err("Kode obat wajib diisi.", "The drug code is required.", "code")
    for f in ("member_price", "public_price"):
        if getattr(drug, f) is None or getattr(drug, f) < 0:
            raise _err("Harga tidak boleh kosong atau negatif.", "Prices must be given and not negative.", f)
    if drug.het_price is not None:
        for f, label in (("member_price", "anggota"), ("public_price", "umum")):
            if getattr(drug, f) > drug.het_price:
                raise _err(f"Harga {label} Rp{getattr(drug, f):,.0f} melebihi HET/e-katalog Rp{drug.het_price:,.0f}."
                           .replace(",", "."),
                           f"The {f.replace('_', ' ')} exceeds the HET/e-catalogue price.", f, "above_het")
    dup = Drug.objects.filter(koperasi=koperasi, code=drug.code)
    if drug.pk:
        dup = dup.exclude(pk=drug.pk)
    if dup.exists():
        raise _err(f"Kode obat {drug.code} sudah dipakai.", f"Drug code {drug.code} is already used.", "code",
                   "duplicate")
    product = Product.objects.filter(koperasi=koperasi, pk=drug.product_id).first() if drug.product_id else None
    if product is None:
        product = Product(koperasi=koperasi, unit=Unit.APOTEK)
    product.code = f"OBT-{drug.code}"[:30]
    product.name = drug.name[:160]
    product.base_uom = drug.base_uom
    product.member_price, product.public_price = drug.member_price, drug.public_price
    product.inventory_account = "1152"
    product.track_lots = product.requires_expiry = True
    product.min_stock = drug.min_stock or ZERO
    product.active = drug.active
    save_product(product)
    drug.product_id = product.pk
    drug.save()
    return drug


@transaction.atomic
def add_pack(drug: Drug, *, name: str, factor, member_price=None, public_price=None):
    """A pack conversion (strip = 10 tablet, box = 10 strip = 100 tablet) on the drug's stock item."""
    from kopdes.retail.models import ProductUom

    factor = _dec(factor, "factor")
    if factor <= 0:
        raise _err("Isi kemasan harus lebih dari nol.", "The pack size must be positive.", "factor")
    name = (name or "").strip()
    if not name:
        raise _err("Nama kemasan wajib diisi.", "The pack name is required.", "name")
    if name.lower() == (drug.base_uom or "").lower():
        raise _err(f"{name} adalah satuan terkecil obat ini, bukan kemasan.",
                   f"{name} is this drug's smallest unit, not a pack.", "name", "base_unit")
    if ProductUom.objects.filter(koperasi_id=drug.koperasi_id, product_id=drug.product_id, name__iexact=name).exists():
        raise _err(f"Kemasan {name} sudah ada.", f"Pack {name} already exists.", "name", "duplicate")
    for f, price in (("member_price", member_price), ("public_price", public_price)):
        if price is None:
            continue
        price = _dec(price, f)
        if price < 0:
            raise _err("Harga tidak boleh negatif.", "Prices must not be negative.", f)
        if drug.het_price is not None and price > drug.het_price * factor:
            raise _err(f"Harga kemasan {name} Rp{price:,.0f} melebihi HET Rp{drug.het_price * factor:,.0f} "
                       f"({factor.normalize():f} × Rp{drug.het_price:,.0f}).".replace(",", "."),
                       f"The price of pack {name} exceeds the HET for {factor.normalize():f} units.", f, "above_het")
    return ProductUom.objects.create(koperasi_id=drug.koperasi_id, product_id=drug.product_id, name=name,
                                     factor=factor, member_price=member_price, public_price=public_price)


def packs_of(drug: Drug) -> list:
    from kopdes.retail.models import ProductUom

    return list(ProductUom.objects.filter(koperasi_id=drug.koperasi_id, product_id=drug.product_id).order_by("factor"))


def resolve_pack(drug: Drug, *, uom_id=None, uom: str = ""):
    """The pack a line is counted in (``None`` = the drug's smallest unit). By id (POS) or by name (forms:
    ``strip``, ``box``); a pack the drug does not have is refused."""
    from kopdes.retail.models import ProductUom

    name = (uom or "").strip()
    if not uom_id and (not name or name.lower() == (drug.base_uom or "").lower()):
        return None
    qs = ProductUom.objects.filter(koperasi_id=drug.koperasi_id, product_id=drug.product_id)
    found = qs.filter(pk=uom_id).first() if uom_id else qs.filter(name__iexact=name).first()
    if found is None:
        label = name or str(uom_id)
        have = ", ".join(f"{p.name} ({p.factor.normalize():f} {drug.base_uom})" for p in qs.order_by("factor"))
        raise _err(f"{drug.name} tidak punya kemasan '{label}'"
                   + (f"; kemasan yang ada: {have}." if have else f"; jual per {drug.base_uom}."),
                   f"{drug.name} has no pack '{label}'" + (f"; packs: {have}." if have else "."), "uom", "unknown_pack")
    return found


def default_supplier(koperasi):
    from kopdes.retail.models import Supplier

    s = Supplier.objects.filter(koperasi=koperasi, name="Pedagang Besar Farmasi (PBF)").first()
    if s is None:
        s = Supplier.objects.create(koperasi=koperasi, name="Pedagang Besar Farmasi (PBF)",
                                    kind=Supplier.Kind.GROSIR)
    return s


@transaction.atomic
def receive_stock(koperasi, *, lines: list[dict], supplier=None, date: dt.date | None = None, supplier_ref: str = "",
                  by=None):
    """Drugs in: ``lines`` = ``[{"drug": Drug, "qty", "unit_cost", "lot_number", "expiry_date", "uom"?}]``: quantity
    and cost in the smallest unit, or per pack when ``uom`` names one of the drug's packs (``"box"``).
    Every line needs a batch number and an expiry date in the future."""
    from kopdes.retail.services import receive_goods

    date = date or timezone.localdate()
    raw = []
    for ln in lines:
        drug: Drug = ln["drug"]
        if drug.koperasi_id != koperasi.pk:
            raise _err("Obat tidak ditemukan.", "Drug not found.", "drug", "not_found")
        lot = (ln.get("lot_number") or "").strip()
        if not lot:
            raise _err(f"Nomor batch {drug.name} wajib diisi.", f"Batch number of {drug.name} is required.",
                       "lot_number", "lot_required")
        exp = ln.get("expiry_date")
        if isinstance(exp, str) and exp:
            exp = dt.date.fromisoformat(exp)
        if not exp:
            raise _err(f"Tanggal kedaluwarsa {drug.name} wajib diisi.", f"Expiry date of {drug.name} is required.",
                       "expiry_date", "expiry_required")
        if exp <= date:
            raise _err(f"Batch {lot} sudah kedaluwarsa ({exp:%d-%m-%Y}); obat kedaluwarsa tidak boleh diterima.",
                       f"Batch {lot} has expired ({exp}); expired drugs may not be received.", "expiry_date",
                       "expired_on_receipt")
        qty, cost = _dec(ln["qty"], "qty"), _dec(ln["unit_cost"], "unit_cost")
        pack = resolve_pack(drug, uom_id=ln.get("uom_id"), uom=ln.get("uom", ""))
        if pack is not None:  # counted in packs (box of 100): stock and cost per smallest unit
            qty, cost = qty * pack.factor, cost / pack.factor
        raw.append({"product_id": drug.product_id, "qty": qty, "unit_cost": cost, "lot_number": lot,
                    "expiry_date": exp})
    return receive_goods(koperasi, supplier=supplier or default_supplier(koperasi), location=location(koperasi),
                         lines=raw, date=date, supplier_ref=supplier_ref, by=by)


# --- prescriptions -------------------------------------------------------------------------------------------

@transaction.atomic
def create_prescription(koperasi, *, source: str, items: list[dict], prescriber_name: str, date: dt.date | None = None,
                        patient_name: str = "", patient_id: int | None = None, patient_age: str = "",
                        member_id: int | None = None, allergies: str = "", visit_id: int | None = None,
                        prescriber_license: str = "", prescriber_place: str = "", photo=None, note: str = "",
                        by=None) -> Prescription:
    """``items``: ``[{"drug": Drug | id, "qty", "signa", "note"?}]``. Paper prescriptions need the prescriber,
    the date and a photo of the paper."""
    today = timezone.localdate()
    date = date or today
    if source not in Prescription.Source.values:
        raise _err("Asal resep tidak dikenal.", "Unknown prescription source.", "source")
    if not (patient_name or "").strip():
        raise _err("Nama pasien wajib diisi pada resep.", "The patient's name is required.", "patient_name",
                   "patient_required")
    if not (prescriber_name or "").strip():
        raise _err("Nama dokter/penulis resep wajib diisi.", "The prescriber is required.", "prescriber_name",
                   "prescriber_required")
    if date > today:
        raise _err("Tanggal resep tidak boleh di masa depan.", "The prescription date is in the future.", "date")
    if source == Prescription.Source.KERTAS:
        if date < today - dt.timedelta(days=30):
            raise _err("Resep kertas lebih dari 30 hari tidak dilayani.", "Paper prescriptions older than 30 days "
                       "are not dispensed.", "date", "rx_too_old")
        if not photo:
            raise _err("Unggah foto resep kertas sebagai bukti.", "Upload a photo of the paper prescription.",
                       "photo", "photo_required")
    if not items:
        raise _err("Resep belum berisi obat.", "The prescription has no drugs.", "items", "empty")
    resolved = []
    for i, it in enumerate(items, 1):
        drug = it.get("drug")
        if not isinstance(drug, Drug):
            drug = Drug.objects.filter(koperasi=koperasi, pk=drug).first()
        if drug is None or drug.koperasi_id != koperasi.pk:
            raise _err(f"Obat baris {i} tidak ditemukan.", f"Drug on line {i} not found.", "drug", "not_found")
        _refuse_narcotics(drug.drug_class)
        qty = _dec(it.get("qty", 0), "qty")
        if qty <= 0:
            raise _err(f"Jumlah {drug.name} harus lebih dari nol.", f"Quantity of {drug.name} must be positive.", "qty")
        signa = " ".join((it.get("signa") or "").split())
        if not signa:
            raise _err(f"Aturan pakai (signa/dosis) {drug.name} wajib diisi, mis. 3 x 1 tablet sesudah makan.",
                       f"The dose/signa of {drug.name} is required, e.g. 3 x 1 tablet after meals.", "signa",
                       "signa_required")
        resolved.append((drug, qty, signa, (it.get("note") or "")[:120]))
    n = next_number(koperasi, "RSP", date.year)
    rx = Prescription.objects.create(
        koperasi=koperasi, number=f"RSP-{date.year}-{n:06d}", date=date, source=source, visit_id=visit_id,
        patient_id=patient_id, patient_name=patient_name.strip()[:120], patient_age=patient_age[:20],
        member_id=member_id, allergies=(allergies or "")[:300], prescriber_name=prescriber_name.strip()[:120],
        prescriber_license=prescriber_license[:60], prescriber_place=prescriber_place[:160], note=note[:200],
        created_by=by if getattr(by, "pk", None) else None,
    )
    if photo:
        rx.photo = photo
        rx.save(update_fields=["photo"])
    PrescriptionItem.objects.bulk_create([
        PrescriptionItem(koperasi=koperasi, prescription=rx, drug=d, qty=q, signa=s, note=nt)
        for d, q, s, nt in resolved
    ])
    return rx


@transaction.atomic
def cancel_prescription(rx: Prescription) -> Prescription:
    if rx.status in (Prescription.Status.SELESAI, Prescription.Status.SEBAGIAN):
        raise _err("Resep yang sudah diserahkan tidak dapat dibatalkan.", "A dispensed prescription cannot be "
                   "cancelled.", code="dispensed")
    rx.status = Prescription.Status.BATAL
    rx.save(update_fields=["status"])
    return rx


# --- dispensing ----------------------------------------------------------------------------------------------

def line_check(product, raw: dict, ctx) -> None:
    """Hook for ``retail.pos.checkout`` (unit apotek): narcotics never, obat keras only with a prescription."""
    drug = drug_of_product(ctx.koperasi, product)
    if drug is None:
        return
    _refuse_narcotics(drug.drug_class)
    if drug.needs_prescription and not raw.get("rx"):
        raise _err(f"{drug.name} adalah obat keras: hanya dapat diserahkan dengan resep dokter.",
                   f"{drug.name} is a prescription-only drug (obat keras): a prescription is required.",
                   "prescription", "rx_required")


def _open_shift(koperasi, by):
    from kopdes.retail import pos

    shift = pos.open_shift_for(koperasi, by, Unit.APOTEK)
    if shift is None:
        shift = pos.open_shift(koperasi, cashier=by, location=location(koperasi), opening_float=0, unit=Unit.APOTEK)
    return shift


def dispense(koperasi, *, client_id: str, lines: list[dict], by, prescription: Prescription | None = None,
             member=None, patient_name: str = "", counselling_note: str = "", method: str = "cash",
             tendered=None, payment_ref: str = "", date: dt.date | None = None) -> Dispensing:
    """Hand over drugs and sell them through the POS (unit apotek). ``lines``:
    ``[{"drug": Drug | id, "qty", "signa"?, "item_id"?, "lot_id"?, "uom"?|"uom_id"?}]``: ``qty`` in the drug's
    smallest unit, or in packs when ``uom`` names a pack of the drug (2 strip = 20 tablet, priced by the pack).
    Idempotent by ``client_id``."""
    if not client_id:
        raise _err("ID transaksi tidak ada.", "Missing client transaction id.", code="no_client_id")
    payload = {"lines": [{k: (v.pk if isinstance(v, Drug) else str(v)) for k, v in ln.items()} for ln in lines],
               "rx": prescription.pk if prescription else None, "member": str(member or ""), "method": method}

    def _do():
        return _dispense(koperasi, client_id=client_id, lines=lines, by=by, prescription=prescription,
                         member=member, patient_name=patient_name, counselling_note=counselling_note,
                         method=method, tendered=tendered, payment_ref=payment_ref, date=date).pk

    pk, _replayed = run_idempotent(koperasi, "pharmacy.dispense", client_id, payload, _do,
                                   owner=f"u{by.pk}" if getattr(by, "pk", None) else None)
    return Dispensing.objects.get(pk=pk, koperasi=koperasi)


def _dispense(koperasi, *, client_id, lines, by, prescription, member, patient_name, counselling_note, method,
              tendered, payment_ref, date) -> Dispensing:
    from kopdes.retail import pos
    from kopdes.retail.models import Lot, Sale, StockMove

    date = date or timezone.localdate()
    if not lines:
        raise _err("Belum ada obat yang diserahkan.", "No drugs to hand over.", "lines", "empty")
    if prescription is not None:
        prescription = Prescription.objects.locked(koperasi).get(pk=prescription.pk, koperasi=koperasi)
        if prescription.status in (Prescription.Status.SELESAI, Prescription.Status.BATAL):
            raise _err(f"Resep {prescription.number} sudah {prescription.get_status_display().lower()}.",
                       f"Prescription {prescription.number} is already closed.", "prescription", "rx_closed")
        member = member or prescription.member_id
        patient_name = patient_name or prescription.patient_name
    resolved = []
    for i, ln in enumerate(lines, 1):
        drug = ln.get("drug")
        if not isinstance(drug, Drug):
            drug = Drug.objects.filter(koperasi=koperasi, pk=drug).first()
        if drug is None or drug.koperasi_id != koperasi.pk:
            raise _err(f"Obat baris {i} tidak ditemukan.", f"Drug on line {i} not found.", "drug", "not_found")
        _refuse_narcotics(drug.drug_class)
        pack_qty = _dec(ln.get("qty", 0), "qty")
        if pack_qty <= 0:
            raise _err(f"Jumlah {drug.name} harus lebih dari nol.", f"Quantity of {drug.name} must be positive.", "qty")
        pack = resolve_pack(drug, uom_id=ln.get("uom_id"), uom=ln.get("uom", ""))
        qty = pack_qty * pack.factor if pack else pack_qty  # in the smallest unit
        item = None
        signa = " ".join((ln.get("signa") or "").split())
        if ln.get("item_id"):
            if prescription is None:
                raise _err("Baris resep tanpa resep.", "Prescription line without a prescription.", "prescription")
            item = PrescriptionItem.objects.filter(prescription=prescription, pk=ln["item_id"]).first()
            if item is None or item.drug_id != drug.pk:
                raise _err(f"{drug.name} tidak ada di resep {prescription.number}.",
                           f"{drug.name} is not on prescription {prescription.number}.", "drug", "not_on_rx")
            if qty > item.remaining:
                raise _err(f"Jumlah {drug.name} ({qty:g}) melebihi sisa resep ({item.remaining:g}).",
                           f"Quantity of {drug.name} exceeds what the prescription still allows.", "qty",
                           "over_prescription")
            signa = signa or item.signa
        if drug.needs_prescription and item is None:
            raise _err(f"{drug.name} adalah obat keras: hanya dapat diserahkan dengan resep dokter.",
                       f"{drug.name} is a prescription-only drug (obat keras): a prescription is required.",
                       "prescription", "rx_required")
        if (item is not None or drug.needs_prescription) and not signa:
            raise _err(f"Aturan pakai (dosis) {drug.name} wajib diisi untuk etiket.",
                       f"The dose of {drug.name} is required for the label.", "signa", "signa_required")
        lot_id = ln.get("lot_id") or None
        if lot_id:
            lot = Lot.objects.filter(koperasi=koperasi, product_id=drug.product_id, pk=lot_id).first()
            if lot is None:
                raise _err("Batch tidak dikenal.", "Unknown batch.", "lot", "not_found")
            if lot.expiry_date and lot.expiry_date < date:
                raise _err(f"Batch {lot.lot_number} {drug.name} kedaluwarsa sejak {lot.expiry_date:%d-%m-%Y}: "
                           "obat kedaluwarsa tidak boleh dijual.",
                           f"Batch {lot.lot_number} of {drug.name} expired on {lot.expiry_date}: expired drugs "
                           "may not be sold.", "lot", "expired_lot")
        resolved.append({"drug": drug, "qty": qty, "item": item, "signa": signa, "lot_id": lot_id, "pack": pack,
                         "pack_qty": pack_qty})

    shift = _open_shift(koperasi, by)
    rx_ref = prescription.number if prescription else ""
    sale = pos.checkout(
        koperasi, client_id=f"apotek:{client_id}", shift=shift, by=by, date=date, method=method, tendered=tendered,
        payment_ref=payment_ref, member=member, buyer_name=patient_name,
        lines=[{"product_id": r["drug"].product_id, "qty": str(r["pack_qty"] if r["pack"] else r["qty"]),
                "rx": rx_ref, **({"uom_id": r["pack"].pk} if r["pack"] else {}),
                **({"lot_id": r["lot_id"]} if r["lot_id"] else {})} for r in resolved],
        line_check=line_check,
    )
    sale_row = Sale.objects.get(pk=sale["sale_id"], koperasi=koperasi)
    n = next_number(koperasi, "SRH", date.year)
    disp = Dispensing.objects.create(
        koperasi=koperasi, number=f"SRH-{date.year}-{n:06d}", date=date, prescription=prescription,
        sale_id=sale_row.pk, sale_number=sale_row.number, patient_id=prescription.patient_id if prescription else None,
        patient_name=(patient_name or sale_row.buyer_name or "")[:120], member_id=sale_row.member_id,
        counselling_note=(counselling_note or "").strip(), total=sale_row.total, cost_total=sale_row.cost_total,
        journal_entry_id=sale_row.journal_entry_id, client_id=str(client_id)[:100],
        by=by if getattr(by, "pk", None) else None,
    )
    moves = list(StockMove.objects.filter(koperasi=koperasi, source="retail.Sale", source_id=str(sale_row.pk))
                 .select_related("lot").order_by("id"))
    sale_lines = list(sale_row.lines.order_by("id"))
    for r, sl in zip(resolved, sale_lines, strict=True):
        drug = r["drug"]
        lots = [{"lot_id": m.lot_id, "lot_number": m.lot.lot_number if m.lot else "",
                 "expiry": m.lot.expiry_date.isoformat() if m.lot and m.lot.expiry_date else None, "qty": format((-m.qty).normalize(), "f")}
                for m in moves if m.product_id == drug.product_id]
        expiries = [dt.date.fromisoformat(x["expiry"]) for x in lots if x["expiry"]]
        DispenseLine.objects.create(
            koperasi=koperasi, dispensing=disp, drug=drug, item=r["item"], drug_class=drug.drug_class, qty=r["qty"],
            unit_price=sl.unit_price, amount=sl.amount, cost=sl.cost, signa=r["signa"], lots=lots,
            uom_name=r["pack"].name if r["pack"] else "", uom_qty=r["pack_qty"] if r["pack"] else None,
            earliest_expiry=min(expiries) if expiries else None,
        )
        if r["item"] is not None:
            PrescriptionItem.objects.row(r["item"]).update(dispensed_qty=r["item"].dispensed_qty + r["qty"])
    if prescription is not None:
        items = list(prescription.items.all())
        done = all(it.remaining <= 0 for it in items)
        prescription.status = Prescription.Status.SELESAI if done else Prescription.Status.SEBAGIAN
        prescription.save(update_fields=["status"])
    return disp


def label_data(line: DispenseLine) -> dict:
    """What the etiket shows; refuses a label without a dose."""
    if not (line.signa or "").strip():
        raise _err(f"Aturan pakai (dosis) {line.drug.name} kosong: etiket tidak dapat dicetak.",
                   f"The dose of {line.drug.name} is empty: the label cannot be printed.", "signa", "signa_required")
    disp = line.dispensing
    return {"patient": disp.patient_name or "-", "drug": line.drug.name, "qty": line.qty, "uom": line.drug.base_uom,
            "pack": f"{line.uom_qty.normalize():f} {line.uom_name}" if line.uom_name and line.uom_qty else "",
            "signa": line.signa, "expiry": line.earliest_expiry, "date": disp.date, "number": disp.number}


# --- expiry --------------------------------------------------------------------------------------------------

def near_expiry(koperasi, *, on: dt.date | None = None, days: int | None = None):
    from kopdes.retail import stock

    days = settings_for(koperasi).near_expiry_days if days is None else days
    return stock.lots_near_expiry(koperasi, within_days=days, on=on, unit=Unit.APOTEK)


@transaction.atomic
def write_off_lot(koperasi, *, drug: Drug, lot_id: int, by=None, reason: str = "Kedaluwarsa",
                  date: dt.date | None = None) -> ExpiryWriteOff:
    """Remove the whole remaining quantity of a batch from stock: Dr 6114 / Cr 1152 at cost (unit apotek)."""
    from kopdes.retail import services as retail
    from kopdes.retail.models import Lot, StockQuant

    date = date or timezone.localdate()
    lot = Lot.objects.filter(koperasi=koperasi, product_id=drug.product_id, pk=lot_id).first()
    if lot is None:
        raise _err("Batch tidak dikenal.", "Unknown batch.", "lot", "not_found")
    loc = location(koperasi)
    qty = sum((q.qty for q in StockQuant.objects.filter(koperasi=koperasi, lot=lot, location=loc)), ZERO)
    if qty <= 0:
        raise _err(f"Batch {lot.lot_number} tidak punya sisa stok.", f"Batch {lot.lot_number} has no stock left.",
                   "lot", "no_stock")
    entry = retail.write_off(koperasi, product=product_of(drug), location=loc, qty=qty, lot=lot, date=date, by=by,
                             reason=f"{reason} batch {lot.lot_number}", unit=Unit.APOTEK)
    value = entry.amount if entry is not None else ZERO
    return ExpiryWriteOff.objects.create(
        koperasi=koperasi, drug=drug, lot_id=lot.pk, lot_number=lot.lot_number, expiry_date=lot.expiry_date, qty=qty,
        value=value, date=date, reason=reason[:200], journal_entry_id=entry.pk if entry else None,
        by=by if getattr(by, "pk", None) else None,
    )


@transaction.atomic
def write_off_all_expired(koperasi, *, by=None, on: dt.date | None = None) -> list[ExpiryWriteOff]:
    on = on or timezone.localdate()
    out = []
    for q in near_expiry(koperasi, on=on, days=0):
        if q.lot.expiry_date < on:
            drug = drug_of_product(koperasi, q.product)
            if drug is not None:
                out.append(write_off_lot(koperasi, drug=drug, lot_id=q.lot_id, by=by, date=on))
    return out


def recall(koperasi, *, drug: Drug, lot_id: int) -> list[dict]:
    """Every sale of a batch: date, sale number, buyer/patient, member, quantity (for a recall by BPOM)."""
    from kopdes.retail.models import Sale, StockMove

    moves = StockMove.objects.filter(koperasi=koperasi, product_id=drug.product_id, lot_id=lot_id,
                                     kind=StockMove.Kind.SALE).order_by("date", "id")
    sale_ids = {int(m.source_id) for m in moves if m.source == "retail.Sale" and m.source_id.isdigit()}
    sales = {s.pk: s for s in Sale.objects.filter(koperasi=koperasi, pk__in=sale_ids)}
    disp = {d.sale_id: d for d in Dispensing.objects.filter(koperasi=koperasi, sale_id__in=sale_ids)}
    out = []
    for m in moves:
        sid = int(m.source_id) if m.source_id.isdigit() else None
        s, d = sales.get(sid), disp.get(sid)
        out.append({"date": m.date, "sale_number": s.number if s else "", "qty": -m.qty,
                    "buyer": (d.patient_name if d and d.patient_name else (s.buyer_name if s else "")) or "-",
                    "member_number": s.member_number if s else "", "dispensing": d.number if d else "",
                    "prescription": d.prescription.number if d and d.prescription_id else ""})
    return out

"""Demo gerai sembako: ~100 real-looking products (regulated ones with 2025 HET), suppliers, RDKK, a year of
purchases and sales through the real services (so stock, ledger and member histories agree).

Idempotent: does nothing when the cooperative already has retail products.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kopdes.core import audit
from kopdes.core.units import Unit

from . import pos, services
from .barcodes import make_ean13
from .catalog import save_product, set_het
from .models import Category, Location, Product, ProductUom, Regulated, Sale, Shift, Supplier

D = Decimal

HET_ROWS = [
    # commodity, name, Rp per unit, uom, region, valid_from, decree
    ("pupuk_urea", "Pupuk Urea bersubsidi", 1800, "kg", "", dt.date(2025, 10, 22), "Kepmentan HET pupuk bersubsidi, berlaku 22 Okt 2025"),
    ("pupuk_npk", "Pupuk NPK bersubsidi", 1840, "kg", "", dt.date(2025, 10, 22), "Kepmentan HET pupuk bersubsidi, berlaku 22 Okt 2025"),
    ("pupuk_npk_kakao", "Pupuk NPK Kakao bersubsidi", 2640, "kg", "", dt.date(2025, 10, 22), "Kepmentan HET pupuk bersubsidi, berlaku 22 Okt 2025"),
    ("pupuk_za", "Pupuk ZA bersubsidi", 1360, "kg", "", dt.date(2025, 10, 22), "Kepmentan HET pupuk bersubsidi, berlaku 22 Okt 2025"),
    ("pupuk_organik", "Pupuk Organik bersubsidi", 640, "kg", "", dt.date(2025, 10, 22), "Kepmentan HET pupuk bersubsidi, berlaku 22 Okt 2025"),
    ("pupuk_urea", "Pupuk Urea bersubsidi", 2250, "kg", "", dt.date(2024, 1, 1), "Permentan 10/2022 (HET lama)"),
    ("pupuk_npk", "Pupuk NPK bersubsidi", 2300, "kg", "", dt.date(2024, 1, 1), "Permentan 10/2022 (HET lama)"),
    ("pupuk_organik", "Pupuk Organik bersubsidi", 800, "kg", "", dt.date(2024, 1, 1), "Permentan 10/2022 (HET lama)"),
    ("beras_sphp", "Beras SPHP (Bulog)", 12500, "kg", "", dt.date(2025, 1, 1), "Bapanas: HET beras SPHP Rp12.500/kg"),
    ("beras_medium", "Beras medium zona I", 13500, "kg", "16", dt.date(2025, 8, 22), "Keputusan Kepala Bapanas 299/2025 (zona I)"),
    ("beras_premium", "Beras premium zona I", 14900, "kg", "16", dt.date(2025, 8, 22), "Keputusan Kepala Bapanas 299/2025 (zona I)"),
    ("minyakita", "Minyak goreng rakyat (Minyakita)", 15700, "liter", "", dt.date(2024, 8, 1), "Permendag 18/2024 (contoh; periksa yang berlaku)"),
    ("gula", "Gula konsumsi", 18500, "kg", "16", dt.date(2024, 11, 1), "Perbadan HET gula konsumsi (contoh; periksa yang berlaku)"),
    ("lpg3", "LPG 3 kg (pangkalan)", 18000, "tabung", "16.02", dt.date(2025, 1, 1),
     "Keputusan Bupati OKI tentang HET LPG 3 kg (contoh; ganti dengan SK setempat)"),
]

# code, name, category, base uom, cost, public price, member discount %, regulated, het, fert type, inv acct,
# pack (name, factor) or None, daily demand (base units)
_P = []


def _add(code, name, cat, uom, cost, price, disc=3, reg="", het="", ftype="", acct="1151", pack=None, demand=1.0):
    _P.append((code, name, cat, uom, cost, price, disc, reg, het, ftype, acct, pack, demand))


_add("BRSSPHP", "Beras SPHP Bulog", "Beras", "kg", 11300, 12500, 0, Regulated.SPHP, "beras_sphp", pack=("sak 5 kg", 5),
     demand=12)
_add("BRSMED5", "Beras medium Pandan Wangi", "Beras", "kg", 12400, 13500, 2, Regulated.HET, "beras_medium",
     pack=("sak 5 kg", 5), demand=10)
_add("BRSPRM5", "Beras premium Raja Lele", "Beras", "kg", 13600, 14900, 2, Regulated.HET, "beras_premium",
     pack=("sak 5 kg", 5), demand=4)
_add("MYKITA1", "Minyakita 1 L", "Minyak goreng", "liter", 14600, 15700, 0, Regulated.HET, "minyakita", demand=8)
_add("GULA1", "Gula pasir Gulaku 1 kg", "Gula", "kg", 16200, 17500, 3, Regulated.HET, "gula", demand=6)
_add("LPG3", "LPG 3 kg (isi ulang)", "LPG", "tabung", 16000, 18000, 0, Regulated.LPG3, "lpg3", demand=6)
_add("UREA", "Pupuk Urea bersubsidi", "Pupuk bersubsidi", "kg", 1650, 1800, 0, Regulated.PUPUK, "pupuk_urea", "urea",
     "1153", ("sak 50 kg", 50), demand=0)
_add("NPK", "Pupuk NPK Phonska bersubsidi", "Pupuk bersubsidi", "kg", 1690, 1840, 0, Regulated.PUPUK, "pupuk_npk",
     "npk", "1153", ("sak 50 kg", 50), demand=0)
_add("ORGANIK", "Pupuk Organik Petroganik bersubsidi", "Pupuk bersubsidi", "kg", 560, 640, 0, Regulated.PUPUK,
     "pupuk_organik", "organik", "1153", ("sak 40 kg", 40), demand=0)
for code, name, cost, price, dem in [
    ("MYBMN2", "Minyak goreng Bimoli 2 L", 37500, 41000, 2), ("MYSNC1", "Minyak goreng Sunco 1 L", 19000, 21000, 2),
    ("TPGSGT", "Tepung terigu Segitiga Biru 1 kg", 12000, 13500, 2), ("TPGBRS", "Tepung beras Rose Brand 500 g", 6500, 7500, 1),
    ("TLRAYM", "Telur ayam ras 1 kg", 26500, 29000, 5), ("GRMDPR", "Garam dapur Refina 500 g", 4000, 5000, 1),
    ("KCPBGO", "Kecap manis Bango 520 ml", 21000, 23500, 1), ("SAOSAB", "Saus sambal ABC 335 ml", 9500, 11000, 1),
    ("MSGSSA", "Penyedap Sasa 250 g", 9000, 10500, 1), ("RYCAYM", "Royco ayam 230 g", 9500, 11000, 1),
    ("MIEGRG", "Indomie goreng", 2900, 3500, 20), ("MIESOT", "Indomie soto", 2800, 3300, 12),
    ("MIESDP", "Sedaap mie goreng", 2800, 3300, 8), ("MIESRM", "Sarimi isi 2 ayam bawang", 3700, 4300, 4),
    ("KOPKPA", "Kopi Kapal Api 165 g", 13500, 15000, 2), ("KOPABC", "Kopi ABC susu renceng", 14000, 16000, 2),
    ("KOPLUW", "Luwak White Koffie renceng", 14500, 16500, 2), ("TEHSRW", "Teh celup Sariwangi 25", 6500, 7500, 2),
    ("TEHPUC", "Teh Pucuk Harum 350 ml", 3200, 4000, 6), ("SKMFRS", "Susu kental manis Frisian Flag 370 g", 11500, 13000, 2),
    ("SUSDNC", "Susu Dancow 400 g", 47000, 52000, 1), ("SUSBDR", "Susu Bendera UHT 200 ml", 5200, 6000, 3),
    ("AQUA6", "Air mineral Aqua 600 ml", 3000, 3500, 10), ("AQUAGL", "Air mineral Le Minerale 1,5 L", 5200, 6000, 3),
    ("SBNLFB", "Sabun mandi Lifebuoy 85 g", 3800, 4500, 3), ("SBNGIV", "Sabun mandi Giv 72 g", 2700, 3200, 2),
    ("SMPSNS", "Sampo Sunsilk sachet renceng", 5500, 6500, 2), ("SMPCLR", "Sampo Clear 160 ml", 24000, 27000, 1),
    ("PSTPPS", "Pasta gigi Pepsodent 190 g", 12500, 14000, 2), ("SKTFRM", "Sikat gigi Formula", 5500, 6500, 1),
    ("DTRRNS", "Deterjen Rinso 770 g", 22000, 24500, 2), ("DTRDAI", "Deterjen Daia 850 g", 17000, 19000, 2),
    ("SBCSNL", "Sabun cuci piring Sunlight 755 ml", 15500, 17500, 2), ("PWGSOK", "Pewangi So Klin sachet", 5000, 6000, 1),
    ("PMBBYC", "Pembalut Charm", 11500, 13000, 1), ("POPBYM", "Popok MamyPoko S 20", 46000, 51000, 1),
    ("RKKGDG", "Rokok Gudang Garam Filter 12", 23000, 25500, 6), ("RKKSPM", "Rokok Sampoerna Mild 16", 30500, 33500, 5),
    ("RKKDJS", "Rokok Djarum Super 12", 22500, 25000, 4), ("KRKSGT", "Korek api gas Tokai", 2500, 3500, 2),
    ("OBTNYM", "Obat nyamuk bakar Baygon", 7500, 9000, 1), ("BTRABC", "Baterai ABC AA 2", 6000, 7500, 1),
    ("LMPPHL", "Lampu LED Philips 9 W", 24000, 28000, 1), ("SRDTLR", "Sarden ABC 425 g", 19500, 22000, 1),
    ("KRNPRX", "Kornet Pronas 340 g", 28000, 31500, 1), ("BISRMA", "Biskuit Roma Kelapa 300 g", 9500, 11000, 2),
    ("BISKHG", "Biskuat coklat", 1800, 2000, 6), ("WFRTNG", "Wafer Tango 176 g", 9000, 10500, 1),
    ("ROTISR", "Roti Sari Roti tawar", 15000, 17000, 2), ("KRPKSP", "Kerupuk udang Finna 250 g", 9000, 10500, 1),
    ("KCGHJU", "Kacang hijau 500 g", 11000, 13000, 1), ("KDLSUT", "Kedelai impor 1 kg", 11500, 13000, 1),
    ("BWGPTH", "Bawang putih 250 g", 9000, 10500, 3), ("BWGMRH", "Bawang merah 250 g", 9500, 11500, 3),
    ("CBMRH", "Cabai merah keriting 250 g", 11000, 13500, 2), ("TMPE", "Tempe papan", 4500, 5500, 5),
    ("TAHU", "Tahu putih 10 pcs", 8000, 9500, 3), ("IKNASN", "Ikan asin teri 100 g", 9000, 11000, 1),
    ("MRGBLU", "Margarin Blue Band 200 g", 9500, 11000, 1), ("SRPMRJ", "Sirup Marjan 460 ml", 21000, 24000, 1),
    ("GLMRH", "Gula merah aren 500 g", 12000, 14000, 1), ("SANTKR", "Santan Kara 65 ml", 3200, 3800, 3),
    ("BUMRCK", "Bumbu Racik nasi goreng", 1800, 2200, 2), ("TPGMAI", "Tepung maizena Maizenaku 150 g", 5000, 6000, 1),
    ("AGRAG", "Agar-agar Swallow", 3500, 4300, 1), ("MIEKRG", "Mie telor kering 200 g", 5500, 6500, 1),
    ("BHNBKR", "Minyak tanah 1 L", 12000, 14000, 1), ("GASKLG", "Air galon isi ulang", 5000, 7000, 6),
    ("TSUPAS", "Tisu Paseo 250 lembar", 12500, 14500, 1), ("KNTPLS", "Kantong plastik 1 pak", 9000, 11000, 1),
    ("PCLDMN", "Pencil 2B Faber", 3000, 4000, 1), ("BKTLSS", "Buku tulis Sinar Dunia 38", 3500, 4500, 2),
    ("PNBLPT", "Pulpen Standard AE7", 2000, 2800, 2), ("MSKRM", "Masker medis isi 50", 18000, 22000, 1),
    ("SNDLJP", "Sandal jepit Swallow", 11000, 13500, 1), ("EMBER", "Ember plastik 15 L", 20000, 24000, 1),
    ("TLRBBK", "Telur bebek per butir", 2800, 3500, 3), ("AYMBKU", "Ayam potong beku 1 kg", 33000, 37000, 2),
    ("IKNLLE", "Ikan lele segar 1 kg", 24000, 28000, 2), ("DGGSAP", "Daging sapi 500 g", 62000, 68000, 1),
    ("SYRBYM", "Bayam 1 ikat", 2500, 3500, 3), ("SYRKGK", "Kangkung 1 ikat", 2000, 3000, 3),
    ("JGKMNS", "Jagung manis 1 kg", 7000, 9000, 1), ("PISANG", "Pisang ambon 1 sisir", 15000, 19000, 1),
    ("KPISSH", "Kopi robusta bubuk lokal 250 g", 17000, 21000, 1), ("MDUHTN", "Madu hutan lokal 250 ml", 45000, 55000, 1),
    ("KRPKSG", "Keripik singkong lokal 200 g", 7000, 9000, 2), ("GULAKP", "Gula kelapa lokal 1 kg", 18000, 22000, 1),
]:
    _add(code, name, "Kebutuhan harian", "pcs", cost, price, 3, demand=dem)


def _ensure_het() -> None:
    for commodity, name, price, uom, region, vf, decree in HET_ROWS:
        set_het(commodity=commodity, name=name, max_price=price, valid_from=vf, decree=decree, region_code=region,
                uom=uom)
    # the old fertilizer HET ends the day before the new one
    from .models import PriceCeiling

    PriceCeiling.objects.filter(valid_from=dt.date(2024, 1, 1), commodity__startswith="pupuk_",
                                valid_to__isnull=True).update(valid_to=dt.date(2025, 10, 21))


def _member_price(price: int, disc: int) -> Decimal:
    return D(price) if not disc else (D(price) * (100 - disc) / 100 / 100).quantize(D(1)) * 100


def build(ctx) -> None:
    k = ctx.koperasi
    with audit.bulk_mode():
        with transaction.atomic():
            _ensure_het()
        if Product.objects.filter(koperasi=k, unit=Unit.SEMBAKO).exists():
            return
        _build(ctx)
        audit.record("demo", koperasi_id=k.pk, summary="Demo gerai sembako: katalog, pembelian & penjualan setahun")


def _build(ctx) -> None:
    from kopdes.members.models import Member

    k, rng = ctx.koperasi, ctx.rng
    today = ctx.today
    start = today - dt.timedelta(days=364)
    kasir = ctx.users.get("kasir") or ctx.users.get("manajer")
    with transaction.atomic():
        gerai = services.default_location(k, Unit.SEMBAKO)
        Location.objects.get_or_create(koperasi=k, code="GDG-SBK", defaults={
            "name": "Gudang sembako & pupuk", "kind": Location.Kind.GUDANG, "unit": Unit.SEMBAKO})
        sups = {
            "bulog": Supplier.objects.create(koperasi=k, name="Perum Bulog Kanwil Sumsel (SPHP)", kind="bulog",
                                             phone="0711352000"),
            "pupuk": Supplier.objects.create(koperasi=k, name="CV Tani Makmur — distributor resmi Pupuk Indonesia",
                                             kind="pupuk", phone="081373004411"),
            "lpg": Supplier.objects.create(koperasi=k, name="PT Mesuji Gas — agen LPG Pertamina", kind="lpg",
                                           phone="081373005522"),
            "grosir": Supplier.objects.create(koperasi=k, name="Toko Grosir Sinar Jaya Kayuagung", kind="grosir",
                                              phone="081373006633"),
        }
        members = list(Member.objects.filter(koperasi=k, status="aktif").order_by("seq"))
        local = members[0] if members else None
        if local:
            sups["anggota"] = Supplier.objects.create(koperasi=k, name=f"{local.name} (anggota, hasil kebun)",
                                                      kind="anggota", member_id=local.pk)
        cats = {}
        products: list[tuple[Product, tuple]] = []
        for i, row in enumerate(_P):
            code, name, cat, uom, cost, price, disc, reg, het, ftype, acct, pack, demand = row
            if cat not in cats:
                cats[cat] = Category.objects.create(koperasi=k, name=cat)
            p = save_product(Product(
                koperasi=k, unit=Unit.SEMBAKO, code=code, name=name, category=cats[cat], base_uom=uom,
                barcode=make_ean13(f"89960{i:07d}") if not reg or reg in (Regulated.HET,) else "",
                public_price=D(price), member_price=_member_price(price, disc), regulated=reg, het_commodity=het,
                fertilizer_type=ftype, inventory_account=acct, min_stock=D(max(2, int(demand * 3)))))
            if pack:
                ProductUom.objects.create(koperasi=k, product=p, name=pack[0], factor=D(pack[1]),
                                          public_price=D(price) * pack[1], member_price=p.member_price * pack[1])
            products.append((p, row))

    def supplier_for(p):
        if p.regulated == Regulated.PUPUK:
            return sups["pupuk"]
        if p.code == "BRSSPHP":
            return sups["bulog"]
        if p.code == "LPG3":
            return sups["lpg"]
        if p.code in ("KPISSH", "MDUHTN", "KRPKSG", "GULAKP", "PISANG") and "anggota" in sups:
            return sups["anggota"]
        return sups["grosir"]

    # RDKK for farmer members: three 4-month seasons
    farmers = [m for m in members if m.occupation in ("petani", "pekebun")][:60] or members[:40]
    groups = ["Poktan Sumber Rejeki", "Poktan Maju Bersama", "Poktan Karya Tani", "Poktan Harapan Baru"]
    with transaction.atomic():
        for year in sorted({start.year, today.year}):
            for s, (m1, m2) in enumerate(((1, 4), (5, 8), (9, 12)), start=1):
                vf = dt.date(year, m1, 1)
                vt = (dt.date(year, m2 + 1, 1) if m2 < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)
                if vt < start or vf > today + dt.timedelta(days=120):
                    continue
                for j, m in enumerate(farmers):
                    ha = D(rng.choice(["0.5", "0.75", "1", "1.25", "1.5", "2"]))
                    for ftype, per_ha in (("urea", 100), ("npk", 100), ("organik", 200)):
                        services.set_allocation(k, member_id=m.pk, season=f"{year}-MT{s}", fertilizer_type=ftype,
                                                allocated_kg=ha * per_ha, valid_from=vf, valid_to=vt,
                                                farmer_group=m.farmer_group or groups[j % len(groups)],
                                                commodity="padi", land_ha=ha)

    # a year of trade: restock every 14 days, sell every day (one shift per day)
    sold = defaultdict(lambda: D(0))
    by_code = {p.code: p for p, _row in products}
    fert = [by_code["UREA"], by_code["NPK"], by_code["ORGANIK"]]
    day = start
    n_sales = 0
    while day <= today:
        with transaction.atomic():
            if (day - start).days % 14 == 0:
                _restock(k, day, products, sold, supplier_for, gerai, kasir, rng)
                if (day - start).days >= 28:
                    for sup in sups.values():
                        owed = services.payable_balance(k, sup)
                        if owed > 0:
                            services.pay_supplier(k, supplier=sup, amount=owed, account="1111", date=day,
                                                  reference=f"TRF {day:%d%m}", by=kasir)
            n_sales += _trade_day(k, day, products, fert, members, farmers, gerai, kasir, rng, sold,
                                  today=day == today)
        day += dt.timedelta(days=1)
    ctx.say(f"gerai: {len(products)} barang, {n_sales} penjualan setahun, RDKK {len(farmers)} petani")


def _restock(k, day, products, sold, supplier_for, gerai, kasir, rng):
    by_sup = defaultdict(list)
    for p, row in products:
        demand = row[12]
        if p.regulated == Regulated.PUPUK:
            qty = D(2000) if p.code != "ORGANIK" else D(3000)
        else:
            qty = D(max(4, int(demand * 18 + rng.randint(0, 4))))
        p.refresh_from_db(fields=["stock_qty"])
        if p.stock_qty > qty:
            continue
        cost = (D(row[4]) * D(rng.choice(["0.98", "1", "1", "1.02"]))).quantize(D(1))
        by_sup[supplier_for(p)].append({"product_id": p.pk, "qty": str(qty), "unit_cost": str(cost)})
    for sup, lines in by_sup.items():
        services.receive_goods(k, supplier=sup, location=gerai, lines=lines, date=day, by=kasir,
                               supplier_ref=f"SJ-{day:%y%m%d}-{sup.pk}")


def _trade_day(k, day, products, fert, members, farmers, gerai, kasir, rng, sold, today=False) -> int:
    shift = Shift.objects.create(koperasi=k, cashier=kasir, location=gerai, unit=Unit.SEMBAKO,
                                 opening_float=D(200000),
                                 opened_at=timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0))))
    n = rng.randint(2, 8) if day.weekday() != 4 else rng.randint(5, 10)  # Friday market day
    count = 0
    everyday = [(p, row) for p, row in products if p.regulated != Regulated.PUPUK]
    weights = [row[12] for _p, row in everyday]
    for i in range(n):
        buyer = rng.choice(members) if members and rng.random() < 0.6 else None
        picks = rng.choices(everyday, weights=weights, k=rng.randint(1, 5))
        lines, seen = [], set()
        for p, _row in picks:
            if p.pk in seen or p.regulated == Regulated.LPG3:
                continue
            seen.add(p.pk)
            qty = 1 if p.base_uom == "pcs" else (5 if p.regulated == Regulated.SPHP else rng.choice([1, 2, 5]))
            lines.append({"product_id": p.pk, "qty": str(qty)})
        nik = ""
        if rng.random() < 0.25:
            lpg = next(p for p, _r in products if p.regulated == Regulated.LPG3)
            lines.append({"product_id": lpg.pk, "qty": "1"})
            nik = buyer.nik if buyer else ""
            if not nik:
                buyer = rng.choice(members) if members else None
                nik = buyer.nik if buyer else ""
        method = "cash"
        if buyer and rng.random() < 0.08:
            method = "bon"
        elif rng.random() < 0.12:
            method = "qris"
        try:
            with transaction.atomic():
                pos.checkout(k, client_id=f"demo-{day:%Y%m%d}-{i}", shift=shift, lines=lines,
                             member=buyer.pk if buyer else None, method=method, buyer_nik=nik,
                             payment_ref=f"QR{day:%m%d}{i:03d}" if method == "qris" else "", by=kasir, date=day)
            count += 1
        except Exception:  # noqa: BLE001 - a refused demo sale (limit, stock) is simply skipped
            continue
    # fertilizer redemptions in planting months
    if farmers and day.month in (1, 2, 5, 6, 9, 10) and rng.random() < 0.5:
        f = rng.choice(farmers)
        p = rng.choice(fert)
        kg = {"UREA": 50, "NPK": 50, "ORGANIK": 40}[p.code]
        try:
            with transaction.atomic():
                pos.checkout(k, client_id=f"demo-{day:%Y%m%d}-pupuk", shift=shift, member=f.pk, by=kasir, date=day,
                             lines=[{"product_id": p.pk, "qty": str(kg)}])
            count += 1
        except Exception:  # noqa: BLE001 - allocation used up
            pass
    Sale.objects.filter(shift=shift).update(at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))))
    if not today:
        expected = pos.expected_cash(shift)
        short = D(rng.choice([0, 0, 0, 0, 0, 0, -1000, -500, 500]))
        pos.close_shift(k, shift, counted_cash=expected + short, by=kasir, date=day)
    return count

"""Demo bookkeeping for the demo cooperative: from its founding to today, the general (kantor) side of the books
— grant from the village, in-kind grant of the truck, working capital of the units, equipment, salaries, electricity,
office supplies, bank interest, depreciation, petty-cash top-ups. The business units add their own activity.

Idempotent: does nothing when the cooperative already has demo entries. Periods are left open so the unit
demos that run after this one can post back-dated activity.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kopdes.core import audit
from kopdes.core.money import round_rupiah

from .chart import ensure_chart
from .models import JournalEntry
from .services import Line, post

D = Decimal
SOURCE = "ledger.Demo"


def _months(start: dt.date, end: dt.date):
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + (m == 12), m % 12 + 1)


def build(ctx) -> None:
    k = ctx.koperasi
    ensure_chart(k)
    if JournalEntry.objects.filter(koperasi=k, source=SOURCE).exists():
        ctx.say("ledger: demo bookkeeping already present")
        return
    rng = ctx.rng
    by = ctx.users.get("bendahara")
    start = max(k.founded_on or dt.date(ctx.today.year - 1, 1, 1), dt.date(ctx.today.year - 1, 1, 1))
    start = start.replace(day=1) + dt.timedelta(days=31)
    start = start.replace(day=1)  # the first full month after founding
    n = 0

    def p(date, memo, *lines):
        nonlocal n
        if date > ctx.today:
            return
        n += 1
        post(k, date=date, memo=memo, lines=list(lines), source=SOURCE, source_id=str(n),
             idempotency_key=f"demo-ledger-{n}", by=by)

    with audit.bulk_mode():
        p(start, "Hibah Dana Desa untuk modal awal KDMP (transfer ke rekening)",
          Line("1111", debit=D("500000000")), Line("3301", credit=D("500000000")))
        p(start + dt.timedelta(days=2), "Modal penyertaan Pemerintah Desa",
          Line("1111", debit=D("100000000")), Line("3103", credit=D("100000000")))
        p(start + dt.timedelta(days=10), "Hibah truk operasional (Inpres 17/2025)",
          Line("1204", debit=D("320000000"), unit="logistik"), Line("3301", credit=D("320000000")))
        # working capital of the units that pay out cash before they take it in (loans, fuel and drivers); the
        # cooperative's bank financing (PMK 49/2025) is the loans demo's BankFacility, with its schedule
        p(start + dt.timedelta(days=12), "Modal kerja unit simpan pinjam dari rekening koperasi",
          Line("1104", debit=D("150000000"), unit="simpan_pinjam"), Line("1111", credit=D("150000000")))
        p(start + dt.timedelta(days=12), "Modal kerja unit logistik desa (BBM, uang jalan)",
          Line("1108", debit=D("5000000"), unit="logistik"), Line("1111", credit=D("5000000")))
        p(start + dt.timedelta(days=14), "Pembelian peralatan kantor, rak gerai dan komputer",
          Line("1206", debit=D("60000000")), Line("1111", credit=D("60000000")))
        p(start + dt.timedelta(days=16), "Pembelian mesin cold storage",
          Line("1208", debit=D("150000000"), unit="pergudangan"), Line("1111", credit=D("150000000")))
        p(start + dt.timedelta(days=20), "Biaya akta notaris dan perizinan",
          Line("6103", debit=D("4500000")), Line("1111", credit=D("4500000")))
        for y, m in _months(start, ctx.today):
            eom = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
            p(dt.date(y, m, 2), "Pengisian kas kantor dari bank", Line("1101", debit=D("12000000")),
              Line("1111", credit=D("12000000")))
            p(dt.date(y, m, 25), f"Gaji dan honorarium pengelola {m:02d}/{y}",
              Line("6101", debit=D("9500000")), Line("1101", credit=D("9500000")))
            elec = round_rupiah(D(rng.randint(650, 1100)) * 1000)
            p(dt.date(y, m, 20), f"Listrik, air dan telepon {m:02d}/{y}", Line("6102", debit=elec),
              Line("1101", credit=elec))
            atk = round_rupiah(D(rng.randint(150, 600)) * 1000)
            p(dt.date(y, m, 15), "ATK dan administrasi", Line("6103", debit=atk), Line("1101", credit=atk))
            if m % 3 == 0:
                p(dt.date(y, m, 18), "Pemeliharaan gedung dan peralatan", Line("6106", debit=D("1250000")),
                  Line("1101", credit=D("1250000")))
            interest = round_rupiah(D(rng.randint(380, 520)) * 1000 + D("0.37"))
            p(eom, "Jasa giro / bunga bank", Line("1111", debit=interest), Line("4201", credit=interest))
            p(eom, "Penyusutan aset tetap", Line("6105", debit=D("1000000")), Line("1207", credit=D("1000000")))
            p(eom, "Penyusutan kendaraan", Line("6105", debit=D("3333333"), unit="logistik"),
              Line("1205", credit=D("3333333"), unit="logistik"))
            p(eom, "Penyusutan mesin cold storage", Line("6105", debit=D("1250000"), unit="pergudangan"),
              Line("1209", credit=D("1250000"), unit="pergudangan"))
        p(dt.date(ctx.today.year, 3, 20) if dt.date(ctx.today.year, 3, 20) > start else start,
          "Biaya penyelenggaraan RAT", Line("6113", debit=D("3500000")), Line("1101", credit=D("3500000")))
        audit.record("ledger.demo", koperasi_id=k.pk, summary=f"demo bookkeeping: {n} entries")
    ctx.say(f"ledger: {n} demo journal entries")

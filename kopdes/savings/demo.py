"""Demo savings: pokok at joining, a year of monthly wajib billing and payments (with some arrears), sukarela
deposits and withdrawals, jasa, and a few leavers with their settlements. Everything goes through the services
(so the ledger and passbooks agree). Idempotent: skipped when the cooperative already has savings movements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from kopdes.core import audit
from kopdes.core.errors import DomainError
from kopdes.members.models import Member

from . import services
from .models import SavingsTransaction

D = Decimal


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, m = [], start.replace(day=1)
    while m <= end:
        out.append(m)
        m = services.next_month(m)
    return out


def build(ctx) -> None:
    k = ctx.koperasi
    if SavingsTransaction.objects.filter(koperasi=k).exists():
        return
    members = list(Member.objects.filter(koperasi=k, status=Member.Status.CALON).order_by("seq"))
    if not members:
        return
    rng = ctx.rng
    today = ctx.today
    by = ctx.users.get("simpanpinjam")
    first_month = max(today.replace(day=1) - dt.timedelta(days=365), min(m.registered_on for m in members))
    months = _months(first_month, today)
    # payment habits: most pay monthly, some in lumps, some fall behind
    habit = {}
    for m in members:
        roll = rng.random()
        habit[m.pk] = "rajin" if roll < 0.75 else "triwulan" if roll < 0.85 else "menunggak" if roll < 0.95 else "kosong"
    saver = {m.pk: rng.random() < 0.45 for m in members}
    protected = {m.pk for m in members if m.user_id}
    early = [m for m in members[60:] if m.pk not in protected and m.registered_on < months[-6]]
    leavers = early[::8][:6]
    leave_month = {m.pk: months[-rng.randint(2, 4)] for m in leavers}
    joined: dict[int, dt.date] = {}  # member → the day they paid pokok (no operation before it)
    n_ops = 0

    with transaction.atomic(), audit.bulk_mode():
        services.update_settings(k, sukarela_min_balance=D("10000"), jasa_enabled=True, jasa_rate_annual=D("3"),
                                 jasa_basis="terendah", decided_by="Rapat pengurus (demo)")
        for month in months:
            month_end = min(services.next_month(month) - dt.timedelta(days=1), today)
            # new members pay pokok in their registration month (founders: the founding day)
            for m in members:
                if m.pk in joined or m.registered_on > month_end:
                    continue
                if m.registered_on < month:  # founders: pokok paid at the founding meeting
                    day = m.registered_on
                else:
                    day = min(m.registered_on + dt.timedelta(days=rng.randint(0, 5)), month_end)
                services.pay_pokok(m, date=day, by=by)
                joined[m.pk] = day
                n_ops += 1
            # sukarela before billing so the autodebit consent has something to debit
            for m in members:
                if m.pk not in joined or not saver[m.pk] or m.pk in leave_month and leave_month[m.pk] < month:
                    continue
                if rng.random() < 0.55:
                    day = max(min(month + dt.timedelta(days=rng.randint(0, 27)), month_end), joined[m.pk])
                    amount = D(rng.choice([20000, 25000, 50000, 50000, 100000, 150000, 200000, 500000]))
                    services.deposit(m, "sukarela", amount, date=day, by=by,
                                     method=rng.choice(["tunai", "tunai", "tunai", "qris", "transfer"]),
                                     reference=f"DEMO-{month:%y%m}-{m.number}")
                    n_ops += 1
                if rng.random() < 0.12:
                    bal = services.balances(m)["sukarela"] - D("10000")
                    if bal >= D("20000"):
                        day = max(min(month + dt.timedelta(days=rng.randint(10, 27)), month_end), joined[m.pk])
                        amt = (bal * D(rng.choice(["0.3", "0.5", "0.8"]))).quantize(D("1000"))
                        if amt > 0:
                            try:
                                services.withdraw(m, "sukarela", amt, date=day, by=by)
                                n_ops += 1
                            except DomainError:
                                pass
            services.run_billing(k, month, by=by)
            wajib = services._wajib_amount(k, month)
            for m in members:
                if m.pk not in joined or m.pk in leave_month and leave_month[m.pk] < month:
                    continue
                h = habit[m.pk]
                owed, _n = services.member_arrears(m, as_of=month_end)
                if owed <= 0:
                    continue
                amount = None
                if h == "rajin" or h == "triwulan" and month.month % 3 == 0:
                    amount = owed
                elif h == "menunggak" and month < months[-5] and rng.random() < 0.7:
                    amount = wajib
                if amount:
                    day = max(min(month + dt.timedelta(days=rng.randint(4, 25)), month_end), joined[m.pk])
                    method = "tunai" if rng.random() < 0.8 else "qris"
                    services.deposit(m, "wajib", amount, date=day, by=by, method=method,
                                     reference=f"QR{month:%y%m}{m.number}" if method == "qris" else "")
                    n_ops += 1
            if month_end < today and month_end.month != today.month:
                services.run_jasa(k, month, by=by)
            # leavers of this month
            for m in leavers:
                if leave_month[m.pk] == month:
                    from kopdes.members.services import exit_member, pay_settlement

                    m.refresh_from_db()
                    reason = rng.choice(["keluar", "keluar", "meninggal", "diberhentikan"])
                    if reason == "meninggal" and not m.heir_name:
                        reason = "keluar"
                    day = min(month + dt.timedelta(days=rng.randint(5, 20)), month_end)
                    st = exit_member(m, reason=reason, date=day, by=by,
                                     note={"keluar": "pindah domisili", "meninggal": "meninggal dunia",
                                           "diberhentikan": "tidak memenuhi kewajiban (keputusan RAT)"}[reason])
                    if st.net_refund > 0 and rng.random() < 0.7:
                        pay_settlement(st, date=min(day + dt.timedelta(days=3), today), by=by)
        audit.record("demo", koperasi_id=k.pk,
                     summary=f"Demo simpanan: {len(joined)} anggota, {n_ops} transaksi loket, {len(months)} bulan")
    ctx.say(f"simpanan: {len(joined)} anggota membayar pokok, {n_ops} transaksi, {len(months)} penagihan wajib, "
            f"{len(leavers)} anggota keluar")

"""Demo: a year of simpan pinjam in KDMP Surya Adi — loans paid on time, late, restructured, settled early, one
written off; month-end ageing with PPAP; the cooperative's PMK 49/2025 bank financing. Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal as D

from django.db import transaction

from kopdes.core import audit
from kopdes.members.models import Member

from . import services
from .models import BankFacility, Installment, Loan, LoanProduct

SECTORS = ["pertanian", "perdagangan", "peternakan", "perkebunan", "industri", "jasa"]


@dataclass
class Spec:
    member: Member
    product: LoanProduct
    amount: D
    tenor: int
    day: dt.date
    behaviour: str  # tepat | telat | restruktur | macet | lunas | menunggak | menunggak
    lag: int = 0
    loan: Loan | None = None
    paid: int = 0
    restructure_day: dt.date | None = None
    due: list = field(default_factory=list)


def _open_due_dates(loan: Loan) -> list[dt.date]:
    return list(Installment.objects.filter(loan=loan, superseded=False, settled=False).order_by("no")
                .values_list("due_date", flat=True))


def build(ctx) -> None:
    k = ctx.koperasi
    if Loan.objects.filter(koperasi=k).exists():
        return
    members = list(Member.objects.filter(koperasi=k, status=Member.Status.AKTIF, joined_on__isnull=False)
                   .order_by("seq"))
    if len(members) < 10:
        return
    rng = ctx.rng
    today = ctx.today
    start = today - dt.timedelta(days=365)
    maker = ctx.users.get("simpanpinjam")
    ketua, bendahara = ctx.users.get("ketua"), ctx.users.get("bendahara")

    with transaction.atomic(), audit.bulk_mode():
        products = {p.code: p for p in services.default_products(k)}
        # 36 loans spread over the year; behaviours in realistic proportions and at least one of each
        behaviours = (["tepat"] * 17 + ["telat"] * 8 + ["restruktur"] * 3 + ["lunas"] * 4 + ["macet"] * 1
                      + ["menunggak"] * 3)
        rng.shuffle(behaviours)
        # the oldest loans show each story
        behaviours = ["macet", "restruktur", "telat", "lunas", "tepat", "menunggak"] + [
            b if b != "macet" else "menunggak" for b in behaviours[6:]]  # exactly one loan written off
        pool = [m for m in members]
        rng.shuffle(pool)
        specs: list[Spec] = []
        for i, beh in enumerate(behaviours):
            day = start + dt.timedelta(days=5 + i * 9 if i < 6 else rng.randint(5, 330))
            candidates = [m for m in pool if m.joined_on and m.joined_on <= day - dt.timedelta(days=14)]
            if not candidates:
                continue
            m = candidates[0]
            pool.remove(m)
            code = rng.choice(["PMU", "PMU", "PKS", "PKS", "PTP"]) if beh not in ("macet", "restruktur", "menunggak") else "PMU"
            p = products[code]
            amount = D(rng.choice([1, 2, 3, 4, 5, 6, 8, 10]) * 1_000_000)
            amount = min(amount, p.max_amount)
            tenor = {"PMU": rng.choice([10, 12, 18]), "PKS": rng.choice([6, 10, 12]), "PTP": rng.choice([1, 2, 3])}[code]
            specs.append(Spec(m, p, amount, tenor, day, beh, lag=rng.randint(8, 40)))
        specs.sort(key=lambda s: s.day)
        guarantors = [m for m in members if m not in {s.member for s in specs}]

        day = start
        n_pay = 0
        while day <= today:
            for s in specs:
                if s.day == day:
                    s.loan = _open_loan(k, s, rng, guarantors, maker, ketua, bendahara)
                    s.due = _open_due_dates(s.loan)
                    if s.behaviour == "restruktur":
                        s.restructure_day = s.due[2] + dt.timedelta(days=75) if len(s.due) > 2 else None
            for s in specs:
                loan = s.loan
                if loan is None or loan.status != Loan.Status.AKTIF or not s.due:
                    continue
                act = _action_today(s, day)
                if act == "bayar":
                    amount = services.dues(loan, day)["total"]
                    if amount > 0:
                        channel = rng.choice(["tunai", "tunai", "tunai", "transfer"])
                        services.repay(k, loan, amount=amount, date=day, channel=channel, by=maker)
                        s.paid += 1
                        n_pay += 1
                elif act == "lunasi":
                    q = services.settlement_quote(loan, day)
                    services.repay(k, loan, amount=q["total"], date=day, settle=True, by=maker)
                    n_pay += 1
                elif act == "restrukturisasi":
                    remaining = len(s.due)
                    services.restructure(k, loan, date=day, tenor=remaining + 4, grace_principal=1,
                                         reason="Gagal panen akibat banjir; usaha dipulihkan", by=ketua)
                    s.behaviour = "tepat"
                elif act == "hapus":
                    services.write_off(k, loan, date=day, by=ketua,
                                       reason="Macet lebih dari 6 bulan, peminjam merantau tanpa agunan")
                loan.refresh_from_db()
                s.due = _open_due_dates(loan) if loan.status == Loan.Status.AKTIF else []
            if (day + dt.timedelta(days=1)).day == 1:
                services.run_ageing(k, as_of=day, by=bendahara)
            day += dt.timedelta(days=1)
        services.run_ageing(k, as_of=today, by=bendahara)
        # one recovery on the written-off loan
        wo = Loan.objects.filter(koperasi=k, status=Loan.Status.DIHAPUS).first()
        if wo is not None and wo.closed_on and wo.closed_on < today:
            services.recover(k, wo, amount=D(250_000), date=today, by=maker)
        # applications still in the pipeline: one new, one analysed, one rejected
        _pipeline(k, [m for m in guarantors[:6]], products, today, maker, ketua)
        _bank(k, today, bendahara)
        audit.record("demo", koperasi_id=k.pk, summary=f"Demo simpan pinjam: {len(specs)} pinjaman, {n_pay} pembayaran")
    ctx.say(f"simpan pinjam: {len(specs)} pinjaman, {n_pay} pembayaran, kolektibilitas bulanan, pembiayaan bank")


def _open_loan(k, s: Spec, rng, guarantors, maker, ketua, bendahara) -> Loan:
    purpose = "konsumtif" if s.product.code == "PKS" else "produktif"
    guarantor = None
    collateral = D(0)
    if s.amount > s.product.guarantee_threshold:
        if guarantors and rng.random() < 0.6:
            guarantor = rng.choice(guarantors)
        else:
            collateral = s.amount * D("1.2")
    loan = services.apply(
        k, member=s.member, product=s.product, amount=s.amount, tenor=s.tenor, purpose=purpose,
        sector=rng.choice(SECTORS) if purpose == "produktif" else "", purpose_note="",
        income=(s.amount * D("0.8")).quantize(D(1)) + D(rng.randint(30, 60) * 100_000), expense=D(rng.randint(10, 20) * 100_000),
        collateral_type="BPKB sepeda motor" if collateral else "", collateral_value=collateral,
        collateral_docs="BPKB a.n. peminjam" if collateral else "", guarantor=guarantor, by=maker, applied_on=s.day)
    services.analyse(k, loan, note="Usaha berjalan, kemampuan bayar memadai.", by=maker)
    services.approve(k, loan, by=ketua)
    loan.refresh_from_db()
    if loan.status != Loan.Status.DISETUJUI:
        services.approve(k, loan, by=bendahara)
    channel = "sukarela" if rng.random() < 0.3 else "tunai"
    return services.disburse(k, loan, by=maker, date=s.day, channel=channel)


def _action_today(s: Spec, day: dt.date) -> str | None:
    oldest = s.due[0]
    if s.behaviour == "tepat":
        return "bayar" if oldest == day else None
    if s.behaviour == "telat":
        return "bayar" if day == oldest + dt.timedelta(days=s.lag) else None
    if s.behaviour == "lunas":
        if s.paid >= 3:
            return "lunasi" if day == oldest - dt.timedelta(days=10) else None
        return "bayar" if oldest == day else None
    if s.behaviour == "restruktur":
        if s.restructure_day and day == s.restructure_day:
            return "restrukturisasi"
        return "bayar" if s.paid < 2 and oldest == day else None
    if s.behaviour == "menunggak":  # paid a few instalments, then stopped (kurang lancar … macet)
        return "bayar" if s.paid < 3 and oldest == day else None
    if s.behaviour == "macet":
        if s.paid < 1:
            return "bayar" if oldest == day else None
        return "hapus" if (day - oldest).days == 200 else None
    return None


def _pipeline(k, members, products, today, maker, ketua) -> None:
    if len(members) < 3:
        return
    services.apply(k, member=members[0], product=products["PMU"], amount=D(3_000_000), tenor=12,
                   purpose="produktif", sector="perdagangan", purpose_note="Tambah modal warung",
                   income=D(4_000_000), expense=D(1_500_000), by=maker, applied_on=today)
    b = services.apply(k, member=members[1], product=products["PTP"], amount=D(4_000_000), tenor=1,
                       purpose="produktif", sector="pertanian", purpose_note="Pupuk & benih musim tanam",
                       income=D(6_000_000), expense=D(1_000_000), by=maker, applied_on=today)
    services.analyse(k, b, note="Lahan 1 ha padi, panen 4 bulan lagi.", by=maker)
    c = services.apply(k, member=members[2], product=products["PKS"], amount=D(2_000_000), tenor=6,
                       purpose="konsumtif", income=D(2_500_000), expense=D(1_000_000), by=maker,
                       applied_on=today)
    services.reject(k, c, by=ketua, reason="Masih ada tunggakan simpanan wajib 4 bulan")


def _bank(k, today, by) -> None:
    if BankFacility.objects.filter(koperasi=k).exists():
        return
    received = (today - dt.timedelta(days=240)).replace(day=15)
    f = services.record_bank_facility(k, bank_name="BRI Unit Mesuji", contract_number="KUR-KDMP/2026/0012",
                                      amount=D(1_500_000_000), operating_part=D(500_000_000), received_on=received,
                                      rate=D(6), tenor=72, grace=6, by=by,
                                      note="Pembiayaan PMK 49/2025 untuk gerai, gudang dan modal kerja")
    for inst in f.installments.filter(due_date__lte=today).order_by("no"):
        services.pay_bank_installment(k, inst, date=inst.due_date, by=by)

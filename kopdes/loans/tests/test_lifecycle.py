"""A loan's life against the ledger: apply → approve → disburse → pay late → penalty → restructure → settle."""

import datetime as dt
from decimal import Decimal as D

import pytest

from kopdes.core.errors import DomainError
from kopdes.ledger.models import JournalLine
from kopdes.ledger.queries import account_balance, member_balance
from kopdes.loans import queries, services
from kopdes.loans.models import Installment, Loan, Repayment

from .conftest import make_active_loan

pytestmark = pytest.mark.django_db


def ledger_balanced(k):
    from django.db.models import Sum

    agg = JournalLine.objects.filter(koperasi=k).aggregate(d=Sum("debit"), c=Sum("credit"))
    return agg["d"] == agg["c"]


def statement_matches_ledger(k, loan):
    stmt = queries.statement(loan)
    bal = stmt[-1]["balance"] if stmt else D(0)
    return bal == loan.outstanding == member_balance(k, "1131", loan.member_id)


def test_disbursement_posts_net_of_fees_with_member_lines(sp, staff, member, product):
    drawer = account_balance(sp, "1104")
    loan = make_active_loan(sp, member, product, staff)
    assert loan.status == "aktif"
    assert loan.admin_fee == D(20_000) and loan.provision_fee == D(60_000)
    assert member_balance(sp, "1131", member.pk) == D(6_000_000)
    assert member_balance(sp, "4103", member.pk) == D(80_000)
    assert account_balance(sp, "1104") - drawer == D(-5_920_000)  # the net paid out of the drawer
    lines = JournalLine.objects.filter(koperasi=sp, entry_id=loan.disbursement_entry_id)
    assert {ln.unit for ln in lines} == {"simpan_pinjam"}
    assert sum(ln.credit for ln in lines if ln.account.code == "1104") == D(5_920_000)
    rows = list(Installment.objects.filter(loan=loan))
    assert len(rows) == 12
    assert sum(r.principal_due for r in rows) == D(6_000_000)
    assert sum(r.interest_due for r in rows) == D(1_080_000)  # flat 1.5% × 12


def test_full_life_keeps_ledger_and_statement_equal(sp, staff, member, product):
    product.penalty_mode = "harian"
    product.penalty_rate = D("0.1")
    product.penalty_grace_days = 3
    product.save()
    loan = make_active_loan(sp, member, product, staff)
    rows = list(Installment.objects.filter(loan=loan).order_by("no"))
    inst = rows[0].principal_due + rows[0].interest_due
    # on time
    services.repay(sp, loan, amount=inst, date=rows[0].due_date)
    # second instalment 13 days late: 10 days of penalty on the instalment
    late_day = rows[1].due_date + dt.timedelta(days=13)
    d = services.dues(loan, late_day)
    assert d["penalty"] == (inst * D("0.001") * 10).quantize(D(1))
    rep = services.repay(sp, loan, amount=d["total"], date=late_day)
    assert rep.penalty == d["penalty"] and rep.interest == rows[1].interest_due
    assert member_balance(sp, "4104", member.pk) == d["penalty"]
    loan.refresh_from_db()
    assert statement_matches_ledger(sp, loan)
    # restructure: 10 remaining instalments become 14
    services.restructure(sp, loan, tenor=14, date=rows[3].due_date, reason="Gagal panen", by=staff["ketua"])
    loan.refresh_from_db()
    assert loan.restructured
    live = Installment.objects.filter(loan=loan, superseded=False, settled=False)
    assert live.count() == 14
    assert sum(r.principal_due for r in live) == loan.outstanding
    # arrears interest of rows 3 and 4 (unpaid on restructure date) moved to the new first row
    assert loan.events.filter(kind="restrukturisasi").exists()
    # pay one, then settle early
    first = live.order_by("no").first()
    services.repay(sp, loan, amount=first.principal_due + first.interest_due, date=first.due_date)
    settle_day = first.due_date + dt.timedelta(days=10)
    q = services.settlement_quote(loan, settle_day)
    assert q["interest_waived"] > 0 or product.early_rule == "penuh"
    services.repay(sp, loan, amount=q["total"], date=settle_day, settle=True)
    loan.refresh_from_db()
    assert loan.status == "lunas" and loan.outstanding == 0
    assert member_balance(sp, "1131", member.pk) == 0
    assert statement_matches_ledger(sp, loan)
    assert ledger_balanced(sp)
    # interest income carries the member (SHU jasa usaha)
    paid_interest = sum(r.interest for r in Repayment.objects.filter(loan=loan))
    assert member_balance(sp, "4101", member.pk) == paid_interest > 0


def test_repayment_on_closed_loan_refused(sp, staff, member, product):
    loan = make_active_loan(sp, member, product, staff, amount=D(1_000_000), tenor=2)
    q = services.settlement_quote(loan, dt.date(2026, 1, 20))
    services.repay(sp, loan, amount=q["total"], date=dt.date(2026, 1, 20), settle=True)
    with pytest.raises(DomainError) as exc:
        services.repay(sp, loan, amount=D(1000), date=dt.date(2026, 1, 21))
    assert exc.value.code == "loan_closed"


@pytest.mark.parametrize("amount", [D(0), D(-5000), "abc"])
def test_zero_negative_amounts_refused(sp, staff, member, product, amount):
    loan = make_active_loan(sp, member, product, staff)
    before = JournalLine.objects.filter(koperasi=sp).count()
    with pytest.raises(DomainError) as exc:
        services.repay(sp, loan, amount=amount, date=dt.date(2026, 2, 10))
    assert exc.value.field == "amount"
    assert JournalLine.objects.filter(koperasi=sp).count() == before
    assert not Repayment.objects.filter(loan=loan).exists()


def test_overpayment_refused_and_advance_payment_allowed(sp, staff, member, product):
    loan = make_active_loan(sp, member, product, staff, amount=D(1_200_000), tenor=3)
    total = sum(r.principal_due + r.interest_due for r in loan.installments.all())
    with pytest.raises(DomainError) as exc:
        services.repay(sp, loan, amount=total + 1, date=dt.date(2026, 1, 15))
    assert exc.value.code == "overpayment"
    # advance: two instalments paid before the first is due
    rows = list(loan.installments.order_by("no"))
    rep = services.repay(sp, loan, amount=rows[0].total_due + rows[1].total_due, date=dt.date(2026, 1, 15))
    assert rep.principal == rows[0].principal_due + rows[1].principal_due
    assert loan.installments.filter(settled=True).count() == 2


def test_reversal_of_mistaken_payment(sp, staff, member, product):
    loan = make_active_loan(sp, member, product, staff)
    rep = services.repay(sp, loan, amount=D(700_000), date=dt.date(2026, 2, 10))
    loan.refresh_from_db()
    assert loan.outstanding < D(6_000_000)
    services.reverse_repayment(sp, rep, reason="Salah input anggota", by=staff["ketua"],
                               date=dt.date(2026, 2, 11))
    loan.refresh_from_db()
    assert loan.outstanding == D(6_000_000) == member_balance(sp, "1131", member.pk)
    assert not loan.installments.filter(settled=True).exists()
    assert sum(r.interest_paid + r.principal_paid + r.penalty_paid for r in loan.installments.all()) == 0
    assert member_balance(sp, "4101", member.pk) == 0
    with pytest.raises(DomainError):
        services.reverse_repayment(sp, rep, reason="lagi", by=staff["ketua"])
    assert statement_matches_ledger(sp, loan)


def test_double_disbursement_refused_and_retry_replays(sp, staff, member, product):
    loan = services.apply(sp, member=member, product=product, amount=D(2_000_000), tenor=6, purpose="konsumtif",
                          income=D(4_000_000), expense=D(1_000_000), by=staff["petugas"], applied_on=dt.date(2026, 1, 5))
    services.analyse(sp, loan, note="ok", by=staff["petugas"])
    services.approve(sp, loan, by=staff["ketua"])
    a = services.disburse(sp, loan, date=dt.date(2026, 1, 6), idempotency_key="klik-1")
    b = services.disburse(sp, loan, date=dt.date(2026, 1, 6), idempotency_key="klik-1")  # double click
    assert a.pk == b.pk
    with pytest.raises(DomainError) as exc:
        services.disburse(sp, loan, date=dt.date(2026, 1, 6), idempotency_key="klik-2")
    assert exc.value.code == "already_disbursed"
    assert member_balance(sp, "1131", member.pk) == D(2_000_000)
    assert Installment.objects.filter(loan=loan).count() == 6


def test_maker_cannot_approve_and_two_approvers_above_limit(sp, staff, member, product, make_user):
    loan = services.apply(sp, member=member, product=product, amount=D(9_000_000), tenor=12, purpose="konsumtif",
                          income=D(9_000_000), expense=D(1_000_000), by=staff["ketua"], applied_on=dt.date(2026, 1, 5))
    services.analyse(sp, loan, note="ok", by=staff["petugas"])
    with pytest.raises(DomainError) as exc:
        services.approve(sp, loan, by=staff["ketua"])
    assert exc.value.code == "maker_checker"
    product.two_approver_threshold = D(5_000_000)
    product.save()
    services.approve(sp, loan, by=staff["bendahara"])
    loan.refresh_from_db()
    assert loan.status == "dianalisis"  # one more approver needed
    with pytest.raises(DomainError) as exc:
        services.approve(sp, loan, by=staff["bendahara"])
    assert exc.value.code == "same_approver"
    with pytest.raises(DomainError) as exc:  # an operator is not on the committee (loans.rules)
        services.approve(sp, loan, by=staff["petugas"])
    assert exc.value.code == "not_committee" and exc.value.status == 403
    services.approve(sp, loan, by=make_user("manajer", koperasi=sp))
    loan.refresh_from_db()
    assert loan.status == "disetujui"


def test_non_member_and_limits_refused(sp, staff, product, other_koperasi):
    from kopdes.members.tests.factories import new_active_member, new_member

    calon = new_member(sp)  # registered, pokok not paid: not yet a member
    with pytest.raises(DomainError) as exc:
        services.apply(sp, member=calon, product=product, amount=D(1_000_000), tenor=6, purpose="konsumtif",
                       income=D(5_000_000), by=staff["petugas"])
    assert exc.value.code == "not_member"
    outsider = new_active_member(other_koperasi)
    with pytest.raises(DomainError) as exc:
        services.apply(sp, member=outsider, product=product, amount=D(1_000_000), tenor=6, purpose="konsumtif",
                       income=D(5_000_000), by=staff["petugas"])
    assert exc.value.code == "not_member"
    m = new_active_member(sp)
    with pytest.raises(DomainError) as exc:  # above the product's maximum
        services.apply(sp, member=m, product=product, amount=D(10_000_001), tenor=6, purpose="konsumtif",
                       income=D(50_000_000), by=staff["petugas"])
    assert exc.value.code == "over_limit" and exc.value.field == "amount"
    with pytest.raises(DomainError) as exc:  # instalment above 40% of net income
        services.apply(sp, member=m, product=product, amount=D(6_000_000), tenor=6, purpose="konsumtif",
                       income=D(2_000_000), expense=D(500_000), by=staff["petugas"])
    assert exc.value.code == "capacity"
    product.savings_multiple = D(3)
    product.save()
    with pytest.raises(DomainError) as exc:  # 3 × savings (pokok Rp50.000) = Rp150.000
        services.apply(sp, member=m, product=product, amount=D(1_000_000), tenor=6, purpose="konsumtif",
                       income=D(5_000_000), by=staff["petugas"])
    assert exc.value.code == "over_limit"
    product.savings_multiple = D(0)
    product.guarantee_threshold = D(1_000_000)
    product.save()
    with pytest.raises(DomainError) as exc:
        services.apply(sp, member=m, product=product, amount=D(2_000_000), tenor=6, purpose="konsumtif",
                       income=D(5_000_000), by=staff["petugas"])
    assert exc.value.code == "guarantee_required"
    g = new_active_member(sp)
    services.apply(sp, member=m, product=product, amount=D(2_000_000), tenor=6, purpose="konsumtif",
                   income=D(5_000_000), by=staff["petugas"], guarantor=g)
    with pytest.raises(DomainError) as exc:  # one open loan per product
        services.apply(sp, member=m, product=product, amount=D(2_000_000), tenor=6, purpose="konsumtif",
                       income=D(5_000_000), by=staff["petugas"], guarantor=g)
    assert exc.value.code == "one_active"
    assert Loan.objects.filter(koperasi=sp, member=m).count() == 1


def test_rejection_keeps_reason(sp, staff, member, product):
    loan = services.apply(sp, member=member, product=product, amount=D(1_000_000), tenor=6, purpose="konsumtif",
                          income=D(5_000_000), by=staff["petugas"])
    with pytest.raises(DomainError):
        services.reject(sp, loan, by=staff["ketua"], reason="  ")
    services.reject(sp, loan, by=staff["ketua"], reason="Usaha belum berjalan")
    loan.refresh_from_db()
    assert loan.status == "ditolak" and loan.reject_reason == "Usaha belum berjalan"


def test_sukarela_disbursement_and_payment(sp, staff, member, product):
    from kopdes.savings.services import balance

    loan = make_active_loan(sp, member, product, staff, amount=D(1_000_000), tenor=4, channel="sukarela")
    assert balance(member, "sukarela") == D(1_000_000) - D(20_000) - D(10_000)
    assert member_balance(sp, "2101", member.pk) == D(970_000)
    row = loan.installments.order_by("no").first()
    services.repay(sp, loan, amount=row.total_due, date=row.due_date, channel="sukarela")
    assert balance(member, "sukarela") == D(970_000) - row.total_due == member_balance(sp, "2101", member.pk)


def test_write_off_against_provision_and_recovery(sp, staff, member, product):
    loan = make_active_loan(sp, member, product, staff, amount=D(3_000_000), tenor=6)
    run = services.run_ageing(sp, as_of=dt.date(2026, 10, 31))
    loan.refresh_from_db()
    assert loan.dpd == (dt.date(2026, 10, 31) - dt.date(2026, 2, 10)).days
    assert loan.loan_class == "M"  # >180 days, no collateral
    assert run.provision_required == D(3_000_000)
    assert account_balance(sp, "1133") == D(3_000_000)
    services.write_off(sp, loan, reason="Peminjam pindah tanpa kabar", by=staff["ketua"], date=dt.date(2026, 11, 1))
    loan.refresh_from_db()
    assert loan.status == "dihapus" and member_balance(sp, "1131", member.pk) == 0
    assert account_balance(sp, "1133") == 0
    services.recover(sp, loan, amount=D(500_000), date=dt.date(2026, 11, 5))
    assert member_balance(sp, "4105", member.pk) == D(500_000)
    with pytest.raises(DomainError):
        services.recover(sp, loan, amount=D(2_600_000), date=dt.date(2026, 11, 6))
    # the next run releases nothing more (no active loans) and stays idempotent
    run2 = services.run_ageing(sp, as_of=dt.date(2026, 11, 30))
    assert run2.provision_required == 0 and run2.provision_posted == 0


def test_ageing_classes_and_provision_difference(sp, staff, member, product):
    from kopdes.members.tests.factories import new_active_member

    a = make_active_loan(sp, member, product, staff, amount=D(2_000_000), tenor=12)  # never paid
    m2 = new_active_member(sp, date=dt.date(2026, 1, 2))
    b = make_active_loan(sp, m2, product, staff, amount=D(4_000_000), tenor=12, collateral_value=D(5_000_000),
                         collateral_type="BPKB motor")
    m3 = new_active_member(sp, date=dt.date(2026, 1, 2))
    c = make_active_loan(sp, m3, product, staff, amount=D(1_000_000), tenor=12)
    for r in c.installments.order_by("no")[:3]:
        services.repay(sp, c, amount=r.total_due, date=r.due_date)
    as_of = dt.date(2026, 6, 1)  # a and b: oldest due 10 Feb → 111 days; c: oldest due 10 May → 22 days
    run = services.run_ageing(sp, as_of=as_of)
    for x in (a, b, c):
        x.refresh_from_db()
    assert (a.dpd, b.dpd, c.dpd) == (111, 111, 22)
    assert (a.loan_class, b.loan_class, c.loan_class) == ("KL", "KL", "L")
    # b's collateral (5,000,000, half of it eligible by default) lowers its base to 1,500,000
    expected = (D(2_000_000) + D(4_000_000) - D(2_500_000)) * D("0.10") + c.outstanding * D("0.005")
    assert run.provision_required == expected.quantize(D(1))
    assert queries.portfolio_summary(sp, as_of=as_of)["provision_required"] == run.provision_required
    assert run.provision_posted == run.provision_required
    # the same run again posts nothing; python mirror agrees with SQL
    again = services.run_ageing(sp, as_of=as_of)
    assert again.provision_posted == 0
    s = services.settings_for(sp)
    for x in (a, b, c):
        assert services.classify(x.dpd, scheme=s.scheme, settings=s, collateral_value=x.collateral_value,
                                 outstanding=x.outstanding) == x.loan_class
    # later: a without collateral becomes macet, b with collateral ≥75% stays diragukan
    services.run_ageing(sp, as_of=dt.date(2026, 9, 1))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.loan_class, b.loan_class) == ("M", "D")
    summary = queries.portfolio_summary(sp, dt.date(2026, 9, 1))
    c.refresh_from_db()
    assert summary["npl"] == a.outstanding + b.outstanding + c.outstanding  # c is 114 days late by then
    assert summary["by_class"]["M"]["count"] == 1
    # bank scheme selectable
    s.scheme = "bank5"
    s.save()
    services.run_ageing(sp, as_of=dt.date(2026, 5, 1))
    c.refresh_from_db()
    a.refresh_from_db()
    assert a.loan_class == "DPK"  # 80 days
    assert ledger_balanced(sp)


def test_member_loans_and_debt_provider(sp, staff, member, product):
    from kopdes.members.debts import outstanding_debts

    loan = make_active_loan(sp, member, product, staff, amount=D(1_000_000), tenor=4)
    rows = queries.member_loans(sp, member.pk)
    assert rows[0]["number"] == loan.number and rows[0]["outstanding"] == D(1_000_000)
    debts = [d for p, d in outstanding_debts(member) if p.key == "loans"]
    assert debts and debts[0].amount == D(1_000_000) and debts[0].account == "1131"


def test_bank_facility_pmk49(sp):
    f = services.record_bank_facility(sp, bank_name="BRI", contract_number="KDMP-001", amount=D(1_000_000_000),
                                      received_on=dt.date(2026, 1, 15), rate=D(6), tenor=72, grace=6)
    rows = list(f.installments.order_by("no"))
    assert len(rows) == 72
    # due on the 12th (PMK 49/2025): 15 Jan → 12 Feb is 27 days of 30/360, then whole months of 1 bn × 6% / 12
    assert all(r.principal_due == 0 for r in rows[:6]) and rows[0].interest_due == D(4_500_000)
    assert rows[1].interest_due == D(5_000_000)
    assert sum(r.principal_due for r in rows) == D(1_000_000_000)
    assert account_balance(sp, "2201") == D(1_000_000_000)
    services.pay_bank_installment(sp, rows[0], date=dt.date(2026, 2, 15))
    assert account_balance(sp, "6112") == D(4_500_000)
    with pytest.raises(DomainError):
        services.pay_bank_installment(sp, rows[0], date=dt.date(2026, 2, 15))
    with pytest.raises(DomainError):
        services.pay_bank_installment(sp, rows[5], date=dt.date(2026, 2, 15))
    with pytest.raises(DomainError):
        services.record_bank_facility(sp, bank_name="BRI", contract_number="X", amount=D(3_000_000_001),
                                      received_on=dt.date(2026, 1, 15))


def test_reversing_an_early_settlement_restores_waived_interest(sp, staff, member, product):
    product.early_rule = "periode"
    product.save()
    loan = make_active_loan(sp, member, product, staff, amount=D(1_200_000), tenor=6)
    interest_before = sum(r.interest_due for r in loan.installments.all())
    q = services.settlement_quote(loan, dt.date(2026, 1, 25))
    assert q["interest_waived"] == interest_before - q["interest"] > 0
    rep = services.repay(sp, loan, amount=q["total"], date=dt.date(2026, 1, 25), settle=True)
    loan.refresh_from_db()
    assert loan.status == "lunas"
    assert sum(r.interest_due for r in loan.installments.all()) == q["interest"]
    services.reverse_repayment(sp, rep, reason="Uang palsu", by=staff["ketua"], date=dt.date(2026, 1, 26))
    loan.refresh_from_db()
    assert loan.status == "aktif" and loan.outstanding == D(1_200_000)
    assert sum(r.interest_due for r in loan.installments.all()) == interest_before
    assert not loan.installments.filter(settled=True).exists()
    assert statement_matches_ledger(sp, loan)


def test_cli_ageing(sp, staff, member, product, capsys):
    from django.core.management import call_command

    make_active_loan(sp, member, product, staff, amount=D(2_000_000), tenor=4)
    call_command("loans", "ageing", "--koperasi", sp.slug, "--date", "2026-06-01")
    out = capsys.readouterr().out
    assert "1 pinjaman" in out and "Rp2.000.000" in out
    assert account_balance(sp, "1133") == D(200_000)  # 4 months late → kurang lancar, 10 %


@pytest.mark.parametrize("amount", [D(0), D(-1_000_000), D("1500000.50"), "satu juta"])
def test_application_with_bad_amount_refused_and_nothing_saved(sp, staff, member, product, amount):
    with pytest.raises(DomainError) as exc:
        services.apply(sp, member=member, product=product, amount=amount, tenor=6, purpose="konsumtif",
                       income=D(5_000_000), expense=D(2_000_000), by=staff["petugas"], applied_on=dt.date(2026, 1, 5))
    assert exc.value.field == "amount" and exc.value.message_en
    assert not Loan.objects.filter(koperasi=sp).exists()


@pytest.mark.parametrize("kwargs,field", [
    ({"tenor": 0}, "tenor"), ({"tenor": 13}, "tenor"), ({"purpose": "judi"}, "purpose"),
    ({"purpose": "produktif"}, "sector"), ({"income": D(-1)}, "income"),
])
def test_application_with_bad_terms_refused(sp, staff, member, product, kwargs, field):
    data = dict(member=member, product=product, amount=D(1_000_000), tenor=6, purpose="konsumtif",
                income=D(5_000_000), expense=D(2_000_000), by=staff["petugas"], applied_on=dt.date(2026, 1, 5))
    data.update(kwargs)
    with pytest.raises(DomainError) as exc:
        services.apply(sp, **data)
    assert exc.value.field == field
    assert not Loan.objects.filter(koperasi=sp).exists()


def test_actions_on_wrong_state_refused_and_nothing_posted(sp, staff, member, product):
    loan = services.apply(sp, member=member, product=product, amount=D(1_000_000), tenor=2, purpose="konsumtif",
                          income=D(5_000_000), expense=D(2_000_000), by=staff["petugas"],
                          applied_on=dt.date(2026, 1, 5))
    lines = JournalLine.objects.filter(koperasi=sp).count()
    for fn, code in ((lambda: services.approve(sp, loan, by=staff["ketua"]), "not_analysed"),
                     (lambda: services.disburse(sp, loan, date=dt.date(2026, 1, 6)), "not_approved"),
                     (lambda: services.repay(sp, loan, amount=D(1000), date=dt.date(2026, 1, 6)), "loan_closed"),
                     (lambda: services.write_off(sp, loan, reason="x"), "bad_state"),
                     (lambda: services.recover(sp, loan, amount=D(1000)), "bad_state"),
                     (lambda: services.restructure(sp, loan, tenor=3, reason="x"), "bad_state"),
                     (lambda: services.reject(sp, loan, by=staff["ketua"], reason="  "), "invalid")):
        with pytest.raises(DomainError) as exc:
            fn()
        assert exc.value.code == code, (code, exc.value.code)
    assert JournalLine.objects.filter(koperasi=sp).count() == lines
    loan.refresh_from_db()
    assert loan.status == "diajukan" and not loan.approvals.exists()
    # after settlement: restructure, write-off and a repayment are refused
    active = make_active_loan(sp, member, services.default_products(sp)[0], staff, amount=D(1_000_000), tenor=2)
    services.repay(sp, active, amount=services.settlement_quote(active, dt.date(2026, 1, 11))["total"],
                   date=dt.date(2026, 1, 11), settle=True)
    for fn in (lambda: services.restructure(sp, active, tenor=3, reason="x"),
               lambda: services.write_off(sp, active, reason="x"),
               lambda: services.repay(sp, active, amount=D(1000), date=dt.date(2026, 1, 12))):
        with pytest.raises(DomainError):
            fn()


def test_recovery_with_bad_amount_refused(sp, staff, member, product):
    loan = make_active_loan(sp, member, product, staff, amount=D(1_000_000), tenor=2)
    services.write_off(sp, loan, reason="Meninggal, ahli waris tak mampu", by=staff["ketua"],
                       date=dt.date(2026, 6, 1))
    for amount in (D(0), D(-5), D(1_000_001)):
        with pytest.raises(DomainError) as exc:
            services.recover(sp, loan, amount=amount, date=dt.date(2026, 6, 2))
        assert exc.value.field == "amount"
    assert not Repayment.objects.filter(loan=loan).exists()

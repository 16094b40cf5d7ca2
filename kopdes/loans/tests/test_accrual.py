"""Accrual basis (LoanSettings.accrue_interest): due-but-unpaid interest of performing loans is income on 1134;
payments clear it first; it goes back to cash basis when a loan falls to Kurang lancar; write-off, restructuring,
early settlement and reversal keep 1134 equal to the loans' open accruals."""

import datetime as dt
from decimal import Decimal as D

import pytest

from kopdes.ledger.queries import member_balance
from kopdes.loans import services
from kopdes.loans.models import Installment, LoanSettings

from .conftest import make_active_loan
from .test_lifecycle import ledger_balanced, statement_matches_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def accrual(sp, product):
    s = services.settings_for(sp)
    s.accrue_interest = True
    s.save()
    product.penalty_mode = "none"
    product.save()
    return s


def open_accrual(loan):
    return sum((r.accrual_open for r in Installment.objects.filter(loan=loan)), D(0))


def books(sp, loan):
    return member_balance(sp, "1134", loan.member_id), member_balance(sp, "4101", loan.member_id)


def test_accrual_payment_reversal_npl_and_write_off(sp, staff, member, product, accrual):
    loan = make_active_loan(sp, member, product, staff)  # 6 juta, 12 × flat 1.5% = 90.000 interest a month
    run = services.run_ageing(sp, as_of=dt.date(2026, 2, 28))  # instalment 1 (10 Feb) due and unpaid, Lancar
    assert run.accrual_posted == D(90_000) and run.accrual_entry_id
    assert books(sp, loan) == (D(90_000), D(90_000)) and open_accrual(loan) == D(90_000)
    services.run_ageing(sp, as_of=dt.date(2026, 2, 28))  # idempotent
    assert books(sp, loan) == (D(90_000), D(90_000))
    # a partial payment clears the accrued interest first (no new income)
    rep = services.repay(sp, loan, amount=D(50_000), date=dt.date(2026, 3, 1))
    assert rep.interest == D(50_000) and rep.accrual == {str(loan.installments.get(no=1).pk): ["50000", "0"]}
    assert books(sp, loan) == (D(40_000), D(90_000)) and open_accrual(loan) == D(40_000)
    services.reverse_repayment(sp, rep, reason="salah input", by=staff["ketua"])
    assert books(sp, loan) == (D(90_000), D(90_000)) and open_accrual(loan) == D(90_000)
    # five instalments due, 125 days late: Kurang lancar → the accrual is reversed (cash basis)
    run = services.run_ageing(sp, as_of=dt.date(2026, 6, 12))
    loan.refresh_from_db()
    assert loan.loan_class == "KL" and run.accrual_posted == D(-90_000)
    assert books(sp, loan) == (D(0), D(0)) and open_accrual(loan) == 0
    # the member pays all arrears: interest is income when paid
    d = services.dues(loan, dt.date(2026, 6, 15))
    services.repay(sp, loan, amount=d["total"], date=dt.date(2026, 6, 15))
    assert books(sp, loan) == (D(0), D(450_000))
    # performing again: the July instalment accrues, then the write-off takes the accrual back out of income
    run = services.run_ageing(sp, as_of=dt.date(2026, 7, 31))
    assert run.accrual_posted == D(90_000) and books(sp, loan) == (D(90_000), D(540_000))
    services.write_off(sp, loan, reason="Pindah ke luar daerah", by=staff["ketua"], date=dt.date(2026, 8, 1))
    assert books(sp, loan) == (D(0), D(450_000)) and open_accrual(loan) == 0
    assert ledger_balanced(sp)


def test_accrual_moves_with_restructuring_and_clears_on_settlement(sp, staff, member, product, accrual):
    loan = make_active_loan(sp, member, product, staff)
    services.run_ageing(sp, as_of=dt.date(2026, 3, 15))  # instalments 1 and 2 due: 180.000 accrued
    assert books(sp, loan) == (D(180_000), D(180_000))
    services.restructure(sp, loan, tenor=12, date=dt.date(2026, 3, 20), reason="Gagal panen", by=staff["ketua"])
    first = Installment.objects.filter(loan=loan, superseded=False).order_by("no").first()
    assert first.interest_accrued == D(180_000) and first.interest_due >= D(180_000)
    assert books(sp, loan) == (D(180_000), D(180_000)) and open_accrual(loan) == D(180_000)
    loan.refresh_from_db()
    q = services.settlement_quote(loan, dt.date(2026, 4, 1))
    services.repay(sp, loan, amount=q["total"], date=dt.date(2026, 4, 1), settle=True)
    loan.refresh_from_db()
    assert loan.status == "lunas"
    accrued, income = books(sp, loan)
    assert accrued == 0 and open_accrual(loan) == 0
    assert income == sum(r.interest for r in loan.repayments.all())  # all interest paid is income, none twice
    assert statement_matches_ledger(sp, loan) and ledger_balanced(sp)


def test_accrual_off_by_default_and_settings_form(sp, staff, member, product, client_as):
    assert LoanSettings._meta.get_field("accrue_interest").default is False
    loan = make_active_loan(sp, member, product, staff)
    run = services.run_ageing(sp, as_of=dt.date(2026, 2, 28))
    assert run.accrual_posted == 0 and member_balance(sp, "1134", member.pk) == 0 and open_accrual(loan) == 0
    # the officer switches it on in the collectibility settings page
    from django.urls import reverse

    c = client_as(staff["ketua"])
    page = reverse("loans:settings", args=[sp.slug])
    assert 'name="accrue_interest"' in c.get(page).content.decode()
    data = {f: getattr(services.settings_for(sp), f) for f in ("scheme", "kl_days", "d_days", "m_days",
                                                                "collateral_cover_pct", "pct_lancar", "pct_dpk",
                                                                "pct_kl", "pct_d", "pct_m", "ppap_collateral_pct")}
    assert c.post(page, {**data, "accrue_interest": "on"}).status_code == 302
    assert services.settings_for(sp).accrue_interest is True


def test_cli_ageing_reports_the_accrual(sp, staff, member, product, accrual, capsys):
    from django.core.management import call_command

    make_active_loan(sp, member, product, staff)
    call_command("loans", "ageing", "--koperasi", sp.slug, "--date", "2026-02-28")
    assert "Jasa akrual (1134) dijurnal: Rp90.000" in capsys.readouterr().out
    call_command("loans", "ageing", "--koperasi", sp.slug, "--date", "2026-02-28", "--no-post")
    assert "Jasa akrual" not in capsys.readouterr().out
    assert member_balance(sp, "1134", member.pk) == D(90_000)

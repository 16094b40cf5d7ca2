"""PPAP below Lancar is on the outstanding less the eligible share of the collateral (the cooperative's policy,
default 50 %); the bank 5-class scheme brings POJK 40/POJK.03/2019's table (issue 14 item 16)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from kopdes.loans import queries, services
from kopdes.loans.models import PPAP_TABLES, LoanSettings

from .conftest import make_active_loan

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 1)  # loans disbursed 10 Jan, never paid: 111 days past due → kurang lancar


def _borrower(sp):
    from kopdes.members.tests.factories import new_active_member

    return new_active_member(sp, date=dt.date(2026, 1, 2))


def test_provision_deducts_the_eligible_collateral_share_and_never_goes_below_zero(sp, staff, product):
    none = make_active_loan(sp, _borrower(sp), product, staff, amount=D(3_000_000), tenor=12)
    some = make_active_loan(sp, _borrower(sp), product, staff, amount=D(3_000_000), tenor=12,
                            collateral_type="BPKB motor", collateral_value=D(2_000_000))
    ample = make_active_loan(sp, _borrower(sp), product, staff, amount=D(3_000_000), tenor=12,
                             collateral_type="SHM tanah", collateral_value=D(9_000_000))
    run = services.run_ageing(sp, as_of=AS_OF)
    rows = {r.loan_id: (r.loan_class, r.provision) for r in run.rows.all()}
    assert rows[none.pk] == ("KL", D("300000.00"))  # 10 % of 3,000,000
    assert rows[some.pk] == ("KL", D("200000.00"))  # 10 % of 3,000,000 − 50 % × 2,000,000
    assert rows[ample.pk] == ("KL", D("0.00"))  # half of 9,000,000 covers it all
    assert run.provision_required == D(500_000)
    assert queries.portfolio_summary(sp, as_of=AS_OF)["provision_required"] == D(500_000)  # the same rule

    s = services.settings_for(sp)
    s.ppap_collateral_pct = D("0")  # the cooperative's policy: collateral does not count
    s.save()
    run = services.run_ageing(sp, as_of=AS_OF)
    assert run.provision_required == D(900_000) and run.provision_posted == D(400_000)
    assert queries.portfolio_summary(sp, as_of=AS_OF)["provision_required"] == D(900_000)


def test_lancar_provision_ignores_collateral(sp, staff, product):
    loan = make_active_loan(sp, _borrower(sp), product, staff, amount=D(2_000_000), tenor=12,
                            collateral_type="BPKB motor", collateral_value=D(4_000_000))
    run = services.run_ageing(sp, as_of=dt.date(2026, 1, 20))  # nothing due yet
    row = run.rows.get(loan=loan)
    assert (row.loan_class, row.provision) == ("L", D("10000.00"))  # 0.5 % of the whole outstanding


def test_switching_to_the_bank_scheme_brings_the_pojk_table_but_keeps_own_changes(sp, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=sp))
    s = services.settings_for(sp)
    url = f"/k/{sp.slug}/pinjaman/pengaturan/"
    form = c.get(url).context["form"]
    data = {name: ("on" if v is True else "" if v is False else v)
            for name, v in ((n, form.initial.get(n)) for n in form.fields) if v is not None}
    data["scheme"] = LoanSettings.Scheme.BANK
    data["pct_d"] = "60"  # the cooperative's own choice stays
    r = c.post(url, {k: v for k, v in data.items() if v != ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    s.refresh_from_db()
    bank = PPAP_TABLES[LoanSettings.Scheme.BANK]
    assert (s.scheme, s.pct_lancar, s.pct_dpk, s.pct_kl, s.pct_m) == (
        "bank5", bank["pct_lancar"], bank["pct_dpk"], bank["pct_kl"], bank["pct_m"])
    assert (s.pct_lancar, s.pct_kl) == (D("1"), D("15")) and s.pct_d == D("60")

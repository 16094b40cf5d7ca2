"""Schedule engine: known figures and hypothesis properties (exact to the rupiah, never negative)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kopdes.core.errors import DomainError
from kopdes.loans.schedule import Terms, generate

START = dt.date(2026, 1, 15)


def test_anuitas_known_figures():
    s = generate(Terms(principal=D(10_000_000), rate=D("1.5"), tenor=12, method="anuitas", start_date=START))
    assert [r.total for r in s.rows[:11]] == [D(916_800)] * 11
    assert s.rows[-1].total == D(916_799)
    assert s.total_interest == D(1_001_599)
    assert s.total == D(11_001_599)
    assert s.rows[0].interest == D(150_000)
    assert s.rows[0].due_date == dt.date(2026, 2, 15)


def test_flat_known_figures():
    s = generate(Terms(principal=D(10_000_000), rate=D("1.5"), tenor=12, method="flat", start_date=START))
    assert s.total_interest == D(1_800_000)
    assert [r.total for r in s.rows[:11]] == [D(983_400)] * 11
    assert s.rows[-1].total == D(11_800_000) - 11 * D(983_400)


def test_menurun_equal_principal_and_declining_interest():
    s = generate(Terms(principal=D(12_000_000), rate=D(12), rate_period="tahun", tenor=12, method="menurun",
                       start_date=START, rounding=1))
    assert [r.principal for r in s.rows] == [D(1_000_000)] * 12
    assert [r.interest for r in s.rows] == [D(120_000 - 10_000 * i) for i in range(12)]


def test_balloon_harvest():
    s = generate(Terms(principal=D(5_000_000), rate=D(12), rate_period="tahun", tenor=2, frequency="musiman",
                       season_months=4, balloon=True, start_date=START))
    assert [(r.due_date, r.principal, r.interest) for r in s.rows] == [
        (dt.date(2026, 5, 15), D(0), D(200_000)), (dt.date(2026, 9, 15), D(5_000_000), D(200_000))]


def test_weekly_dates_and_grace():
    s = generate(Terms(principal=D(2_000_000), rate=D(1), tenor=10, frequency="mingguan", grace_principal=2,
                       grace_interest=1, method="menurun", start_date=START))
    assert s.rows[1].due_date - s.rows[0].due_date == dt.timedelta(days=7)
    assert s.rows[0].interest == 0 and s.rows[0].principal == 0 and s.rows[1].principal == 0
    assert s.total_principal == D(2_000_000)


def test_zero_rate():
    s = generate(Terms(principal=D(1_000_000), rate=D(0), tenor=3, method="anuitas", start_date=START))
    assert s.total_interest == 0 and s.total == D(1_000_000)


@pytest.mark.parametrize("field,kwargs", [
    ("principal", {"principal": D(0)}),
    ("principal", {"principal": D(-5)}),
    ("tenor", {"tenor": 0}),
    ("rate", {"rate": D(-1)}),
    ("method", {"method": "magic"}),
    ("grace_principal", {"grace_principal": 12}),
])
def test_bad_terms_refused(field, kwargs):
    base = {"principal": D(1_000_000), "rate": D(1), "tenor": 12}
    base.update(kwargs)
    with pytest.raises(DomainError) as exc:
        generate(Terms(**base))
    assert exc.value.field == field


terms_strategy = st.builds(
    Terms,
    principal=st.integers(min_value=1, max_value=5_000_000_000).map(D),
    rate=st.decimals(min_value=0, max_value=10, places=2),
    tenor=st.integers(min_value=1, max_value=120),
    method=st.sampled_from(["flat", "anuitas", "menurun"]),
    rate_period=st.just("bulan"),
    frequency=st.sampled_from(["mingguan", "bulanan", "musiman"]),
    day_count=st.sampled_from(["30/360", "act/365"]),
    start_date=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31)),
    grace_principal=st.integers(min_value=0, max_value=6),
    grace_interest=st.integers(min_value=0, max_value=6),
    balloon=st.booleans(),
    season_months=st.integers(min_value=1, max_value=12),
    rounding=st.sampled_from([1, 100, 1000]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms_strategy)
def test_schedule_sums_exactly_and_is_non_negative(terms):
    if terms.grace_principal >= terms.tenor or terms.grace_interest >= terms.tenor:
        with pytest.raises(DomainError):
            generate(terms)
        return
    s = generate(terms)
    assert 1 <= len(s.rows) <= terms.tenor
    assert s.total_principal == terms.principal
    assert s.total == sum(r.total for r in s.rows) == terms.principal + s.total_interest
    bal = terms.principal
    for r in s.rows:
        assert r.principal >= 0 and r.interest >= 0 and r.balance >= 0
        assert r.principal == r.principal.to_integral_value() and r.interest == r.interest.to_integral_value()
        bal -= r.principal
        assert r.balance == bal
    assert s.rows[-1].balance == 0
    dates = [r.due_date for r in s.rows]
    assert dates == sorted(dates) and dates[0] > terms.start_date
    # every instalment but the last is a multiple of the rounding step (when it carries principal)
    for r in s.rows[:-1]:
        if r.principal > 0 and r.balance > 0:
            assert r.total % terms.rounding == 0


@pytest.mark.parametrize("tamper,text", [
    (lambda s: setattr(s.rows[0], "principal", s.rows[0].principal + 1), "tidak sesuai"),
    (lambda s: setattr(s.rows[-1], "interest", D(-1)), "negatif"),
    (lambda s: setattr(s.rows[1], "interest", D("100.50")), "rupiah bulat"),
    (lambda s: s.rows.pop(), "tidak sama dengan pinjaman"),
])
def test_schedule_that_does_not_sum_is_refused(tamper, text):
    s = generate(Terms(principal=D(1_000_000), rate=D("1.5"), tenor=4, method="anuitas", start_date=START))
    s.check()  # a generated schedule passes
    tamper(s)
    with pytest.raises(DomainError) as exc:
        s.check()
    assert exc.value.code == "schedule_mismatch" and text in exc.value.message_id
    assert exc.value.message_en.startswith("Schedule refused")

import datetime as dt
import random

import pytest

pytestmark = pytest.mark.django_db


def test_demo_year_of_loans_is_idempotent_and_balanced(koperasi, make_user):
    from django.db.models import Sum
    from django.utils import timezone

    from kopdes.core.demo import DemoContext
    from kopdes.ledger.models import JournalLine
    from kopdes.ledger.queries import account_balance
    from kopdes.loans import demo
    from kopdes.loans.models import BankFacility, Loan, LoanEvent, Repayment
    from kopdes.members.tests.factories import new_active_member

    today = timezone.localdate()
    from kopdes.members.models import Member

    for _ in range(45):
        new_active_member(koperasi)
    Member.objects.filter(koperasi=koperasi).update(joined_on=today - dt.timedelta(days=400))
    users = {"simpanpinjam": make_user("operator", koperasi=koperasi, unit="simpan_pinjam"),
             "ketua": make_user("ketua", koperasi=koperasi), "bendahara": make_user("bendahara", koperasi=koperasi)}
    ctx = DemoContext(koperasi=koperasi, users=users, today=today, rng=random.Random(7))
    demo.build(ctx)
    k = koperasi
    loans = Loan.objects.filter(koperasi=k)
    statuses = set(loans.values_list("status", flat=True))
    assert {"aktif", "lunas", "dihapus", "ditolak"} <= statuses
    assert loans.filter(restructured=True).exists()
    assert LoanEvent.objects.filter(koperasi=k, kind="hapus_buku").count() >= 1
    assert Repayment.objects.filter(koperasi=k, penalty__gt=0).exists()  # late payers paid penalties
    active = loans.filter(status="aktif").aggregate(s=Sum("outstanding"))["s"]
    assert account_balance(k, "1131") == active
    assert BankFacility.objects.filter(koperasi=k).count() == 1
    assert loans.filter(status="dihapus").count() == 1
    from kopdes.loans.queries import portfolio_summary

    summary = portfolio_summary(k)
    assert summary["npl"] > 0 and summary["by_class"]["L"]["count"] > 0  # some loans in arrears, most current
    agg = JournalLine.objects.filter(koperasi=k).aggregate(d=Sum("debit"), c=Sum("credit"))
    assert agg["d"] == agg["c"]
    n = (loans.count(), Repayment.objects.filter(koperasi=k).count(), JournalLine.objects.filter(koperasi=k).count())
    demo.build(ctx)
    assert n == (loans.count(), Repayment.objects.filter(koperasi=k).count(),
                 JournalLine.objects.filter(koperasi=k).count())

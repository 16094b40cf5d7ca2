"""Posting service: every refusal, numbering, idempotency, immutability below the application, balances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from kopdes.core.errors import Conflict, DomainError
from kopdes.core.units import Unit
from kopdes.ledger import queries
from kopdes.ledger.coa import COA_TEMPLATE
from kopdes.ledger.integrity import check_integrity
from kopdes.ledger.models import Account, AccountMonth, JournalEntry, JournalLine, Period
from kopdes.ledger.services import Line, delete_account, post, reverse, update_account

D = Decimal
DAY = dt.date(2026, 3, 10)


def cash_sale(k, amount="15000", **kw):
    return post(k, date=kw.pop("date", DAY), memo="Penjualan", lines=[
        Line("1103", debit=D(amount), unit=Unit.SEMBAKO),
        Line("4112", credit=D(amount), unit=Unit.SEMBAKO),
    ], **kw)


def counts():
    return JournalEntry.objects.count(), JournalLine.objects.count()


@pytest.mark.django_db
class TestChart:
    def test_chart_created_with_koperasi(self, koperasi):
        assert Account.objects.filter(koperasi=koperasi).count() == len(COA_TEMPLATE)
        cash = Account.objects.get(koperasi=koperasi, code="1103")
        assert cash.is_cash and cash.normal == "D" and not cash.is_header
        assert Account.objects.get(koperasi=koperasi, code="4111").segment == "member"
        assert Account.objects.get(koperasi=koperasi, code="4112").segment == "nonmember"
        assert Account.objects.get(koperasi=koperasi, code="1133").is_contra

    def test_ensure_chart_is_data_safe(self, koperasi):
        from kopdes.ledger.chart import ensure_chart

        acc = Account.objects.get(koperasi=koperasi, code="6101")
        update_account(acc, name="Gaji pengelola")
        Account.objects.filter(koperasi=koperasi, code="6199").delete()
        assert ensure_chart(koperasi) == 1
        assert ensure_chart(koperasi) == 0
        assert Account.objects.get(koperasi=koperasi, code="6101").name == "Gaji pengelola"

    def test_delete_account_with_postings_refused(self, koperasi):
        cash_sale(koperasi)
        acc = Account.objects.get(koperasi=koperasi, code="4112")
        with pytest.raises(DomainError) as exc:
            delete_account(acc)
        assert exc.value.code == "account_has_postings"
        assert Account.objects.filter(pk=acc.pk).exists()
        unused = Account.objects.get(koperasi=koperasi, code="6199")
        delete_account(unused)
        assert not Account.objects.filter(pk=unused.pk).exists()

    def test_code_change_with_postings_refused(self, koperasi):
        cash_sale(koperasi)
        acc = Account.objects.get(koperasi=koperasi, code="4112")
        with pytest.raises(DomainError):
            update_account(acc, code="4199")
        assert update_account(acc, name="Penjualan umum").name == "Penjualan umum"


@pytest.mark.django_db
class TestPost:
    def test_post_numbers_and_balances(self, koperasi):
        e1 = cash_sale(koperasi)
        e2 = cash_sale(koperasi, "2500.50")
        assert (e1.year, e1.number, e2.number) == (2026, 1, 2)
        assert e1.status == "posted" and e1.amount == D("15000.00")
        assert e1.reference == "JU-2026-000001"
        assert queries.account_balance(koperasi, "1103") == D("17500.50")
        assert queries.account_balance(koperasi, "4112") == D("17500.50")  # credit-normal, positive
        assert queries.account_balance(koperasi, "11") == D("17500.50")  # header = sum of its accounts
        assert queries.account_balance(koperasi, "1103", as_of=DAY - dt.timedelta(days=1)) == 0
        assert queries.account_balance(koperasi, "1103", unit=Unit.KLINIK) == 0
        assert check_integrity(koperasi) == []

    def test_new_year_restarts_numbering(self, koperasi):
        cash_sale(koperasi, date=dt.date(2025, 12, 31))
        cash_sale(koperasi, date=dt.date(2025, 12, 31))
        e = cash_sale(koperasi, date=dt.date(2026, 1, 1))
        assert (e.year, e.number) == (2026, 1)

    def test_member_balance(self, koperasi):
        post(koperasi, date=DAY, memo="Simpanan wajib", lines=[
            Line("1101", debit=D("30000")),
            Line("3102", credit=D("10000"), member_id=7),
            Line("3102", credit=D("20000"), member_id=8),
        ])
        post(koperasi, date=DAY + dt.timedelta(days=40), memo="Simpanan wajib", lines=[
            Line("1101", debit=D("10000")), Line("3102", credit=D("10000"), member_id=7),
        ])
        assert queries.member_balance(koperasi, "3102", 7) == D("20000")
        assert queries.member_balance(koperasi, "3102", 7, as_of=DAY) == D("10000")
        assert queries.member_balances(koperasi, "3102") == {7: D("20000"), 8: D("20000")}
        assert queries.account_balance(koperasi, "3102") == D("40000")

    def test_balance_across_partial_months(self, koperasi):
        for day in (dt.date(2026, 1, 5), dt.date(2026, 1, 31), dt.date(2026, 2, 1), dt.date(2026, 2, 15),
                    dt.date(2026, 3, 31)):
            cash_sale(koperasi, "100", date=day)
        sums = queries.sums_by_account(koperasi, dt.date(2026, 1, 6), dt.date(2026, 2, 14))
        cash = Account.objects.get(koperasi=koperasi, code="1103")
        assert sums[cash.pk][0] == D("200")
        sums = queries.sums_by_account(koperasi, dt.date(2026, 1, 1), dt.date(2026, 2, 28))
        assert sums[cash.pk][0] == D("400")
        sums = queries.sums_by_account(koperasi, dt.date(2026, 2, 1), None)
        assert sums[cash.pk][0] == D("300")
        assert queries.account_balance(koperasi, "1103", as_of=dt.date(2026, 2, 1)) == D("300")

    @pytest.mark.parametrize("lines,code", [
        ([Line("1103", debit=D("100")), Line("4112", credit=D("90"))], "unbalanced"),
        ([Line("1103", debit=D("0")), Line("4112", credit=D("0"))], "line_sides"),
        ([Line("1103", debit=D("100"))], "too_few_lines"),
        ([], "too_few_lines"),
        ([Line("1103", debit=D("-100")), Line("4112", credit=D("-100"))], "negative_amount"),
        ([Line("1103", debit=D("100"), credit=D("100")), Line("4112", credit=D("100"))], "line_sides"),
        ([Line("1103", debit=100.0), Line("4112", credit=100.0)], "float_amount"),
        ([Line("1103", debit=D("100.001")), Line("4112", credit=D("100.001"))], "invalid_amount"),
        ([Line("9999", debit=D("100")), Line("4112", credit=D("100"))], "unknown_account"),
        ([Line("11", debit=D("100")), Line("4112", credit=D("100"))], "header_account"),
        ([Line("1103", debit=D("100"), unit="bengkel"), Line("4112", credit=D("100"))], "unknown_unit"),
        ([Line("1103", debit=D("100"), member_id=-3), Line("4112", credit=D("100"))], "invalid_dimension"),
    ])
    def test_refusals_write_nothing(self, koperasi, lines, code):
        with pytest.raises(DomainError) as exc:
            post(koperasi, date=DAY, memo="x", lines=lines)
        assert exc.value.code == code
        assert exc.value.message_id and exc.value.message_en
        assert counts() == (0, 0)

    def test_bad_date_refused(self, koperasi):
        with pytest.raises(DomainError) as exc:
            post(koperasi, date="2026-03-10", memo="x",
                 lines=[Line("1103", debit=D("1")), Line("4112", credit=D("1"))])
        assert exc.value.field == "date"

    def test_account_of_other_koperasi_refused(self, koperasi, other_koperasi):
        foreign = Account.objects.get(koperasi=other_koperasi, code="4112")
        with pytest.raises(DomainError) as exc:
            post(koperasi, date=DAY, memo="x", lines=[Line("1103", debit=D("5")), Line(foreign, credit=D("5"))])
        assert exc.value.code == "foreign_account"
        assert counts() == (0, 0)

    def test_inactive_account_refused(self, koperasi):
        update_account(Account.objects.get(koperasi=koperasi, code="4112"), active=False)
        with pytest.raises(DomainError) as exc:
            cash_sale(koperasi)
        assert exc.value.code == "inactive_account"

    def test_closed_period_refused(self, koperasi):
        Period.objects.create(koperasi=koperasi, year=2026, month=3, status=Period.Status.CLOSED)
        with pytest.raises(DomainError) as exc:
            cash_sale(koperasi)
        assert exc.value.code == "period_closed" and exc.value.field == "date"
        assert counts() == (0, 0)
        assert cash_sale(koperasi, date=dt.date(2026, 4, 1)).number == 1  # no number consumed

    def test_idempotent_by_key(self, koperasi):
        e1 = cash_sale(koperasi, idempotency_key="pos-1")
        e2 = cash_sale(koperasi, idempotency_key="pos-1")
        assert e1.pk == e2.pk and counts() == (1, 2)
        with pytest.raises(Conflict):
            cash_sale(koperasi, "999", idempotency_key="pos-1")
        assert counts() == (1, 2)
        assert cash_sale(koperasi, idempotency_key="pos-2").number == 2

    def test_failure_inside_rolls_back_number(self, koperasi):
        cash_sale(koperasi)
        with pytest.raises(RuntimeError), transaction.atomic():
            cash_sale(koperasi)
            raise RuntimeError("caller failed after posting")
        assert cash_sale(koperasi).number == 2
        assert check_integrity(koperasi) == []


@pytest.mark.django_db
class TestReverse:
    def test_reverse_mirrors_and_only_once(self, koperasi):
        e = post(koperasi, date=DAY, memo="Bon", lines=[
            Line("1141", debit=D("5000"), unit=Unit.SEMBAKO, member_id=3),
            Line("4111", credit=D("5000"), unit=Unit.SEMBAKO, member_id=3),
        ])
        r = reverse(e, date=DAY, memo="Salah input")
        assert r.reversal_of_id == e.pk and r.number == 2
        assert queries.account_balance(koperasi, "1141") == 0
        assert queries.member_balance(koperasi, "4111", 3) == 0
        with pytest.raises(DomainError) as exc:
            reverse(e, date=DAY)
        assert exc.value.code == "already_reversed"
        with pytest.raises(DomainError) as exc:
            reverse(r, date=DAY)
        assert exc.value.code == "reversal_of_reversal"

    def test_reverse_before_original_refused(self, koperasi):
        e = cash_sale(koperasi)
        with pytest.raises(DomainError):
            reverse(e, date=DAY - dt.timedelta(days=1))


def _db_refuses(fn):
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        fn()


@pytest.mark.django_db
class TestBelowTheApplication:
    """A bug in a unit that bypasses the service still cannot write an unbalanced or altered entry."""

    def _draft(self, k, amount="100"):
        return JournalEntry.objects.create(koperasi=k, year=2026, number=999, date=DAY, memo="rogue",
                                           amount=D(amount))

    def _line(self, k, e, code, d="0", c="0", **kw):
        acc = Account.objects.get(koperasi=kw.pop("acc_k", k), code=code)
        return JournalLine.objects.create(entry=e, koperasi=k, account=acc, date=kw.pop("date", DAY), debit=D(d),
                                          credit=D(c), **kw)

    def test_unbalanced_post_refused(self, koperasi):
        e = self._draft(koperasi)
        self._line(koperasi, e, "1103", d="100")
        self._line(koperasi, e, "4112", c="90")
        _db_refuses(lambda: JournalEntry.objects.filter(pk=e.pk).update(status="posted"))

    def test_zero_post_refused(self, koperasi):
        e = self._draft(koperasi, "0")
        _db_refuses(lambda: JournalEntry.objects.filter(pk=e.pk).update(status="posted"))

    def test_amount_mismatch_refused(self, koperasi):
        e = self._draft(koperasi, "50")
        self._line(koperasi, e, "1103", d="100")
        self._line(koperasi, e, "4112", c="100")
        _db_refuses(lambda: JournalEntry.objects.filter(pk=e.pk).update(status="posted"))

    def test_foreign_account_refused(self, koperasi, other_koperasi):
        e = self._draft(koperasi)
        self._line(koperasi, e, "1103", d="100")
        if connection.vendor == "postgresql":
            # the composite foreign key (koperasi_id, account_id) -> account refuses the line itself (deferred
            # to commit like every foreign key here; checked now)
            def insert_now():
                self._line(koperasi, e, "4112", c="100", acc_k=other_koperasi)
                with connection.cursor() as c:
                    c.execute("SET CONSTRAINTS ALL IMMEDIATE")

            _db_refuses(insert_now)
            return
        self._line(koperasi, e, "4112", c="100", acc_k=other_koperasi)
        _db_refuses(lambda: JournalEntry.objects.filter(pk=e.pk).update(status="posted"))

    def test_line_date_mismatch_refused(self, koperasi):
        e = self._draft(koperasi)
        self._line(koperasi, e, "1103", d="100")
        self._line(koperasi, e, "4112", c="100", date=DAY + dt.timedelta(days=1))
        _db_refuses(lambda: JournalEntry.objects.filter(pk=e.pk).update(status="posted"))

    def test_balanced_rogue_post_is_accepted_by_db(self, koperasi):
        e = self._draft(koperasi)
        self._line(koperasi, e, "1103", d="100")
        self._line(koperasi, e, "4112", c="100")
        JournalEntry.objects.filter(pk=e.pk).update(status="posted")  # the trigger is not over-strict

    def test_insert_posted_entry_refused(self, koperasi):
        _db_refuses(lambda: JournalEntry.objects.create(koperasi=koperasi, year=2026, number=5, date=DAY,
                                                        status="posted", amount=D("1")))

    def test_posted_entry_is_immutable(self, koperasi):
        e = cash_sale(koperasi)
        line = e.lines.first()
        _db_refuses(lambda: JournalEntry.objects.filter(pk=e.pk).update(memo="changed"))
        _db_refuses(lambda: JournalEntry.objects.filter(pk=e.pk).update(status="draft"))
        _db_refuses(lambda: JournalLine.objects.filter(pk=line.pk).update(debit=D("1")))
        _db_refuses(lambda: self._line(koperasi, e, "1103", d="5"))
        _db_refuses(lambda: JournalLine.objects.filter(pk=line.pk).delete())
        _db_refuses(lambda: JournalEntry.objects.filter(pk=e.pk)._raw_delete(connection.alias))
        e.refresh_from_db()
        assert e.memo == "Penjualan" and e.lines.count() == 2
        assert queries.account_balance(koperasi, "1103") == D("15000")

    @pytest.mark.parametrize("sql", [
        "UPDATE ledger_journalline SET debit = 1 WHERE entry_id = %s AND debit > 0",
        "UPDATE ledger_journalline SET credit = credit + 1 WHERE entry_id = %s",
        "UPDATE ledger_journalline SET account_id = account_id WHERE entry_id = %s",
        "DELETE FROM ledger_journalline WHERE entry_id = %s",
        "UPDATE ledger_journalentry SET amount = 1 WHERE id = %s",
        "UPDATE ledger_journalentry SET date = '2026-01-01' WHERE id = %s",
        "UPDATE ledger_journalentry SET status = 'draft' WHERE id = %s",
        "DELETE FROM ledger_journalentry WHERE id = %s",
    ])
    def test_raw_sql_cannot_touch_posted_entry(self, koperasi, sql):
        """Raw SQL (no ORM, no service) on both databases: posted lines and entries cannot be changed or deleted."""
        e = cash_sale(koperasi)
        with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [e.pk])
        assert sorted((ln.debit, ln.credit) for ln in e.lines.all()) == [(D("0"), D("15000")), (D("15000"), D("0"))]
        e.refresh_from_db()
        assert (e.amount, e.status, e.date) == (D("15000"), "posted", DAY)
        assert check_integrity(koperasi) == []

    def test_draft_rows_can_still_be_deleted(self, koperasi):
        """The guard is about posted rows: an abandoned draft (never posted) can be cleaned up."""
        e = self._draft(koperasi)
        self._line(koperasi, e, "1103", d="100")
        with connection.cursor() as cur:
            cur.execute("DELETE FROM ledger_journalline WHERE entry_id = %s", [e.pk])
            cur.execute("DELETE FROM ledger_journalentry WHERE id = %s", [e.pk])
        assert not JournalEntry.objects.filter(pk=e.pk).exists()

    def test_triggers_installed(self):
        assert check_integrity() == []
        from kopdes.ledger.integrity import missing_triggers

        assert missing_triggers() == []

    def test_one_sided_line_check(self, koperasi):
        e = self._draft(koperasi)
        _db_refuses(lambda: self._line(koperasi, e, "1103", d="100", c="100"))
        _db_refuses(lambda: self._line(koperasi, e, "1103", d="-100"))


@pytest.mark.django_db
def test_snapshots_follow_lines(koperasi):
    cash_sale(koperasi, "100")
    cash_sale(koperasi, "50", date=dt.date(2026, 4, 2))
    snap = AccountMonth.objects.get(koperasi=koperasi, account__code="1103", year=2026, month=3)
    assert (snap.debit, snap.credit, snap.unit) == (D("100"), D("0"), Unit.SEMBAKO)
    assert check_integrity() == []

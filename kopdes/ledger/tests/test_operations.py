"""Periods, re-open approvals, opening balances, manual journals (maker-checker), kas opname, transfers,
SHU allocation and payout, RAT."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.core.errors import DomainError
from kopdes.core.models import AuditLog
from kopdes.core.units import Unit
from kopdes.ledger import queries, rat, shu
from kopdes.ledger.models import JournalEntry, Period, PeriodReopen, ShuMemberShare
from kopdes.ledger.services import (
    Line,
    approve_manual_journal,
    approve_reopen,
    close_month,
    close_year,
    create_manual_journal,
    import_opening_balances,
    post,
    record_cash_count,
    reject_manual_journal,
    request_reopen,
    transfer_cash,
)

D = Decimal


def simple(k, d, amount="1000", debit="1101", credit="4202", **kw):
    return post(k, date=d, memo="x", lines=[Line(debit, debit=D(amount), **kw), Line(credit, credit=D(amount), **kw)])


@pytest.mark.django_db
class TestPeriods:
    def test_close_blocks_backdated_and_reopen_needs_two(self, koperasi, make_user):
        simple(koperasi, dt.date(2026, 1, 10))
        with pytest.raises(DomainError) as exc:
            close_month(koperasi, 2026, 2)
        assert exc.value.code == "earlier_month_open"
        close_month(koperasi, 2026, 1)
        with pytest.raises(DomainError) as exc:
            simple(koperasi, dt.date(2026, 1, 31))
        assert exc.value.code == "period_closed"
        ketua = make_user("ketua", koperasi=koperasi)
        bendahara = make_user("bendahara", koperasi=koperasi)
        manajer = make_user("manajer", koperasi=koperasi)
        with pytest.raises(DomainError):
            request_reopen(koperasi, 2026, 1, reason="  ", by=manajer)
        req = request_reopen(koperasi, 2026, 1, reason="Koreksi gaji", by=manajer)
        with pytest.raises(DomainError) as exc:
            approve_reopen(req, by=manajer)
        assert exc.value.code == "not_allowed"
        approve_reopen(req, by=ketua)
        with pytest.raises(DomainError) as exc:
            approve_reopen(req, by=ketua)
        assert exc.value.code == "same_approver"
        assert Period.objects.get(koperasi=koperasi, year=2026, month=1).status == "closed"
        req = approve_reopen(req, by=bendahara)
        assert req.status == "done"
        assert Period.objects.get(koperasi=koperasi, year=2026, month=1).status == "open"
        assert AuditLog.objects.filter(action="ledger.period_reopen", koperasi_id_ref=koperasi.pk).exists()
        simple(koperasi, dt.date(2026, 1, 31))

    def test_one_person_holding_both_roles_cannot_approve_twice(self, koperasi, make_user):
        from kopdes.core.services import assign_role

        simple(koperasi, dt.date(2026, 1, 10))
        close_month(koperasi, 2026, 1)
        both = make_user("ketua", koperasi=koperasi)
        assign_role(both, "bendahara", koperasi=koperasi)
        req = request_reopen(koperasi, 2026, 1, reason="x", by=both)
        approve_reopen(req, by=both)
        with pytest.raises(DomainError) as exc:
            approve_reopen(req, by=both)
        assert exc.value.code == "same_approver"
        assert PeriodReopen.objects.get(pk=req.pk).status == "pending"

    def test_closed_year_cannot_reopen(self, koperasi, make_user):
        simple(koperasi, dt.date(2025, 5, 1))
        close_year(koperasi, 2025)
        with pytest.raises(DomainError) as exc:
            request_reopen(koperasi, 2025, 5, reason="x")
        assert exc.value.code == "year_closed"


def xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.django_db
class TestOpening:
    def test_import_balanced(self, koperasi):
        data = xlsx([["kode", "debit", "kredit", "unit", "anggota"], ["1101", 1500000, None],
                     ["1206", "2000000", None], ["3101", None, 100000, "kantor", 5], ["3301", None, 3400000]])
        e = import_opening_balances(koperasi, date=dt.date(2026, 7, 1), data=data)
        assert e.amount == D("3500000") and e.source == "ledger.Opening"
        assert queries.member_balance(koperasi, "3101", 5) == D("100000")
        with pytest.raises(DomainError) as exc:
            import_opening_balances(koperasi, date=dt.date(2026, 7, 1), data=data)
        assert exc.value.code == "opening_exists"

    def test_import_unbalanced_refused(self, koperasi):
        data = xlsx([["1101", 1500000, None], ["3301", None, 1400000]])
        with pytest.raises(DomainError) as exc:
            import_opening_balances(koperasi, date=dt.date(2026, 7, 1), data=data)
        assert exc.value.code == "unbalanced"
        assert not JournalEntry.objects.exists()

    def test_garbage_file_refused(self, koperasi):
        with pytest.raises(DomainError) as exc:
            import_opening_balances(koperasi, date=dt.date(2026, 7, 1), data=b"not excel")
        assert exc.value.code == "bad_file"


@pytest.mark.django_db
class TestManualJournal:
    LINES = [{"account": "6102", "debit": "250000", "unit": "kantor"}, {"account": "1101", "credit": "250000"}]

    def test_maker_cannot_approve(self, koperasi, make_user):
        maker = make_user("bendahara", koperasi=koperasi)
        checker = make_user("ketua", koperasi=koperasi)
        mj = create_manual_journal(koperasi, date=dt.date(2026, 2, 3), memo="Listrik Februari", lines=self.LINES,
                                   by=maker)
        assert mj.status == "submitted" and not JournalEntry.objects.exists()
        with pytest.raises(DomainError) as exc:
            approve_manual_journal(mj, by=maker)
        assert exc.value.code == "maker_is_checker"
        mj = approve_manual_journal(mj, by=checker)
        assert mj.status == "posted" and mj.entry.source == "ledger.ManualJournal"
        assert queries.account_balance(koperasi, "6102") == D("250000")
        with pytest.raises(DomainError):
            approve_manual_journal(mj, by=checker)

    def test_invalid_manual_journal_refused_at_making(self, koperasi, make_user):
        with pytest.raises(DomainError) as exc:
            create_manual_journal(koperasi, date=dt.date(2026, 2, 3), memo="x",
                                  lines=[{"account": "6102", "debit": "10"}, {"account": "1101", "credit": "9"}])
        assert exc.value.code == "unbalanced"

    def test_reject(self, koperasi, make_user):
        maker = make_user("bendahara", koperasi=koperasi)
        mj = create_manual_journal(koperasi, date=dt.date(2026, 2, 3), memo="x", lines=self.LINES, by=maker)
        with pytest.raises(DomainError):
            reject_manual_journal(mj, by=maker, reason="self")
        mj = reject_manual_journal(mj, by=make_user("ketua", koperasi=koperasi), reason="salah akun")
        assert mj.status == "rejected" and not JournalEntry.objects.exists()


@pytest.mark.django_db
class TestCash:
    def test_cash_count_short_and_over(self, koperasi):
        simple(koperasi, dt.date(2026, 3, 1), "500000", debit="1103", credit="4112", unit=Unit.SEMBAKO)
        cc = record_cash_count(koperasi, date=dt.date(2026, 3, 1), account="1103", counted=D("495000"),
                               unit=Unit.SEMBAKO)
        assert cc.difference == D("-5000") and cc.entry is not None
        assert queries.account_balance(koperasi, "6115") == D("5000")
        assert queries.account_balance(koperasi, "1103") == D("495000")
        cc = record_cash_count(koperasi, date=dt.date(2026, 3, 2), account="1103", counted=D("495100"))
        assert cc.difference == D("100") and queries.account_balance(koperasi, "4203") == D("100")
        cc = record_cash_count(koperasi, date=dt.date(2026, 3, 3), account="1103", counted=D("495100"))
        assert cc.difference == 0 and cc.entry is None
        with pytest.raises(DomainError) as exc:
            record_cash_count(koperasi, date=dt.date(2026, 3, 3), account="4112", counted=D("1"))
        assert exc.value.code == "not_cash"

    def test_transfer_between_units(self, koperasi):
        simple(koperasi, dt.date(2026, 3, 1), "500000", debit="1103", credit="4112", unit=Unit.SEMBAKO)
        transfer_cash(koperasi, date=dt.date(2026, 3, 2), from_account="1103", to_account="1111",
                      amount=D("400000"), from_unit=Unit.SEMBAKO)
        assert queries.account_balance(koperasi, "1111") == D("400000")
        assert queries.account_balance(koperasi, "1103") == D("100000")
        with pytest.raises(DomainError) as exc:
            transfer_cash(koperasi, date=dt.date(2026, 3, 2), from_account="1103", to_account="1111",
                          amount=D("100000.01"))
        assert exc.value.code == "insufficient_cash"


@given(total=st.integers(min_value=0, max_value=10**12),
       weights=st.lists(st.decimals(min_value=0, max_value=10**9, places=2), min_size=1, max_size=30))
@settings(max_examples=60, deadline=None)
def test_largest_remainder_adds_up(total, weights):
    w = {i: x for i, x in enumerate(weights)}
    out = shu.largest_remainder(total, w)
    if total > 0 and sum(weights) > 0:
        assert sum(out.values()) == total
        assert all(v >= 0 for v in out.values())
        assert all(out[i] == 0 for i, x in w.items() if x == 0)
    else:
        assert sum(out.values()) == 0


@pytest.mark.django_db
class TestShu:
    def year(self, k):
        # capital: member 1 pays pokok+wajib in January, member 2 pays pokok on 1 July (half year)
        post(k, date=dt.date(2025, 1, 1), memo="pokok", lines=[Line("1101", debit=D("60000")),
                                                               Line("3101", credit=D("50000"), member_id=1),
                                                               Line("3102", credit=D("10000"), member_id=1)])
        post(k, date=dt.date(2025, 7, 2), memo="pokok", lines=[Line("1101", debit=D("50000")),
                                                               Line("3101", credit=D("50000"), member_id=2)])
        # business: member 1 buys 100.000, member 2 buys 300.000, non-member 1.000.000
        for m, amt in ((1, "100000"), (2, "300000")):
            post(k, date=dt.date(2025, 5, 1), memo="jual", lines=[
                Line("1103", debit=D(amt), unit=Unit.SEMBAKO), Line("4111", credit=D(amt), unit=Unit.SEMBAKO,
                                                                    member_id=m)])
        post(k, date=dt.date(2025, 5, 1), memo="jual", lines=[
            Line("1103", debit=D("1000000.33"), unit=Unit.SEMBAKO), Line("4112", credit=D("1000000.33"),
                                                                         unit=Unit.SEMBAKO)])

    def test_full_cycle(self, koperasi, make_user):
        self.year(koperasi)
        with pytest.raises(DomainError) as exc:
            shu.allocate(koperasi, 2025)
        assert exc.value.code == "year_not_closed"
        yc = close_year(koperasi, 2025)
        assert yc.result == D("1400000.33")
        with pytest.raises(DomainError) as exc:
            shu.allocate(koperasi, 2025)
        assert exc.value.code == "rat_required"
        with pytest.raises(DomainError) as exc:  # no quorum
            rat.record_meeting(koperasi, year=2025, date=dt.date(2026, 3, 1), members_total=10, attendance=3,
                               shu_approved=True)
        assert exc.value.code == "no_quorum"
        with pytest.raises(DomainError) as exc:
            rat.record_meeting(koperasi, year=2025, date=dt.date(2025, 12, 1), members_total=10, attendance=8)
        assert exc.value.code == "rat_too_early"
        meeting = rat.record_meeting(koperasi, year=2025, date=dt.date(2026, 3, 1), members_total=10,
                                     attendance=8, statements_approved=True, shu_approved=True,
                                     decisions="SHU dibagi sesuai AD/ART")
        assert rat.last_rat_date(koperasi) == dt.date(2026, 3, 1)
        alloc = shu.allocate(koperasi, 2025, meeting=meeting)
        parts = {p["field"]: D(p["amount"]) for p in alloc.parts}
        assert sum(parts.values()) == D("1400000.33")
        # default by-laws: cadangan 30, modal 15, usaha 25, pengurus 5, karyawan 5, pendidikan 5, sosial 5, pemb 10
        assert parts["shu_jasa_modal"] == D("210000") and parts["shu_jasa_usaha"] == D("350000")
        assert parts["shu_cadangan"] == D("420000.33")
        shares = {s.member_id: s for s in ShuMemberShare.objects.filter(allocation=alloc)}
        assert shares[1].jasa_usaha == D("87500") and shares[2].jasa_usaha == D("262500")
        # average capital: member 1 60.000 all year; member 2 50.000 × 183/365
        assert shares[1].capital_avg == D("60000.00")
        assert shares[2].capital_avg == (D(50000) * 183 / 365).quantize(D("0.01"))
        assert shares[1].jasa_modal + shares[2].jasa_modal == D("210000")
        assert shares[1].jasa_modal > shares[2].jasa_modal
        assert queries.account_balance(koperasi, "3401") == 0
        assert queries.account_balance(koperasi, "3201") == D("420000.33")
        assert queries.member_balance(koperasi, "2121", 2) == shares[2].total
        with pytest.raises(DomainError):
            shu.allocate(koperasi, 2025, meeting=meeting)
        data = shu.member_shu(koperasi, 2025, 1)
        assert data["total"] == shares[1].total and not data["paid"]
        assert shu.slip_pdf(koperasi, 2025, 1).startswith(b"%PDF")
        shu.pay_out(alloc, mode="sukarela", date=dt.date(2026, 3, 5))
        assert queries.member_balance(koperasi, "2101", 1) == shares[1].total
        assert queries.account_balance(koperasi, "2121") == 0
        assert shu.member_shu(koperasi, 2025, 1)["paid"]
        with pytest.raises(DomainError):
            shu.pay_out(alloc, mode="cash", date=dt.date(2026, 3, 5))
        assert rat.rat_pack_pdf(koperasi, 2025).startswith(b"%PDF")
        assert shu.member_shu(koperasi, 2025, 99) is None

    def test_loss_year_has_nothing_to_share(self, koperasi):
        post(koperasi, date=dt.date(2025, 5, 1), memo="gaji", lines=[Line("6101", debit=D("1000")),
                                                                    Line("1101", credit=D("1000"))])
        close_year(koperasi, 2025)
        rat.record_meeting(koperasi, year=2025, date=dt.date(2026, 3, 1), members_total=2, attendance=2,
                           shu_approved=True)
        with pytest.raises(DomainError) as exc:
            shu.allocate(koperasi, 2025)
        assert exc.value.code == "no_shu"

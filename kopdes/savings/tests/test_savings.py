import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kopdes.core.errors import Conflict, DomainError
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.queries import account_balance, member_balance
from kopdes.members import services as msvc
from kopdes.members.debts import Debt, register_debt_provider, unregister_debt_provider
from kopdes.members.tests.factories import new_active_member, new_member
from kopdes.savings import services as s
from kopdes.savings.models import Receipt, SavingsTransaction, WajibDue

pytestmark = pytest.mark.django_db
D = Decimal


def _ledger_is_balanced(k):
    from django.db.models import Sum

    agg = JournalLine.objects.filter(koperasi=k).aggregate(d=Sum("debit"), c=Sum("credit"))
    assert agg["d"] == agg["c"]


def _statement_matches_ledger(m):
    bal = s.balances(m)
    for kind, code in (("pokok", "3101"), ("wajib", "3102"), ("sukarela", "2101")):
        assert member_balance(m.koperasi, code, m.pk) == bal[kind], kind
    return bal


def test_pokok_activates_once(koperasi):
    m = new_member(koperasi)
    r = s.pay_pokok(m, client_key="k1")
    m.refresh_from_db()
    assert m.status == "aktif" and m.joined_on == timezone.localdate()
    assert r.amount == D("50000") and r.number.startswith("BS-")
    assert account_balance(koperasi, "3101") == D("50000")
    assert account_balance(koperasi, "1104") == D("50000")
    # same key: the same receipt, nothing posted twice
    assert s.pay_pokok(m, client_key="k1").pk == r.pk
    with pytest.raises(DomainError) as exc:
        s.pay_pokok(m, client_key="k2")
    assert exc.value.code == "pokok_already_paid" and "sekali" in exc.value.message_id
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == 1
    _statement_matches_ledger(m)


def test_deposit_withdraw_and_refusals(koperasi):
    m = new_active_member(koperasi)
    s.deposit(m, "sukarela", D("200000"), method="transfer", reference="TRX-1")
    s.deposit(m, "wajib", "30.000", method="qris", reference="QR-9")
    with pytest.raises(DomainError) as exc:
        s.deposit(m, "sukarela", D("1000"), method="qris")
    assert exc.value.field == "reference"
    # minimum balance 10.000: at most 190.000 can be withdrawn
    with pytest.raises(DomainError) as exc:
        s.withdraw(m, "sukarela", D("195000"))
    assert exc.value.code == "insufficient_balance" and "190.000" in exc.value.message_id
    assert "Insufficient" in exc.value.message_en
    for kind in ("pokok", "wajib"):
        with pytest.raises(DomainError) as exc:
            s.withdraw(m, kind, D("1000"))
        assert exc.value.code == "not_withdrawable"
    r = s.withdraw(m, "sukarela", D("190000"), client_key="w1")
    assert r.balance_after == D("10000")
    assert s.withdraw(m, "sukarela", D("190000"), client_key="w1").pk == r.pk  # retried: replayed
    with pytest.raises(Conflict):
        s.withdraw(m, "sukarela", D("5000"), client_key="w1")
    bal = _statement_matches_ledger(m)
    assert bal == {"pokok": D("50000"), "wajib": D("30000"), "sukarela": D("10000")}
    from kopdes.savings.statement import member_statement

    st = member_statement(m)
    assert st.closing == bal and st.closing_total == D("90000") and len(st.rows) == 4
    assert [r.total for r in st.rows] == [D("50000"), D("250000"), D("280000"), D("90000")]
    assert st.rows[-1].balance == D("10000") and st.rows[-1].type_label == "Penarikan"
    assert account_balance(koperasi, "1111") == D("200000")
    assert account_balance(koperasi, "1112") == D("30000")
    assert account_balance(koperasi, "1104") == D("50000") - D("190000")
    _ledger_is_balanced(koperasi)
    # refused operations left nothing behind
    assert Receipt.objects.filter(koperasi=koperasi).count() == 4


def test_calon_cannot_deposit_wajib(koperasi):
    m = new_member(koperasi)
    with pytest.raises(DomainError) as exc:
        s.deposit(m, "wajib", D("10000"))
    assert exc.value.code == "not_member"
    assert not SavingsTransaction.objects.exists()


def test_billing_run_idempotent_arrears_and_autodebit(koperasi):
    today = timezone.localdate()
    period = today.replace(day=1)
    first = (period - dt.timedelta(days=1)).replace(day=1)
    a = new_active_member(koperasi, date=first)
    b = new_active_member(koperasi, date=first)
    c = new_active_member(koperasi, date=first)
    msvc.update_member(c, {"wajib_autodebit": True})
    s.deposit(c, "sukarela", D("100000"), date=first)
    run1, created = s.run_billing(koperasi, first)
    assert created and run1.members_billed == 3 and run1.amount_billed == D("30000")
    assert run1.autodebit_count == 1 and run1.autodebit_amount == D("10000")
    again, created = s.run_billing(koperasi, first)
    assert not created and again.pk == run1.pk
    assert WajibDue.objects.filter(koperasi=koperasi).count() == 3
    s.run_billing(koperasi, period)
    assert WajibDue.objects.filter(koperasi=koperasi).count() == 6
    arr = s.arrears(koperasi)
    assert arr == {a.pk: D("20000"), b.pk: D("20000")}  # c paid both months from sukarela
    # a pays 25.000: two months cleared, 5.000 towards next month
    s.deposit(a, "wajib", D("25000"))
    assert s.arrears(koperasi) == {b.pk: D("20000")}
    assert s.member_arrears(b) == (D("20000"), 2)
    nxt = WajibDue.objects.get(member=a, period=s.next_month(period))
    assert nxt.paid == D("5000") and nxt.status == "open"
    for m in (a, b, c):
        _statement_matches_ledger(m)
    assert s.balances(c)["sukarela"] == D("80000")
    _ledger_is_balanced(koperasi)
    with pytest.raises(DomainError):
        s.run_billing(koperasi, s.next_month(period))


def test_jasa_lowest_balance_with_tax(koperasi):
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    small = new_active_member(koperasi, date=month)
    big = new_active_member(koperasi, date=month)
    s.deposit(small, "sukarela", D("1200000"), date=month)
    s.deposit(big, "sukarela", D("200000000"), date=month)
    s.deposit(big, "sukarela", D("100000000"), date=month + dt.timedelta(days=10))
    with pytest.raises(DomainError) as exc:
        s.run_jasa(koperasi, month)
    assert exc.value.code == "jasa_disabled"
    s.update_settings(koperasi, jasa_enabled=True, jasa_rate_annual=D("6"), jasa_basis="terendah")
    run, created = s.run_jasa(koperasi, month)
    assert created
    # small: 1.200.000 × 6% / 12 = 6.000, under the threshold: no tax
    # big: lowest 200.000.000 × 6% / 12 = 1.000.000 > 240.000: 10% tax = 100.000
    assert run.gross_total == D("1006000") and run.tax_total == D("100000")
    assert s.balances(small)["sukarela"] == D("1206000")
    assert s.balances(big)["sukarela"] == D("300900000")
    assert account_balance(koperasi, "6111") == D("1006000")
    assert account_balance(koperasi, "2112") == D("100000")
    assert s.run_jasa(koperasi, month)[1] is False
    for m in (small, big):
        _statement_matches_ledger(m)
    _ledger_is_balanced(koperasi)


def test_jasa_average_basis(koperasi):
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    days = (today.replace(day=1) - month).days
    m = new_active_member(koperasi, date=month)
    s.deposit(m, "sukarela", D("1000000"), date=month)
    s.deposit(m, "sukarela", D("1000000"), date=month + dt.timedelta(days=days - 1))  # last day only
    s.update_settings(koperasi, jasa_enabled=True, jasa_rate_annual=D("12"), jasa_basis="rata_rata")
    run, _ = s.run_jasa(koperasi, month)
    avg = D("1000000") + D("1000000") / days
    from kopdes.core.money import round_rupiah

    assert run.gross_total == round_rupiah(avg * D("0.01"))


def test_exit_settlement_with_debt_and_payout(koperasi):
    m = new_active_member(koperasi)
    s.deposit(m, "wajib", D("40000"))
    s.deposit(m, "sukarela", D("60000"))

    def outstanding(member):
        if member.pk != m.pk:
            return []
        return [Debt(source="test.Loan:1", label="Pinjaman uji", amount=D("70000"), account="1131",
                     unit="simpan_pinjam")]

    offsets = []
    register_debt_provider("test", outstanding, lambda member, debt, amount, entry: offsets.append(amount))
    try:
        st = msvc.exit_member(m, reason="keluar", note="pindah domisili")
    finally:
        unregister_debt_provider("test")
    assert (st.pokok, st.wajib, st.sukarela) == (D("50000"), D("40000"), D("60000"))
    assert st.offset_total == D("70000") and st.net_refund == D("80000")
    assert offsets == [D("70000")]
    assert s.balances(m) == {"pokok": 0, "wajib": 0, "sukarela": 0}
    _statement_matches_ledger(m)
    assert member_balance(koperasi, "2115", m.pk) == D("80000")
    assert member_balance(koperasi, "1131", m.pk) == D("-70000")  # the loan receivable was credited
    with pytest.raises(DomainError):
        msvc.pay_settlement(st, method="transfer")  # reference missing
    msvc.pay_settlement(st, method="tunai")
    assert member_balance(koperasi, "2115", m.pk) == 0
    with pytest.raises(DomainError) as exc:
        msvc.pay_settlement(st)
    assert exc.value.code == "already_paid"
    with pytest.raises(DomainError):
        s.deposit(m, "sukarela", D("1000"))
    _ledger_is_balanced(koperasi)


def test_exit_debts_exceed_savings(koperasi):
    m = new_active_member(koperasi)
    register_debt_provider("test", lambda member: [Debt("x:1", "Bon gerai", D("80000"), "1141", "sembako")])
    try:
        st = msvc.exit_member(m, reason="diberhentikan")
    finally:
        unregister_debt_provider("test")
    assert st.offset_total == D("50000") and st.net_refund == 0 and st.debt_total == D("80000")
    assert st.is_paid


def test_shu_credited_to_sukarela_reaches_the_passbook_and_reconciles(koperasi):
    """The ledger's SHU payout to simpanan sukarela (Dr 2121 / Cr 2101 per member) writes passbook rows, so the
    member sees it and can withdraw it; a 2101 member line without a passbook row is reported by ledger-check."""
    from kopdes.ledger.integrity import check_integrity
    from kopdes.ledger.services import Line, post

    a, b = new_active_member(koperasi), new_active_member(koperasi)
    s.deposit(a, "sukarela", D("20000"))
    assert s.reconcile_with_ledger(koperasi) == [] and check_integrity(koperasi) == []
    day = timezone.localdate()
    entry = post(koperasi, date=day, memo="Pembayaran SHU tahun buku 2025 (ke simpanan sukarela)",
                 source="ledger.ShuPayout", source_id="2025", lines=[
                     Line("2121", debit=D("125000.50"), member_id=a.pk), Line("2121", debit=D("80000"), member_id=b.pk),
                     Line("2101", credit=D("125000.50"), member_id=a.pk),
                     Line("2101", credit=D("80000"), member_id=b.pk)])
    problems = s.reconcile_with_ledger(koperasi)
    assert len(problems) == 2 and f"member {a.pk} account 2101: passbook 20000" in problems[0]
    assert any("passbook" in p for p in check_integrity(koperasi))
    assert s.record_shu_credits(koperasi, entry, {a.pk: D("125000.50"), b.pk: D("80000"), 999999: D("1")},
                                date=day, year=2025) == 2  # an unknown member id writes nothing
    assert s.reconcile_with_ledger(koperasi) == [] and check_integrity(koperasi) == []
    assert _statement_matches_ledger(a)["sukarela"] == D("145000.50")
    row = SavingsTransaction.objects.get(member=b, type="shu")
    assert row.amount == D("80000") and row.entry_id == entry.pk and row.memo == "SHU tahun buku 2025"
    s.withdraw(b, "sukarela", D("70000"))  # the SHU can be taken out at the counter (minimum balance 10.000)
    _statement_matches_ledger(b)

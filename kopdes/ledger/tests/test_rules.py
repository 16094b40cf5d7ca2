"""Issue 14 item 14: the ledger's permission rules live in ledger.rules and the services check them too, so a
caller that skips the views (API, CLI, a new page) cannot approve a manual journal without the checker's role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from kopdes.core.errors import DomainError, PermissionDeniedError
from kopdes.ledger import queries, rules
from kopdes.ledger.models import JournalEntry, ManualJournal
from kopdes.ledger.services import (
    approve_manual_journal,
    close_year,
    create_manual_journal,
    reject_manual_journal,
)

pytestmark = pytest.mark.django_db

LINES = [{"account": "6102", "debit": "250000", "unit": "kantor"}, {"account": "1101", "credit": "250000"}]


def _mj(koperasi, maker):
    return create_manual_journal(koperasi, date=dt.date(2026, 2, 3), memo="Listrik", lines=LINES, by=maker)


@pytest.mark.parametrize("role,unit", [("operator", "kantor"), ("operator", "sembako"), ("pengawas", ""),
                                       ("anggota", "")])
def test_the_service_refuses_a_checker_without_the_role(koperasi, make_user, role, unit):
    mj = _mj(koperasi, make_user("bendahara", koperasi=koperasi))
    other = make_user(role, koperasi=koperasi, unit=unit)
    with pytest.raises(PermissionDeniedError) as exc:
        approve_manual_journal(mj, by=other)
    assert exc.value.code == "not_checker" and exc.value.status == 403
    assert exc.value.message_id.startswith("Hanya pengurus") and exc.value.message_en.startswith("Only the board")
    with pytest.raises(PermissionDeniedError):
        reject_manual_journal(mj, by=other, reason="tidak")
    mj.refresh_from_db()
    assert mj.status == ManualJournal.Status.SUBMITTED and mj.checker_id is None
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()


def test_a_user_of_another_cooperative_cannot_check(koperasi, other_koperasi, make_user):
    mj = _mj(koperasi, make_user("bendahara", koperasi=koperasi))
    with pytest.raises(PermissionDeniedError):
        approve_manual_journal(mj, by=make_user("ketua", koperasi=other_koperasi))
    with pytest.raises(PermissionDeniedError):
        approve_manual_journal(mj, by=make_user("dinas_kabupaten", region="16.02"))  # supervisors only read


@pytest.mark.parametrize("role", ["ketua", "sekretaris", "manajer"])
def test_pengurus_or_manajer_checks(koperasi, make_user, role):
    mj = _mj(koperasi, make_user("bendahara", koperasi=koperasi))
    mj = approve_manual_journal(mj, by=make_user(role, koperasi=koperasi))
    assert mj.status == ManualJournal.Status.POSTED
    assert queries.account_balance(koperasi, "6102") == D("250000")


def test_the_maker_rule_still_comes_first(koperasi, make_user):
    ketua = make_user("ketua", koperasi=koperasi)
    mj = _mj(koperasi, ketua)
    with pytest.raises(DomainError) as exc:
        approve_manual_journal(mj, by=ketua)
    assert exc.value.code == "maker_is_checker"


def test_the_page_hides_the_buttons_and_the_post_is_refused_for_a_kantor_operator(koperasi, make_user, client_as):
    mj = _mj(koperasi, make_user("bendahara", koperasi=koperasi))
    c = client_as(make_user("operator", koperasi=koperasi, unit="kantor"))
    url = f"/k/{koperasi.slug}/akuntansi/memorial/{mj.pk}/"
    r = c.get(url)
    assert r.status_code == 200 and 'value="approve"' not in r.content.decode()
    c.post(url, {"action": "approve"})
    mj.refresh_from_db()
    assert mj.status == ManualJournal.Status.SUBMITTED
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()


def test_the_rules_module_answers_for_an_access(koperasi, make_user):
    acc = rules.access_of(make_user("operator", koperasi=koperasi, unit="kantor"), koperasi)
    assert rules.can_write(acc) and not rules.can_check_manual_journal(acc) and not rules.can_close_year(acc)
    acc = rules.access_of(make_user("manajer", koperasi=koperasi), koperasi)
    assert rules.can_check_manual_journal(acc) and not rules.can_close_year(acc)


def test_close_year_by_a_person_needs_pengurus(koperasi, make_user):
    with pytest.raises(PermissionDeniedError) as exc:
        close_year(koperasi, 2025, by=make_user("manajer", koperasi=koperasi))
    assert exc.value.code == "not_pengurus"


def test_year_end_work_by_a_person_needs_pengurus(koperasi, make_user):
    from kopdes.ledger import rat, shu
    from kopdes.ledger.models import AnnualMeeting, ShuAllocation

    manajer = make_user("manajer", koperasi=koperasi)
    with pytest.raises(PermissionDeniedError):
        rat.record_meeting(koperasi, year=2025, date=dt.date(2026, 3, 1), members_total=10, attendance=8,
                           statements_approved=True, shu_approved=True, by=manajer)
    assert not AnnualMeeting.objects.filter(koperasi=koperasi).exists()
    with pytest.raises(PermissionDeniedError):
        shu.allocate(koperasi, 2025, by=make_user("operator", koperasi=koperasi, unit="kantor"))
    assert not ShuAllocation.objects.filter(koperasi=koperasi).exists()

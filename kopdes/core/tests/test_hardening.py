"""Issue 14 hardening in core: roles end now, login lock-out counted atomically and per address."""

from __future__ import annotations

import pytest

from kopdes.core.access import accessible_koperasi, get_access
from kopdes.core.models import RoleAssignment

pytestmark = pytest.mark.django_db


def test_ending_a_role_ends_access_now_not_at_midnight(koperasi, make_user, client_as):
    ketua = make_user("ketua", koperasi=koperasi)
    kasir = make_user("operator", koperasi=koperasi, unit="sembako")
    c = client_as(kasir)
    assert c.get(f"/k/{koperasi.slug}/").status_code == 200
    ra = RoleAssignment.objects.get(user=kasir)
    c.force_login(ketua)
    r = c.post(f"/k/{koperasi.slug}/pengguna/", {"action": "end", "assignment": ra.pk})
    assert r.status_code == 302
    assert get_access(kasir, koperasi) is None
    assert not accessible_koperasi(kasir).exists()
    assert not RoleAssignment.objects.get(pk=ra.pk).is_active
    c.force_login(kasir)
    assert c.get(f"/k/{koperasi.slug}/").status_code == 404
    # the list of active roles no longer shows it; the history does
    c.force_login(ketua)
    assert kasir.username not in c.get(f"/k/{koperasi.slug}/pengguna/").content.decode()
    assert kasir.username in c.get(f"/k/{koperasi.slug}/pengguna/?tampil=semua").content.decode()


# --- item 4: login lock-out counted before the password is checked, and per address -------------------------------

def _login(client, ident, password, **extra):
    return client.post("/masuk/", {"username": ident, "password": password}, **extra)


def test_guesses_from_one_address_over_many_accounts_lock_the_address(client, make_user, koperasi):
    from kopdes.core import throttle

    budi = make_user("bendahara", koperasi=koperasi, username="budi")
    for i in range(throttle.MAX_IP_FAILURES):
        r = _login(client, f"orang{i}", "salah", REMOTE_ADDR="203.0.113.7")
        assert "Terlalu banyak" not in r.content.decode()
    r = _login(client, "budi", "rahasia-123", REMOTE_ADDR="203.0.113.7")  # the address is locked for every account
    assert r.status_code == 200 and "Terlalu banyak percobaan" in r.content.decode()
    assert _login(client, "budi", "rahasia-123", REMOTE_ADDR="198.51.100.9").status_code == 302
    assert client.session["_auth_user_id"] == str(budi.pk)


def test_x_forwarded_for_from_a_client_does_not_pick_the_address(client, db):
    from kopdes.core import throttle

    for i in range(throttle.MAX_IP_FAILURES):
        _login(client, f"orang{i}", "salah", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    r = _login(client, "lain", "salah", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert "Terlalu banyak percobaan" in r.content.decode()
    # behind the trusted local proxy the address it appended is the client's
    r = _login(client, "lain2", "salah", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1")
    assert "Sisa percobaan: 4" in r.content.decode()


def _guess_burst(koperasi, passwords: list[str]):
    from django.test import Client

    from kopdes.core import services
    from kopdes.core.testing import race

    services.create_user_with_role(role="bendahara", koperasi=koperasi, username="budi", password="rahasia-123")

    def guess(password: str, n: int):
        r = Client(REMOTE_ADDR=f"198.51.100.{n}").post("/masuk/", {"username": "budi", "password": password})
        return r.status_code, "Terlalu banyak" in r.content.decode()

    results = race([(lambda n=n, p=p: guess(p, n)) for n, p in enumerate(passwords)])
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixty_wrong_guesses_at_once_get_exactly_five_evaluations(koperasi):
    from django.db import connection

    from kopdes.core.models import AuditLog

    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    results = _guess_burst(koperasi, ["salah"] * 60)
    assert AuditLog.objects.filter(action="login_failed").count() == 5
    # four answers say how many tries are left; the fifth and the 55 refused unseen say "locked"
    assert sorted(results).count((200, False)) == 4 and results.count((200, True)) == 56


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_right_password_inside_a_burst_neither_errs_nor_reopens_the_count(koperasi):
    """59 wrong + 1 right at once (the issue measured 36 wrong evaluated). The right one is either one of the five
    evaluated or refused as locked; it resets the count only when no guess was reserved after it, so the worst case
    is four wrong before it and five after (an account whose owner has just logged in starts over)."""
    from django.db import connection

    from kopdes.core.models import AuditLog

    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    results = _guess_burst(koperasi, ["salah"] * 59 + ["rahasia-123"])
    wrong_checked = AuditLog.objects.filter(action="login_failed").count()
    logged_in = sum(1 for r in results if r[0] == 302)
    assert logged_in <= 1
    assert wrong_checked <= (2 * 5 - 1 if logged_in else 5), (wrong_checked, results)


# --- item 15: NIK digits, birth century, minimum age -------------------------------------------------------------

def test_nik_and_kk_accept_ascii_digits_only(koperasi):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from kopdes.core.errors import DomainError
    from kopdes.core.identity import make_nik, parse_nik
    from kopdes.members.tests.factories import member_data, new_member

    nik = make_nik("16.02.04", dt.date(1980, 5, 17), "L", 12)
    for odd in ("١", "୧", "１"):  # Arabic-Indic, Oriya, full-width one
        with pytest.raises(ValidationError):
            parse_nik(nik[:-1] + odd)
    with pytest.raises(DomainError) as e:
        new_member(koperasi, kk="160204010108000١")
    assert e.value.field == "kk"
    with pytest.raises(DomainError) as e:
        new_member(koperasi, rt="୧")
    assert e.value.field == "rt"
    data = member_data()
    with pytest.raises(DomainError) as e:
        new_member(koperasi, nik=data["nik"][:-2] + "٠١", birth_date=data["birth_date"])
    assert e.value.field == "nik"


def test_birth_century_comes_from_the_typed_date_and_is_never_in_the_future(koperasi):
    import datetime as dt

    from kopdes.core.identity import make_nik, parse_nik, validate_nik
    from kopdes.members.tests.factories import new_member

    old = dt.date(1925, 6, 10)
    nik = make_nik("16.02.04", old, "P", 31)
    assert validate_nik(nik, birth_date=old, sex="P").birth_date == old
    m = new_member(koperasi, nik=nik, birth_date=old, sex="P")
    assert m.birth_date == old
    # without a typed date: 2000s unless that is in the future
    later_this_year = make_nik("16.02.04", dt.date(1926, 7, 7), "L", 32)
    assert parse_nik(later_this_year, today=dt.date(2026, 3, 1)).birth_date == dt.date(1926, 7, 7)
    assert parse_nik(later_this_year, today=dt.date(2026, 8, 1)).birth_date == dt.date(2026, 7, 7)


def test_members_must_be_seventeen_on_the_day_they_register(koperasi):
    import datetime as dt

    from kopdes.core.errors import DomainError
    from kopdes.core.identity import MIN_MEMBER_AGE
    from kopdes.members.tests.factories import new_member

    day = dt.date(2026, 3, 2)
    young = dt.date(day.year - MIN_MEMBER_AGE, day.month, day.day + 1)  # turns 17 tomorrow
    with pytest.raises(DomainError) as e:
        new_member(koperasi, birth=young, registered_on=day)
    assert e.value.field == "birth_date" and e.value.code == "too_young" and "17 tahun" in e.value.message_id
    m = new_member(koperasi, birth=young - dt.timedelta(days=1), registered_on=day)
    assert m.birth_date == dt.date(2009, 3, 2)

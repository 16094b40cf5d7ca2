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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixty_guesses_at_once_get_at_most_five_evaluations(koperasi):
    from django.db import connection
    from django.test import Client

    from kopdes.core import services
    from kopdes.core.models import AuditLog
    from kopdes.core.testing import race

    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    services.create_user_with_role(role="bendahara", koperasi=koperasi, username="budi", password="rahasia-123")

    def guess(password: str, n: int):
        r = Client(REMOTE_ADDR=f"198.51.100.{n}").post("/masuk/", {"username": "budi", "password": password})
        return r.status_code, "Terlalu banyak" in r.content.decode()

    results = race([(lambda n=n: guess("salah", n)) for n in range(59)] + [lambda: guess("rahasia-123", 99)])
    assert not [r for r in results if isinstance(r, Exception)], results
    evaluated = [r for r in results if r[0] == 302 or not r[1]]
    wrong_checked = AuditLog.objects.filter(action="login_failed").count()
    logged_in = sum(1 for r in results if r[0] == 302)
    assert wrong_checked + logged_in <= 5, (wrong_checked, logged_in, results)
    assert len(evaluated) <= 5 + 1, results

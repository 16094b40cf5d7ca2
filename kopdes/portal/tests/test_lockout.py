"""Lock-out: unknown identifiers answer like wrong PINs; the operator's unlock opens both the portal and /masuk/."""

from __future__ import annotations

import pytest

from kopdes.core.errors import DomainError
from kopdes.portal import services
from kopdes.portal.models import PortalLogin

pytestmark = pytest.mark.django_db
PIN = "kebun-2026"


def test_unknown_identifier_is_answered_like_a_wrong_pin_and_locks(client, koperasi, make_member, activated):
    m = make_member(koperasi)
    activated(m)
    known = client.post("/portal/masuk/", {"identifier": m.number, "pin": "salah-salah", "k": koperasi.slug})
    unknown = client.post("/portal/masuk/", {"identifier": "99999", "pin": "salah-salah", "k": koperasi.slug})
    assert "Sisa percobaan: 4" in known.content.decode()
    assert "Sisa percobaan: 4" in unknown.content.decode()  # existence is not revealed
    for i in range(services.MAX_FAILURES - 1):
        with pytest.raises(DomainError) as e:
            services.login_member("99999", "salah-salah", koperasi)
        assert e.value.code == ("locked" if i == services.MAX_FAILURES - 2 else "bad_login")
    with pytest.raises(DomainError) as e:
        services.login_member("99999", "salah-salah", koperasi)
    assert e.value.code == "locked" and "menit" in e.value.message_id and "minutes" in e.value.message_en
    # the same member number in another cooperative is a different identifier
    with pytest.raises(DomainError) as e:
        services.login_member("99999", "salah-salah", None)
    assert e.value.code == "bad_login"
    # an unknown phone number shares its counter with the staff login page
    for _ in range(services.MAX_FAILURES):
        with pytest.raises(DomainError):
            services.login_member("081399998888", "salah-salah")
    r = client.post("/masuk/", {"username": "081399998888", "password": "x"})
    assert "Terlalu banyak percobaan" in r.content.decode()


def test_operator_unlock_opens_portal_and_general_login(client, koperasi, make_member, make_user, activated):
    m = make_member(koperasi, phone="081366667777")
    user = activated(m)
    for _ in range(services.MAX_FAILURES):
        client.post("/masuk/", {"username": "081366667777", "password": "salah-salah"})
    assert PortalLogin.objects.get(user=user).is_locked
    with pytest.raises(DomainError) as e:
        services.login_member("081366667777", PIN)
    assert e.value.code == "locked"
    client.force_login(make_user("operator", koperasi=koperasi, unit="simpan_pinjam"))
    r = client.post(f"/k/{koperasi.slug}/portal/anggota/{m.pk}/kode/", {"action": "unlock"})
    assert r.status_code == 302
    client.logout()
    assert services.login_member("081366667777", PIN) == user
    r = client.post("/masuk/", {"username": "081366667777", "password": PIN})
    assert r.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)


def _lock_via_portal(client, m):
    for _ in range(services.MAX_FAILURES):
        client.post("/portal/masuk/", {"identifier": m.number, "pin": "salah-salah", "k": m.koperasi.slug})


def test_a_locked_login_answers_the_right_pin_like_a_wrong_one_on_every_door(client, koperasi, make_member,
                                                                            activated):
    m = make_member(koperasi, phone="081355551111")
    user = activated(m)
    _lock_via_portal(client, m)
    # /masuk/: the same answer for the right and a wrong PIN (no 302 for the right one), nobody logged in
    right = client.post("/masuk/", {"username": "081355551111", "password": PIN})
    wrong = client.post("/masuk/", {"username": "081355551111", "password": "salah-lagi"})
    assert right.status_code == wrong.status_code == 200
    assert "Terlalu banyak percobaan" in right.content.decode() and "Terlalu banyak" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    # the portal login: the same
    right = client.post("/portal/masuk/", {"identifier": m.number, "pin": PIN, "k": koperasi.slug})
    wrong = client.post("/portal/masuk/", {"identifier": m.number, "pin": "salah-lagi", "k": koperasi.slug})
    assert right.status_code == wrong.status_code == 200
    assert "dikunci" in right.content.decode() and "dikunci" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    # a member already signed in (another phone) cannot test PINs through "change PIN" while locked
    client.force_login(user)
    r = client.post("/portal/akun/", {"old": PIN, "pin": "sawah-2027", "pin2": "sawah-2027"})
    assert r.status_code == 200 and "dikunci" in r.content.decode()
    user.refresh_from_db()
    assert user.check_password(PIN)


def test_wrong_old_pins_on_change_pin_count_towards_the_lock(client, koperasi, make_member, activated):
    m = make_member(koperasi, phone="081355552222")
    user = activated(m)
    client.force_login(user)
    for _ in range(services.MAX_FAILURES):
        client.post("/portal/akun/", {"old": "tebak-tebak", "pin": "sawah-2027", "pin2": "sawah-2027"})
    client.logout()
    r = client.post("/portal/masuk/", {"identifier": m.number, "pin": PIN, "k": koperasi.slug})
    assert r.status_code == 200 and "dikunci" in r.content.decode()

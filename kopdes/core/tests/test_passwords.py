"""Every path that sets a staff password runs Django's password validators (settings.AUTH_PASSWORD_VALIDATORS),
and says why in Indonesian and English."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from kopdes.core import services
from kopdes.core.errors import DomainError
from kopdes.core.models import Role, RoleAssignment, User

WEAK = "12345678"  # 8 characters, so the form's min_length alone lets it through
ID_COMMON, EN_COMMON = "Kata sandi ini terlalu umum", "This password is too common"
ID_NUMERIC, EN_NUMERIC = "seluruhnya terdiri dari angka", "entirely numeric"


@pytest.mark.django_db
def test_service_refuses_weak_password_in_both_languages():
    with pytest.raises(DomainError) as exc:
        services.create_user(username="lemah", password=WEAK)
    err = exc.value
    assert err.field == "password" and err.code == "weak_password"
    assert ID_COMMON in err.message_id and ID_NUMERIC in err.message_id
    assert EN_COMMON in err.message_en and EN_NUMERIC in err.message_en
    assert not User.objects.filter(username="lemah").exists()


@pytest.mark.django_db
def test_service_checks_similarity_to_the_user_and_accepts_a_good_password():
    with pytest.raises(DomainError) as exc:
        services.create_user(username="sitirahayu", full_name="Siti Rahayu", password="sitirahayu")
    assert "mirip" in exc.value.message_id and "similar" in exc.value.message_en
    user = services.create_user(username="siti", password="kebun-padi-2026")
    assert user.check_password("kebun-padi-2026")


@pytest.mark.django_db
def test_role_with_weak_password_creates_nothing(koperasi):
    with pytest.raises(DomainError):
        services.create_user_with_role(role=Role.BENDAHARA,
                                       koperasi=koperasi, username="lemah", password=WEAK)
    assert not User.objects.filter(username="lemah").exists()
    assert not RoleAssignment.objects.filter(koperasi=koperasi, user__username="lemah").exists()


def _user_form(password: str, username: str = "bendahara2") -> dict:
    return {"username": username, "full_name": "Bendahara Baru", "phone": "", "password": password,
            "role": Role.BENDAHARA, "unit": "", "title": "", "start_date": "2026-01-01", "end_date": ""}


@pytest.mark.django_db
def test_board_user_form_refuses_weak_password(koperasi, make_user, client_as):
    client = client_as(make_user("ketua", koperasi=koperasi))
    r = client.post(f"/k/{koperasi.slug}/pengguna/", _user_form(WEAK))
    assert r.status_code == 200  # the form again, not a redirect
    body = r.content.decode()
    assert ID_COMMON in body and EN_COMMON in body
    assert not User.objects.filter(username="bendahara2").exists()

    r = client.post(f"/k/{koperasi.slug}/pengguna/", _user_form("buku-kas-2026"))
    assert r.status_code == 302
    assert User.objects.get(username="bendahara2").check_password("buku-kas-2026")


@pytest.mark.django_db
def test_createuser_refuses_weak_password(koperasi):
    with pytest.raises(CommandError) as exc:
        call_command("createuser", username="lemah", password=WEAK, role=Role.KETUA, koperasi=koperasi.slug)
    msg = str(exc.value)
    assert ID_COMMON in msg and EN_COMMON in msg
    assert msg.index(ID_COMMON) < msg.index(EN_COMMON)  # Indonesian first
    assert not User.objects.filter(username="lemah").exists()
    call_command("createuser", username="kuat", password="simpan-pinjam-77", role=Role.KETUA,
                 koperasi=koperasi.slug)
    assert User.objects.get(username="kuat").check_password("simpan-pinjam-77")


@pytest.mark.django_db
def test_own_password_change_refuses_weak_password(koperasi, make_user, client_as):
    user = make_user("ketua", koperasi=koperasi)
    client = client_as(user)
    r = client.post("/akun/", {"old_password": "rahasia-123", "new_password1": WEAK, "new_password2": WEAK})
    assert r.status_code == 200
    body = r.content.decode()
    assert ID_COMMON in body and EN_COMMON in body
    user.refresh_from_db()
    assert user.check_password("rahasia-123")

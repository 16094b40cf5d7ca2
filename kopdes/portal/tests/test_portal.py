"""Member portal: activation, PIN, lock-out, member-only data, operator pages, PWA."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kopdes.core.errors import DomainError
from kopdes.core.models import LoginThrottle, Role, RoleAssignment
from kopdes.portal import services
from kopdes.portal.models import ActivationCode, Announcement, PortalLogin

pytestmark = pytest.mark.django_db
PIN = "kebun-2026"


def test_activation_creates_linked_member_login(koperasi, make_member):
    m = make_member(koperasi, phone="081311112222")
    code, raw = services.issue_code(m)
    assert len(raw) == 9 and raw[4] == "-"
    assert code.code_hash != raw and raw.replace("-", "") not in code.code_hash
    user = services.activate(raw.lower().replace("-", " "), "0" + m.phone[2:], PIN, PIN)
    m.refresh_from_db()
    assert m.user == user and user.check_password(PIN)
    assert RoleAssignment.objects.active().filter(user=user, koperasi=koperasi, role=Role.ANGGOTA).exists()
    assert user.phone == m.phone
    code.refresh_from_db()
    assert code.used_at is not None
    with pytest.raises(DomainError) as e:  # one-time
        services.activate(raw, m.number, "lain-lain-9", "lain-lain-9")
    assert e.value.code == "bad_activation"


def test_activation_refuses_wrong_number_and_voids_after_five(koperasi, make_member):
    a = make_member(koperasi)
    b = make_member(koperasi)
    _code, raw = services.issue_code(a)
    for _ in range(services.CODE_MAX_ATTEMPTS):
        with pytest.raises(DomainError):
            services.activate(raw, b.number, PIN, PIN)  # someone else's number
    assert ActivationCode.objects.get().voided_at is not None
    with pytest.raises(DomainError):
        services.activate(raw, a.number, PIN, PIN)  # even the right number: the code is void
    a.refresh_from_db()
    assert a.user is None


@pytest.mark.parametrize("pin,code", [("12345", "pin_short"), ("123456", "pin_weak"), ("111111", "pin_weak"),
                                      ("090382", "pin_weak"), ("abcdefg", "pin_mismatch")])
def test_weak_pins_refused(koperasi, make_member, pin, code):
    m = make_member(koperasi)
    _c, raw = services.issue_code(m)
    with pytest.raises(DomainError) as e:
        services.activate(raw, m.number, pin, pin if code != "pin_mismatch" else "other-pin")
    assert e.value.code == code
    assert ActivationCode.objects.get().used_at is None  # nothing half-done


def test_new_code_voids_previous(koperasi, make_member):
    m = make_member(koperasi)
    _c1, raw1 = services.issue_code(m)
    _c2, raw2 = services.issue_code(m)
    with pytest.raises(DomainError):
        services.activate(raw1, m.number, PIN, PIN)
    assert services.activate(raw2, m.number, PIN, PIN)


def test_staff_member_login_cannot_be_taken_over(koperasi, make_member, make_user):
    from kopdes.members.services import link_user

    ketua = make_user("ketua", koperasi=koperasi)
    m = make_member(koperasi)
    link_user(m, ketua)
    with pytest.raises(DomainError) as e:
        services.issue_code(m)
    assert e.value.code == "staff_account"
    with pytest.raises(DomainError):
        services.reset_pin(m)
    ketua.refresh_from_db()
    assert ketua.check_password("rahasia-123")


def test_login_by_phone_or_number_and_lockout(koperasi, other_koperasi, make_member, activated):
    m = make_member(koperasi, phone="081322223333")
    user = activated(m)
    assert services.login_member("0813-2222-3333".replace("-", ""), PIN) == user
    assert services.login_member(m.number, PIN, koperasi) == user
    assert services.login_member(str(int(m.number)), PIN, koperasi) == user
    with pytest.raises(DomainError):  # member number of another cooperative
        services.login_member(m.number, PIN, other_koperasi)
    for i in range(services.MAX_FAILURES):
        with pytest.raises(DomainError) as e:
            services.login_member(m.number, "salah-salah", koperasi)
        assert e.value.code == ("locked" if i == services.MAX_FAILURES - 1 else "bad_login")
    with pytest.raises(DomainError) as e:  # the right PIN does not help while locked
        services.login_member(m.number, PIN, koperasi)
    assert e.value.code == "locked"
    state = LoginThrottle.objects.get(key=f"user:{user.pk}")  # the account's one lock, shared with /masuk/
    assert state.locked_until - timezone.now() > dt.timedelta(minutes=14)
    LoginThrottle.objects.filter(pk=state.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert services.login_member(m.number, PIN, koperasi) == user


def test_lockout_also_on_general_login_page(client, koperasi, make_member, activated):
    m = make_member(koperasi, phone="081344445555")
    user = activated(m)
    for _ in range(services.MAX_FAILURES):
        r = client.post("/masuk/", {"username": "081344445555", "password": "salah-salah"})
        assert r.status_code == 200
    assert PortalLogin.objects.get(user=user).is_locked
    client.post("/masuk/", {"username": "081344445555", "password": PIN})
    assert "_auth_user_id" not in client.session  # locked: signed out again
    assert client.get("/portal/").status_code == 302


def test_portal_login_page_and_home_redirect(client, koperasi, make_member, activated):
    m = make_member(koperasi)
    activated(m)
    assert client.get("/portal/masuk/").status_code == 200
    r = client.post("/portal/masuk/", {"identifier": m.number, "pin": "salah-salah", "k": koperasi.slug})
    assert r.status_code == 200 and "Sisa percobaan: 4" in r.content.decode()
    r = client.post("/portal/masuk/", {"identifier": m.number, "pin": PIN, "k": koperasi.slug})
    assert r.status_code == 302 and r["Location"] == "/portal/"
    assert client.get("/").url == "/portal/"  # core:home sends an anggota-only user to the portal
    page = client.get("/portal/").content.decode()
    assert m.name in page and "Rp50.000" in page  # simpanan pokok paid at registration


def test_activation_page_logs_in(client, koperasi, make_member):
    m = make_member(koperasi)
    _c, raw = services.issue_code(m)
    r = client.post("/portal/aktivasi/", {"code": raw, "identifier": m.number, "pin": PIN, "pin2": PIN})
    assert r.status_code == 302 and r["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_member_sees_only_own_data(client, koperasi, other_koperasi, make_member, activated):
    from kopdes.savings.services import deposit

    a = make_member(koperasi, name="Siti Pemilik")
    b = make_member(koperasi, name="Budi Tetangga")
    deposit(b, "sukarela", Decimal("777000"))
    deposit(a, "sukarela", Decimal("25000"))
    client.force_login(activated(a))
    page = client.get("/portal/simpanan/").content.decode()
    assert "Rp25.000" in page and "Rp777.000" not in page and "Budi Tetangga" not in page
    # other cooperatives' announcements and other members' records are 404
    foreign = Announcement.objects.create(koperasi=other_koperasi, title="Rahasia koperasi lain", body="x")
    assert client.get(f"/portal/pengumuman/{foreign.pk}/").status_code == 404
    own = Announcement.objects.create(koperasi=koperasi, title="RAT 2026", body="Hadir ya")
    assert client.get(f"/portal/pengumuman/{own.pk}/").status_code == 200
    assert client.get("/portal/pinjaman/999999/").status_code == 404
    # choosing another member's record in the session switcher is refused
    assert client.post("/portal/pilih/", {"member": str(b.pk)}).status_code == 404
    # and the member cannot open staff pages of the cooperative
    assert client.get(f"/k/{koperasi.slug}/").status_code == 404
    assert client.get(f"/k/{koperasi.slug}/portal/").status_code == 404


def test_other_members_loan_is_404(client, koperasi, make_member, activated):
    loans_services = pytest.importorskip("kopdes.loans.services")
    from kopdes.loans.models import Loan

    a = make_member(koperasi)
    b = make_member(koperasi)
    from kopdes.savings.services import deposit

    deposit(b, "sukarela", Decimal("2000000"))
    product = loans_services.default_products(koperasi)[0]
    loan_b = loans_services.apply(koperasi, member=b, product=product, amount=Decimal("1000000"), tenor=10,
                                  purpose="konsumtif", income=Decimal("5000000"), expense=Decimal("2000000"))
    assert Loan.objects.filter(pk=loan_b.pk).exists()
    client.force_login(activated(a))
    assert client.get(f"/portal/pinjaman/{loan_b.pk}/").status_code == 404
    client.force_login(activated(b, pin="sawah-2026"))
    assert client.get(f"/portal/pinjaman/{loan_b.pk}/").status_code == 200


def test_statement_pdf(client, koperasi, make_member, activated):
    from kopdes.savings.services import deposit

    m = make_member(koperasi)
    deposit(m, "sukarela", Decimal("125000"), date=dt.date(2026, 2, 1))
    client.force_login(activated(m))
    r = client.get("/portal/simpanan/rekening.pdf?tahun=2026")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert client.get("/portal/simpanan/rekening.pdf?tahun=1999").status_code == 404


def test_operator_issues_slip_and_resets_pin(client, koperasi, make_member, make_user, activated):
    m = make_member(koperasi)
    user = activated(m)
    kasir = make_user("operator", koperasi=koperasi, unit="simpan_pinjam")
    client.force_login(kasir)
    assert m.name in client.get(f"/k/{koperasi.slug}/portal/?q={m.number}").content.decode()
    r = client.post(f"/k/{koperasi.slug}/portal/anggota/{m.pk}/kode/", {"action": "reset"})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    code = r.content.decode().split('id="activation-code">')[1].split("<")[0]
    user.refresh_from_db()
    assert not user.has_usable_password()  # the old PIN stopped working
    assert services.activate(code, m.number, "baru-sekali-1", "baru-sekali-1") == user


def test_read_only_roles_cannot_issue_codes(client, koperasi, other_koperasi, make_member, make_user):
    m = make_member(koperasi)
    client.force_login(make_user("pengawas", koperasi=koperasi))
    assert client.post(f"/k/{koperasi.slug}/portal/anggota/{m.pk}/kode/", {"action": "aktivasi"}).status_code == 403
    client.force_login(make_user("operator", koperasi=koperasi, unit="sembako"))
    assert client.post(f"/k/{koperasi.slug}/portal/anggota/{m.pk}/kode/", {"action": "aktivasi"}).status_code == 403
    client.force_login(make_user("ketua", koperasi=other_koperasi))
    assert client.post(f"/k/{koperasi.slug}/portal/anggota/{m.pk}/kode/", {"action": "aktivasi"}).status_code == 404
    assert client.post(f"/k/{other_koperasi.slug}/portal/anggota/{m.pk}/kode/").status_code == 404
    assert not ActivationCode.objects.exists()


def test_announcements_managed_by_pengurus(client, koperasi, make_user):
    client.force_login(make_user("operator", koperasi=koperasi, unit="kantor"))
    url = f"/k/{koperasi.slug}/portal/pengumuman/"
    data = {"kind": "rat", "title": "RAT Tahun Buku 2025", "body": "Di balai desa", "published_on": "2026-01-10",
            "event_date": "2026-03-14"}
    assert client.post(url, data).status_code == 403
    client.force_login(make_user("sekretaris", koperasi=koperasi))
    assert client.post(url, data).status_code == 302
    ann = Announcement.objects.get()
    assert ann.koperasi == koperasi and ann.event_date == dt.date(2026, 3, 14)


def test_pwa_manifest_and_service_worker_are_public(client):
    r = client.get("/portal/manifest.webmanifest")
    assert r.status_code == 200 and r["Content-Type"] == "application/manifest+json"
    assert r.json()["start_url"] == "/portal/" and r.json()["display"] == "standalone"
    r = client.get("/portal/sw.js")
    assert r.status_code == 200 and "serviceWorker" not in r.content.decode() and "fetch" in r.content.decode()
    assert r["Service-Worker-Allowed"] == "/portal/"
    for icon in r.client.get("/portal/manifest.webmanifest").json()["icons"]:
        assert client.get(icon["src"]).status_code == 200

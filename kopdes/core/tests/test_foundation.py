"""Regions, cooperatives, roles, access, audit, idempotency, money, NIK, CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from kopdes.core import services
from kopdes.core.access import accessible_koperasi, get_access, supervised_region_codes
from kopdes.core.errors import Conflict, DomainError
from kopdes.core.idempotency import run_idempotent
from kopdes.core.identity import make_nik, parse_nik, validate_nik
from kopdes.core.models import AuditLog, Bylaws, Koperasi, Region, Role, RoleAssignment, User
from kopdes.core.money import format_rupiah, round_rupiah, to_money
from kopdes.core.regions import EXPECTED_COUNTS, load_regions, region_counts
from kopdes.core.units import Unit

# --- regions ---------------------------------------------------------------------------------------------


def test_region_counts_per_level_and_idempotent_reload(db):
    assert region_counts() == EXPECTED_COUNTS == {1: 38, 2: 514, 3: 7285, 4: 83762}
    total = Region.objects.count()
    assert total == 91599
    again = load_regions()
    assert again == EXPECTED_COUNTS
    assert Region.objects.count() == total


def test_region_hierarchy_and_kinds(db):
    desa = Region.objects.get(code="16.02.04.2006")
    assert desa.name == "Surya Adi"
    assert desa.parent_id == "16.02.04"
    assert [r.code for r in desa.ancestors()] == ["16", "16.02", "16.02.04"]
    assert desa.path_label().endswith("Mesuji › Surya Adi")
    assert not desa.is_kelurahan
    kel = Region.objects.filter(level=4, code__regex=r"\.1\d{3}$").first()
    assert kel.is_kelurahan
    assert Region.objects.get(code="16.02").descendants().filter(level=4).count() > 300


# --- cooperatives ------------------------------------------------------------------------------------------


def test_create_koperasi_defaults_and_bylaws(db):
    k = services.create_koperasi("16.02.04.2006")
    assert k.name == "Koperasi Desa Merah Putih Surya Adi"
    assert k.kind == Koperasi.Kind.DESA
    b = k.current_bylaws
    assert b.simpanan_pokok == Decimal("50000") and b.simpanan_wajib_monthly == Decimal("10000")
    assert b.shu_total() == Decimal(100)


def test_one_koperasi_per_desa(koperasi):
    with pytest.raises(DomainError) as exc:
        services.create_koperasi(koperasi.region_id)
    assert "sudah memiliki KDMP" in exc.value.message_id
    assert exc.value.field == "region"
    assert Koperasi.objects.filter(region_id=koperasi.region_id).count() == 1


@pytest.mark.parametrize("code", ["16.02.04", "99.99.99.9999", "bukan-kode"])
def test_koperasi_needs_an_existing_desa(db, code):
    with pytest.raises(DomainError) as exc:
        services.create_koperasi(code)
    assert exc.value.field == "region"
    assert Koperasi.objects.count() == 0


@pytest.mark.parametrize(
    "field,value",
    [("nib", "12345"), ("npwp", "12.345"), ("phone", "12345"), ("postal_code", "0123")],
)
def test_invalid_legal_data_saves_nothing(db, field, value):
    with pytest.raises(DomainError) as exc:
        services.create_koperasi("16.02.04.2006", **{field: value})
    assert exc.value.field == field
    assert Koperasi.objects.count() == 0
    assert Bylaws.objects.count() == 0


def test_valid_legal_formats(db):
    k = services.create_koperasi("16.02.04.2006", nib="1207250012345", npwp="01.234.567.8-901.000",
                                 phone="0812-7300-0000")
    assert k.npwp == "012345678901000"


def test_bylaws_must_sum_to_100(koperasi):
    with pytest.raises(DomainError):
        services.add_bylaws(koperasi, effective_date=dt.date(2026, 1, 1), simpanan_pokok=Decimal(100000),
                            simpanan_wajib_monthly=Decimal(20000), shu_cadangan=Decimal(50))
    assert Bylaws.objects.filter(koperasi=koperasi).count() == 1
    new = services.add_bylaws(koperasi, effective_date=dt.date(2027, 1, 1), simpanan_pokok=Decimal(100000),
                              simpanan_wajib_monthly=Decimal(20000))
    assert koperasi.bylaws_on(dt.date(2027, 2, 1)) == new
    assert koperasi.bylaws_on(dt.date(2026, 12, 31)).simpanan_pokok == Decimal(50000)  # history kept


# --- people and roles ------------------------------------------------------------------------------------


def test_user_without_role_is_refused(db):
    with pytest.raises(DomainError) as exc:
        services.create_user_with_role(role="", username="x", password="rahasia-123")
    assert exc.value.code == "role_required"
    assert not User.objects.filter(username="x").exists()


def test_role_scope_rules(koperasi, db):
    u = services.create_user(username="u1", password="rahasia-123")
    with pytest.raises(DomainError):
        services.assign_role(u, Role.KETUA)  # no cooperative
    with pytest.raises(DomainError):
        services.assign_role(u, Role.DINAS_KABUPATEN, region="16")  # province, not kabupaten
    with pytest.raises(DomainError):
        services.assign_role(u, Role.OPERATOR, koperasi=koperasi)  # operator without unit
    with pytest.raises(DomainError):
        services.assign_role(u, Role.DINAS_PROVINSI, region="16", koperasi=koperasi)
    assert RoleAssignment.objects.filter(user=u).count() == 0
    services.assign_role(u, Role.DINAS_KABUPATEN, region="16.02")
    services.assign_role(u, Role.PENGAWAS, koperasi=koperasi)  # several scopes at once
    assert RoleAssignment.objects.filter(user=u).count() == 2


def test_access_by_role(koperasi, other_koperasi, far_koperasi, make_user):
    ketua = make_user("ketua", koperasi=koperasi)
    kasir = make_user("operator", koperasi=koperasi, unit=Unit.SEMBAKO)
    pengawas = make_user("pengawas", koperasi=koperasi)
    anggota = make_user("anggota", koperasi=koperasi)
    oki = make_user("dinas_kabupaten", region="16.02")
    sumsel = make_user("dinas_provinsi", region="16")
    nasional = make_user("nasional")

    assert set(accessible_koperasi(ketua)) == {koperasi}
    assert set(accessible_koperasi(oki)) == {koperasi, other_koperasi}
    assert set(accessible_koperasi(sumsel)) == {koperasi, other_koperasi}
    assert set(accessible_koperasi(nasional)) == {koperasi, other_koperasi, far_koperasi}
    assert supervised_region_codes(oki) == ["16.02"] and supervised_region_codes(nasional) == []
    assert supervised_region_codes(ketua) is None

    assert get_access(ketua, far_koperasi) is None
    assert get_access(oki, far_koperasi) is None
    a = get_access(ketua, koperasi)
    assert a.can_write(Unit.SEMBAKO) and a.can_write() and a.is_pengurus
    a = get_access(kasir, koperasi)
    assert a.can_write(Unit.SEMBAKO) and not a.can_write(Unit.SIMPAN_PINJAM) and not a.can_write()
    assert a.can_read(Unit.SEMBAKO) and not a.can_read(Unit.KLINIK)
    a = get_access(pengawas, koperasi)
    assert a.can_read(Unit.KLINIK) and not a.can_write(Unit.SEMBAKO) and not a.can_write()
    a = get_access(oki, koperasi)
    assert a.supervisor and a.can_read() and not a.can_write()
    a = get_access(anggota, koperasi)
    assert a.is_member_only and not a.can_read()


def test_ended_term_loses_access(koperasi, make_user):
    ketua = make_user("ketua", koperasi=koperasi)
    ra = RoleAssignment.objects.get(user=ketua)
    ra.start_date = dt.date(2020, 1, 1)
    ra.save()
    services.end_role(ra, end_date=dt.date(2021, 1, 1))
    assert get_access(ketua, koperasi) is None
    assert not accessible_koperasi(ketua).exists()


def test_pages_by_role(koperasi, make_user, client_as):
    pengawas = make_user("pengawas", koperasi=koperasi)
    c = client_as(pengawas)
    assert c.get(f"/k/{koperasi.slug}/").status_code == 200
    assert c.get(f"/k/{koperasi.slug}/audit/").status_code == 200
    # read-only: a pengawas cannot change the profile
    r = c.post(f"/k/{koperasi.slug}/profil/", {"name": "Diganti"})
    assert r.status_code == 403
    koperasi.refresh_from_db()
    assert koperasi.name != "Diganti"


def test_ketua_edits_profile_with_validation(koperasi, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    data = {"name": koperasi.name, "status": "aktif", "formation_model": "baru", "nib": "123",
            "fiscal_year_start_month": 1}
    r = c.post(f"/k/{koperasi.slug}/profil/", data)
    assert r.status_code == 200 and "NIB harus 13 digit" in r.content.decode()
    koperasi.refresh_from_db()
    assert koperasi.nib == ""
    data["nib"] = "1207250012345"
    r = c.post(f"/k/{koperasi.slug}/profil/", data)
    assert r.status_code == 302
    koperasi.refresh_from_db()
    assert koperasi.nib == "1207250012345" and koperasi.status == "aktif"


def test_dinas_registers_koperasi_only_in_region(db, make_user, client_as):
    c = client_as(make_user("dinas_kabupaten", region="16.02"))
    r = c.post("/koperasi/baru/", {"region": "11.01.01.2001", "name": "", "formation_model": "baru"})
    assert r.status_code == 200 and "di luar wilayah" in r.content.decode()
    assert not Koperasi.objects.exists()
    r = c.post("/koperasi/baru/", {"region": "16.02.04.2001", "name": "", "formation_model": "baru"})
    assert r.status_code == 302
    assert Koperasi.objects.get().region_id == "16.02.04.2001"
    r = c.post("/koperasi/baru/", {"region": "16.02.04.2001", "name": "", "formation_model": "baru"})
    assert "sudah memiliki KDMP" in r.content.decode()


def test_login_with_phone_and_wrong_password(client, koperasi):
    services.create_user_with_role(role="ketua", koperasi=koperasi, username="budi", password="rahasia-123",
                                   phone="0812-3456-7890")
    r = client.post("/masuk/", {"username": "+62 812 3456 7890", "password": "rahasia-123"})
    assert r.status_code == 302
    client.logout()
    r = client.post("/masuk/", {"username": "budi", "password": "salah"})
    assert r.status_code == 200 and "kata sandi salah" in r.content.decode()


def test_user_without_active_role_sees_explanation(db, client):
    services.create_user(username="tanpa", password="rahasia-123")
    client.post("/masuk/", {"username": "tanpa", "password": "rahasia-123"})
    r = client.get("/")
    assert r.status_code == 403 and "belum memiliki peran" in r.content.decode()


# --- audit ---------------------------------------------------------------------------------------------


def test_audit_records_before_after_and_is_append_only(koperasi, make_user):
    from kopdes.core.audit import acting_as

    ketua = make_user("ketua", koperasi=koperasi)
    with acting_as(ketua, ip="10.1.2.3"):
        services.update_profile(koperasi, {"nib": "1207250012345"})
    log = AuditLog.objects.filter(model="core.Koperasi", action="update").latest("id")
    assert log.before == {"nib": ""} and log.after["nib"] == "1207250012345"
    assert log.actor == ketua and log.ip == "10.1.2.3" and log.koperasi_id_ref == koperasi.pk
    with pytest.raises(ValidationError):
        log.save()
    with pytest.raises(ValidationError):
        log.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditlog SET action = 'x' WHERE id = %s", [log.pk])
    log.refresh_from_db()
    assert log.action == "update"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DELETE refused by trigger on PostgreSQL only")
def test_audit_delete_refused_by_postgres(koperasi):
    log = AuditLog.objects.filter(koperasi_id_ref=koperasi.pk).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditlog WHERE id = %s", [log.pk])


# --- idempotency ---------------------------------------------------------------------------------------


def test_idempotent_retry_and_conflict(koperasi):
    calls = []

    def work():
        calls.append(1)
        return {"n": len(calls)}

    r1, replay1 = run_idempotent(koperasi, "test", "key-1", {"a": 1}, work)
    r2, replay2 = run_idempotent(koperasi, "test", "key-1", {"a": 1}, work)
    assert (r1, replay1) == ({"n": 1}, False)
    assert (r2, replay2) == ({"n": 1}, True)
    assert len(calls) == 1
    with pytest.raises(Conflict):
        run_idempotent(koperasi, "test", "key-1", {"a": 2}, work)
    assert len(calls) == 1


def test_idempotent_failure_leaves_no_record(koperasi):
    def boom():
        raise DomainError("gagal", "failed")

    with pytest.raises(DomainError):
        run_idempotent(koperasi, "test", "key-2", {}, boom)
    result, replayed = run_idempotent(koperasi, "test", "key-2", {}, lambda: {"ok": True})
    assert result == {"ok": True} and not replayed


# --- money and NIK ------------------------------------------------------------------------------------


def test_rupiah_formatting_and_parsing():
    assert format_rupiah(Decimal("1234567")) == "Rp1.234.567"
    assert format_rupiah(Decimal("-1500")) == "-Rp1.500"
    assert format_rupiah(Decimal("1234.5")) == "Rp1.234,50"
    assert format_rupiah(Decimal("0")) == "Rp0"
    assert to_money("1.234.567,50") == Decimal("1234567.50")
    assert to_money("Rp 50.000") == Decimal("50000.00")
    assert to_money("10000") == Decimal("10000.00")
    assert round_rupiah(Decimal("1234.5")) == Decimal("1235.00")
    assert round_rupiah(Decimal("123401"), 100) == Decimal("123400.00")
    with pytest.raises(TypeError):
        to_money(1.5)


def test_nik_rules(db):
    nik = make_nik("16.02.04", dt.date(1985, 3, 7), "P", 12)
    assert nik == "1602044703850012"
    info = validate_nik(nik, birth_date=dt.date(1985, 3, 7), sex="P")
    assert info.sex == "P" and info.kabupaten_code == "16.02"
    bad = {
        "160204470385001": "16 digit",
        "1602043203850012": "tanggal lahir",  # day 32
        "1602044703850000": "0000",
        "9902044703850012": "provinsi",
        "1699044703850012": "kabupaten",
    }
    for value, fragment in bad.items():
        with pytest.raises(ValidationError) as exc:
            validate_nik(value)
        assert fragment in str(exc.value), value
    with pytest.raises(ValidationError, match="Jenis kelamin"):
        validate_nik(nik, sex="L")
    with pytest.raises(ValidationError, match="Tanggal lahir"):
        validate_nik(nik, birth_date=dt.date(1985, 3, 8))
    assert parse_nik(make_nik("16.02.04", dt.date(2001, 12, 31), "L", 1)).birth_date == dt.date(2001, 12, 31)


# --- demo and CLI ---------------------------------------------------------------------------------------


def test_demo_is_idempotent(db):
    call_command("demo", only=[])
    counts = (Koperasi.objects.count(), User.objects.count(), RoleAssignment.objects.count(), Bylaws.objects.count())
    call_command("demo", only=[])
    assert counts == (Koperasi.objects.count(), User.objects.count(), RoleAssignment.objects.count(),
                      Bylaws.objects.count())
    k = Koperasi.objects.get(slug="surya-adi")
    assert k.region_id == "16.02.04.2006"
    oki = User.objects.get(username="dinas_oki")
    assert set(accessible_koperasi(oki)) == {k}
    assert User.objects.get(username="kasir").check_password("kopdes-demo")


def _kopdes(*args):
    return subprocess.run([sys.executable, "-m", "kopdes", *args], capture_output=True, text=True, timeout=120)


def test_cli_help_and_bad_input():
    r = _kopdes("--help")
    assert r.returncode == 0 and "load-regions" in r.stdout and "demo" in r.stdout
    r = _kopdes("tidak-ada")
    assert r.returncode == 2 and "tidak dikenal" in r.stderr
    r = _kopdes("createuser", "--username", "x", "--password", "p", "--role", "raja")
    assert r.returncode != 0 and "invalid choice" in r.stderr


def test_english_locale(koperasi, make_user, client):
    client.force_login(make_user("ketua", koperasi=koperasi))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(f"/k/{koperasi.slug}/").content.decode()
    assert "Board &amp; supervisors" in body or "Board & supervisors" in body
    assert "Log out" in body and "By-laws in force" in body
    for url, english in ((f"/k/{koperasi.slug}/profil/", "Profile &amp; legal"),
                         (f"/k/{koperasi.slug}/audit/", "Audit trail"), ("/wilayah/", "Regions of Indonesia"),
                         ("/tidak-ada/", "Page not found.")):
        assert english in client.get(url).content.decode(), url
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert "Pengurus & pengawas" in client.get(f"/k/{koperasi.slug}/").content.decode()


def test_audit_snapshot_of_empty_file_field():
    from django.db.models import FileField
    from django.db.models.fields.files import FieldFile

    from kopdes.core.audit import _jsonable

    assert _jsonable(FieldFile(None, FileField(name="f"), None)) == ""
    assert _jsonable(FieldFile(None, FileField(name="f"), "bukti/a.pdf")) == "bukti/a.pdf"


def test_only_clinic_staff_are_clinical(koperasi, make_user):
    doctor = make_user("operator", koperasi=koperasi, unit=Unit.KLINIK)
    assert get_access(doctor, koperasi).is_clinical
    for role in ("ketua", "pengawas"):
        assert not get_access(make_user(role, koperasi=koperasi), koperasi).is_clinical
    assert not get_access(make_user("operator", koperasi=koperasi, unit=Unit.APOTEK), koperasi).is_clinical

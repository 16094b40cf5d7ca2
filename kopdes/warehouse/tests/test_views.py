"""Pages: every page renders for the warehouse operator; the public verification page shows the state and no
personal data; PDF/Excel exports; bad input shows the message on the form with nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kopdes.core.units import Unit
from kopdes.warehouse import services as s
from kopdes.warehouse.models import StoredLot


@pytest.fixture
def op(koperasi, make_user, client_as):
    return client_as(make_user("operator", koperasi=koperasi, unit=Unit.PERGUDANGAN))


def _u(name, k, **kw):
    return reverse(f"warehouse:{name}", kwargs={"slug": k.slug, **kw})


@pytest.mark.django_db
def test_public_verification_page_states(client, koperasi, wh, member_factory):
    m = member_factory(koperasi, name="Sutrisno Rahasia")
    lot = s.intake(koperasi, zone=wh["floor"], commodity="gabah", gross_kg="1000", net_kg="990", member_id=m.pk,
                   date=dt.date(2026, 3, 1), depositor_phone="081234567890")
    url = reverse("warehouse:verify", kwargs={"code": lot.receipt.public_code})
    r = client.get(url)
    assert r.status_code == 200
    body = r.content.decode()
    assert "BERLAKU" in body and lot.receipt.number in body and "990" in body
    assert "Sutrisno" not in body and "081234567890" not in body and m.nik not in body
    s.pledge(lot.receipt, lender_kind="bank", lender_name="BRI", date=dt.date(2026, 3, 2))
    assert "DIJAMINKAN" in client.get(url).content.decode()
    s.release_pledge(lot.receipt, date=dt.date(2026, 3, 3))
    s.release(lot, kg="990", date=dt.date(2026, 3, 4))
    assert "SUDAH DILEPAS" in client.get(url).content.decode()
    assert client.get(reverse("warehouse:verify", kwargs={"code": "tidak-ada"})).status_code == 404
    # the human receipt number alone is not a key to the page (no enumeration)
    assert client.get(reverse("warehouse:verify", kwargs={"code": lot.receipt.number})).status_code == 404


@pytest.mark.django_db
def test_pages_render_and_exports(op, koperasi, wh, member_factory):
    m = member_factory(koperasi)
    lot = s.intake(koperasi, zone=wh["cold"], commodity="ikan", gross_kg="100", net_kg="100", member_id=m.pk,
                   date=dt.date(2026, 3, 1))
    dev, raw = s.register_device(wh["cold"], name="S1")
    s.record_manual_reading(koperasi, wh["cold"], at=dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC), celsius="9")
    exc = wh["cold"].excursions.get()
    for name, kw in (("home", {}), ("facility_new", {}), ("facility", {"pk": wh["facility"].pk}), ("tariffs", {}),
                     ("lots", {}), ("intake", {}), ("lot", {"pk": lot.pk}), ("cold", {}),
                     ("room_data", {"zone_id": wh["cold"].pk}), ("excursion", {"pk": exc.pk}), ("devices", {}),
                     ("report", {})):
        r = op.get(_u(name, koperasi, **kw) + ("?tahun=2026" if name == "report" else ""))
        assert r.status_code == 200, name
    r = op.get(_u("excursion", koperasi, pk=exc.pk))
    assert lot.number.encode() in r.content
    r = op.get(_u("receipt_pdf", koperasi, pk=lot.receipt.pk))
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    r = op.get(_u("report_xlsx", koperasi) + "?tahun=2026")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = op.get(_u("report_pdf", koperasi) + "?tahun=2026")
    assert r.content.startswith(b"%PDF")
    r = op.get(reverse("core:dashboard", kwargs={"slug": koperasi.slug}))
    assert r.status_code == 200 and b"Pergudangan" in r.content


@pytest.mark.django_db
def test_intake_form_over_capacity_shows_message(op, koperasi, wh):
    data = {"zone": wh["cold"].pk, "commodity": "ikan", "depositor_name": "Nelayan", "gross_kg": "2500",
            "net_kg": "2500", "date": "2026-03-01", "idempotency_key": "abc"}
    r = op.post(_u("intake", koperasi), data)
    assert r.status_code == 200 and "Kapasitas Cold room 1 tidak cukup" in r.content.decode()
    assert not StoredLot.objects.exists()
    data["net_kg"] = data["gross_kg"] = "500"
    r = op.post(_u("intake", koperasi), data)
    assert r.status_code == 302
    lot = StoredLot.objects.get()
    # release more than stored: message on the form, nothing changed
    r = op.post(_u("lot", koperasi, pk=lot.pk), {"action": "release", "kg": "600", "date": "2026-03-05",
                                                 "payment": "tunai"})
    assert r.status_code == 200 and "melebihi sisa tersimpan" in r.content.decode()
    lot.refresh_from_db()
    assert lot.remaining_kg == Decimal("500")


@pytest.mark.django_db
def test_other_unit_operator_cannot_read(koperasi, wh, make_user, client_as):
    c = client_as(make_user("operator", koperasi=koperasi, unit=Unit.SEMBAKO))
    assert c.get(_u("home", koperasi)).status_code == 403
    pengawas = client_as(make_user("pengawas", koperasi=koperasi))
    assert pengawas.get(_u("home", koperasi)).status_code == 200
    assert pengawas.post(_u("tariffs", koperasi), {}).status_code == 403


@pytest.mark.django_db
def test_release_of_pledged_receipt_refused_on_page(op, koperasi, wh):
    """The release form is hidden while pledged; a release posted anyway (a stale tab) is refused on the page."""
    lot = s.intake(koperasi, zone=wh["floor"], commodity="gabah", gross_kg="1000", net_kg="1000",
                   depositor_name="Pak Umum", date=dt.date(2026, 3, 1))
    s.pledge(lot.receipt, lender_kind="bank", lender_name="BRI Unit Mesuji", date=dt.date(2026, 3, 2))
    r = op.post(_u("lot", koperasi, pk=lot.pk), {"action": "release", "kg": "100", "date": "2026-03-05",
                                                 "payment": "tunai"})
    html = r.content.decode()
    assert r.status_code == 200 and "sedang dijaminkan kepada BRI Unit Mesuji" in html
    assert 'value="unpledge"' in html and 'value="release"' not in html
    lot.refresh_from_db()
    assert lot.remaining_kg == Decimal("1000") and not lot.releases.exists()


@pytest.mark.django_db
def test_english_locale_for_gudang_and_logistik(koperasi, wh, make_user, client):
    lot = s.intake(koperasi, zone=wh["floor"], commodity="gabah", gross_kg="1000", net_kg="1000",
                   depositor_name="Pak Umum", date=dt.date(2026, 3, 1))
    client.force_login(make_user("manajer", koperasi=koperasi))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(_u("home", koperasi)).content.decode()
    assert '<h1 class="page-title">Warehousing &amp; cold storage</h1>' in body and "Latest intakes" in body
    body = client.get(_u("lot", koperasi, pk=lot.pk)).content.decode()
    assert "Release produce" in body and "Pledge the receipt" in body and "Paddy (gabah)" in body
    assert "Weight released (kg)" in body  # form label
    body = client.get(reverse("warehouse:verify", kwargs={"code": lot.receipt.public_code})).content.decode()
    assert "Warehouse receipt verification" in body and "VALID" in body
    body = client.get(reverse("logistics:home", kwargs={"slug": koperasi.slug})).content.decode()
    assert '<h1 class="page-title">Village logistics</h1>' in body and "Open deliveries" in body
    body = client.get(reverse("logistics:delivery_new", kwargs={"slug": koperasi.slug})).content.decode()
    assert "New delivery order" in body and "Source stock location (warehouse)" in body
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    body = client.get(_u("home", koperasi)).content.decode()
    assert "Barang masuk terakhir" in body and "Latest intakes" not in body


def test_home_and_dashboard_queries_do_not_grow_with_facilities_and_zones(koperasi, wh, make_user, client_as):
    """Occupancy is read for all facilities at once: a second facility with three more zones adds no statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_as(make_user("ketua", koperasi=koperasi))

    def statements(path: str) -> int:
        c.get(path)  # warm (sessions, caches)
        with CaptureQueriesContext(connection) as q:
            assert c.get(path).status_code == 200
        return len(q.captured_queries)

    before = {p: statements(p) for p in (f"/k/{koperasi.slug}/", f"/k/{koperasi.slug}/gudang/")}
    f2 = s.create_facility(koperasi, code="G2", name="Gudang Dua")
    for code in ("B", "C", "D"):
        s.create_zone(f2, code=code, name=f"Lantai {code}", capacity=Decimal("5000"))
    after = {p: statements(p) for p in before}
    assert after == before

"""Logistics pages render; the delivery flow through the pages; refusals shown on the form."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kopdes.core.units import Unit
from kopdes.logistics import services as s
from kopdes.logistics.models import DeliveryOrder

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\xdac\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _u(name, k, **kw):
    return reverse(f"logistics:{name}", kwargs={"slug": k.slug, **kw})


@pytest.fixture
def op(koperasi, make_user, client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return client_as(make_user("operator", koperasi=koperasi, unit=Unit.LOGISTIK))


@pytest.fixture
def truck(koperasi):
    today = dt.date.today()
    v = s.create_vehicle(koperasi, code="TRK", kind="truk", plate="BG 9 ZZ", capacity_kg="4000")
    s.add_document(v, kind="stnk", valid_until=today + dt.timedelta(days=300))
    s.add_document(v, kind="kir", valid_until=today + dt.timedelta(days=10))
    return v


@pytest.mark.django_db
def test_delivery_flow_through_pages(op, koperasi, truck):
    s.set_tariff(koperasi, base_fee="5000", per_km="2000", effective_from=dt.date(2020, 1, 1))
    r = op.post(_u("delivery_new", koperasi), {
        "kind": "ke_pembeli", "date": dt.date.today().isoformat(), "origin": "Gudang", "destination": "Pasar Mesuji",
        "customer_name": "Toko Makmur", "fee_basis": "distance", "distance_km": "10", "payment": "tunai",
        "item1": "Gabah", "qty1": "20", "uom1": "karung", "weight1": "1000", "idempotency_key": "x1",
        "stops": "Toko Makmur | Jl. Pasar 1"})
    assert r.status_code == 302, r.content.decode()[:2000]
    o = DeliveryOrder.objects.get()
    assert o.fee_amount == 25000 and o.stops.get().address == "Jl. Pasar 1"
    op.post(_u("delivery", koperasi, pk=o.pk), {"action": "assign", "vehicle": truck.pk})
    op.post(_u("delivery", koperasi, pk=o.pk), {"action": "loaded"})
    op.post(_u("delivery", koperasi, pk=o.pk), {"action": "on_the_way"})
    o.refresh_from_db()
    assert o.status == "on_the_way"
    r = op.post(_u("delivery", koperasi, pk=o.pk), {"action": "deliver", "recipient_name": "Bu Makmur",
                                                     "photo": SimpleUploadedFile("f.png", PNG, "image/png")})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.status == "delivered" and o.proofs.count() == 1
    proof = o.proofs.get()
    r = op.get(_u("proof_file", koperasi, pk=o.pk, proof_id=proof.pk))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    r = op.get(_u("home", koperasi))
    assert r.status_code == 200 and "4152" in r.content.decode() and "25.000" in r.content.decode()


@pytest.mark.django_db
def test_pages_render(op, koperasi, truck):
    d = s.create_driver(koperasi, name="Joko")
    trip = s.start_trip(koperasi, vehicle=truck, driver=d, date=dt.date.today())
    o = s.create_delivery(koperasi, kind="gudang_gerai", date=dt.date.today(), origin="G", destination="Gerai",
                          items=[{"description": "Beras", "weight_kg": "100"}])
    s.add_maintenance_plan(truck, task="Servis", interval_days=90)
    for name, kw in (("home", {}), ("vehicles", {}), ("vehicle", {"pk": truck.pk}), ("drivers", {}),
                     ("tariffs", {}), ("deliveries", {}), ("delivery_new", {}), ("delivery", {"pk": o.pk}),
                     ("trips", {}), ("trip", {"pk": trip.pk}), ("report", {})):
        assert op.get(_u(name, koperasi, **kw)).status_code == 200, name
    r = op.get(_u("home", koperasi))
    assert "Uji KIR" in r.content.decode()  # expires within 30 days: alert
    r = op.get(_u("report", koperasi) + "?format=xlsx")
    assert r.content[:2] == b"PK"
    assert op.get(reverse("core:dashboard", kwargs={"slug": koperasi.slug})).status_code == 200


@pytest.mark.django_db
def test_expired_vehicle_refused_on_form(op, koperasi, truck):
    later = (dt.date.today() + dt.timedelta(days=20)).isoformat()  # KIR expired by then
    r = op.post(_u("delivery_new", koperasi), {
        "kind": "gudang_gerai", "date": later, "origin": "Gudang", "destination": "Gerai", "vehicle": truck.pk,
        "fee_basis": "none", "payment": "tunai", "item1": "Beras", "weight1": "100"})
    assert r.status_code == 200 and "tidak boleh jalan" in r.content.decode()
    assert not DeliveryOrder.objects.exists()

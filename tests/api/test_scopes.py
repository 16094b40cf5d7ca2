"""Each kind of credential reaches only its own scope: a member token, a cooperative token, a device token."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

READINGS = {"readings": [{"at": "2026-01-05T07:00:00+07:00", "celsius": 4.5}]}


@pytest.fixture
def world(koperasi, other_koperasi, make_user, token_for, member_in, device_for):
    from kopdes.core.models import Role
    from kopdes.core.services import assign_role, create_user
    from kopdes.members.services import link_user

    me = member_in(koperasi, name="Siti Sendiri")
    neighbour = member_in(koperasi, name="Budi Tetangga")
    foreign = member_in(other_koperasi, name="Orang Desa Lain")
    user = create_user(username="siti", password="kebun-2026-x")
    assign_role(user, Role.ANGGOTA, koperasi=koperasi)
    link_user(me, user)
    ketua = make_user("ketua", koperasi=koperasi)
    device, device_raw = device_for(koperasi)
    return {
        "me": me, "neighbour": neighbour, "foreign": foreign, "device": device,
        "member_token": token_for(user, scopes=["self:read", "members:read", "savings:read", "profile:read"]),
        "coop_token": token_for(ketua),
        "device_token": device_raw,
    }


def test_member_token_reaches_only_own_data(world, api, koperasi):
    a = api(world["member_token"])
    r = a.get("/api/v1/me/member")
    assert r.status_code == 200, r.content
    assert r.json()["number"] == world["me"].number and r.json()["savings"]["pokok"] == "50000.00"
    assert a.get("/api/v1/me/member/savings/transactions").json()["count"] == 1
    # the cooperative's records, even with the scopes: a plain member is not staff → 404
    for path in (f"/api/v1/koperasi/{koperasi.slug}", f"/api/v1/koperasi/{koperasi.slug}/members",
                 f"/api/v1/koperasi/{koperasi.slug}/members/{world['neighbour'].number}",
                 f"/api/v1/koperasi/{koperasi.slug}/members/{world['neighbour'].number}/savings"):
        assert a.get(path).status_code == 404, path
    assert a.get("/api/v1/koperasi").json()["count"] == 0
    assert a.post(f"/api/v1/koperasi/{koperasi.slug}/savings/deposits",
                  {"member_number": world["me"].number, "kind": "sukarela", "amount": "1000"},
                  key="m1").status_code == 403  # no write scope at all
    assert a.post("/api/v1/devices/readings", READINGS, key="m2").status_code == 403


def test_cooperative_token_reaches_own_cooperative_only(world, api, koperasi, other_koperasi):
    a = api(world["coop_token"])
    r = a.get(f"/api/v1/koperasi/{koperasi.slug}/members")
    assert r.status_code == 200
    names = {m["name"] for m in r.json()["items"]}
    assert names == {"Siti Sendiri", "Budi Tetangga"}
    assert a.get(f"/api/v1/koperasi/{other_koperasi.slug}/members").status_code == 404
    assert a.get(f"/api/v1/koperasi/{other_koperasi.slug}/members/{world['foreign'].number}").status_code == 404
    assert a.get("/api/v1/me/member").status_code == 404  # the ketua is no member
    assert a.get("/api/v1/supervision/rollup").status_code == 404  # not a region supervisor
    r = a.post("/api/v1/devices/readings", READINGS, key="c1")
    assert r.status_code == 403 and r.json()["code"] == "insufficient_scope"


def test_device_token_reaches_only_its_endpoint(world, api, koperasi):
    from kopdes.warehouse.models import TemperatureReading

    a = api(world["device_token"])
    r = a.post("/api/v1/devices/readings", READINGS, key="d1")
    assert r.status_code == 201, r.content
    assert r.json() == {"received": 1, "stored": 1, "duplicates": 0, "out_of_range": 0, "alerts_opened": 0}
    reading = TemperatureReading.objects.get()
    assert reading.koperasi_id == koperasi.pk and reading.device_id == world["device"].pk
    for path in ("/api/v1/me", "/api/v1/regions", "/api/v1/koperasi", f"/api/v1/koperasi/{koperasi.slug}",
                 f"/api/v1/koperasi/{koperasi.slug}/members", "/api/v1/me/member", "/api/v1/supervision/rollup"):
        assert a.get(path).status_code == 404, path
    r = a.post(f"/api/v1/koperasi/{koperasi.slug}/members", {"nik": "1" * 16, "name": "X"}, key="d2")
    assert r.status_code == 404


def test_region_supervisor_is_read_only(koperasi, make_user, token_for, api, member_in):
    m = member_in(koperasi)
    dinas = make_user("dinas_kabupaten", region="16.02")
    a = api(token_for(dinas))
    assert a.get(f"/api/v1/koperasi/{koperasi.slug}/members/{m.number}/savings").status_code == 200
    r = a.post(f"/api/v1/koperasi/{koperasi.slug}/savings/deposits",
               {"member_number": m.number, "kind": "sukarela", "amount": "1000"}, key="x1")
    assert r.status_code == 403 and r.json()["code"] == "read_only"
    r = a.get("/api/v1/supervision/rollup")
    assert r.status_code == 200, r.content
    assert r.json()["code"] == "16.02"
    assert a.get("/api/v1/supervision/rollup", region="11").status_code == 404  # Aceh: outside the region


def test_operator_of_another_unit_is_refused(koperasi, make_user, token_for, api, member_in):
    m = member_in(koperasi)
    kasir = make_user("operator", koperasi=koperasi, unit="sembako")
    a = api(token_for(kasir))
    assert a.get(f"/api/v1/koperasi/{koperasi.slug}/members/{m.number}/savings").status_code == 403
    r = a.post(f"/api/v1/koperasi/{koperasi.slug}/savings/deposits",
               {"member_number": m.number, "kind": "sukarela", "amount": "1000"}, key="k1")
    assert r.status_code == 403


def test_member_token_sees_own_shu_as_in_the_ledger(world, api, koperasi):
    from kopdes.ledger.queries import member_balance
    from kopdes.portal.tests.test_member_data import shu_2025

    shu_2025(koperasi, {world["me"]: ("100000", "200000"), world["neighbour"]: ("300000", "600000")})
    r = api(world["member_token"]).get("/api/v1/me/member")
    assert r.status_code == 200, r.content
    (row,) = r.json()["shu"]
    assert row == {"year": 2025, "total": "200000.00", "jasa_modal": "75000.00", "jasa_usaha": "125000.00",
                   "capital_avg": "100000.00", "transactions": "200000.00", "status": "posted"}
    assert member_balance(koperasi, "2121", world["me"].pk) == 200000


def test_member_token_sees_own_purchases_only(world, api, koperasi):
    """Monthly totals per unit, net of returns; the neighbour's purchases never show."""
    import datetime as dt
    from decimal import Decimal

    from kopdes.core.models import Role
    from kopdes.core.services import assign_role, create_user
    from kopdes.retail import pos, services
    from kopdes.retail.models import Product, Supplier

    cashier = create_user(username="kasir-api", password="x-2026-kasir")

    assign_role(cashier, Role.OPERATOR, koperasi=koperasi, unit="sembako")
    beras = Product.objects.create(koperasi=koperasi, code="BRS5", name="Beras 5 kg", member_price=Decimal("70000"),
                                   public_price=Decimal("75000"))
    services.receive_goods(koperasi, supplier=Supplier.objects.create(koperasi=koperasi, name="Bulog"),
                           location=services.default_location(koperasi), date=dt.date.today(),
                           lines=[{"product_id": beras.pk, "qty": "20", "unit_cost": "65000"}])
    shift = pos.open_shift(koperasi, cashier=cashier, location=services.default_location(koperasi), opening_float=0)
    for who, qty, key in ((world["me"], "2", "s1"), (world["me"], "1", "s2"), (world["neighbour"], "5", "s3")):
        pos.checkout(koperasi, client_id=key, shift=shift, member=who.pk, by=cashier,
                     lines=[{"product_id": beras.pk, "qty": qty}])
    r = api(world["member_token"]).get("/api/v1/me/member/purchases")
    assert r.status_code == 200, r.content
    rows = [x for x in r.json() if x["unit"] == "sembako"]
    assert rows == [{"unit": "sembako", "month": dt.date.today().replace(day=1).isoformat(), "count": 2,
                     "total": "210000.00"}]
    assert api(world["coop_token"]).get("/api/v1/me/member/purchases").status_code == 404

"""Writes: Idempotency-Key required, replay returns the first result, a different body is 409; domain errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def bendahara_api(koperasi, make_user, token_for, api):
    return api(token_for(make_user("bendahara", koperasi=koperasi)))


def test_deposit_idempotent_and_conflict(koperasi, bendahara_api, member_in):
    from kopdes.ledger.queries import member_balance
    from kopdes.savings.services import balances

    m = member_in(koperasi)
    url = f"/api/v1/koperasi/{koperasi.slug}/savings/deposits"
    body = {"member_number": m.number, "kind": "sukarela", "amount": "150000"}
    r1 = bendahara_api.post(url, body, key="setor-001")
    assert r1.status_code == 201, r1.content
    assert r1.json()["balance_after"] == "150000.00" and r1.json()["journal_entry"]
    r2 = bendahara_api.post(url, body, key="setor-001")
    assert r2.status_code == 201 and r2.json() == r1.json() and r2["Idempotent-Replayed"] == "true"
    assert balances(m)["sukarela"] == Decimal("150000")
    assert member_balance(koperasi, "2101", m.pk) == Decimal("150000")  # the ledger agrees
    r3 = bendahara_api.post(url, {**body, "amount": "999"}, key="setor-001")
    assert r3.status_code == 409 and r3.json()["code"] == "idempotency_conflict"
    assert r3["Content-Type"] == "application/problem+json"
    assert balances(m)["sukarela"] == Decimal("150000")


def test_write_without_key_is_422(koperasi, bendahara_api, member_in):
    m = member_in(koperasi)
    r = bendahara_api.post(f"/api/v1/koperasi/{koperasi.slug}/savings/deposits",
                           {"member_number": m.number, "kind": "sukarela", "amount": "1000"})
    assert r.status_code == 422 and r.json()["field"] == "Idempotency-Key"


def test_domain_refusal_is_bilingual_problem(koperasi, bendahara_api, member_in):
    from kopdes.savings.services import balances

    m = member_in(koperasi)
    r = bendahara_api.post(f"/api/v1/koperasi/{koperasi.slug}/savings/withdrawals",
                           {"member_number": m.number, "amount": "5000"}, key="tarik-1")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "insufficient_balance" and body["field"] == "amount"
    assert body["message_id"].startswith("Saldo tidak cukup") and body["message_en"].startswith("Insufficient")
    assert balances(m)["sukarela"] == 0
    # a refused request did not burn the key: fixing the request with the same key works
    bendahara_api.post(f"/api/v1/koperasi/{koperasi.slug}/savings/deposits",
                       {"member_number": m.number, "kind": "sukarela", "amount": "50000"}, key="setor-2")
    r = bendahara_api.post(f"/api/v1/koperasi/{koperasi.slug}/savings/withdrawals",
                           {"member_number": m.number, "amount": "5000"}, key="tarik-1")
    assert r.status_code == 201 and balances(m)["sukarela"] == Decimal("45000")


def test_unknown_member_is_404(koperasi, bendahara_api):
    r = bendahara_api.post(f"/api/v1/koperasi/{koperasi.slug}/savings/deposits",
                           {"member_number": "99999", "kind": "sukarela", "amount": "1000"}, key="x")
    assert r.status_code == 404


def test_create_member_for_onboarding(koperasi, bendahara_api):
    import datetime as dt

    from kopdes.core.identity import make_nik
    from kopdes.members.models import Member

    nik = make_nik("16.02.04", dt.date(1990, 1, 2), "L", 4321)
    body = {"nik": nik, "name": "Petani Baru", "phone": "081299990000", "crops": ["padi"]}
    r = bendahara_api.post(f"/api/v1/koperasi/{koperasi.slug}/members", body, key="onb-1")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "calon" and r.json()["birth_date"] == "1990-01-02"
    assert bendahara_api.post(f"/api/v1/koperasi/{koperasi.slug}/members", body, key="onb-1").json() == r.json()
    r = bendahara_api.post(f"/api/v1/koperasi/{koperasi.slug}/members", body, key="onb-2")
    assert r.status_code == 400 and r.json()["code"] == "duplicate_nik"
    assert Member.objects.filter(koperasi=koperasi, nik=nik).count() == 1
    r = bendahara_api.post(f"/api/v1/koperasi/{koperasi.slug}/members", {**body, "nik": "123"}, key="onb-3")
    assert r.status_code == 422 and r.json()["field"] == "nik"


def test_device_readings_batched_and_replayed(koperasi, api, device_for):
    from kopdes.warehouse.models import TemperatureReading

    _device, raw = device_for(koperasi)
    a = api(raw)
    batch = {"readings": [{"at": f"2026-01-05T07:{i:02d}:00+07:00", "celsius": 3.5} for i in range(30)]
             + [{"at": "2026-01-05T08:00:00+07:00", "celsius": 12.0}]}
    r = a.post("/api/v1/devices/readings", batch, key="batch-1")
    assert r.status_code == 201 and r.json()["stored"] == 31 and r.json()["out_of_range"] == 1
    assert a.post("/api/v1/devices/readings", batch, key="batch-1").json() == r.json()
    assert TemperatureReading.objects.count() == 31
    r = a.post("/api/v1/devices/readings", {"readings": [{"at": "2026-01-05T09:00:00", "celsius": 3}]},
               key="batch-2")
    assert r.status_code == 400 and r.json()["code"] == "naive_time"
    r = a.post("/api/v1/devices/readings", {"readings": [{"at": "2026-01-05T09:00:00+07:00", "celsius": 300}]},
               key="batch-3")
    assert r.status_code == 422

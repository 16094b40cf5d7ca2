"""POS idempotency keys are per user (docs/api.md): two cashiers who happen to send the same Idempotency-Key ring
up two sales; neither gets a 409 nor learns that the key was used. The same cashier retrying gets a replay."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_two_cashiers_same_key_are_two_sales(koperasi, make_user, token_for, api):
    from kopdes.retail import pos
    from kopdes.retail.models import Sale
    from kopdes.retail.tests.helpers import kiosk

    shop = kiosk(koperasi)
    tills = []
    for _ in range(2):
        u = make_user("operator", koperasi=koperasi, unit="sembako")
        pos.open_shift(koperasi, cashier=u, location=shop["gerai"], opening_float=0)
        tills.append(api(token_for(u)))
    url = f"/api/v1/koperasi/{koperasi.slug}/retail/sales"
    body = {"lines": [{"product_id": shop["gula"].pk, "qty": "1"}], "method": "cash"}
    first = tills[0].post(url, body, key="kasir-0001")
    assert first.status_code == 201, first.content
    second = tills[1].post(url, body, key="kasir-0001")
    assert second.status_code == 201, second.content
    assert "Idempotent-Replayed" not in second and second.json()["number"] != first.json()["number"]
    again = tills[0].post(url, body, key="kasir-0001")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Sale.objects.filter(koperasi=koperasi).count() == 2


def test_two_cashiers_same_client_id_at_the_till(koperasi, make_user):
    from kopdes.retail import pos
    from kopdes.retail.models import Sale
    from kopdes.retail.tests.helpers import kiosk

    shop = kiosk(koperasi)
    lines = [{"product_id": shop["gula"].pk, "qty": "1"}]
    results = []
    for _ in range(2):
        u = make_user("operator", koperasi=koperasi, unit="sembako")
        sh = pos.open_shift(koperasi, cashier=u, location=shop["gerai"], opening_float=0)
        results.append(pos.checkout(koperasi, client_id="same-id", shift=sh, by=u, lines=lines))
    assert [r["replayed"] for r in results] == [False, False]
    assert Sale.objects.filter(koperasi=koperasi).count() == 2

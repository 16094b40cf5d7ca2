"""The URL walk of core, limited to this app and logistics: anonymous users get a login redirect (or the public
receipt page), users of another cooperative get 404 on every tenant page, GET and POST."""

import pytest

from kopdes.core.tests.test_isolation import _fill, all_routes

OURS = ("warehouse:", "logistics:")


@pytest.mark.django_db
def test_walk_warehouse_and_logistics(client, koperasi, far_koperasi, make_user):
    foreign = make_user("ketua", koperasi=far_koperasi)
    checked = 0
    for route, callback, name in all_routes():
        if not name.startswith(OURS):
            continue
        url = _fill(route, koperasi.slug)
        public = getattr(callback, "kopdes_public", False)
        tenant = route.startswith("k/<slug:slug>/")
        client.logout()
        for method in ("get", "post"):
            r = getattr(client, method)(url)
            if public:
                assert r.status_code < 500, (url, method)
            else:
                assert r.status_code == 302 and "/masuk/" in r["Location"], (url, method, r.status_code)
        client.force_login(foreign)
        for method in ("get", "post"):
            r = getattr(client, method)(url)
            if tenant:
                assert r.status_code == 404, (url, method, r.status_code)
        checked += 1
    assert checked >= 25

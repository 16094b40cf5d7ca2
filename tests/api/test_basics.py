"""Authentication, problem details, pagination, rate limits, token lifecycle."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_missing_and_bad_tokens_are_401_problems(api):
    for raw in (None, "nope", "kpd_00000000_" + "x" * 43):
        r = api(raw).get("/api/v1/me")
        assert r.status_code == 401
        assert r["Content-Type"] == "application/problem+json"
        body = r.json()
        assert body["status"] == 401 and body["code"] == "unauthorized"
        assert body["message_id"] and body["message_en"] and body["title"]


def test_token_hashed_at_rest_and_me(koperasi, make_user, token_for, api):
    from kopdes.api.models import ApiToken

    ketua = make_user("ketua", koperasi=koperasi)
    raw = token_for(ketua, scopes=["profile:read"])
    t = ApiToken.objects.get()
    assert raw not in (t.token_hash, t.prefix) and len(t.token_hash) == 64 and raw.startswith(f"kpd_{t.prefix}_")
    r = api(raw).get("/api/v1/me")
    assert r.status_code == 200, r.content
    assert r.json()["username"] == ketua.username
    assert r.json()["token"]["scopes"] == ["profile:read"]
    t.refresh_from_db()
    assert t.last_used_at is not None


def test_revoked_and_expired_tokens_refused(koperasi, make_user, token_for, api):
    from kopdes.api.models import ApiToken
    from kopdes.api.services import revoke_token

    ketua = make_user("ketua", koperasi=koperasi)
    raw = token_for(ketua, scopes=["profile:read"])
    assert api(raw).get("/api/v1/me").status_code == 200
    revoke_token(ApiToken.objects.get())
    assert api(raw).get("/api/v1/me").status_code == 401
    raw2 = token_for(ketua, scopes=["profile:read"])
    ApiToken.objects.filter(revoked_at__isnull=True).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api(raw2).get("/api/v1/me").status_code == 401


def test_scope_is_required(koperasi, make_user, token_for, api):
    ketua = make_user("ketua", koperasi=koperasi)
    raw = token_for(ketua, scopes=["members:read"])
    r = api(raw).get(f"/api/v1/koperasi/{koperasi.slug}")
    assert r.status_code == 403 and r.json()["code"] == "insufficient_scope"
    raw = token_for(ketua, scopes=["profile:read"])
    r = api(raw).get(f"/api/v1/koperasi/{koperasi.slug}")
    assert r.status_code == 200 and r.json()["name"] == koperasi.name
    assert r.json()["bylaws"]["simpanan_pokok"] == "50000.00"


def test_foreign_cooperative_is_404(koperasi, far_koperasi, make_user, token_for, api):
    ketua = make_user("ketua", koperasi=koperasi)
    raw = token_for(ketua)
    r = api(raw).get(f"/api/v1/koperasi/{far_koperasi.slug}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert far_koperasi.name not in r.content.decode()
    slugs = [k["slug"] for k in api(raw).get("/api/v1/koperasi").json()["items"]]
    assert slugs == [koperasi.slug]


def test_token_limited_to_one_cooperative(koperasi, other_koperasi, make_user, token_for, api):
    from kopdes.core.services import assign_role

    user = make_user("ketua", koperasi=koperasi)
    assign_role(user, "bendahara", koperasi=other_koperasi)
    raw = token_for(user, koperasi=koperasi)
    assert api(raw).get(f"/api/v1/koperasi/{koperasi.slug}").status_code == 200
    assert api(raw).get(f"/api/v1/koperasi/{other_koperasi.slug}").status_code == 404
    unrestricted = token_for(user)
    assert api(unrestricted).get(f"/api/v1/koperasi/{other_koperasi.slug}").status_code == 200
    assert api(unrestricted).get("/api/v1/koperasi").json()["count"] == 2


def test_region_supervisor_reads_region_only(koperasi, far_koperasi, make_user, token_for, api):
    dinas = make_user("dinas_kabupaten", region="16.02")
    raw = token_for(dinas)
    assert api(raw).get(f"/api/v1/koperasi/{koperasi.slug}").status_code == 200
    assert api(raw).get(f"/api/v1/koperasi/{far_koperasi.slug}").status_code == 404
    assert [k["slug"] for k in api(raw).get("/api/v1/koperasi").json()["items"]] == [koperasi.slug]


def test_pagination_and_validation_problem(koperasi, make_user, token_for, api):
    ketua = make_user("ketua", koperasi=koperasi)
    raw = token_for(ketua)
    r = api(raw).get("/api/v1/regions", parent="16.02.04", limit=3)
    body = r.json()
    assert r.status_code == 200 and body["count"] > 3 and len(body["items"]) == 3
    assert "offset=3" in body["next"] and "parent=16.02.04" in body["next"]
    last = api(raw).get("/api/v1/regions", parent="16.02.04", limit=3, offset=body["count"] - 1).json()
    assert len(last["items"]) == 1 and last["next"] is None
    r = api(raw).get("/api/v1/regions", limit=0)
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert r.json()["field"] == "limit" and r.json()["code"] == "validation_error"
    # a repeated scalar parameter is ambiguous: refused, not silently resolved to one of the values
    r = api(raw).get("/api/v1/regions?parent=16.02.04&parent=16.02.05")
    assert r.status_code == 422 and r.json()["field"] == "parent"
    assert "lebih dari sekali" in r.json()["message_id"] and "more than once" in r.json()["message_en"]


def test_rate_limit_429_with_retry_after(koperasi, make_user, token_for, api):
    from kopdes.api.models import ApiToken

    ketua = make_user("ketua", koperasi=koperasi)
    raw = token_for(ketua, scopes=["profile:read"])
    ApiToken.objects.update(rate_limit=3)
    codes = [api(raw).get("/api/v1/me").status_code for _ in range(4)]
    if codes[-1] == 200:  # the minute turned over between requests: try once more
        codes = [api(raw).get("/api/v1/me").status_code for _ in range(4)]
    assert codes[:3].count(200) >= 2 and codes[-1] == 429
    r = api(raw).get("/api/v1/me")
    assert r.status_code == 429 and 1 <= int(r["Retry-After"]) <= 60 and r.json()["code"] == "rate_limited"
    other = token_for(ketua, scopes=["profile:read"])
    assert api(other).get("/api/v1/me").status_code == 200  # the limit is per token


def test_schema_and_docs_are_public_and_offline(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.json()["info"]["title"] == "Kopdes API"
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/api/v1/koperasi/{slug}" in html
    assert "http://" not in html and "https://" not in html  # nothing loaded from the internet


def test_token_pages_in_english(client, koperasi, make_user):
    client.force_login(make_user("ketua", koperasi=koperasi))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/akun/api/").content.decode()
    assert "My API tokens" in body and "Create a new token" in body and "— read (members:read)" in body
    assert "API access" in client.get(f"/k/{koperasi.slug}/api-akses/").content.decode()

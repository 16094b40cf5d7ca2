"""Issue 14 hardening in core: roles end now, login lock-out counted atomically and per address."""

from __future__ import annotations

import pytest

from kopdes.core.access import accessible_koperasi, get_access
from kopdes.core.models import RoleAssignment

pytestmark = pytest.mark.django_db


def test_ending_a_role_ends_access_now_not_at_midnight(koperasi, make_user, client_as):
    ketua = make_user("ketua", koperasi=koperasi)
    kasir = make_user("operator", koperasi=koperasi, unit="sembako")
    c = client_as(kasir)
    assert c.get(f"/k/{koperasi.slug}/").status_code == 200
    ra = RoleAssignment.objects.get(user=kasir)
    c.force_login(ketua)
    r = c.post(f"/k/{koperasi.slug}/pengguna/", {"action": "end", "assignment": ra.pk})
    assert r.status_code == 302
    assert get_access(kasir, koperasi) is None
    assert not accessible_koperasi(kasir).exists()
    assert not RoleAssignment.objects.get(pk=ra.pk).is_active
    c.force_login(kasir)
    assert c.get(f"/k/{koperasi.slug}/").status_code == 404
    # the list of active roles no longer shows it; the history does
    c.force_login(ketua)
    assert kasir.username not in c.get(f"/k/{koperasi.slug}/pengguna/").content.decode()
    assert kasir.username in c.get(f"/k/{koperasi.slug}/pengguna/?tampil=semua").content.decode()

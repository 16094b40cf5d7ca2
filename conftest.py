"""Shared test fixtures: the region table, cooperatives and users with roles.

Tests run twice in CI: on SQLite and on PostgreSQL (``DATABASE_URL`` set by ``scripts/pgtemp.py``). When
``KOPDES_EXPECT_POSTGRES=1`` the session fails at once unless the database really is PostgreSQL, so the
PostgreSQL half can never be skipped silently.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from kopdes.core.regions import load_regions

    with django_db_blocker.unblock():
        if os.environ.get("KOPDES_EXPECT_POSTGRES") == "1":
            assert connection.vendor == "postgresql", (
                f"KOPDES_EXPECT_POSTGRES=1 but tests run on {connection.vendor}: the PostgreSQL pass was not real"
            )
        if os.environ.get("KOPDES_EXPECT_CITUS") == "1":
            from kopdes.core import citus

            assert citus.is_citus(), "KOPDES_EXPECT_CITUS=1 but the test database has no citus extension"
            citus.setup(log=lambda line: None)
        load_regions()


@pytest.fixture(autouse=True)
def _regions_present(request):
    """Transactional tests flush every table; put the regions back for them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    if transactional or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        from kopdes.core.models import Region
        from kopdes.core.regions import load_regions

        if not Region.objects.exists():
            load_regions()
    yield


DEMO_DESA = "16.02.04.2006"  # Surya Adi, Mesuji, OKI, Sumatera Selatan
OTHER_DESA = "16.02.04.2001"  # another desa in the same kecamatan
FAR_DESA = "11.01.01.2001"  # Keude Bakongan, Aceh Selatan: another province


@pytest.fixture
def koperasi(db):
    from kopdes.core.services import create_koperasi

    return create_koperasi(DEMO_DESA, slug="surya-adi")


@pytest.fixture
def other_koperasi(db):
    from kopdes.core.services import create_koperasi

    return create_koperasi(OTHER_DESA, slug="lain")


@pytest.fixture
def far_koperasi(db):
    from kopdes.core.services import create_koperasi

    return create_koperasi(FAR_DESA, slug="aceh")


@pytest.fixture
def make_user(db):
    """``make_user("ketua", koperasi=k)``, ``make_user("operator", koperasi=k, unit="sembako")``,
    ``make_user("dinas_kabupaten", region="16.02")``, ``make_user("nasional")``."""
    from kopdes.core.services import create_user_with_role

    counter = {"n": 0}

    def _make(role: str, *, koperasi=None, region=None, unit: str = "", username: str | None = None):
        counter["n"] += 1
        name = username or f"{role}{counter['n']}"
        user, _ra = create_user_with_role(role=role, koperasi=koperasi, region=region, unit=unit,
                                          username=name, password="rahasia-123", full_name=name.title())
        return user

    return _make


@pytest.fixture
def client_as(client):
    """``client_as(user)`` → a logged-in test client."""

    def _as(user):
        client.force_login(user)
        return client

    return _as

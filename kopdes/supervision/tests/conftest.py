import datetime as dt

import pytest

TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def dinas_oki(make_user):
    return make_user("dinas_kabupaten", region="16.02", username="dinas_oki_t")


@pytest.fixture
def dinas_sumsel(make_user):
    return make_user("dinas_provinsi", region="16", username="dinas_sumsel_t")


@pytest.fixture
def dinas_aceh(make_user):
    return make_user("dinas_kabupaten", region="11.01", username="dinas_aceh_t")


@pytest.fixture
def satgas(make_user):
    return make_user("nasional", username="satgas_t")


@pytest.fixture
def simulated(db):
    """A small simulation across the country (includes villages in OKI and elsewhere)."""
    from kopdes.supervision.simulate import simulate

    simulate(400, seed=7, today=TODAY)
    return 400


@pytest.fixture(scope="session", autouse=True)
def _region_stats_once(django_db_setup, django_db_blocker):
    """Region totals rows (83,762 villages counted) built once per session; tests roll their changes back."""
    from kopdes.supervision import stats

    with django_db_blocker.unblock():
        stats.rebuild()
    yield


@pytest.fixture
def private_dir(settings, tmp_path):
    """Evidence and export files under a throwaway VAR_DIR."""
    from django.utils.functional import empty

    from kopdes.supervision.models import evidence_storage

    settings.VAR_DIR = tmp_path
    evidence_storage._wrapped = empty
    yield tmp_path
    evidence_storage._wrapped = empty

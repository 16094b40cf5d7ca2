from kopdes.core.models import Region


def test_regions_loaded(db):
    assert Region.objects.filter(level=4).count() == 83762


def test_koperasi_fixture(koperasi, make_user, client_as):
    ketua = make_user("ketua", koperasi=koperasi)
    r = client_as(ketua).get(f"/k/{koperasi.slug}/")
    assert r.status_code == 200
    assert koperasi.name in r.content.decode()

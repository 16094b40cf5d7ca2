"""Cold storage: device tokens, batched readings, duplicates, excursions and the affected lots."""

import datetime as dt
from decimal import Decimal

import pytest

from kopdes.core.errors import DomainError
from kopdes.warehouse import services as s
from kopdes.warehouse.models import Device, Excursion, TemperatureReading
from kopdes.warehouse.queries import affected_lots

UTC = dt.UTC


def _t(h, m=0, day=10):
    return dt.datetime(2026, 3, day, h, m, tzinfo=UTC)


@pytest.mark.django_db
def test_device_token_hashed_and_bound_to_cooperative(koperasi, wh, other_koperasi):
    dev, raw = s.register_device(wh["cold"], name="Sensor CS1")
    assert raw not in dev.token_hash and len(dev.token_hash) == 64
    assert Device.objects.authenticate(raw) == dev
    assert Device.objects.authenticate(raw + "x") is None
    assert Device.objects.authenticate("nonsense") is None
    assert Device.objects.authenticate(None) is None
    # another cooperative cannot use this device
    with pytest.raises(DomainError) as e:
        s.record_readings(other_koperasi, dev, [{"at": _t(1).isoformat(), "celsius": "3"}])
    assert e.value.code == "unknown_device" and e.value.status == 401
    new_raw = s.rotate_device_token(dev)
    assert Device.objects.authenticate(raw) is None and Device.objects.authenticate(new_raw) == dev
    with pytest.raises(DomainError):
        s.register_device(wh["floor"], name="not cold")


@pytest.mark.django_db
def test_unknown_device_refused_nothing_stored(koperasi, wh):
    with pytest.raises(DomainError) as e:
        s.authenticate_and_record("abc.def", [{"at": _t(1).isoformat(), "celsius": "3"}])
    assert e.value.code == "unknown_device" and "tidak dikenal" in e.value.message_id
    dev, raw = s.register_device(wh["cold"], name="S")
    dev.active = False
    dev.save()
    with pytest.raises(DomainError):
        s.authenticate_and_record(raw, [{"at": _t(1).isoformat(), "celsius": "3"}])
    with pytest.raises(DomainError):
        s.record_readings(koperasi, dev, [{"at": _t(1).isoformat(), "celsius": "3"}])
    assert not TemperatureReading.objects.exists()


@pytest.mark.django_db
def test_duplicate_sensor_message_ignored(koperasi, wh):
    dev, raw = s.register_device(wh["cold"], name="S")
    batch = [{"at": _t(1, i).isoformat(), "celsius": "3.5"} for i in range(10)]
    r1 = s.authenticate_and_record(raw, batch)
    assert r1["stored"] == 10 and r1["duplicates"] == 0 and r1["received"] == 10
    r2 = s.authenticate_and_record(raw, batch)  # the same message re-sent
    assert r2["stored"] == 0 and r2["duplicates"] == 10
    r3 = s.authenticate_and_record(raw, batch[5:] + [{"at": _t(2).isoformat(), "celsius": 4},
                                                     {"at": _t(2).isoformat(), "celsius": 4}])
    assert r3["stored"] == 1 and r3["duplicates"] == 6
    assert TemperatureReading.objects.filter(device=dev).count() == 11


@pytest.mark.django_db
def test_bad_reading_rejects_whole_batch(koperasi, wh):
    dev, raw = s.register_device(wh["cold"], name="S")
    for bad, code in (({"at": "kemarin", "celsius": 3}, "invalid_time"),
                      ({"at": "2026-03-10T01:00:00", "celsius": 3}, "naive_time"),
                      ({"at": _t(1).isoformat(), "celsius": "panas"}, "invalid_temperature"),
                      ({"at": _t(1).isoformat(), "celsius": 150}, "invalid_temperature"),
                      ({"at": "2099-01-01T00:00:00+07:00", "celsius": 3}, "future_time")):
        with pytest.raises(DomainError) as e:
            s.authenticate_and_record(raw, [{"at": _t(0).isoformat(), "celsius": 2}, bad])
        assert e.value.code == code and e.value.field.startswith("readings[1]")
    assert not TemperatureReading.objects.exists()


@pytest.mark.django_db
def test_excursion_alert_and_affected_lots(koperasi, wh):
    cold = wh["cold"]
    ikan = s.intake(koperasi, zone=cold, commodity="ikan", gross_kg="300", net_kg="300", depositor_name="Nelayan A",
                    date=dt.date(2026, 3, 8))
    sayur = s.intake(koperasi, zone=cold, commodity="sayuran", gross_kg="200", net_kg="200",
                     depositor_name="Bu Tani", date=dt.date(2026, 3, 9))
    gone = s.intake(koperasi, zone=cold, commodity="buah", gross_kg="100", net_kg="100", depositor_name="C",
                    date=dt.date(2026, 3, 1))
    s.release(gone, kg="100", date=dt.date(2026, 3, 5))
    later = s.intake(koperasi, zone=cold, commodity="ikan", gross_kg="50", net_kg="50", depositor_name="D",
                     date=dt.date(2026, 3, 12))
    dev, raw = s.register_device(cold, name="S")
    temps = ["3", "4", "6.5", "8", "7", "4.5", "3"]  # out of range (0–5 °C) from 02:00 to 04:00
    res = s.authenticate_and_record(raw, [{"at": _t(h).isoformat(), "celsius": c} for h, c in enumerate(temps)])
    assert res["out_of_range"] == 3 and res["alerts_opened"] == 1
    exc = Excursion.objects.get(zone=cold)
    assert exc.started_at == _t(2) and exc.ended_at == _t(5) and exc.max_celsius == Decimal("8")
    assert exc.readings == 3
    lots = list(affected_lots(exc))
    assert lots == [ikan, sayur]
    assert gone not in lots and later not in lots

    # an excursion spanning two batches stays one excursion, closed by the next in-range reading
    s.authenticate_and_record(raw, [{"at": _t(10).isoformat(), "celsius": "-1"}])
    open_exc = Excursion.objects.get(zone=cold, ended_at__isnull=True)
    s.authenticate_and_record(raw, [{"at": _t(11).isoformat(), "celsius": "-2"}])
    assert Excursion.objects.filter(zone=cold, ended_at__isnull=True).get() == open_exc
    s.authenticate_and_record(raw, [{"at": _t(12).isoformat(), "celsius": "2"}])
    open_exc.refresh_from_db()
    assert open_exc.ended_at == _t(12) and open_exc.readings == 2 and open_exc.min_celsius == Decimal("-2")

    s.acknowledge_excursion(exc, note="Pintu tertutup, kompresor diperiksa")
    exc.refresh_from_db()
    assert exc.acknowledged_at is not None


@pytest.mark.django_db
def test_manual_reading(koperasi, wh):
    res = s.record_manual_reading(koperasi, wh["cold"], at=_t(1), celsius="9.5")
    assert res["out_of_range"] == 1 and res["alerts_opened"] == 1
    with pytest.raises(DomainError):
        s.record_manual_reading(koperasi, wh["floor"], at=_t(1), celsius="3")


@pytest.mark.django_db
def test_second_sensor_or_late_reading_extends_known_excursion(koperasi, wh):
    cold = wh["cold"]
    _d1, raw1 = s.register_device(cold, name="S1")
    _d2, raw2 = s.register_device(cold, name="S2")
    s.authenticate_and_record(raw1, [{"at": _t(h).isoformat(), "celsius": c} for h, c in
                                     enumerate(["3", "7", "8", "3"])])
    res = s.authenticate_and_record(raw2, [{"at": _t(h, 30).isoformat(), "celsius": c} for h, c in
                                           enumerate(["3", "9", "2"])])
    assert res["alerts_opened"] == 0 and res["out_of_range"] == 1
    exc = Excursion.objects.get(zone=cold)
    assert exc.readings == 3 and exc.max_celsius == Decimal("9")


@pytest.mark.django_db
def test_token_prefix_is_unique_nationwide_and_names_its_cooperative(koperasi, wh, other_koperasi, monkeypatch):
    """A sensor sends only its token: the prefix is claimed in core.GlobalCode (unique in the whole country, where a
    table distributed by koperasi_id can only keep it unique per cooperative), and a clash draws a new one."""
    from kopdes.core import codes
    from kopdes.core.models import GlobalCode

    codes.claim(codes.Kind.DEVICE, "aaaaaaaaaaaa", koperasi_id=other_koperasi.pk, object_id=999)
    drawn = iter(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr("kopdes.warehouse.models.secrets.token_hex", lambda n: next(drawn))
    dev, raw = s.register_device(wh["cold"], name="S")
    assert dev.token_prefix == "bbbbbbbbbbbb" and raw.startswith("bbbbbbbbbbbb.")
    assert codes.resolve(codes.Kind.DEVICE, "bbbbbbbbbbbb") == (koperasi.pk, dev.pk)
    assert codes.resolve(codes.Kind.DEVICE, "aaaaaaaaaaaa") == (other_koperasi.pk, 999)
    assert Device.objects.authenticate(raw) == dev
    with pytest.raises(codes.CodeTaken):
        codes.claim(codes.Kind.DEVICE, "bbbbbbbbbbbb", koperasi_id=other_koperasi.pk, object_id=1)
    monkeypatch.undo()
    new_raw = s.rotate_device_token(dev)  # the old prefix is released, the new one claimed
    assert codes.resolve(codes.Kind.DEVICE, "bbbbbbbbbbbb") is None
    assert GlobalCode.objects.filter(kind="device", koperasi_id=koperasi.pk).count() == 1
    assert Device.objects.authenticate(new_raw) == dev

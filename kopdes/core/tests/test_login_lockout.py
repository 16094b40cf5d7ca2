"""Staff login lock-out on /masuk/: five wrong passwords lock the identifier (any spelling of the phone number)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kopdes.core import services, throttle
from kopdes.core.models import AuditLog, LoginThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def budi(koperasi):
    return services.create_user_with_role(role="bendahara", koperasi=koperasi, username="budi",
                                          password="rahasia-123", phone="0812-3456-7890")


def _login(client, ident, password):
    return client.post("/masuk/", {"username": ident, "password": password})


def test_attempts_left_then_locked_even_with_the_right_password(client, budi):
    for left in (4, 3, 2, 1):
        r = _login(client, "budi", "salah")
        assert r.status_code == 200 and f"Sisa percobaan: {left}" in r.content.decode()
    r = _login(client, "+62 812-3456-7890", "salah")  # the same person by phone: the same counter
    body = r.content.decode()
    assert r.status_code == 200 and "Terlalu banyak percobaan" in body and "15 menit" in body
    r = _login(client, "BUDI", "rahasia-123")
    assert r.status_code == 200 and "Terlalu banyak percobaan" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action="login_failed").count() == 5


def test_lock_expires_and_success_resets(client, budi):
    for _ in range(throttle.MAX_FAILURES):
        _login(client, "budi", "salah")
    row = LoginThrottle.objects.get(key=f"user:{budi[0].pk}")
    assert row.failures == 5 and row.locked_until > timezone.now()
    LoginThrottle.objects.filter(pk=row.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    r = _login(client, "budi", "rahasia-123")
    assert r.status_code == 302
    row.refresh_from_db()  # the account starts over; the address keeps its own count
    assert (row.failures, row.first_failure_at, row.locked_until) == (0, None, None)


def test_failures_outside_the_window_start_over(budi):
    t0 = timezone.now()
    for i in range(4):
        throttle.record_failure("budi", now=t0 + dt.timedelta(minutes=i))
    left, minutes = throttle.record_failure("budi", now=t0 + throttle.WINDOW + dt.timedelta(minutes=1))
    assert (left, minutes) == (4, 0)


def test_unknown_identifier_locks_the_same_way(client, db):
    for _ in range(throttle.MAX_FAILURES):
        r = _login(client, "tidak-ada", "x")
    assert "Terlalu banyak percobaan" in r.content.decode()
    assert throttle.identifier_key("0812 3456 7890") == throttle.identifier_key("+6281234567890") == "hp:6281234567890"

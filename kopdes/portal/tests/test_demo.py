import pytest

pytestmark = pytest.mark.django_db


def test_portal_demo_is_idempotent(koperasi):
    from kopdes.core.demo import DemoContext
    from kopdes.portal import demo
    from kopdes.portal.models import Announcement

    ctx = DemoContext(koperasi=koperasi, users={}, today=__import__("datetime").date(2026, 11, 24))
    demo.build(ctx)
    demo.build(ctx)
    assert Announcement.objects.filter(koperasi=koperasi).count() == 4
    assert Announcement.objects.filter(koperasi=koperasi, kind="rat", pinned=True).count() == 1

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kopdes.core.errors import DomainError
from kopdes.core.identity import make_nik
from kopdes.members import services
from kopdes.members.models import Member
from kopdes.members.tests.factories import member_data, new_active_member, new_member

pytestmark = pytest.mark.django_db


def test_register_derives_and_numbers(koperasi):
    data = member_data(sex="P", birth=dt.date(1990, 3, 9))
    data.pop("birth_date")
    data.pop("sex")
    data["phone"] = "0812-7300-1234"
    m = services.register_member(koperasi, **data)
    assert m.status == Member.Status.CALON
    assert m.birth_date == dt.date(1990, 3, 9)
    assert m.sex == "P"
    assert m.number == "00001"
    assert m.phone == "6281273001234"
    assert m.rt == "001"
    m2 = new_member(koperasi)
    assert m2.number == "00002"


@pytest.mark.parametrize("nik,field,fragment", [
    ("160204170580001", "nik", "16 digit"),  # 15 digits
    ("16020417058000AB", "nik", "16 digit"),
    ("1602043205800001", "nik", "tanggal lahir"),  # day 32
    ("1602041713800001", "nik", "tanggal lahir"),  # month 13
    ("1602041705800000", "nik", "0000"),
    ("9902041705800001", "nik", "provinsi"),  # no province 99
    ("1698041705800001", "nik", "kabupaten"),  # no kabupaten 16.98
])
def test_bad_nik_refused(koperasi, nik, field, fragment):
    data = member_data()
    data["nik"] = nik
    with pytest.raises(DomainError) as exc:
        services.register_member(koperasi, **data)
    assert exc.value.field == field
    assert fragment in exc.value.message_id
    assert exc.value.message_en and exc.value.message_en != exc.value.message_id
    assert Member.objects.count() == 0


def test_nik_sex_and_birth_date_mismatch(koperasi):
    data = member_data(sex="L", birth=dt.date(1980, 5, 17))
    data["sex"] = "P"
    with pytest.raises(DomainError) as exc:
        services.register_member(koperasi, **data)
    assert exc.value.field == "sex" and "Jenis kelamin" in exc.value.message_id
    data = member_data(sex="L", birth=dt.date(1980, 5, 17))
    data["birth_date"] = dt.date(1980, 5, 18)
    with pytest.raises(DomainError) as exc:
        services.register_member(koperasi, **data)
    assert exc.value.field == "birth_date" and "17-05-1980" in exc.value.message_id
    assert Member.objects.count() == 0


def test_duplicate_nik_refused_and_db_constraint(koperasi, other_koperasi):
    m = new_member(koperasi)
    data = member_data()
    data["nik"] = m.nik
    with pytest.raises(DomainError) as exc:
        services.register_member(koperasi, **data)
    assert exc.value.code == "duplicate_nik" and m.number in exc.value.message_id
    # the database refuses it too (partial unique index), even past the service
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(koperasi=koperasi, seq=99, number="00099", nik=m.nik, name="X",
                              birth_date=m.birth_date, sex=m.sex, registered_on=m.registered_on)
    # another cooperative may register the same person: the operator sees a warning
    data["name"] = "Orang Sama"
    services.register_member(other_koperasi, **data)
    assert services.other_memberships(other_koperasi, m.nik) == [koperasi.name]
    assert services.other_memberships(koperasi, m.nik) == [other_koperasi.name]


def test_memberships_elsewhere_come_from_the_nik_index(koperasi, other_koperasi, django_assert_max_num_queries):
    """The warning asks the global NIK index, then only the candidate cooperatives' own rows: a NIK corrected on
    edit is indexed, a member who left is not listed, a cooperative without the NIK is never asked."""
    from kopdes.members.models import NikMembership

    m = new_member(koperasi)
    other = new_member(other_koperasi)
    assert services.other_memberships(koperasi, other.nik) == [other_koperasi.name]
    assert set(NikMembership.objects.filter(nik__in=[m.nik, other.nik]).values_list("nik", "koperasi_id")) == {
        (m.nik, koperasi.pk), (other.nik, other_koperasi.pk)}
    fixed = member_data()  # the other cooperative corrects its member's NIK to this person's
    services.update_member(other, {"nik": m.nik, "birth_date": m.birth_date, "sex": m.sex})
    assert services.other_memberships(koperasi, m.nik) == [other_koperasi.name]
    with django_assert_max_num_queries(3):  # the index, the one candidate's row, its name
        services.other_memberships(koperasi, m.nik)
    Member.objects.row(Member.objects.get(koperasi=other_koperasi, pk=other.pk)).update(status=Member.Status.KELUAR)
    assert services.other_memberships(koperasi, m.nik) == []  # indexed, but no longer a current member there
    assert services.other_memberships(koperasi, fixed["nik"]) == []


def test_rejoin_after_exit_allowed(koperasi):
    m = new_member(koperasi)
    services.exit_member(m, reason="keluar")
    data = member_data()
    data.update(nik=m.nik, birth_date=m.birth_date, sex=m.sex)
    m2 = services.register_member(koperasi, **data)
    assert m2.number != m.number


def test_other_field_errors(koperasi):
    for field, value in [("kk", "123"), ("phone", "12345"), ("crops", "padi,ganja"), ("occupation", "astronot"),
                         ("rt", "12a"), ("land_area_ha", "-1"), ("heir_nik", "123")]:
        with pytest.raises(DomainError) as exc:
            services.register_member(koperasi, **member_data(**{field: value}))
        assert exc.value.field == field, field
    assert Member.objects.count() == 0


def test_update_member_rechecks_nik(koperasi):
    m = new_member(koperasi)
    other = new_member(koperasi)
    services.update_member(m, {"phone": "081234567890", "crops": "sawit, karet"})
    m.refresh_from_db()
    assert m.phone == "6281234567890" and m.crop_list == ["sawit", "karet"]
    with pytest.raises(DomainError) as exc:
        services.update_member(m, {"nik": other.nik, "birth_date": other.birth_date, "sex": other.sex})
    assert exc.value.code == "duplicate_nik"
    with pytest.raises(DomainError) as exc:
        services.update_member(m, {"sex": "P"})
    assert exc.value.field == "sex"
    # a corrected NIK brings its own birth date and sex
    new_nik = make_nik("16.02.04", dt.date(1971, 2, 3), "P", 4242)
    services.update_member(m, {"nik": new_nik, "birth_date": None, "sex": ""})
    m.refresh_from_db()
    assert (m.nik, m.birth_date, m.sex) == (new_nik, dt.date(1971, 2, 3), "P")


def test_card_lookup(koperasi, other_koperasi):
    m = new_member(koperasi)
    payload = services.card_payload(m)
    assert payload == f"KOPDES-A|{koperasi.slug}|{m.number}"
    assert services.find_member_by_card(koperasi, payload) == m
    assert services.find_member_by_card(koperasi, " " + payload.lower().replace("kopdes-a", "KOPDES-A") + " ") \
        in (m, None)
    assert services.find_member_by_card(other_koperasi, payload) is None
    assert services.find_member_by_card(koperasi, m.nik) == m
    assert services.find_member_by_card(koperasi, "1") == m
    assert services.find_member_by_card(koperasi, "nonsense") is None
    assert services.find_member_by_card(koperasi, "") is None


def test_search(koperasi, other_koperasi):
    from kopdes.members.queries import search_members

    a = new_member(koperasi, name="Siti Aminah", phone="081273009999")
    b = new_member(koperasi, name="Bambang Aminudin")
    new_member(other_koperasi, name="Siti Aminah Lain")
    assert list(search_members(koperasi, "aminah")) == [a]
    assert set(search_members(koperasi, "AMIN")) == {a, b}
    assert list(search_members(koperasi, a.nik)) == [a]
    assert set(search_members(koperasi, a.nik[:12])) == {a, b}
    assert list(search_members(koperasi, "0812 7300 9999")) == [a]
    assert list(search_members(koperasi, b.number)) == [b]
    assert list(search_members(koperasi, "siti amin")) == [a]
    assert list(search_members(koperasi, "minah")) == []  # word prefixes, not infixes
    services.update_member(b, {"name": "Bambang Sutejo"})
    assert list(search_members(koperasi, "amin")) == [a]
    assert list(search_members(koperasi, "sutejo")) == [b]


def test_exit_candidate_without_money(koperasi):
    m = new_member(koperasi)
    s = services.exit_member(m, reason="keluar", note="pindah")
    m.refresh_from_db()
    assert m.status == "keluar" and s.net_refund == Decimal(0) and s.entry_id is None
    with pytest.raises(DomainError) as exc:
        services.exit_member(m, reason="keluar")
    assert exc.value.code == "member_closed"


def test_deceased_needs_heir(koperasi):
    m = new_active_member(koperasi, heir_name="")
    with pytest.raises(DomainError) as exc:
        services.exit_member(m, reason="meninggal")
    assert exc.value.code == "heir_required"
    m.refresh_from_db()
    assert m.status == "aktif"
    heir_nik = make_nik("16.02.04", dt.date(1985, 1, 2), "P", 77)
    s = services.exit_member(m, reason="meninggal", payee_name="Sumiati", payee_relation="istri",
                             payee_nik=heir_nik)
    assert s.payee_name == "Sumiati" and s.net_refund == Decimal("50000")

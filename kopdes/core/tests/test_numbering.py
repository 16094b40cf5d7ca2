"""The one numbering service (``kopdes.core.numbering``): consecutive, gap-free under rollback, guarded, and —
on PostgreSQL with threads — unique and gap-free for every numbered document type when documents are made at once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, transaction

from kopdes.core import numbering
from kopdes.core.models import DocumentCounter
from kopdes.core.testing import race

D = Decimal
DAY = dt.date(2026, 2, 3)
_n = itertools.count(1)


@pytest.mark.django_db
def test_consecutive_per_series_and_year(koperasi, other_koperasi):
    with transaction.atomic():
        assert [numbering.next_value(koperasi, "t.A", 2026) for _ in range(3)] == [1, 2, 3]
        assert numbering.next_value(koperasi, "t.A", 2027) == 1
        assert numbering.next_value(koperasi, "t.B", 2026) == 1
        assert numbering.next_value(other_koperasi, "t.A", 2026) == 1
        assert numbering.reserve(koperasi, "t.A", 2026, count=10) == 4
        assert numbering.next_value(koperasi, "t.A", 2026) == 14
    assert numbering.current(koperasi, "t.A", 2026) == 14


@pytest.mark.django_db
def test_rollback_gives_the_number_back(koperasi):
    with transaction.atomic():
        numbering.next_value(koperasi, "t.A", 2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.next_value(koperasi, "t.A", 2026)
        raise RuntimeError("the document failed")
    with transaction.atomic():
        assert numbering.next_value(koperasi, "t.A", 2026) == 2


@pytest.mark.django_db
def test_guard_refuses_without_changing_anything(koperasi):
    with transaction.atomic():
        assert numbering.reserve(koperasi, "t.A", 2026, guard=("1 = 0", [])) is None
        assert not DocumentCounter.objects.filter(koperasi=koperasi).exists()
        numbering.next_value(koperasi, "t.A", 2026)
        assert numbering.reserve(koperasi, "t.A", 2026, guard=("%s = 0", [1])) is None
        assert numbering.current(koperasi, "t.A", 2026) == 1


@pytest.mark.django_db(transaction=True)
def test_refused_outside_a_transaction(koperasi):
    with pytest.raises(RuntimeError):
        numbering.next_value(koperasi, "t.A", 2026)


@pytest.mark.django_db
def test_seed_only_raises(koperasi):
    numbering.seed(koperasi.pk, "t.A", 2026, 41)
    numbering.seed(koperasi.pk, "t.A", 2026, 7)
    numbering.seed_from_numbers([(koperasi.pk, "BYR-2026-00050"), (koperasi.pk, "BYR-2025-00003"),
                                 (koperasi.pk, "junk")], "t.B", pattern=r"BYR-(?P<year>\d{4})-(?P<n>\d+)")
    assert numbering.current(koperasi, "t.A", 2026) == 41
    assert (numbering.current(koperasi, "t.B", 2026), numbering.current(koperasi, "t.B", 2025)) == (50, 3)


# --- every numbered document, concurrently (PostgreSQL) -------------------------------------------------------

def _member(k, active: bool = True):
    from kopdes.members.tests.factories import new_active_member, new_member

    return new_active_member(k, date=dt.date(2026, 1, 2)) if active else new_member(k)


def _journal(k, _u) -> tuple[list[Callable], Callable]:
    from kopdes.ledger.models import JournalEntry
    from kopdes.ledger.services import Line, post

    def one():
        return post(k, date=DAY, memo="uji", lines=[Line("1103", debit=D("1000")), Line("4112", credit=D("1000"))])

    return [one] * 6, lambda: [f"JU-{e.year}-{e.number:06d}" for e in JournalEntry.objects.filter(koperasi=k)]


def _members(k, _u):
    from kopdes.members.models import Member
    from kopdes.members.services import register_member
    from kopdes.members.tests.factories import member_data

    datas = [member_data() for _ in range(6)]
    return ([lambda d=d: register_member(k, **d) for d in datas],
            lambda: list(Member.objects.filter(koperasi=k).values_list("number", flat=True)))


def _savings_receipts(k, _u):
    from kopdes.savings.models import Receipt
    from kopdes.savings.services import deposit

    ms = [_member(k) for _ in range(4)]  # their pokok receipts come first in the series
    return ([lambda m=m: deposit(m, "sukarela", D("10000"), date=DAY) for m in ms],
            lambda: list(Receipt.objects.filter(koperasi=k).values_list("number", flat=True)))


def _loans(k, users):
    from kopdes.loans import services
    from kopdes.loans.models import Loan, LoanProduct, Repayment
    from kopdes.loans.tests.conftest import make_active_loan

    services.default_products(k)
    product = LoanProduct.objects.get(koperasi=k, code="PKS")
    product.guarantee_threshold = D("50000000")
    product.save()
    staff = {"petugas": users("operator", unit="simpan_pinjam"), "ketua": users("ketua"),
             "bendahara": users("bendahara")}
    loans = [make_active_loan(k, _member(k), product, staff) for _ in range(4)]
    first = Loan.objects.filter(koperasi=k).values_list("number", flat=True)
    assert sorted(first) == [f"PJ-2026-{i:05d}" for i in range(1, 5)]
    return ([lambda ln=ln: services.repay(k, ln, amount=D("100000"), date=dt.date(2026, 2, 10),
                                          by=staff["petugas"]) for ln in loans],
            lambda: list(Repayment.objects.filter(koperasi=k).values_list("number", flat=True)))


def _loan_applications(k, users):
    from kopdes.loans import services
    from kopdes.loans.models import Loan, LoanProduct

    services.default_products(k)
    product = LoanProduct.objects.get(koperasi=k, code="PKS")
    ms = [_member(k) for _ in range(4)]
    petugas = users("operator", unit="simpan_pinjam")
    return ([lambda m=m: services.apply(k, member=m, product=product, amount=D("1000000"), tenor=6,
                                        purpose="konsumtif", income=D(5_000_000), expense=D(1_000_000), by=petugas,
                                        applied_on=DAY) for m in ms],
            lambda: list(Loan.objects.filter(koperasi=k).values_list("number", flat=True)))


def _purchase_orders(k, _u):
    from kopdes.retail import services
    from kopdes.retail.models import PurchaseOrder
    from kopdes.retail.tests.helpers import kiosk

    shop = kiosk(k)
    return ([lambda: services.create_purchase_order(k, supplier=shop["supplier"], location=shop["gerai"], date=DAY,
                                                    lines=[{"product_id": shop["gula"].pk, "qty": "5",
                                                            "unit_cost": "14000"}])] * 4,
            lambda: list(PurchaseOrder.objects.filter(koperasi=k).values_list("number", flat=True)))


def _goods_receipts(k, _u):
    from kopdes.retail import services
    from kopdes.retail.models import GoodsReceipt
    from kopdes.retail.tests.helpers import kiosk

    shop = kiosk(k)  # its stocking receipt is the first of the series
    return ([lambda: services.receive_goods(k, supplier=shop["supplier"], location=shop["gerai"], date=DAY,
                                            lines=[{"product_id": shop["gula"].pk, "qty": "5",
                                                    "unit_cost": "14000"}])] * 4,
            lambda: list(GoodsReceipt.objects.filter(koperasi=k).values_list("number", flat=True)))


def _clinic(k, _u):
    from kopdes.clinic import services
    from kopdes.clinic.models import Patient, Visit
    from kopdes.clinic.tests.helpers import patient_data

    services.ensure_default_tariffs(k)
    datas = [patient_data() for _ in range(4)]

    def one(d):
        p = services.register_patient(k, **d)
        return services.register_visit(k, patient=p, date=DAY, complaint="demam")

    return ([lambda d=d: one(d) for d in datas],
            lambda: (list(Patient.objects.filter(koperasi=k).values_list("mrn", flat=True))
                     + list(Visit.objects.filter(koperasi=k).values_list("number", flat=True))
                     + [f"Q-{q}" for q in Visit.objects.filter(koperasi=k).values_list("queue_no", flat=True)]))


def _prescriptions(k, _u):
    from kopdes.pharmacy.models import Prescription
    from kopdes.pharmacy.services import create_prescription
    from kopdes.pharmacy.tests.test_pharmacy import drug

    d = drug(k)
    return ([lambda: create_prescription(k, source="klinik", items=[{"drug": d, "qty": 10, "signa": "3x1"}],
                                         prescriber_name="dr. Lina", patient_name="Bu Rum", date=DAY)] * 4,
            lambda: list(Prescription.objects.filter(koperasi=k).values_list("number", flat=True)))


def _warehouse(k, _u):
    from kopdes.warehouse import services as s
    from kopdes.warehouse.models import StoredLot

    f = s.create_facility(k, code="G1", name="Gudang Utama")
    zone = s.create_zone(f, code="A", name="Lantai A", capacity=D("100000"))
    s.set_tariff(k, member_rate=D("3"), public_rate=D("6"), period="month", effective_from=dt.date(2026, 1, 1))
    return ([lambda i=i: s.intake(k, zone=zone, commodity="gabah", gross_kg="500", net_kg="480", date=DAY,
                                  depositor_name=f"Petani {i}") for i in range(4)],
            lambda: [x for lot in StoredLot.objects.filter(koperasi=k).select_related("receipt")
                     for x in (lot.number, re.sub(r"^RG-\d{4}-", "RG-", lot.receipt.number))])


def _deliveries(k, _u):
    from kopdes.logistics import services as s
    from kopdes.logistics.models import DeliveryOrder

    items = [{"description": "Beras medium", "qty": "10", "uom": "karung", "weight_kg": "500"}]
    return ([lambda: s.create_delivery(k, kind="lain", date=DAY, origin="Gudang", destination="Dusun II",
                                       items=items, customer_name="Pak Darmo")] * 4,
            lambda: list(DeliveryOrder.objects.filter(koperasi=k).values_list("number", flat=True)))


DOCUMENTS = {"journal": _journal, "member": _members, "savings_receipt": _savings_receipts,
             "loan": _loan_applications, "loan_repayment": _loans, "purchase_order": _purchase_orders,
             "goods_receipt": _goods_receipts, "clinic_patient_visit_queue": _clinic, "prescription": _prescriptions,
             "warehouse_lot_receipt": _warehouse, "delivery_order": _deliveries}


def _gap_free(numbers: list[str]) -> None:
    """Every series among ``numbers`` (prefix before the last number) runs 1…n without a gap or a repeat."""
    assert len(numbers) == len(set(numbers)), numbers
    series: dict[str, list[int]] = {}
    for num in numbers:
        head, n = re.fullmatch(r"(.*?)(\d+)", num).groups()
        series.setdefault(head, []).append(int(n))
    for head, ns in series.items():
        assert sorted(ns) == list(range(1, len(ns) + 1)), (head, sorted(ns))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_documents_made_at_once_get_unique_gap_free_numbers(kind, koperasi, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")

    def users(role, unit=""):
        return make_user(role, koperasi=koperasi, unit=unit)

    fns, numbers = DOCUMENTS[kind](koperasi, users)
    results = race(fns)
    assert not [r for r in results if isinstance(r, Exception)], results
    got = numbers()
    assert len(got) >= len(fns)
    _gap_free(got)

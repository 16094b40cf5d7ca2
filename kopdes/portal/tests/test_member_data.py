"""What a member sees about their own money: SHU with its computation and slip, purchases at the gerai and the
apotek, and — on every portal URL — nothing of another member."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse

from kopdes.portal.urls import global_urlpatterns

pytestmark = pytest.mark.django_db
D = Decimal


def shu_2025(koperasi, shares: dict) -> None:
    """Fiscal year 2025 with ``{member: (simpanan wajib on 1 Jan, member purchases)}`` plus non-member sales of
    1.200.000, closed, approved by the RAT and allocated by the ledger (default by-laws: jasa modal 15 %, jasa
    usaha 25 %)."""
    from kopdes.core.units import Unit
    from kopdes.ledger import rat, shu
    from kopdes.ledger.services import Line, close_year, post
    from kopdes.members.models import Member

    # members of the whole year (the books refuse a member's operation dated before they joined)
    Member.objects.filter(koperasi=koperasi, pk__in=[m.pk for m in shares]).update(joined_on=dt.date(2025, 1, 1))
    for m, (capital, bought) in shares.items():
        post(koperasi, date=dt.date(2025, 1, 1), memo="simpanan wajib", lines=[
            Line("1101", debit=D(capital), unit=Unit.KANTOR), Line("3102", credit=D(capital), member_id=m.pk)])
        post(koperasi, date=dt.date(2025, 6, 1), memo="belanja anggota", lines=[
            Line("1103", debit=D(bought), unit=Unit.SEMBAKO),
            Line("4111", credit=D(bought), unit=Unit.SEMBAKO, member_id=m.pk)])
    post(koperasi, date=dt.date(2025, 6, 1), memo="belanja umum", lines=[
        Line("1103", debit=D("1200000"), unit=Unit.SEMBAKO), Line("4112", credit=D("1200000"), unit=Unit.SEMBAKO)])
    close_year(koperasi, 2025)
    meeting = rat.record_meeting(koperasi, year=2025, date=dt.date(2026, 3, 1), members_total=10, attendance=8,
                                 statements_approved=True, shu_approved=True)
    shu.allocate(koperasi, 2025, meeting=meeting)


def pdf_text(pdf: bytes) -> str:
    """The text operators of a ReportLab PDF (streams are ASCII85 + Flate encoded)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = raw.strip()
        try:
            if data.endswith(b"~>"):
                data = base64.a85decode(data.removeprefix(b"<~")[:-2])
            out.append(zlib.decompress(data).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    return "\n".join(out)


def test_shu_page_shows_share_and_computation_and_slip(client, koperasi, make_member, activated):
    a = make_member(koperasi, name="Siti Penerima")
    b = make_member(koperasi, name="Budi Penerima")
    shu_2025(koperasi, {a: ("100000", "200000"), b: ("300000", "600000")})
    # SHU 2.000.000: jasa modal 300.000 split 100:300, jasa usaha 500.000 split 200:600
    client.force_login(activated(a))
    page = client.get("/portal/shu/").content.decode()
    card = page.split('data-testid="shu-2025"')[1]
    assert "Rp200.000" in card  # 75.000 + 125.000
    assert "Rp75.000" in card and "Rp125.000" in card
    assert "Rp100.000" in card and "Rp400.000" in card and "Rp300.000" in card  # my capital, all, pool
    assert "Rp800.000" in card and "Rp500.000" in card  # all members' transactions, pool
    assert "Rp600.000" not in page  # Budi's SHU
    assert "Belum dibayar" in card
    home = client.get("/portal/").content.decode()
    assert 'data-testid="shu-latest">Rp200.000<' in home
    r = client.get("/portal/shu/2025/slip.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    assert "Siti Penerima" in text and "Rp200.000" in text and "Rp75.000" in text and "Rp125.000" in text
    assert "Budi" not in text
    assert client.get("/portal/shu/2024/slip.pdf").status_code == 404
    # the ledger holds exactly what the portal shows: SHU payable to the member (2121)
    from kopdes.ledger.queries import member_balance

    assert member_balance(koperasi, "2121", a.pk) == D("200000")
    client.force_login(activated(b, pin="sawah-2026"))
    assert 'data-testid="shu-latest">Rp600.000<' in client.get("/portal/").content.decode()
    assert "Siti" not in pdf_text(client.get("/portal/shu/2025/slip.pdf").content)


def test_apotek_purchases_are_listed_per_month(client, koperasi, make_member, make_user, activated):
    from kopdes.pharmacy import services as pharmacy

    apoteker = make_user("operator", koperasi=koperasi, unit="apotek")
    drug = pharmacy.save_drug(koperasi, {
        "code": "PCT500", "generic_name": "Parasetamol", "strength": "500 mg", "form": "tablet", "drug_class": "bebas",
        "base_uom": "tablet", "member_price": D("300"), "public_price": D("400"), "active": True})
    pharmacy.receive_stock(koperasi, lines=[{"drug": drug, "qty": 100, "unit_cost": "200", "lot_number": "L1",
                                            "expiry_date": dt.date.today() + dt.timedelta(days=400)}])
    m = make_member(koperasi)
    other = make_member(koperasi)
    pharmacy.dispense(koperasi, client_id="p1", by=apoteker, member=m.pk, lines=[{"drug": drug, "qty": 10}])
    pharmacy.dispense(koperasi, client_id="p2", by=apoteker, member=m.pk, lines=[{"drug": drug, "qty": 5}])
    pharmacy.dispense(koperasi, client_id="p3", by=apoteker, member=other.pk, lines=[{"drug": drug, "qty": 33}])
    client.force_login(activated(m))
    page = client.get("/portal/belanja/").content.decode()
    apotek = page.split("Apotek desa")[1]
    assert "Belum tersedia" not in apotek and "Not available" not in apotek
    row = re.search(r"<td class=\"num\">(\d+)</td><td class=\"num\">(Rp[\d.]+)</td>", apotek)
    assert row and row.groups() == ("2", "Rp4.500")  # 15 tablets at the member price 300
    assert "Rp9.900" not in page  # the other member's 33 tablets


# --- every portal URL: a member never sees another member's data ------------------------------------------------

PUBLIC = {"login", "activate", "manifest", "sw", "offline"}
POST_ONLY = {"logout", "choose"}
OWN_PAGES = {"home", "savings", "statement", "dues", "loans", "purchases", "shu", "fertilizer", "storage", "news",
             "account"}
WITH_ID = {"loan", "news_item", "shu_slip"}


def test_every_portal_url_is_classified():
    names = {p.name for p in global_urlpatterns}
    assert names == PUBLIC | POST_ONLY | OWN_PAGES | WITH_ID, (
        "a new portal URL must be added to the isolation walk below")


def test_walk_every_portal_url_as_another_member(client, koperasi, other_koperasi, make_member, activated):
    from kopdes.loans import services as loans
    from kopdes.portal.models import Announcement
    from kopdes.savings.services import deposit

    victim = make_member(koperasi, name="Rahasia Korban", phone="081355550001")
    viewer = make_member(koperasi, name="Pak Penonton")
    deposit(victim, "sukarela", D("777000"))
    deposit(victim, "sukarela", D("1000000"))
    product = loans.default_products(koperasi)[0]
    loan = loans.apply(koperasi, member=victim, product=product, amount=D("1230000"), tenor=10, purpose="konsumtif",
                       income=D("5000000"), expense=D("2000000"))
    shu_2025(koperasi, {victim: ("900000", "700000")})
    foreign_news = Announcement.objects.create(koperasi=other_koperasi, title="Kabar koperasi lain", body="x")
    # markers of the victim that must never appear on the viewer's pages
    markers = ["Rahasia Korban", "Rp777.000", "Rp1.777.000", "Rp1.230.000", "081355550001", loan.number]
    victim_user = activated(victim)
    client.force_login(victim_user)
    assert "Rp1.777.000" in client.get("/portal/simpanan/").content.decode()  # the markers are real
    assert loan.number in client.get("/portal/pinjaman/").content.decode()

    client.force_login(activated(viewer, pin="sawah-2026"))
    for name in sorted(OWN_PAGES):
        url = reverse(f"portal:{name}")
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.content.decode("latin-1") if name == "statement" else r.content.decode()
        for marker in markers:
            assert marker not in body, (url, marker)
    assert client.get(reverse("portal:loan", args=[loan.pk])).status_code == 404
    assert client.get(reverse("portal:shu_slip", args=[2025])).status_code == 404  # the viewer had no share
    assert client.get(reverse("portal:news_item", args=[foreign_news.pk])).status_code == 404
    assert client.post(reverse("portal:choose"), {"member": str(victim.pk)}).status_code == 404
    # the session switch of the victim does not leak either: the viewer is still themselves
    assert "Pak Penonton" in client.get("/portal/").content.decode()

    client.logout()
    for name in sorted(OWN_PAGES):
        r = client.get(reverse(f"portal:{name}"))
        assert r.status_code == 302 and r["Location"].startswith("/portal/masuk/"), name
    for name, args in (("loan", [loan.pk]), ("shu_slip", [2025]), ("news_item", [foreign_news.pk])):
        assert client.get(reverse(f"portal:{name}", args=args)).status_code == 302
    for name in sorted(PUBLIC):
        assert client.get(reverse(f"portal:{name}")).status_code == 200, name


def test_portal_in_english(client, koperasi, make_member, activated):
    m = make_member(koperasi)
    client.force_login(activated(m))
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    home = client.get("/portal/").content.decode()
    assert '<html lang="en">' in home and "Total savings" in home and "Loan outstanding" in home
    assert "Keluar" not in home and "Total simpanan" not in home
    assert "<h1>My savings</h1>" in client.get("/portal/simpanan/").content.decode()
    assert "<h1>My SHU</h1>" in client.get("/portal/shu/").content.decode()
    assert "Change PIN" in client.get("/portal/akun/").content.decode()
    client.post("/i18n/setlang/", {"language": "id", "next": "/portal/"})
    assert "Total simpanan" in client.get("/portal/").content.decode()

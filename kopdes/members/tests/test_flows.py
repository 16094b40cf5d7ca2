"""Officer flows through the pages (not only the services): each refusal of issue 4 shows its Indonesian message
on the page and saves nothing; exit, payout, billing, import and the printable lists work end to end."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from kopdes.core.identity import make_nik
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.queries import account_balance, member_balance
from kopdes.members.models import Member, Settlement
from kopdes.members.tests.factories import member_data, new_active_member, new_member
from kopdes.savings import services as s
from kopdes.savings.models import Receipt, WajibDue

pytestmark = pytest.mark.django_db


def _balanced(k):
    tot = JournalLine.objects.filter(entry__koperasi=k).aggregate(d=Sum("debit"), c=Sum("credit"))
    assert tot["d"] == tot["c"]


def _counter(c, k, m, **over):
    post = {"anggota": m.pk, "op": "setor", "kind": "sukarela", "amount": "", "method": "tunai", "reference": "",
            "date": dt.date.today().isoformat(), "client_key": over.pop("client_key")}
    post.update(over)
    return c.post(f"/k/{k.slug}/simpanan/loket/", post)


def test_duplicate_nik_and_second_pokok_refused_on_the_pages(koperasi, make_user, client_as):
    c = client_as(make_user("operator", koperasi=koperasi, unit="simpan_pinjam"))
    m = new_member(koperasi, name="Sri Wahyuni")
    data = member_data(name="Orang Lain", nik=m.nik, birth_date=m.birth_date, sex=m.sex)
    data.update(birth_date=m.birth_date.isoformat(), crops=["padi"])
    resp = c.post(f"/k/{koperasi.slug}/anggota/baru/", data)
    body = resp.content.decode()
    assert resp.status_code == 200 and "sudah terdaftar" in body and "Sri Wahyuni" not in body.split("<form")[0]
    assert Member.objects.filter(koperasi=koperasi).count() == 1
    assert _counter(c, koperasi, m, kind="pokok", client_key="p1").status_code == 302
    resp = _counter(c, koperasi, m, kind="pokok", client_key="p2")
    assert resp.status_code == 200 and "sekali" in resp.content.decode()
    assert Receipt.objects.filter(koperasi=koperasi).count() == 1
    assert account_balance(koperasi, "3101") == D("50000")
    _balanced(koperasi)


def test_exit_and_payout_through_the_pages(koperasi, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    m = new_active_member(koperasi)
    s.deposit(m, "wajib", D("20000"))
    s.deposit(m, "sukarela", D("30000"))
    base = f"/k/{koperasi.slug}/anggota/{m.pk}"
    resp = c.get(f"{base}/")
    assert f"/anggota/{m.pk}/keluar/" in resp.content.decode()  # the exit is reachable from the member page
    resp = c.post(f"{base}/keluar/", {"reason": "keluar", "date": dt.date.today().isoformat()})
    assert resp.status_code == 302
    st = Settlement.objects.get(member=m)
    assert resp["Location"].endswith(f"/anggota/penyelesaian/{st.pk}/")
    assert (st.pokok, st.wajib, st.sukarela, st.net_refund) == (D("50000"), D("20000"), D("30000"), D("100000"))
    m.refresh_from_db()
    assert m.status == "keluar" and s.balances(m) == {"pokok": 0, "wajib": 0, "sukarela": 0}
    assert member_balance(koperasi, "2115", m.pk) == D("100000")
    page = c.get(f"/k/{koperasi.slug}/anggota/penyelesaian/{st.pk}/").content.decode()
    assert "100.000" in page
    # a second exit is not possible: the page says so and nothing is posted
    n = JournalEntry.objects.filter(koperasi=koperasi).count()
    assert c.post(f"{base}/keluar/", {"reason": "keluar", "date": dt.date.today().isoformat()}).status_code == 302
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == n
    resp = c.post(f"/k/{koperasi.slug}/anggota/penyelesaian/{st.pk}/",
                  {"method": "tunai", "reference": "", "date": dt.date.today().isoformat()})
    assert resp.status_code == 302
    st.refresh_from_db()
    assert st.paid_on == dt.date.today() and member_balance(koperasi, "2115", m.pk) == 0
    _balanced(koperasi)


def test_deceased_without_heir_refused_on_the_page(koperasi, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    m = new_active_member(koperasi, heir_name="")
    resp = c.post(f"/k/{koperasi.slug}/anggota/{m.pk}/keluar/",
                  {"reason": "meninggal", "date": dt.date.today().isoformat()})
    assert resp.status_code == 200 and "ahli waris" in resp.content.decode().lower()
    m.refresh_from_db()
    assert m.status == "aktif" and not Settlement.objects.filter(member=m).exists()
    heir = make_nik("16.02.04", dt.date(1985, 1, 2), "P", 91)
    resp = c.post(f"/k/{koperasi.slug}/anggota/{m.pk}/keluar/",
                  {"reason": "meninggal", "date": dt.date.today().isoformat(), "payee_name": "Sumiati",
                   "payee_relation": "istri", "payee_nik": heir})
    assert resp.status_code == 302
    assert Settlement.objects.get(member=m).payee_name == "Sumiati"


def test_withdrawal_over_balance_and_below_minimum_refused(koperasi, make_user, client_as):
    c = client_as(make_user("operator", koperasi=koperasi, unit="simpan_pinjam"))
    m = new_active_member(koperasi)
    assert _counter(c, koperasi, m, amount="40000", client_key="d1").status_code == 302
    resp = _counter(c, koperasi, m, op="tarik", amount="50000", client_key="w1")
    assert resp.status_code == 200 and "Saldo tidak cukup" in resp.content.decode()
    resp = _counter(c, koperasi, m, op="tarik", kind="wajib", amount="1000", client_key="w2")
    assert resp.status_code == 200
    assert member_balance(koperasi, "2101", m.pk) == D("40000")
    assert member_balance(koperasi, "3101", m.pk) == D("50000")
    _balanced(koperasi)


def test_billing_twice_through_the_page_makes_one_set(koperasi, make_user, client_as):
    c = client_as(make_user("bendahara", koperasi=koperasi))
    members = [new_active_member(koperasi) for _ in range(3)]
    new_member(koperasi)  # a calon anggota is not billed
    period = dt.date.today().replace(day=1).strftime("%Y-%m")
    url = f"/k/{koperasi.slug}/simpanan/tagihan/"
    assert c.post(url, {"period": period}).status_code == 302
    assert c.post(url, {"period": period}).status_code == 302
    dues = WajibDue.objects.filter(koperasi=koperasi)
    assert dues.count() == 3 and {d.member_id for d in dues} == {m.pk for m in members}
    page = c.get(f"/k/{koperasi.slug}/simpanan/tunggakan/").content.decode()
    assert members[0].name in page


def test_import_through_the_page_dry_run_then_commit(koperasi, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    rows = ["nik,nama,tanggal_lahir,jenis_kelamin"]
    for i in range(3):
        birth = dt.date(1970 + i, 3, 4)
        rows.append(f"{make_nik('16.02.04', birth, 'L', 300 + i)},Warga Impor {i},{birth:%d-%m-%Y},L")
    data = ("\n".join(rows) + "\n").encode()
    url = f"/k/{koperasi.slug}/anggota/impor/"
    resp = c.post(url, {"kind": "anggota", "dry_run": "on", "file": SimpleUploadedFile("a.csv", data, "text/csv")})
    assert resp.status_code == 200 and Member.objects.filter(koperasi=koperasi).count() == 0
    resp = c.post(url, {"kind": "anggota", "file": SimpleUploadedFile("a.csv", data, "text/csv")}, follow=True)
    assert "Berhasil mengimpor 3" in resp.content.decode()
    assert Member.objects.filter(koperasi=koperasi).count() == 3


def test_member_list_pdf_follows_the_filters(koperasi, make_user, client_as):
    c = client_as(make_user("ketua", koperasi=koperasi))
    new_active_member(koperasi, name="Siti Aminah & Putri")
    new_member(koperasi, name="Budi Santoso")
    resp = c.get(f"/k/{koperasi.slug}/anggota/?format=pdf&q=aminah")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content[:4] == b"%PDF"
    from kopdes.members.pdf import member_list_pdf

    one = member_list_pdf(koperasi, list(Member.objects.filter(name__startswith="Siti")))
    both = member_list_pdf(koperasi, list(Member.objects.all()), total=2)
    assert len(both) > len(one)
    assert "?format=pdf" in c.get(f"/k/{koperasi.slug}/anggota/").content.decode().replace("&amp;", "&")


def test_pages_in_english(koperasi, make_user, client_as):
    from kopdes.members.services import exit_member

    c = client_as(make_user("ketua", koperasi=koperasi))
    m = new_active_member(koperasi, name="Siti Aminah")
    gone = new_active_member(koperasi, name="Budi Pergi")
    exit_member(gone, reason="keluar")
    c.cookies["django_language"] = "en"
    html = c.get(f"/k/{koperasi.slug}/anggota/").content.decode()
    assert "Search name, NIK, member number, mobile" in html and "Member list" in html
    assert "Cari nama, NIK" not in html and "1 members · 0 prospective" in html
    assert ">Left<" in html and "Log out" in html  # the member status is not the menu's "Keluar" (log out)
    html = c.get(f"/k/{koperasi.slug}/anggota/{m.pk}/").content.decode()
    assert "Personal data" in html and "Passbook" in html and "Data diri" not in html and "member since" in html
    html = c.get(f"/k/{koperasi.slug}/simpanan/").content.decode()
    assert "Member savings" in html and "Savings balances" in html
    html = c.get(f"/k/{koperasi.slug}/anggota/baru/").content.decode()
    assert "Full name (as on the ID card)" in html
    resp = c.post(f"/k/{koperasi.slug}/simpanan/tagihan/", {"period": dt.date.today().strftime("%Y-%m")}, follow=True)
    assert "1 members billed" in resp.content.decode()  # the flash message too
    c.cookies["django_language"] = "id"
    html = c.get(f"/k/{koperasi.slug}/simpanan/").content.decode()
    assert "Simpanan anggota" in html and "Member savings" not in html


def test_jasa_settings_and_run_through_the_pages(koperasi, make_user, client_as):
    from django.utils import timezone

    from kopdes.savings.models import JasaRun

    c = client_as(make_user("ketua", koperasi=koperasi))
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    m = new_active_member(koperasi, date=month)
    s.deposit(m, "sukarela", D("1200000"), date=month)
    base = f"/k/{koperasi.slug}/simpanan"
    # the current month is not over: refused with a message, nothing computed
    resp = c.post(f"{base}/jasa/", {"period": today.strftime("%Y-%m")}, follow=True)
    assert "setelah bulan berakhir" in resp.content.decode()
    assert not JasaRun.objects.filter(koperasi=koperasi).exists()
    resp = c.post(f"{base}/pengaturan/", {"sukarela_min_balance": "10000", "jasa_enabled": "on",
                                          "jasa_rate_annual": "6", "jasa_basis": "terendah", "tax_rate": "10",
                                          "tax_threshold": "240000", "decided_by": "Rapat pengurus"})
    assert resp.status_code == 302
    for _ in range(2):  # twice: one run
        c.post(f"{base}/jasa/", {"period": month.strftime("%Y-%m")})
    run = JasaRun.objects.get(koperasi=koperasi)
    assert run.gross_total == D("6000") and run.tax_total == 0  # 1.200.000 × 6% / 12, under the threshold
    assert member_balance(koperasi, "2101", m.pk) == D("1206000")
    assert account_balance(koperasi, "6111") == D("6000")
    _balanced(koperasi)


def test_other_cooperative_warning_and_transfer_reference(koperasi, other_koperasi, make_user, client_as):
    elsewhere = new_active_member(other_koperasi, name="Warga Dua Koperasi")
    c = client_as(make_user("operator", koperasi=koperasi, unit="simpan_pinjam"))
    data = member_data(name="Warga Dua Koperasi", nik=elsewhere.nik, birth_date=elsewhere.birth_date,
                       sex=elsewhere.sex)
    data.update(birth_date=elsewhere.birth_date.isoformat(), crops=["padi"])
    resp = c.post(f"/k/{koperasi.slug}/anggota/baru/", data, follow=True)
    body = resp.content.decode()
    assert resp.status_code == 200 and other_koperasi.name in body and "Perhatian" in body  # a warning, not a refusal
    m = Member.objects.get(koperasi=koperasi, nik=elsewhere.nik)
    resp = _counter(c, koperasi, m, kind="pokok", method="transfer", client_key="t1")
    assert resp.status_code == 200 and "referensi" in resp.content.decode()
    assert not Receipt.objects.filter(koperasi=koperasi).exists()
    resp = _counter(c, koperasi, m, kind="pokok", method="transfer", reference="TRF-778899", client_key="t2")
    assert resp.status_code == 302
    assert account_balance(koperasi, "1111") == D("50000")  # the bank account, not the cash box

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kopdes.ledger.queries import member_balance
from kopdes.members.models import Member
from kopdes.members.tests.factories import member_data, new_active_member, new_member
from kopdes.savings import services as s
from kopdes.savings.models import Receipt

pytestmark = pytest.mark.django_db


def _post_member(client, k, **over):
    data = member_data(**over)
    data["birth_date"] = data["birth_date"].isoformat()
    data["crops"] = data["crops"].split(",")
    data["land_area_ha"] = "1.5"
    return client.post(f"/k/{k.slug}/anggota/baru/", data), data


def test_pages_render_for_ketua(koperasi, make_user, client_as):
    ketua = make_user("ketua", koperasi=koperasi)
    c = client_as(ketua)
    m = new_active_member(koperasi, name="Siti Aminah")
    r = s.deposit(m, "sukarela", Decimal("25000"))
    s.run_billing(koperasi, dt.date.today().replace(day=1))
    st = None
    other = new_active_member(koperasi)
    from kopdes.members.services import exit_member

    st = exit_member(other, reason="keluar")
    base = f"/k/{koperasi.slug}"
    for url in [f"{base}/anggota/", f"{base}/anggota/?q=aminah", f"{base}/anggota/baru/", f"{base}/anggota/impor/",
                f"{base}/anggota/{m.pk}/", f"{base}/anggota/{m.pk}/ubah/", f"{base}/anggota/{m.pk}/keluar/",
                f"{base}/anggota/penyelesaian/{st.pk}/", f"{base}/simpanan/", f"{base}/simpanan/loket/",
                f"{base}/simpanan/loket/?q=aminah", f"{base}/simpanan/bukti/{r.pk}/",
                f"{base}/simpanan/bukti/{r.pk}/?lebar=80", f"{base}/simpanan/mutasi/", f"{base}/simpanan/tagihan/",
                f"{base}/simpanan/tunggakan/", f"{base}/simpanan/pengaturan/", f"{base}/simpanan/anggota/{m.pk}/",
                f"{base}/simpanan/anggota/{m.pk}/buku/", f"{base}/"]:
        resp = c.get(url)
        assert resp.status_code == 200, url
    assert "Siti Aminah" in c.get(f"{base}/anggota/?q=aminah").content.decode()
    for url, ctype in [(f"{base}/anggota/{m.pk}/kartu.pdf", "application/pdf"),
                       (f"{base}/anggota/kartu/", "application/pdf"),
                       (f"{base}/simpanan/anggota/{m.pk}/?format=pdf", "application/pdf"),
                       (f"{base}/anggota/?format=xlsx", "spreadsheet"),
                       (f"{base}/simpanan/mutasi/?format=xlsx", "spreadsheet"),
                       (f"{base}/simpanan/tunggakan/?format=xlsx", "spreadsheet"),
                       (f"{base}/anggota/impor/templat/", "spreadsheet"),
                       (f"{base}/anggota/impor/templat/?jenis=saldo", "spreadsheet")]:
        resp = c.get(url)
        assert resp.status_code == 200 and ctype in resp["Content-Type"], url
        body = resp.content
        assert body[:4] in (b"%PDF", b"PK\x03\x04"), url
    wb = load_workbook(io.BytesIO(c.get(f"{base}/anggota/?format=xlsx").content))
    assert wb.active.max_row == 3  # header + 2 members
    # the dashboard widget shows the count
    assert "Tunggakan wajib" in c.get(f"{base}/").content.decode()


def test_register_and_counter_flow(koperasi, make_user, client_as):
    op = make_user("operator", koperasi=koperasi, unit="simpan_pinjam")
    c = client_as(op)
    resp, data = _post_member(c, koperasi, name="Budi Santoso")
    assert resp.status_code == 302
    m = Member.objects.get(koperasi=koperasi, nik=data["nik"])
    # bad NIK: the form shows the Indonesian message, nothing saved
    resp, _ = _post_member(c, koperasi, nik="1234")
    assert resp.status_code == 200 and "16 digit" in resp.content.decode()
    assert Member.objects.filter(koperasi=koperasi).count() == 1
    url = f"/k/{koperasi.slug}/simpanan/loket/"
    post = {"anggota": m.pk, "op": "setor", "kind": "pokok", "amount": "", "method": "tunai", "reference": "",
            "date": dt.date.today().isoformat(), "client_key": "abc123"}
    resp = c.post(url, post)
    assert resp.status_code == 302
    resp2 = c.post(url, post)  # double submit: same receipt, nothing posted twice
    assert resp2["Location"] == resp["Location"]
    assert Receipt.objects.filter(koperasi=koperasi).count() == 1
    m.refresh_from_db()
    assert m.status == "aktif"
    post.update(kind="sukarela", amount="100.000", client_key="k2")
    assert c.post(url, post).status_code == 302
    post.update(op="tarik", amount="95000", client_key="k3")
    resp = c.post(url, post)
    assert resp.status_code == 200 and "Saldo tidak cukup" in resp.content.decode()
    assert member_balance(koperasi, "2101", m.pk) == Decimal("100000")


def test_readonly_roles_and_other_units(koperasi, make_user, client_as):
    m = new_member(koperasi)
    base = f"/k/{koperasi.slug}"
    pengawas = make_user("pengawas", koperasi=koperasi)
    c = client_as(pengawas)
    assert c.get(f"{base}/anggota/{m.pk}/").status_code == 200
    assert c.get(f"{base}/simpanan/").status_code == 200
    resp, _ = _post_member(c, koperasi)
    assert resp.status_code == 403
    assert c.post(f"{base}/simpanan/tagihan/", {"period": "2025-01"}).status_code == 403
    dinas = make_user("dinas_kabupaten", region="16.02")
    c = client_as(dinas)
    assert c.get(f"{base}/anggota/").status_code == 200
    assert c.post(f"{base}/anggota/{m.pk}/keluar/", {"reason": "keluar", "date": "2025-01-01"}).status_code == 403
    kasir = make_user("operator", koperasi=koperasi, unit="sembako")
    c = client_as(kasir)
    assert c.get(f"{base}/anggota/").status_code == 200  # may look members up
    assert c.get(f"{base}/simpanan/").status_code == 403  # but not their savings
    resp, _ = _post_member(c, koperasi)
    assert resp.status_code == 403
    kantor = make_user("operator", koperasi=koperasi, unit="kantor")
    resp, _ = _post_member(client_as(kantor), koperasi)
    assert resp.status_code == 302


def test_foreign_member_404(koperasi, other_koperasi, make_user, client_as):
    m = new_member(other_koperasi)
    c = client_as(make_user("ketua", koperasi=koperasi))
    assert c.get(f"/k/{koperasi.slug}/anggota/{m.pk}/").status_code == 404
    assert c.get(f"/k/{koperasi.slug}/simpanan/anggota/{m.pk}/").status_code == 404
    assert c.get(f"/k/{other_koperasi.slug}/anggota/").status_code == 404


def test_import_page_shows_row_errors(koperasi, make_user, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_as(make_user("ketua", koperasi=koperasi))
    csv = b"nik,nama\n123,Salah\n1602041705800001,Benar\n"
    resp = c.post(f"/k/{koperasi.slug}/anggota/impor/",
                  {"kind": "anggota", "file": SimpleUploadedFile("a.csv", csv, "text/csv")})
    body = resp.content.decode()
    assert resp.status_code == 200 and "Berkas ditolak" in body and "16 digit" in body
    assert Member.objects.count() == 0

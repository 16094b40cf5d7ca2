"""The "Cadangan terakhir" card on the cooperative profile and the download of the newest backup archive.

An archive holds the whole installation, so only the administrator, or the ketua/bendahara of an installation
with exactly one cooperative (the laptop case), may see the card or download it.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.urls import reverse
from django.utils import timezone

from kopdes.core.backup import create_backup, verify_backup
from kopdes.core.models import AuditLog

ARCHIVE_BYTES = b"\x1f\x8b" + bytes(range(256)) * 64  # the view streams whatever the newest archive holds


@pytest.fixture
def backups(tmp_path, monkeypatch, settings):
    d = tmp_path / "backups"
    d.mkdir()
    monkeypatch.setenv("KOPDES_BACKUP_DIR", str(d))
    settings.KOPDES_BACKUP_MAX_AGE = 2 * 24 * 3600
    return d


def _archive(folder, name: str, when: dt.datetime, data: bytes = ARCHIVE_BYTES):
    p = folder / name
    p.write_bytes(data)
    os.utime(p, (when.timestamp(), when.timestamp()))
    return p


def _urls(k):
    return reverse("core:profile", kwargs={"slug": k.slug}), reverse("core:backup_download", kwargs={"slug": k.slug})


@pytest.mark.parametrize("role", ["ketua", "bendahara"])
def test_ketua_and_bendahara_of_the_only_cooperative_see_and_download(role, koperasi, make_user, client_as, backups):
    now = timezone.now()
    _archive(backups, "kopdes-backup-20261201-020000.tar.gz", now - dt.timedelta(days=3), b"\x1f\x8bold")
    newest = _archive(backups, "kopdes-backup-20261204-020000.tar.gz", now - dt.timedelta(hours=5, minutes=1))
    c = client_as(make_user(role, koperasi=koperasi))
    profile, download = _urls(koperasi)

    html = c.get(profile).content.decode().replace("\xa0", " ")  # timesince puts no-break spaces
    assert "Cadangan terakhir" in html and "Unduh cadangan" in html and download in html
    shown = timezone.localtime(dt.datetime.fromtimestamp(newest.stat().st_mtime, tz=dt.UTC))
    months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
    assert f"{shown.day} {months[shown.month - 1]} {shown.year} {shown:%H.%M}" in html
    assert "5 jam, 1 menit yang lalu" in html and "16,0 KB" in html  # 16 386 bytes, Indonesian decimal comma
    assert "lebih tua dari" not in html  # 5 hours old: no warning

    resp = c.get(download)
    assert resp.status_code == 200
    assert resp["Content-Disposition"] == 'attachment; filename="kopdes-backup-20261204-020000.tar.gz"'
    assert b"".join(resp.streaming_content) == ARCHIVE_BYTES
    log = AuditLog.objects.filter(action="backup_download", koperasi_id_ref=koperasi.pk).get()
    assert "kopdes-backup-20261204-020000.tar.gz" in log.summary


def test_old_backup_warns_and_english_translation(koperasi, make_user, client_as, backups):
    when = timezone.make_aware(dt.datetime(2025, 12, 3, 14, 5))  # Asia/Jakarta
    _archive(backups, "kopdes-backup-20251203-140500.tar.gz", when)
    c = client_as(make_user("ketua", koperasi=koperasi))
    profile, _download = _urls(koperasi)
    html = c.get(profile).content.decode()
    assert "3 Des 2025 14.05" in html
    assert "Cadangan terakhir lebih tua dari 2 hari" in html and "kopdes backup" in html

    html_en = c.get(profile, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Last backup" in html_en and "3 Dec 2025 14.05" in html_en and "Download backup" in html_en
    assert "The last backup is older than 2 days" in html_en and "ago" in html_en
    assert "Cadangan terakhir" not in html_en


def test_no_backup_yet(koperasi, make_user, client_as, backups):
    c = client_as(make_user("bendahara", koperasi=koperasi))
    profile, download = _urls(koperasi)
    html = c.get(profile).content.decode()
    assert "Belum pernah ada cadangan" in html and download not in html
    assert c.get(download).status_code == 404


@pytest.mark.parametrize("role,unit", [("sekretaris", ""), ("manajer", ""), ("pengawas", ""),
                                       ("operator", "sembako")])
def test_other_roles_neither_see_nor_download(role, unit, koperasi, make_user, client_as, backups):
    _archive(backups, "kopdes-backup-20261204-020000.tar.gz", timezone.now())
    c = client_as(make_user(role, koperasi=koperasi, unit=unit))
    profile, download = _urls(koperasi)
    resp = c.get(profile)
    assert resp.status_code == 200 and "Cadangan terakhir" not in resp.content.decode()
    assert c.get(download).status_code == 403
    assert not AuditLog.objects.filter(action="backup_download").exists()


def test_supervisor_and_member_refused(koperasi, make_user, client_as, backups):
    _archive(backups, "kopdes-backup-20261204-020000.tar.gz", timezone.now())
    _profile, download = _urls(koperasi)
    assert client_as(make_user("dinas_kabupaten", region="16.02")).get(download).status_code == 403
    user = make_user("anggota", koperasi=koperasi)
    assert client_as(user).get(download).status_code == 404  # plain members: no staff page exists


def test_two_cooperatives_only_the_administrator(koperasi, other_koperasi, make_user, client_as, backups,
                                                  django_user_model):
    """The archive would hand the other cooperative's books to this one's ketua: refused."""
    _archive(backups, "kopdes-backup-20261204-020000.tar.gz", timezone.now())
    profile, download = _urls(koperasi)
    for role in ("ketua", "bendahara"):
        c = client_as(make_user(role, koperasi=koperasi))
        assert "Cadangan terakhir" not in c.get(profile).content.decode()
        assert c.get(download).status_code == 403
    admin = django_user_model.objects.create_superuser(username="root", password="rahasia-root-123")
    c = client_as(admin)
    assert "Unduh cadangan" in c.get(profile).content.decode()
    resp = c.get(download)
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == ARCHIVE_BYTES


@pytest.mark.django_db(transaction=True)  # SQLite's backup API waits forever on the test's open transaction
def test_download_is_the_real_newest_archive(koperasi, make_user, client_as, backups):
    path = create_backup()
    c = client_as(make_user("ketua", koperasi=koperasi))
    resp = c.get(_urls(koperasi)[1])
    data = b"".join(resp.streaming_content)
    assert data == path.read_bytes()
    got = backups / "downloaded.tar.gz"
    got.write_bytes(data)
    assert verify_backup(got)["database"]["vendor"]

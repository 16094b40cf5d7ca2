"""Backup and restore round trip on the real database (SQLite by default, PostgreSQL under scripts/pgtemp.py).

The backup is restored into a SEPARATE empty database (a second SQLite file, or a second PostgreSQL database on the
same server) and the books, members and media are compared with raw connections.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import re
import sqlite3
import tarfile
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kopdes.core import backup as bk
from kopdes.core.errors import DomainError

BOOKS_SQL = ("SELECT a.code, SUM(l.debit), SUM(l.credit), COUNT(*) FROM ledger_journalline l "
             "JOIN ledger_account a ON a.id = l.account_id GROUP BY a.code ORDER BY a.code")
COUNTS_SQL = {"members": "SELECT COUNT(*) FROM members_member", "entries": "SELECT COUNT(*) FROM ledger_journalentry",
              "users": "SELECT COUNT(*) FROM core_user", "koperasi": "SELECT COUNT(*) FROM core_koperasi"}
MEDIA_BYTES = bytes(range(256)) * 40 + b"lampiran jurnal"
SECRET_BYTES = b"kunci-rahasia-instalasi-lama-0123456789abcdefghijklmnopqrstuv\n"
PRIVATE_BYTES = bytes(range(255, -1, -1)) * 30 + b"bukti pembentukan"


def _norm(rows) -> list[tuple]:
    return [(code, Decimal(str(d)).quantize(Decimal("0.01")), Decimal(str(c)).quantize(Decimal("0.01")), n)
            for code, d, c, n in rows]


def _snapshot(cur) -> dict[str, Any]:
    cur.execute(BOOKS_SQL)
    out: dict[str, Any] = {"books": _norm(cur.fetchall())}
    for key, sql in COUNTS_SQL.items():
        cur.execute(sql)
        out[key] = cur.fetchone()[0]
    return out


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "ledger" / "attachments").mkdir(parents=True)
    (root / "ledger" / "attachments" / "nota-001.pdf").write_bytes(MEDIA_BYTES)
    (root / "readme.txt").write_text("media kopdes\n")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def var_files(settings, tmp_path):
    """This installation's var/: the generated secret key and a private (never served) evidence file."""
    var = tmp_path / "var"
    (var / "private" / "supervision" / "evidence").mkdir(parents=True)
    (var / "secret_key").write_bytes(SECRET_BYTES)
    (var / "private" / "supervision" / "evidence" / "akta.pdf").write_bytes(PRIVATE_BYTES)
    settings.VAR_DIR = var
    return var


@pytest.fixture
def books(koperasi, make_user):
    """A cooperative with staff, active members (pokok payments post journals) and a few more entries."""
    from kopdes.ledger.services import Line, post
    from kopdes.members.tests.factories import new_active_member

    make_user("ketua", koperasi=koperasi)
    make_user("bendahara", koperasi=koperasi)
    for _ in range(3):
        new_active_member(koperasi)
    for i in range(4):
        post(koperasi, date=dt.date.today(), memo=f"penjualan {i}",
             lines=[Line("1101", debit=Decimal("12500.50")), Line("4202", credit=Decimal("12500.50"))])
    return koperasi


@pytest.fixture
def target(tmp_path):
    """A separate EMPTY database of the current vendor: ``(database_url, open_raw_connection)``."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path)
        return
    import psycopg

    db = settings.DATABASES["default"]
    name = f"kopdes_restore_{uuid.uuid4().hex[:10]}"
    admin = {**bk._pg_conninfo(db), "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = bk._database_url({**db, "NAME": name}, "postgresql")
    try:
        yield url, lambda: psycopg.connect(**{**bk._pg_conninfo(db), "dbname": name})
    finally:
        with psycopg.connect(**admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rewrite(src: Path, dst: Path, change) -> None:
    """Copy a backup archive member by member, passing each member's bytes through ``change(name, data)``."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz", compresslevel=1) as tout:
        for m in tin:
            data = tin.extractfile(m).read()
            data = change(m.name, data)
            info = tarfile.TarInfo(m.name)
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))


@pytest.mark.django_db(transaction=True)
def test_round_trip_books_members_media_equal(books, media, var_files, target, tmp_path):
    url, raw = target
    with connection.cursor() as cur:
        before = _snapshot(cur)
    assert before["members"] == 3 and before["entries"] >= 7 and before["users"] == 2

    out = tmp_path / "backups"
    path = bk.create_backup(out, keep=3)
    assert path.parent == out and path.name.startswith("kopdes-backup-") and path.name.endswith(".tar.gz")
    assert list(out.iterdir()) == [path]  # no temp file left behind
    manifest = bk.verify_backup(path)
    assert manifest["database"]["vendor"] == connection.vendor
    assert "ledger" in manifest["migrations"] and "core" in manifest["migrations"]
    assert set(manifest["files"]) == {manifest["database"]["member"], "media/ledger/attachments/nota-001.pdf",
                                      "media/readme.txt", "secret_key", "private/supervision/evidence/akta.pdf"}
    assert manifest["files"]["secret_key"] == {"sha256": hashlib.sha256(SECRET_BYTES).hexdigest(),
                                               "size": len(SECRET_BYTES)}
    assert manifest["files"]["private/supervision/evidence/akta.pdf"]["sha256"] == hashlib.sha256(
        PRIVATE_BYTES).hexdigest()

    restored_media = tmp_path / "media-restored"
    new_var = tmp_path / "var-restored"
    report = bk.restore_backup(path, database_url=url, media_root=restored_media,
                               private_dir=new_var / "private", secret_key_file=new_var / "secret_key")
    assert report.ledger_ok, report.ledger_output
    assert report.media_files == 2 and report.private_files == 1 and report.secret_key_restored
    assert (new_var / "secret_key").read_bytes() == SECRET_BYTES
    assert (new_var / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (new_var / "private" / "supervision" / "evidence" / "akta.pdf").read_bytes() == PRIVATE_BYTES
    assert not list(new_var.rglob("*.restoring"))
    conn = raw()
    try:
        after = _snapshot(conn.cursor())
    finally:
        conn.close()
    assert after == before
    assert (restored_media / "ledger" / "attachments" / "nota-001.pdf").read_bytes() == MEDIA_BYTES
    assert (restored_media / "readme.txt").read_text() == "media kopdes\n"

    # the restored database now holds a cooperative: a second restore into it is refused
    with pytest.raises(DomainError) as exc:
        bk.restore_backup(path, database_url=url, media_root=restored_media, ledger_check=False)
    assert exc.value.code == "backup_target_not_empty"
    assert "tidak kosong" in exc.value.message_id and "not empty" in exc.value.message_en


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_a_cashier_posts_restores_to_consistent_books(books, media, var_files, target, tmp_path):
    """pg_dump runs while a thread keeps posting sales: the restored books are exactly the entries committed up to
    one moment (each whole, balanced, equal to the live one), between the counts before and after the backup."""
    import threading

    from django.db import connections

    from kopdes.ledger.services import Line, post

    if connection.vendor != "postgresql":
        pytest.skip("a concurrent writer is a PostgreSQL case (SQLite's online backup copies under its own lock)")
    url, raw = target
    stop, posted = threading.Event(), []

    def cashier():
        try:
            i = 0
            while not stop.is_set() or i < 5:
                e = post(books, date=dt.date.today(), memo=f"kasir {i}", lines=[
                    Line("1101", debit=Decimal("7300")), Line("4202", credit=Decimal("5000")),
                    Line("4201", credit=Decimal("2300"))])
                posted.append(e.pk)
                i += 1
        finally:
            connections.close_all()

    def entries(cur):
        cur.execute("SELECT e.id, e.number, SUM(l.debit), SUM(l.credit), COUNT(l.id) FROM ledger_journalentry e "
                    "JOIN ledger_journalline l ON l.entry_id = e.id AND l.koperasi_id = e.koperasi_id "
                    "GROUP BY e.id, e.number ORDER BY e.id")
        return [(i, n, Decimal(d), Decimal(c), k) for i, n, d, c, k in cur.fetchall()]

    with connection.cursor() as cur:
        first = len(entries(cur))
    t = threading.Thread(target=cashier)
    t.start()
    try:
        path = bk.create_backup(tmp_path / "backups", keep=3)
    finally:
        stop.set()
        t.join()
    with connection.cursor() as cur:
        live = entries(cur)
    report = bk.restore_backup(path, database_url=url, media_root=tmp_path / "m2",
                               private_dir=tmp_path / "v2" / "private", secret_key_file=tmp_path / "v2" / "secret_key")
    assert report.ledger_ok, report.ledger_output
    conn = raw()
    try:
        restored = entries(conn.cursor())
    finally:
        conn.close()
    assert len(posted) >= 5 and first <= len(restored) <= len(live)
    assert restored == live[:len(restored)]  # a prefix of what was committed: no entry half there, none changed
    assert all(d == c for _i, _n, d, c, _k in restored)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_to_replace_a_different_secret_key_unless_forced(books, media, var_files, target, tmp_path):
    url, raw = target
    path = bk.create_backup(tmp_path / "backups", keep=3)
    new_var = tmp_path / "var-new"
    new_var.mkdir()
    (new_var / "secret_key").write_bytes(b"kunci-instalasi-baru-yang-sudah-dipakai\n")
    kwargs = {"database_url": url, "media_root": tmp_path / "m2", "private_dir": new_var / "private",
              "secret_key_file": new_var / "secret_key"}
    with pytest.raises(DomainError) as exc:
        bk.restore_backup(path, ledger_check=False, **kwargs)
    assert exc.value.code == "backup_secret_key_differs"
    assert "sudah ada dan berbeda" in exc.value.message_id and "--force" in exc.value.message_id
    assert "differs from the one in the backup" in exc.value.message_en and "--force" in exc.value.message_en
    # refused before anything was touched: the key, the target database and the folders are as they were
    assert (new_var / "secret_key").read_bytes() == b"kunci-instalasi-baru-yang-sudah-dipakai\n"
    assert not (new_var / "private").exists() and not (tmp_path / "m2").exists()
    conn = raw()
    try:
        cur = conn.cursor()
        if connection.vendor == "sqlite":
            cur.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'core_koperasi'")
        else:
            cur.execute("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'core_koperasi'")
        assert cur.fetchone()[0] == 0
    finally:
        conn.close()

    # the command says it in both languages (this installation's own key now differs from the archived one)
    (var_files / "secret_key").write_bytes(b"kunci-lain-di-instalasi-ini\n")
    with pytest.raises(CommandError) as cexc:
        call_command("restore", str(path))
    assert "Kunci rahasia" in str(cexc.value) and "The secret key" in str(cexc.value)
    assert (var_files / "secret_key").read_bytes() == b"kunci-lain-di-instalasi-ini\n"

    report = bk.restore_backup(path, force=True, **kwargs)
    assert report.ledger_ok, report.ledger_output
    assert report.secret_key_restored and (new_var / "secret_key").read_bytes() == SECRET_BYTES
    assert (new_var / "private" / "supervision" / "evidence" / "akta.pdf").read_bytes() == PRIVATE_BYTES


@pytest.mark.django_db(transaction=True)
def test_refusals_corrupt_wrong_vendor_and_retention(books, media, tmp_path, target, monkeypatch):
    url, _raw = target
    out = tmp_path / "backups"
    path = bk.create_backup(out, keep=2)
    db_member = bk.verify_backup(path)["database"]["member"]

    # one byte of the database member flipped, manifest kept: the checksum catches it
    def flip(name: str, data: bytes) -> bytes:
        if name != db_member:
            return data
        b = bytearray(data)
        b[len(b) // 2] ^= 0xFF
        return bytes(b)

    corrupt = tmp_path / "corrupt.tar.gz"
    _rewrite(path, corrupt, flip)
    with pytest.raises(DomainError) as exc:
        bk.restore_backup(corrupt, database_url=url, ledger_check=False)
    assert exc.value.message_id == f"Berkas cadangan rusak: checksum {db_member} tidak cocok."
    assert exc.value.message_en == f"Backup file is corrupt: checksum of {db_member} does not match."

    # a byte flipped in the compressed file itself
    raw_bytes = bytearray(path.read_bytes())
    raw_bytes[len(raw_bytes) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(bytes(raw_bytes))
    with pytest.raises(DomainError) as exc:
        bk.restore_backup(damaged, database_url=url, ledger_check=False)
    assert exc.value.code in ("backup_corrupt", "backup_invalid")

    # truncated (a copy that stopped half way)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DomainError) as exc:
        bk.restore_backup(cut, database_url=url, ledger_check=False)
    assert exc.value.code in ("backup_corrupt", "backup_invalid")

    # a text file, and a tar.gz of something else
    text = tmp_path / "notes.txt"
    text.write_text("bukan cadangan\n")
    with pytest.raises(DomainError) as exc:
        bk.restore_backup(text, database_url=url, ledger_check=False)
    assert exc.value.message_id.startswith("Bukan berkas cadangan Kopdes")
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as t:
        info = tarfile.TarInfo("hello.txt")
        info.size = 5
        t.addfile(info, io.BytesIO(b"hello"))
    with pytest.raises(DomainError) as exc:
        bk.restore_backup(other, database_url=url, ledger_check=False)
    assert "manifest.json" in exc.value.message_id and exc.value.code == "backup_invalid"
    plain_gz = tmp_path / "plain.tar.gz"
    plain_gz.write_bytes(gzip.compress(b"not a tar at all" * 100))
    with pytest.raises(DomainError) as exc:
        bk.restore_backup(plain_gz, database_url=url, ledger_check=False)
    assert exc.value.code == "backup_invalid"

    # the other vendor's backup
    other_vendor = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def relabel(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        m = json.loads(data)
        m["database"]["vendor"] = other_vendor
        return json.dumps(m).encode()

    wrong_vendor = tmp_path / "vendor.tar.gz"
    _rewrite(path, wrong_vendor, relabel)
    with pytest.raises(DomainError) as exc:
        bk.restore_backup(wrong_vendor, database_url=url, ledger_check=False)
    assert exc.value.code == "backup_vendor"

    # a backup from a newer schema
    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        m = json.loads(data)
        m["migrations"]["ledger"].append("9999_from_the_future")
        return json.dumps(m).encode()

    future = tmp_path / "future.tar.gz"
    _rewrite(path, future, newer)
    with pytest.raises(DomainError) as exc:
        bk.restore_backup(future, database_url=url, ledger_check=False)
    assert exc.value.code == "backup_schema_newer"

    # the command turns refusals into CommandError in both languages
    with pytest.raises(CommandError) as cexc:
        call_command("restore", str(corrupt))
    assert "Berkas cadangan rusak" in str(cexc.value) and "Backup file is corrupt" in str(cexc.value)

    # retention keeps the newest two; the command prints the path and size
    stdout = io.StringIO()
    call_command("backup", "--to", str(out), "--keep", "2", stdout=stdout)
    call_command("backup", "--to", str(out), "--keep", "2", stdout=io.StringIO())
    kept = bk.list_backups(out)
    assert len(kept) == 2 and path not in kept
    assert re.fullmatch(rf"{re.escape(str(out))}/kopdes-backup-[0-9-]+\.tar\.gz \([0-9.]+ [KMG]?B\)\n", stdout.getvalue())
    assert bk.last_backup(out) == kept[-1]

    # the daily task backs up into the default folder and queues the next run (once)
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setenv("KOPDES_BACKUP_DIR", str(tmp_path / "daily"))
    made = Path(bk.daily_backup.call())
    assert made.parent == tmp_path / "daily" and bk.verify_backup(made)["files"]
    queued = DBTaskResult.objects.filter(task_path=bk.daily_backup.module_path, status="READY")
    assert queued.count() == 1 and queued.get().run_after > timezone.now()
    assert bk.schedule_daily_backup() is None and queued.count() == 1
    stdout = io.StringIO()
    call_command("backup", "--schedule", stdout=stdout)
    assert "sudah dijadwalkan" in stdout.getvalue() and queued.count() == 1


def test_next_daily_run(monkeypatch):
    from django.utils import timezone

    monkeypatch.setenv("KOPDES_BACKUP_AT", "02:30")
    tz = timezone.get_current_timezone()
    before = dt.datetime(2026, 5, 12, 1, 0, tzinfo=tz)
    after = dt.datetime(2026, 5, 12, 3, 0, tzinfo=tz)
    assert timezone.localtime(bk.next_daily_run(before)) == dt.datetime(2026, 5, 12, 2, 30, tzinfo=tz)
    assert timezone.localtime(bk.next_daily_run(after)) == dt.datetime(2026, 5, 13, 2, 30, tzinfo=tz)


@pytest.mark.django_db(transaction=True)  # the worker runs its own transactions
def test_the_worker_starts_the_daily_backup_chain_once(monkeypatch, tmp_path):
    """No operator step: `kopdes worker` (started by `kopdes serve`) queues the next daily backup, never twice."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from kopdes.core.backup import daily_backup

    monkeypatch.setenv("KOPDES_BACKUP_DIR", str(tmp_path))
    waiting = DBTaskResult.objects.filter(task_path=daily_backup.module_path, status="READY")
    assert not waiting.exists()
    call_command("worker", "--batch", "--no-startup-delay")
    call_command("worker", "--batch", "--no-startup-delay")
    assert waiting.count() == 1 and waiting.get().run_after is not None
    assert not list(tmp_path.iterdir())  # queued for tonight, not run now

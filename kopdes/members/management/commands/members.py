"""``kopdes members import FILE --koperasi SLUG [--dry-run]`` and friends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kopdes.core.audit import acting_as
from kopdes.core.errors import DomainError
from kopdes.core.models import Koperasi


class Command(BaseCommand):
    help = ("Anggota: impor dari Excel/CSV, saldo awal simpanan, templat / members: import, opening balances, "
            "template")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="impor anggota dari .xlsx/.csv (semua atau tidak sama sekali)")
        imp.add_argument("file")
        imp.add_argument("--koperasi", required=True, help="kode singkat (slug) koperasi")
        imp.add_argument("--dry-run", action="store_true", help="hanya periksa, tidak menyimpan")
        bal = sub.add_parser("import-saldo", help="impor saldo awal simpanan pokok/wajib/sukarela")
        bal.add_argument("file")
        bal.add_argument("--koperasi", required=True)
        bal.add_argument("--tanggal", required=True, help="tanggal saldo awal YYYY-MM-DD")
        bal.add_argument("--akun", default="1101", help="akun lawan (default 1101 kas kantor)")
        bal.add_argument("--dry-run", action="store_true")
        tpl = sub.add_parser("template", help="tulis templat Excel impor anggota")
        tpl.add_argument("file")
        # django's call_command passes subparser args through; keep compatibility
        self._sub = sub

    def handle(self, *args, **o):
        from kopdes.members import importing

        action = o["action"]
        if action == "template":
            Path(o["file"]).write_bytes(importing.member_template_xlsx())
            self.stdout.write(f"Templat ditulis / template written: {o['file']}")
            return
        k = Koperasi.objects.filter(slug=o["koperasi"]).first()
        if k is None:
            raise CommandError(f"Koperasi {o['koperasi']!r} tidak ditemukan / not found.")
        path = Path(o["file"])
        if not path.exists():
            raise CommandError(f"Berkas tidak ada / file not found: {path}")
        data = path.read_bytes()
        try:
            with acting_as(label="cli:members"):
                if action == "import":
                    report = importing.import_members(k, data, path.name, dry_run=o["dry_run"])
                else:
                    try:
                        date = dt.date.fromisoformat(o["tanggal"])
                    except ValueError:
                        raise CommandError("--tanggal harus YYYY-MM-DD / must be YYYY-MM-DD")
                    report = importing.import_opening_balances(k, data, path.name, date=date,
                                                               counter_account=o["akun"], dry_run=o["dry_run"])
        except importing.ImportRejected as exc:
            for e in exc.errors[:200]:
                self.stderr.write(str(e))
            if len(exc.errors) > 200:
                self.stderr.write(f"… dan {len(exc.errors) - 200} kesalahan lain")
            raise CommandError(exc.message_id + " / " + exc.message_en)
        except DomainError as exc:
            raise CommandError(exc.message_id + " / " + exc.message_en)
        for w in report.warnings:
            self.stdout.write(f"Peringatan: {w}")
        if report.dry_run:
            self.stdout.write(f"Pemeriksaan lolos: {report.rows} baris tanpa kesalahan (tidak disimpan, --dry-run). "
                              f"/ Check passed: {report.rows} rows, nothing saved.")
        else:
            self.stdout.write(f"Berhasil: {report.created} data disimpan dari {report.rows} baris. "
                              f"/ Imported {report.created} of {report.rows} rows.")

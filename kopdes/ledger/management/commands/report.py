"""``kopdes report NAME --koperasi SLUG --from DATE --to DATE --format csv|xlsx|pdf [--output FILE]``."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from kopdes.core.models import Koperasi
from kopdes.ledger import export, reports


class Command(BaseCommand):
    help = "Laporan keuangan (SAK EP) ke CSV/Excel/PDF / financial statements to CSV, Excel or PDF"

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(reports.REPORTS), help="nama laporan / report name")
        parser.add_argument("--koperasi", required=True, help="kode singkat koperasi (slug)")
        parser.add_argument("--from", dest="from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="to", required=True, help="YYYY-MM-DD")
        parser.add_argument("--format", default="csv", choices=["csv", "xlsx", "pdf"])
        parser.add_argument("--unit", default=None, help="unit usaha (hasil-usaha, buku-besar)")
        parser.add_argument("--account", default=None, help="kode akun (buku-besar)")
        parser.add_argument("--no-compare", action="store_true", help="tanpa kolom pembanding tahun lalu")
        parser.add_argument("--output", "-o", default=None, help="berkas keluaran (default: stdout)")

    def handle(self, *args, **opts):
        k = Koperasi.objects.filter(slug=opts["koperasi"]).first()
        if k is None:
            raise CommandError(f"Koperasi {opts['koperasi']!r} tidak ditemukan / not found")
        try:
            start = dt.date.fromisoformat(opts["from"])
            end = dt.date.fromisoformat(opts["to"])
        except ValueError as exc:
            raise CommandError(f"Tanggal tidak valid / invalid date: {exc}") from exc
        if start > end:
            raise CommandError("--from harus sebelum --to / --from must precede --to")
        rep = reports.build(opts["name"], k, start, end, compare=not opts["no_compare"], unit=opts["unit"],
                            code=opts["account"])
        data = export.render(rep, opts["format"])
        if opts["output"]:
            with open(opts["output"], "wb") as fh:
                fh.write(data)
            self.stderr.write(f"{rep.title}: {opts['output']} ({len(data)} bytes)")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        for name, ok in rep.checks.items():
            if not ok:
                self.stderr.write(f"PERINGATAN / WARNING: pemeriksaan {name} gagal / check failed")

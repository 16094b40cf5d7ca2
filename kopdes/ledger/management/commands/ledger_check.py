"""``kopdes ledger-check [--koperasi SLUG]``: the ledger's invariants over all data (for CI and operators)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kopdes.core.models import Koperasi
from kopdes.ledger.integrity import check_integrity


class Command(BaseCommand):
    help = "Periksa integritas buku besar (seimbang, nomor tanpa celah, snapshot) / ledger integrity check"

    def add_arguments(self, parser):
        parser.add_argument("--koperasi", default=None, help="kode singkat koperasi (default: semua)")

    def handle(self, *args, **opts):
        k = None
        if opts["koperasi"]:
            k = Koperasi.objects.filter(slug=opts["koperasi"]).first()
            if k is None:
                raise CommandError(f"Koperasi {opts['koperasi']!r} tidak ditemukan / not found")
        problems = check_integrity(k)
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"{len(problems)} masalah integritas / integrity problems")
        self.stdout.write("Buku besar sehat / ledger OK")

import time

from django.core.management.base import BaseCommand, CommandError

from kopdes.core.audit import acting_as
from kopdes.core.models import Koperasi
from kopdes.supervision import snapshots, stats


class Command(BaseCommand):
    help = "Segarkan ringkasan koperasi & skor kesehatan (--dirty terjadwal, --all penuh) / refresh snapshots"

    def add_arguments(self, parser):
        g = parser.add_mutually_exclusive_group(required=True)
        g.add_argument("--dirty", action="store_true", help="hanya yang ada aktivitas baru (jalankan tiap 5 menit)")
        g.add_argument("--all", action="store_true", help="semua koperasi + total wilayah (jalankan tiap malam)")
        g.add_argument("--koperasi", help="slug satu koperasi")
        g.add_argument("--totals", action="store_true", help="hanya hitung ulang total wilayah")

    def handle(self, *args, dirty, all, koperasi, totals, **opts):  # noqa: A002
        t0 = time.perf_counter()
        with acting_as(label="supervision-refresh"):
            if dirty:
                n = snapshots.refresh_dirty()
                msg = f"{n} koperasi diperbarui"
            elif all:
                r = snapshots.refresh_all()
                msg = f"{r['from_books']} dari pembukuan, {r['rescored']} simulasi dinilai ulang, {r['regions']} wilayah"
            elif totals:
                msg = f"{stats.rebuild()} wilayah"
            else:
                k = Koperasi.objects.filter(slug=koperasi).first()
                if k is None:
                    raise CommandError(f"Koperasi {koperasi!r} tidak ditemukan.")
                s = snapshots.refresh_koperasi(k)
                msg = f"{k.name}: skor {s.health_score} ({s.get_health_class_display()})"
        self.stdout.write(self.style.SUCCESS(f"{msg} — {time.perf_counter() - t0:.1f} detik"))

import time

from django.core.management.base import BaseCommand, CommandError

from kopdes.core.regions import EXPECTED_COUNTS, load_regions


class Command(BaseCommand):
    help = "Muat semua wilayah Kemendagri (idempoten) / Load all Kemendagri regions (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="CSV (atau .csv.gz) dengan kolom kode,nama / CSV with kode,nama columns")

    def handle(self, *args, **opts):
        start = time.perf_counter()
        try:
            counts = load_regions(opts.get("file"))
        except FileNotFoundError as exc:
            raise CommandError(f"Berkas tidak ditemukan / file not found: {exc.filename}")
        except KeyError as exc:
            raise CommandError(f"Kolom hilang di CSV / missing CSV column: {exc}")
        took = time.perf_counter() - start
        self.stdout.write(
            f"Wilayah: {counts[1]} provinsi, {counts[2]} kabupaten/kota, {counts[3]} kecamatan, "
            f"{counts[4]} desa/kelurahan ({took:.1f} s)"
        )
        if not opts.get("file") and counts != EXPECTED_COUNTS:
            self.stderr.write("Peringatan: jumlah tidak sesuai data Kemendagri 2025 / counts differ from expected")

import datetime as dt
import resource

from django.core.management.base import BaseCommand

from kopdes.core.audit import acting_as
from kopdes.supervision.simulate import simulate


class Command(BaseCommand):
    help = "Buat koperasi simulasi di wilayah nyata (tahap pembentukan, anggota, saldo) / synthetic cooperatives"

    def add_arguments(self, parser):
        parser.add_argument("--cooperatives", type=int, required=True, help="jumlah koperasi simulasi (total)")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args, cooperatives, seed, today, **opts):
        with acting_as(label="simulate"):
            r = simulate(cooperatives, seed=seed, today=today, stdout=self.stdout)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(self.style.SUCCESS(
            f"Selesai: {r['created']} dibuat, {r['total']} koperasi simulasi, {r['seconds']} detik, "
            f"memori puncak {peak:.0f} MB"))

"""``kopdes citus setup`` / ``kopdes citus status [--json]``: distribute the schema on a Citus cluster."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from kopdes.core import citus


class Command(BaseCommand):
    help = "Citus: distribusikan tabel koperasi (setup) / lihat status. Distribute tenant tables on Citus."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["setup", "status"])
        parser.add_argument("--json", action="store_true", help="status sebagai JSON / status as JSON")

    def handle(self, *args, action: str, **opts):
        try:
            if action == "setup":
                result = citus.setup(log=self.stdout.write)
            else:
                result = citus.status()
        except citus.NotCitus:
            raise CommandError(
                "Basis data ini bukan Citus (ekstensi citus tidak ada); tidak ada yang diubah. / "
                "This database is not Citus (no citus extension); nothing was changed."
            ) from None
        if opts["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"terdistribusi / distributed: {result['distributed']}, referensi / reference: {result['reference']}, "
            f"lokal / local: {result['local']}"
        )
        left = result["undistributed_tenant_tables"]
        if left:
            self.stdout.write(self.style.WARNING(
                f"{len(left)} tabel koperasi belum terdistribusi / tenant tables not distributed: {', '.join(left)}"))
        else:
            self.stdout.write(self.style.SUCCESS("Semua tabel koperasi terdistribusi. / All tenant tables distributed."))

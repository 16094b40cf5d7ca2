"""``kopdes restore FILE``: restore a backup into an empty database, then run the ledger check."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kopdes.core.backup import restore_backup
from kopdes.core.errors import DomainError


class Command(BaseCommand):
    help = "Pulihkan cadangan ke basis data kosong / restore a backup into an empty database"

    def add_arguments(self, parser):
        parser.add_argument("file", help="berkas kopdes-backup-*.tar.gz")
        parser.add_argument("--force", action="store_true",
                            help="timpa kunci rahasia (var/secret_key) yang berbeda / "
                                 "replace a different existing secret key (var/secret_key)")

    def handle(self, *args, **opts):
        try:
            report = restore_backup(opts["file"], force=opts["force"])
        except DomainError as exc:
            raise CommandError(f"{exc.message_id} / {exc.message_en}") from None
        m = report.manifest
        self.stdout.write(
            f"Dipulihkan / restored: cadangan {m.get('created_at')} ({m['database']['vendor']}, "
            f"Kopdes {m.get('kopdes_version') or '?'}), {report.media_files} berkas media / media files, "
            f"{report.private_files} berkas privat / private files"
            + (", kunci rahasia / secret key" if report.secret_key_restored else "")
        )
        for w in report.warnings:
            self.stdout.write(self.style.WARNING(w))
        if report.ledger_output:
            self.stdout.write(report.ledger_output)
        if not report.ledger_ok:
            raise CommandError("Pemeriksaan buku besar gagal setelah pemulihan / ledger check failed after restore")
        self.stdout.write(self.style.SUCCESS("Pemulihan selesai, buku besar sehat / restore done, ledger OK"))

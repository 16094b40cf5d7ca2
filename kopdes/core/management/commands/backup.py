"""``kopdes backup [--to DIR] [--keep N]``: one consistent backup archive while the server runs."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kopdes.core.backup import create_backup, schedule_daily_backup
from kopdes.core.errors import DomainError


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


class Command(BaseCommand):
    help = "Cadangkan basis data dan berkas unggahan / back up the database and uploaded files"

    def add_arguments(self, parser):
        parser.add_argument("--to", default=None, help="folder tujuan (default: $KOPDES_BACKUP_DIR atau var/backups)")
        parser.add_argument("--schedule", action="store_true",
                            help="antrekan cadangan harian di pekerja tugas ($KOPDES_BACKUP_AT, default 02:00) / "
                                 "queue the daily backup in the task worker")
        parser.add_argument("--keep", type=int, default=None,
                            help="simpan N cadangan terakhir (default: $KOPDES_BACKUP_KEEP atau 14)")

    def handle(self, *args, **opts):
        if opts["schedule"]:
            when = schedule_daily_backup()
            if when is None:
                self.stdout.write("Cadangan harian sudah dijadwalkan (atau backend tugas tidak bisa menunda) / "
                                  "daily backup already queued (or the task backend cannot defer)")
            else:
                self.stdout.write(f"Cadangan harian berikutnya / next daily backup: {when:%Y-%m-%d %H:%M}")
            return
        try:
            path = create_backup(opts["to"], keep=opts["keep"])
        except DomainError as exc:
            raise CommandError(f"{exc.message_id} / {exc.message_en}") from None
        self.stdout.write(f"{path} ({human_size(path.stat().st_size)})")

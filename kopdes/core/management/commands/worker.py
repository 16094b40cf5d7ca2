import os

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from kopdes.core import heartbeat


class Command(DbWorkerCommand):
    help = ("Jalankan pekerja tugas latar (db_worker dengan detak untuk /healthz; menjadwalkan cadangan harian "
            "kecuali KOPDES_BACKUP_DAILY=0) / Run the background task worker (db_worker with a heartbeat for "
            "/healthz; schedules the daily backup unless KOPDES_BACKUP_DAILY=0).")

    def handle(self, *args, **options):
        if os.environ.get("KOPDES_BACKUP_DAILY", "1") != "0":
            # the daily backup chain starts with the worker (idempotent: never a second one waiting)
            from kopdes.core.backup import schedule_daily_backup

            schedule_daily_backup()
        stop = heartbeat.start_beating(options.get("worker_id") or "")
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()

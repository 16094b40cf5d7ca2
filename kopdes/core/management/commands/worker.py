import os

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from kopdes.core import heartbeat


class Command(DbWorkerCommand):
    help = ("Jalankan pekerja tugas latar (db_worker dengan detak untuk /healthz; menjadwalkan cadangan harian "
            "kecuali KOPDES_BACKUP_DAILY=0) / Run the background task worker (db_worker with a heartbeat for "
            "/healthz; schedules the daily backup unless KOPDES_BACKUP_DAILY=0).")

    def handle(self, *args, **options):
        stop = heartbeat.start_beating(options.get("worker_id") or "")
        try:
            self._wait_for_demo_build()
            if os.environ.get("KOPDES_BACKUP_DAILY", "1") != "0":
                # the daily backup chain starts with the worker (idempotent: never a second one waiting)
                from kopdes.core.backup import schedule_daily_backup

                schedule_daily_backup()
            return super().handle(*args, **options)
        finally:
            stop.set()

    @staticmethod
    def _wait_for_demo_build(poll: float = 2.0) -> None:
        """While the demo is built in the background (kopdes/core/build.py) its long transactions hold SQLite's
        write lock longer than the busy timeout: the worker claims no task (a write) until the builder is done
        or has stopped. The heartbeat goes on meanwhile."""
        import time

        from kopdes.core.build import read_progress

        while (state := read_progress()) is not None and not state.get("failed"):
            time.sleep(poll)

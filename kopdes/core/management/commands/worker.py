from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from kopdes.core import heartbeat


class Command(DbWorkerCommand):
    help = ("Jalankan pekerja tugas latar (db_worker dengan detak untuk /healthz) / "
            "Run the background task worker (db_worker with a heartbeat for /healthz).")

    def handle(self, *args, **options):
        stop = heartbeat.start_beating(options.get("worker_id") or "")
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()

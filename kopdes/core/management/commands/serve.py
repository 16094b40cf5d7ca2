import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Jalankan server web (dan pekerja tugas latar) / Run the web server (and the background worker)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("KOPDES_HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("KOPDES_PORT", "8000"))
        parser.add_argument("--no-worker", action="store_true", help="tanpa pekerja tugas / no task worker")

    def handle(self, *args, **o):
        worker = None
        if not o["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "kopdes", "db_worker"])
        self.stdout.write(f"Kopdes berjalan di http://{o['host']}:{o['port']}/  (Ctrl+C untuk berhenti)")
        try:
            call_command("runserver", f"{o['host']}:{o['port']}", use_reloader=False, use_threading=True)
        finally:
            if worker is not None:
                worker.terminate()

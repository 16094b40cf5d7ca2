from django.core.management import call_command
from django.core.management.base import BaseCommand

from kopdes.core import build


class Command(BaseCommand):
    help = "Siapkan basis data: migrasi, wilayah, data demo / Prepare the database: migrate, regions, demo."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="tanpa data demo / without demo data")
        parser.add_argument("--demo-background", action="store_true",
                            help="bangun demo di latar (server sudah bisa dijalankan; halaman menunjukkan "
                                 "kemajuannya) / build the demo in the background (start the server meanwhile; "
                                 "its pages show the progress)")

    def handle(self, *args, **o):
        with build.sqlite_build_mode():
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("Migrasi selesai / migrations done")
            from kopdes.core import citus

            if citus.is_citus():  # a Citus coordinator: distribute before any data goes in
                st = citus.setup(log=lambda line: None)
                self.stdout.write(f"Citus: {st['distributed']} tabel terdistribusi / tables distributed")
            call_command("load_regions")
        if o["no_demo"]:
            return
        if o["demo_background"]:
            pid = build.start_background_demo()
            self.stdout.write(
                f"Data demo dibangun di latar (proses {pid}, log {build.log_path()}); halaman menunjukkan "
                "kemajuannya sampai selesai / the demo is being built in the background (process "
                f"{pid}); the pages show its progress until it is done")
            return
        call_command("demo")

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Siapkan basis data: migrasi, wilayah, data demo / Prepare the database: migrate, regions, demo."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="tanpa data demo / without demo data")

    def handle(self, *args, **o):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Migrasi selesai / migrations done")
        from kopdes.core import citus

        if citus.is_citus():  # a Citus coordinator: distribute before any data goes in
            st = citus.setup(log=lambda line: None)
            self.stdout.write(f"Citus: {st['distributed']} tabel terdistribusi / tables distributed")
        call_command("load_regions")
        if not o["no_demo"]:
            call_command("demo")

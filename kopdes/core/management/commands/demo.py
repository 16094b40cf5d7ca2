from django.core.management.base import BaseCommand

from kopdes.core.demo import DEMO_PASSWORD, DEMO_USERS, build_demo


class Command(BaseCommand):
    help = (
        "Bangun koperasi demo KDMP Surya Adi (idempoten: dijalankan dua kali tidak mengubah apa pun) / "
        "Build the demo cooperative (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="hanya aplikasi ini / only these apps (e.g. ledger members)")

    def handle(self, *args, **o):
        ctx = build_demo(apps=o.get("only"), stdout=self.stdout)
        for line in ctx.log:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"\nKoperasi demo: {ctx.koperasi.name}  (/k/{ctx.koperasi.slug}/)")
        self.stdout.write(f"Semua akun demo memakai kata sandi / all demo accounts use the password: {DEMO_PASSWORD}")
        for username, _name, phone, _role, _unit, title, _scope in DEMO_USERS:
            self.stdout.write(f"  {username:<13} {title:<40} HP {phone}")
        self.stdout.write(f"  {'admin':<13} Administrator sistem")

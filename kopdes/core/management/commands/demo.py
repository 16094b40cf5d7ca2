from pathlib import Path

from django.core.management.base import BaseCommand

from kopdes.core import build
from kopdes.core.demo import DEMO_APPS, DEMO_PASSWORD, DEMO_USERS, build_demo


class Command(BaseCommand):
    help = (
        "Bangun koperasi demo KDMP Surya Adi (idempoten: dijalankan dua kali tidak mengubah apa pun) / "
        "Build the demo cooperative (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="hanya aplikasi ini / only these apps (e.g. ledger members)")
        parser.add_argument("--progress", default=None,
                            help="berkas kemajuan (pembangunan di latar, `kopdes setup --demo-background`) / "
                                 "progress file (background build)")

    def handle(self, *args, **o):
        apps = o.get("only")
        progress = None
        if o["progress"]:
            progress = build.Progress(Path(o["progress"]), total=len(apps if apps is not None else DEMO_APPS))
        try:
            with build.sqlite_build_mode():
                ctx = build_demo(apps=apps, stdout=self.stdout, progress=progress)
        except BaseException as exc:
            if progress is not None:
                progress.failed(f"{type(exc).__name__}: {exc}")
            raise
        # a complete demo, built in the foreground or the background: the "being built" page is over
        if progress is not None:
            progress.complete()
        elif apps is None:
            build.progress_path().unlink(missing_ok=True)
        for line in ctx.log:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"\nKoperasi demo: {ctx.koperasi.name}  (/k/{ctx.koperasi.slug}/)")
        self.stdout.write(f"Semua akun demo memakai kata sandi / all demo accounts use the password: {DEMO_PASSWORD}")
        for username, _name, phone, _role, _unit, title, _scope in DEMO_USERS:
            self.stdout.write(f"  {username:<13} {title:<40} HP {phone}")
        self.stdout.write(f"  {'admin':<13} Administrator sistem")

import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kopdes.core import serving


def _env_int(name: str) -> int | None:
    value = os.environ.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"{name}={value!r} bukan bilangan bulat / is not an integer")


class Command(BaseCommand):
    help = ("Jalankan server web produksi (gunicorn) dan pekerja tugas latar; --dev: server pengembangan / "
            "Run the production web server (gunicorn) and the background task worker; --dev: development server.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("KOPDES_HOST", "127.0.0.1"),
                            help="alamat / address (KOPDES_HOST, default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=_env_int("KOPDES_PORT") or 8000,
                            help="port (KOPDES_PORT, default 8000)")
        parser.add_argument("--bind", default=os.environ.get("KOPDES_BIND"),
                            help="alamat:port atau unix:PATH, menggantikan --host/--port / "
                                 "address:port or unix:PATH, overrides --host/--port (KOPDES_BIND)")
        parser.add_argument("--workers", type=int, default=_env_int("KOPDES_WORKERS"),
                            help="proses server / server processes (KOPDES_WORKERS; SQLite 1, PostgreSQL one per core)")
        parser.add_argument("--threads", type=int, default=_env_int("KOPDES_THREADS"),
                            help="thread per proses / threads per process (KOPDES_THREADS, default 4)")
        parser.add_argument("--timeout", type=int, default=_env_int("KOPDES_TIMEOUT") or 120,
                            help="detik maksimum per permintaan / seconds a request may take (KOPDES_TIMEOUT, 120)")
        parser.add_argument("--graceful-timeout", type=int, default=_env_int("KOPDES_GRACEFUL_TIMEOUT") or 30,
                            help="detik menunggu saat berhenti / seconds to finish work on stop (30)")
        parser.add_argument("--no-worker", action="store_true",
                            help="tanpa pekerja tugas (jalankan `kopdes worker` terpisah) / "
                                 "no task worker (run `kopdes worker` separately)")
        parser.add_argument("--dev", action="store_true",
                            help="server pengembangan Django dengan muat ulang otomatis / "
                                 "Django's development server with autoreload")

    def handle(self, *args, **o):
        vendor = connection.vendor
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        if o["dev"]:
            if o["bind"] and not o["bind"].startswith("unix:"):
                host, _, port = o["bind"].rpartition(":")
            else:
                host, port = o["host"], o["port"]
            address = f"{host}:{port}"
            web = serving.Child("runserver", serving.python_argv("-m", "kopdes", "runserver", address), env)
            worker_argv = serving.python_argv("-m", "kopdes", "worker", "--reload")
            url = f"http://{address}/"
            mode = "runserver (pengembangan, muat ulang otomatis / development, autoreload)"
            ready_at = (host, int(port))
        else:
            workers = o["workers"] or serving.default_workers(vendor)
            threads = o["threads"] or serving.default_threads(vendor)
            if workers < 1 or threads < 1:
                raise CommandError("--workers dan --threads minimal 1 / must be at least 1")
            bind = o["bind"] or f"{o['host']}:{o['port']}"
            env["KOPDES_STATIC_MANIFEST"] = "1"
            self._collectstatic(env)
            web = serving.Child("gunicorn", serving.python_argv(
                "-m", "gunicorn", "kopdes.wsgi:application",
                "--config", "python:kopdes.core.gunicorn_conf",
                "--bind", bind, "--workers", str(workers), "--threads", str(threads),
                "--timeout", str(o["timeout"]), "--graceful-timeout", str(o["graceful_timeout"]),
            ), env)
            worker_argv = serving.python_argv("-m", "kopdes", "worker")
            url = f"http://{bind}/" if not bind.startswith("unix:") else bind
            mode = (f"gunicorn, {workers} proses × {threads} thread / {workers} process(es) × {threads} threads"
                    f" ({vendor})")
            ready_at = None
            if not bind.startswith("unix:"):
                host, _, port = bind.rpartition(":")
                ready_at = (host, int(port))
        worker = None if o["no_worker"] else serving.Child("worker", worker_argv, env, restart=True)
        self.stdout.write(f"Kopdes: {mode}{'' if worker else ' — tanpa pekerja tugas / no task worker'}")
        sup = serving.Supervisor(
            web=web, worker=worker, say=self._say, grace=float(o["graceful_timeout"]) + 5,
            ready_address=ready_at,
            ready_message=f"Kopdes siap di {url}  (Ctrl+C untuk berhenti) / Kopdes is ready at {url} (Ctrl+C to stop)",
        )
        code = sup.run()
        if code:
            sys.exit(code)

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _collectstatic(self, env: dict) -> None:
        """Hashed, compressed static files into var/static for WhiteNoise (about 2 s; unchanged files are kept)."""
        done = subprocess.run(serving.python_argv("-m", "kopdes", "collectstatic", "--noinput", "-v0"), env=env)
        if done.returncode:
            raise CommandError(
                f"collectstatic gagal (kode {done.returncode}); berkas statis di {settings.STATIC_ROOT} / "
                f"collectstatic failed (code {done.returncode}); static files in {settings.STATIC_ROOT}")

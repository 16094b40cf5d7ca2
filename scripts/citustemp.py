#!/usr/bin/env python3
"""Run a command against a throwaway 3-node Citus cluster (coordinator + 2 workers on 127.0.0.1).

    python scripts/citustemp.py [--workers N] [--db NAME ...] -- COMMAND ...

Like ``scripts/pgtemp.py``: each node is an ``initdb`` folder in one temp dir with ``shared_preload_libraries =
'citus'``, trust auth on loopback (tests only), run as the ``postgres`` OS user when we are root. Citus metadata is
per database, so every database named with ``--db`` (default ``kopdes``) is created on every node with the
extension, and the workers are registered on the coordinator. The command gets ``DATABASE_URL`` (the first
database), ``KOPDES_CITUS_DATABASES`` (all of them), ``KOPDES_EXPECT_CITUS=1`` and ``KOPDES_CITUS_WORKER_PORTS``.

Citus itself comes from ``../shared/citus/install.sh`` on test machines (``--install`` runs it when we are root
and Citus is missing). Production clusters use the Citus project's packages: see docs/deploy/citus.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgtemp  # noqa: E402

INSTALLER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "citus", "install.sh")


def citus_installed(bindir: str) -> bool:
    return os.path.exists(os.path.join(os.path.dirname(bindir), "lib", "citus.so"))


def psql(bindir: str, port: int, db: str, sql: str) -> str:
    out = subprocess.run([f"{bindir}/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db,
                          "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def create_database(bindir: str, coordinator: int, workers: list[int], db: str) -> None:
    """One database with Citus on every node; the workers registered on the coordinator."""
    for port in [coordinator, *workers]:
        if db != "postgres":
            psql(bindir, port, "postgres", f'CREATE DATABASE "{db}"')
        psql(bindir, port, db, "CREATE EXTENSION IF NOT EXISTS citus")
    psql(bindir, coordinator, db, f"SELECT citus_set_coordinator_host('127.0.0.1', {coordinator})")
    for port in workers:
        psql(bindir, coordinator, db, f"SELECT citus_add_node('127.0.0.1', {port})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--db", action="append", help="database to prepare (repeatable; default kopdes)")
    ap.add_argument("--install", action="store_true", help="run ../shared/citus/install.sh if Citus is missing")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    argv = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not argv:
        ap.print_help()
        return 2
    bindir = pgtemp.find_bindir()
    if bindir is None:
        return pgtemp.missing_binaries()
    if not citus_installed(bindir) and args.install and os.geteuid() == 0 and os.path.exists(INSTALLER):
        subprocess.run(["sh", INSTALLER], check=True)
        bindir = pgtemp.find_bindir() or bindir
    if not citus_installed(bindir):
        sys.stderr.write(f"Citus is not installed for {bindir}: run ../shared/citus/install.sh as root.\n"
                         f"Citus belum terpasang untuk {bindir}: jalankan ../shared/citus/install.sh sebagai root.\n")
        return 3
    dbs = args.db or ["kopdes"]
    base = tempfile.mkdtemp(prefix="kopdes-citus-")
    run_as = pgtemp.server_user(base)
    names = ["coordinator"] + [f"worker{i + 1}" for i in range(args.workers)]
    started: list[str] = []
    try:
        ports = []
        for name in names:
            # max_prepared_transactions: Citus commits multi-shard writes with 2PC; 8 shards per table (not
            # the default 32) keep a throwaway cluster quick to set up on 2 cores: 110 tables x 8 shards.
            ports.append(pgtemp.start_server(bindir, base, name, run_as,
                                             "-c shared_preload_libraries=citus -c max_prepared_transactions=200 "
                                             "-c citus.shard_count=8 -c shared_buffers=128MB"))
            started.append(name)
        coordinator, workers = ports[0], ports[1:]
        for db in dbs:
            create_database(bindir, coordinator, workers, db)
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{coordinator}/{dbs[0]}",
                   KOPDES_EXPECT_POSTGRES="1", KOPDES_EXPECT_CITUS="1", KOPDES_PG_BINDIR=bindir,
                   KOPDES_CITUS_DATABASES=",".join(dbs), KOPDES_CITUS_COORDINATOR_PORT=str(coordinator),
                   KOPDES_CITUS_WORKER_PORTS=",".join(map(str, workers)))
        print(f"[citustemp] Citus coordinator 127.0.0.1:{coordinator}, workers {workers}, databases {dbs}",
              flush=True)
        return subprocess.call(argv, env=env)
    finally:
        for name in started:
            pgtemp.stop_server(bindir, base, name, run_as)
        time.sleep(0.2)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

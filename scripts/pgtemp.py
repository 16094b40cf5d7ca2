#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster.

    python scripts/pgtemp.py -- pytest ...

Finds the server binaries (PATH, then /usr/lib/postgresql/*/bin), runs ``initdb`` in a temporary folder
(as the ``postgres`` system user when we are root, since PostgreSQL refuses to run as root), starts the server
on a free loopback port with durability off (it is thrown away), exports ``DATABASE_URL`` and
``KOPDES_EXPECT_POSTGRES=1`` to the command, and removes the cluster afterwards. Exits with the command's code.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def find_bindir() -> str | None:
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(os.path.realpath(initdb))
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return os.path.dirname(candidates[0]) if candidates else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_user(base: str) -> list[str]:
    """PostgreSQL refuses to run as root: when we are root, run the servers as ``postgres`` (created if missing)."""
    if os.geteuid() != 0:
        return []
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        pw = pwd.getpwnam("postgres")
    os.chown(base, pw.pw_uid, pw.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


def start_server(bindir: str, base: str, name: str, run_as: list[str], extra: str = "") -> int:
    """initdb + start one throwaway server in ``base/name`` on a free loopback port; returns the port."""
    data = os.path.join(base, name)
    port = free_port()
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    subprocess.run([*run_as, f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                    "--no-sync"], check=True, stdout=subprocess.DEVNULL, env=env)
    opts = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            f"-c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB {extra}")
    subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", data, "-o", opts, "-l", f"{data}.log", "-w", "start"],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    return port


def stop_server(bindir: str, base: str, name: str, run_as: list[str]) -> None:
    subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", os.path.join(base, name), "-m", "immediate", "stop"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def missing_binaries() -> int:
    sys.stderr.write(
        "PostgreSQL server binaries not found (initdb). Install them: apt-get install postgresql\n"
        "Binari server PostgreSQL tidak ditemukan. Pasang dengan: apt-get install postgresql\n"
    )
    return 3


def main() -> int:
    argv = sys.argv[1:]
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print(__doc__)
        return 2
    bindir = find_bindir()
    if bindir is None:
        return missing_binaries()
    base = tempfile.mkdtemp(prefix="kopdes-pg-")
    run_as = server_user(base)
    port = start_server(bindir, base, "data", run_as)
    try:
        url = f"postgres://postgres@127.0.0.1:{port}/postgres"
        child_env = dict(os.environ, DATABASE_URL=url, KOPDES_EXPECT_POSTGRES="1", KOPDES_PG_BINDIR=bindir)
        print(f"[pgtemp] PostgreSQL ({bindir}) on 127.0.0.1:{port}", flush=True)
        return subprocess.call(argv, env=child_env)
    finally:
        stop_server(bindir, base, "data", run_as)
        time.sleep(0.2)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

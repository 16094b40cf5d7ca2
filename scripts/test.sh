#!/usr/bin/env bash
# The test command of README (`make test`): lint, migrations check, then the whole suite on SQLite and on a
# throwaway PostgreSQL cluster, then the Citus part on a throwaway 3-node Citus cluster. None can be skipped
# silently: the Citus part needs Citus installed (CI: ../shared/citus/install.sh; see docs/deploy/citus.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

echo "== ruff"
.venv/bin/ruff check .
echo "== migrations up to date"
$PY manage.py makemigrations --check --dry-run >/dev/null || { echo "Model changes without migrations: run 'kopdes makemigrations'"; exit 1; }

if ! $PY -c 'import sys; sys.path.insert(0, "scripts"); import pgtemp; sys.exit(0 if pgtemp.find_bindir() else 1)'; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== installing PostgreSQL server (apt-get install postgresql)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)
  else
    echo "PostgreSQL server binaries are missing: install the 'postgresql' package, then run 'make test' again." >&2
    exit 3
  fi
fi

# The SQLite and PostgreSQL halves run side by side (each is one Python process; together they keep both cores
# busy), each with its own var directory (media, backups, secret key, worker heartbeat). The SQLite half prints
# when it ends; either failing fails the run.
mkdir -p var
echo "== tests on SQLite (beside PostgreSQL; log: var/test-sqlite.log)"
t0=$SECONDS
( rc=0; KOPDES_VAR_DIR="$PWD/var/test-sqlite" $PY -m pytest "$@" >var/test-sqlite.log 2>&1 || rc=$?
  echo "   SQLite half: $((SECONDS - t0)) s" >>var/test-sqlite.log; echo $rc >var/test-sqlite.rc ) &
sqlite_pid=$!
echo "== tests on PostgreSQL"
pg_rc=0
KOPDES_VAR_DIR="$PWD/var/test-pg" $PY scripts/pgtemp.py -- $PY -m pytest "$@" || pg_rc=$?
echo "   PostgreSQL half: $((SECONDS - t0)) s, rc=$pg_rc"
wait $sqlite_pid || true
sqlite_rc=$(cat var/test-sqlite.rc)
echo "== SQLite half (rc=$sqlite_rc, ended by $((SECONDS - t0)) s):"
if [ "$sqlite_rc" = 0 ]; then tail -n 8 var/test-sqlite.log; else cat var/test-sqlite.log; fi
[ "$sqlite_rc" = 0 ] && [ "$pg_rc" = 0 ] || exit 1
echo "== tests on Citus (coordinator + 2 workers)"
# Citus keeps its metadata per database: citustemp prepares the demo and the test database on every node.
$PY scripts/citustemp.py --install --db kopdes --db test_kopdes -- bash scripts/citus-suite.sh "$@"

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

echo "== tests on SQLite"
$PY -m pytest "$@"
echo "== tests on PostgreSQL"
$PY scripts/pgtemp.py -- $PY -m pytest "$@"
echo "== tests on Citus (coordinator + 2 workers)"
# Citus keeps its metadata per database: citustemp prepares the demo and the test database on every node.
$PY scripts/citustemp.py --install --db kopdes --db test_kopdes -- bash scripts/citus-suite.sh "$@"

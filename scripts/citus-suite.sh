#!/usr/bin/env bash
# The Citus half of `make test`, run by scripts/test.sh inside scripts/citustemp.py (DATABASE_URL = the coordinator):
# migrate + `kopdes citus setup` + the demo (each of its statements on one shard), 0 undistributed tenant tables, a
# walk of every page and API GET as every demo staff role with repartition joins off and every cooperative page on
# one shard, then the Citus tests, the isolation walks and the PostgreSQL concurrency tests (POS, savings,
# numbering) on the cluster. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
t0=$SECONDS
echo "-- kopdes setup (migrate, citus setup, regions, demo) on the coordinator, every statement on one shard"
# KOPDES_CITUS_STRICT=1: a statement of cooperative work that reads or writes several shards fails the build and is
# named (kopdes.core.citus); reads that span cooperatives on purpose are declared across_cooperatives.
KOPDES_CITUS_STRICT=1 $PY -m kopdes setup | tail -n 3
echo "   $((SECONDS - t0)) s"
echo "-- kopdes citus status"
$PY -m kopdes citus status --json | tee /dev/stderr | $PY -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if s["distributed"] > 100 and not s["undistributed_tenant_tables"] else "tenant tables left undistributed")'
t1=$SECONDS
echo "-- walk every page and API GET as every demo staff role (citus.enable_repartition_joins off)"
$PY scripts/walk.py --single-shard --json var/walk-citus.json
echo "   $((SECONDS - t1)) s"
t2=$SECONDS
echo "-- tests on the cluster"
$PY -m pytest --reuse-db -p no:randomly \
  kopdes/core/tests/test_citus.py kopdes/core/tests/test_tenancy.py \
  kopdes/core/tests/test_isolation.py kopdes/warehouse/tests/test_isolation.py \
  kopdes/ledger/tests/test_concurrency.py kopdes/retail/tests/test_concurrency.py \
  kopdes/savings/tests/test_concurrency.py "$@"
echo "   $((SECONDS - t2)) s; Citus half $((SECONDS - t0)) s"

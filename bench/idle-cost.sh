#!/usr/bin/env bash
# What an idle store costs (docs/benchmarks.md, issue 22), on SQLite and on PostgreSQL: signs up
# STORES stores (20), sends each one request, then leaves them idle for 40 seconds (a PostgreSQL
# store's pool closes idle connections after 30) and reads each store's metrics: database bytes,
# how long its database was held open, and the estimated idle and monthly cost at the default
# prices. On PostgreSQL it also counts the stores' roles and the connections still open once
# idle, and measures one store connection's memory (the PSS of its server process) while open.
# Usage: bench/idle-cost.sh   (STORES=20 BINARY=.build/release/leopard)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/postgres.sh
binary=${BINARY:-.build/release/leopard}
[ -n "${BINARY:-}" ] || swift build -c release --product leopard >/dev/null
stores=${STORES:-20}
idle=${IDLE:-40}
operator=bench-operator-token-0123456789
auth=(-H "Authorization: Bearer $operator")

measure() {
  local storage=$1
  shift
  local data port server ids=() id slug pss="" open_before="" open_after="" roles=""
  data=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  LEOPARD_OPERATOR_TOKEN=$operator "$binary" serve --port "$port" --data-dir "$data" --signup-rate-limit 0 --spare-stores 0 \
    --log-level warning "$@" >"$data/serve.log" 2>&1 &
  server=$!
  # Stopped before the clusters are, on any exit.
  BENCH_PG_STOPS=("kill $server; rm -rf $data" "${BENCH_PG_STOPS[@]}")
  trap bench_postgres_stop_all EXIT
  for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  local base="http://127.0.0.1:$port"
  for i in $(seq 1 "$stores"); do
    slug="idle-$storage-$i"
    id=$(curl -fsS -X POST "$base/api/tenants" -H 'content-type: application/json' \
      -d "{\"storeName\":\"Idle $i\",\"slug\":\"$slug\",\"ownerEmail\":\"owner@idle.test\",\"ownerPassword\":\"correct horse battery\"}" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    curl -fsS "$base/api/products" -H "X-Tenant-ID: $slug" >/dev/null
    ids+=("$id")
  done
  local psql=${BENCH_PG_PSQL:-}
  psql=${psql/ -qc/ -Atqc}
  local where="FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname IS NOT NULL AND datname <> 'postgres' AND datname NOT LIKE 'leopard_platform%'"
  local stores_sql="SELECT count(*) $where"
  if [ "$storage" = postgres ]; then
    open_before=$(PGPASSWORD=leopard $psql "$stores_sql")
    local pid
    pid=$(PGPASSWORD=leopard $psql "SELECT pid $where LIMIT 1")
    [ -n "$pid" ] && pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
    roles=$(PGPASSWORD=leopard $psql "SELECT count(*) FROM pg_roles WHERE rolname NOT LIKE 'pg_%' AND rolname <> 'leopard'")
  fi
  sleep "$idle"
  [ "$storage" = postgres ] && open_after=$(PGPASSWORD=leopard $psql "$stores_sql")
  # The report writes this instance's counts, open time included, before it answers.
  curl -fsS "$base/api/platform/reports" "${auth[@]}" >/dev/null
  for id in "${ids[@]}"; do curl -fsS "$base/api/tenants/$id/metrics" "${auth[@]}"; echo; done | python3 -c '
import json, sys
rows = [json.loads(line) for line in sys.stdin if line.strip()]
n = len(rows)
def mean(f):
    return sum(f(r) for r in rows) / n
size = mean(lambda r: r["databaseBytes"])
held = mean(lambda r: r["cost"]["openSeconds30Days"])
idle = mean(lambda r: r["cost"]["idle"])
monthly = mean(lambda r: r["cost"]["monthly"])
print("stores %d: database %s bytes on average; held open %.1f s each" % (n, format(round(size), ","), held))
print("  idle cost $%.4f/month; monthly (with the requests so far) $%.4f" % (idle, monthly))
'
  if [ "$storage" = postgres ]; then
    echo "  roles for stores: $roles; store connections open after the requests: $open_before, after $idle s idle: $open_after"
    echo "  one store connection's server process: ${pss:-?} kB PSS"
  fi
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null || true
  rm -rf "$data"
}

echo "== SQLite"
measure sqlite
if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || [ "$(id -u)" = 0 ]; then
  bench_postgres_start
  echo "== PostgreSQL"
  measure postgres --database-url "$BENCH_DATABASE_URL"
fi

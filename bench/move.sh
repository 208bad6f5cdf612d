#!/usr/bin/env bash
# `leopard tenants move`, end to end as an operator runs it: two throwaway PostgreSQL clusters,
# a release `leopard serve` on the first, a store with PRODUCTS products (and their variants)
# on it, the second cluster added as pod `pod-b`, then the store moved there and back while a
# client keeps reading and writing. Reports the move's own timings and what the client saw:
# reads must all succeed, writes may get 503 (with Retry-After) only while the store is copied.
# Usage: PRODUCTS=2000 bash bench/move.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/postgres.sh
. bench/lib/store.sh
products=${PRODUCTS:-2000}
swift build -c release --product leopard >/dev/null
leopard=.build/release/leopard

bench_postgres_start
platform_url=$BENCH_DATABASE_URL
bench_postgres_start
pod_url="$BENCH_PG_BASE/postgres"

data=$(mktemp -d)
server=
client_pid=
cleanup() {
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$data"
  bench_postgres_stop_all
}
trap cleanup EXIT
export LEOPARD_DATABASE_URL=$platform_url LEOPARD_DATA_DIR=$data
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$leopard" serve --port "$port" --signup-rate-limit 0 --spare-stores 0 >"$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
base="http://127.0.0.1:$port"

echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr); $("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/postgres" --version)"
bench_store moving
staff=(-H "Authorization: Bearer $token" -H "X-Tenant-ID: moving")
bench_products_csv "$products" >"$data/products.csv"
curl -fsS -X POST "$base/api/products/import" "${staff[@]}" -H 'content-type: text/csv' --data-binary @"$data/products.csv" >/dev/null
LEOPARD_POD_URL=$pod_url "$leopard" pods add pod-b --max-stores 100
"$leopard" pods list

# A client that reads and writes the store all the time, one request after another.
client() {
  set +e
  local i=0 code
  while [ ! -f "$data/stop" ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/products?limit=20" -H "X-Tenant-ID: moving")
    echo "read $code" >>"$data/client.log"
    code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH "$base/api/settings" "${staff[@]}" -H 'content-type: application/json' -d "{\"name\":\"Bench Store $i\"}")
    echo "write $code" >>"$data/client.log"
    i=$((i + 1))
  done
}
client & client_pid=$!
sleep 1
echo "## move to pod-b ($products products)"
"$leopard" tenants move moving --to pod-b
sleep 1
echo "## and back to main"
"$leopard" tenants move moving --to main
sleep 1
touch "$data/stop"; wait "$client_pid"
client_pid=
echo "## what the client saw during both moves (one read and one write after another)"
sort "$data/client.log" | uniq -c
"$leopard" pods list
# Reads must all have been answered; writes answered or refused with 503, nothing else.
if grep -v -E '^(read 200|write 200|write 503)$' "$data/client.log"; then echo "FAIL: answers other than the above"; exit 1; fi
test "$(curl -fsS "$base/api/products?limit=1" -H 'X-Tenant-ID: moving' | json '["data"][0]["title"]' | wc -l)" = 1

#!/usr/bin/env bash
# Many stores on one machine, reads spread over all of them: `GET /api/store` on a random
# store's subdomain for every request, with --max-open-tenants (256 by default), so most
# requests open a store that was evicted (or never open). Reports wrk's latency and the
# server's peak resident memory. Release build.
# Usage: STORES=10000 DURATION=30s bash bench/many-stores.sh
#        STORAGE=postgres STORES=1000 MAX_OPEN=128 bash bench/many-stores.sh   (a throwaway cluster)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product leopard >/dev/null
leopard=.build/release/leopard
stores=${STORES:-10000}
duration=${DURATION:-30s}
max_open=${MAX_OPEN:-256}
data=$(mktemp -d)
server=
database=()
if [ "${STORAGE:-sqlite}" = postgres ]; then
  source bench/lib/postgres.sh
  bench_postgres_start
  database=(--database-url "$(bench_postgres_new_platform)")
fi
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$data"
  if declare -F bench_postgres_stop_all >/dev/null; then bench_postgres_stop_all; fi
}
trap cleanup EXIT

echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr); ${STORAGE:-sqlite}"
start=$(date +%s)
"$leopard" bench provision --count "$stores" --concurrency 4 --bcrypt-cost 4 --data-dir "$data" "${database[@]}" | grep -E "^provisioning|^throughput"
if [ ${#database[@]} -gt 0 ]; then
  echo "made $stores stores in $(( $(date +%s) - start )) s"
  PGPASSWORD=leopard "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql" "${database[1]}" -Atc "SELECT slug FROM tenants WHERE status = 'active'" > "$data/slugs.txt"
else
  echo "made $stores stores in $(( $(date +%s) - start )) s; $(du -sh "$data/tenants" | cut -f1) on disk"
  python3 - "$data/platform.sqlite" > "$data/slugs.txt" <<'PY'
import sqlite3, sys
for (slug,) in sqlite3.connect(sys.argv[1]).execute("SELECT slug FROM tenants WHERE status = 'active'"):
    print(slug)
PY
fi
echo "stores listed: $(wc -l < "$data/slugs.txt")"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$leopard" serve --port "$port" --data-dir "$data" "${database[@]}" --max-open-tenants "$max_open" --signup-rate-limit 0 --spare-stores 0 --log-level error >"$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

peak=0
sample() { while kill -0 "$server" 2>/dev/null; do
  rss=$(awk '/VmRSS/{print $2}' "/proc/$server/status" 2>/dev/null || echo 0)
  [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" > "$data/peak"
  sleep 0.2; done; }
sample & sampler=$!

for connections in 16 64; do
  echo "## GET /api/store on a random one of $stores stores, $connections connections, $duration"
  SLUGS="$data/slugs.txt" wrk -t2 -c"$connections" -d"$duration" --latency -s bench/lib/many-stores.lua "http://127.0.0.1:$port" \
    | grep -E "Requests/sec|^ +50%|^ +90%|^ +99%|Non-2xx|Socket errors"
done
kill $sampler 2>/dev/null || true
echo "server resident memory: peak $(( $(cat "$data/peak") / 1024 )) MiB, now $(( $(awk '/VmRSS/{print $2}' "/proc/$server/status") / 1024 )) MiB"
curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null | grep -E "^leopard_tenant_database" || true

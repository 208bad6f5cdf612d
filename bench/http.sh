#!/usr/bin/env bash
# HTTP throughput of a store route (`GET /api/store`: tenant resolution, the store's database
# handle, one read) beside `/healthz` (no database) as the ceiling, measured in the same run
# with wrk (installed from Debian's packages when missing). Release build, SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product leopard >/dev/null
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
.build/release/leopard serve --port "$port" --data-dir "$data" --signup-rate-limit 0 --log-level warning >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS -X POST "http://127.0.0.1:$port/api/tenants" -H 'content-type: application/json' \
  -d '{"storeName":"Bench Store","ownerEmail":"owner@bench.test"}' >/dev/null

duration=${DURATION:-10s}
for connections in 16 64; do
  echo "## $connections connections, $duration"
  echo "### GET /healthz (ceiling)"
  wrk -t2 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|^ +50%|^ +99%"
  echo "### GET /api/store (X-Tenant-ID)"
  wrk -t2 -c"$connections" -d"$duration" --latency -H 'X-Tenant-ID: bench-store' "http://127.0.0.1:$port/api/store" | grep -E "Requests/sec|^ +50%|^ +99%"
done

# Shared by the bench scripts: a release `leopard serve` on a free loopback port with a fresh
# data directory (stopped and removed on exit), a store with its owner signed in, and a
# product CSV. Source it from a script that has `set -euo pipefail` and is in the repo root.

command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# bench_serve [extra serve options…]: sets data, port, base, server.
bench_serve() {
  swift build -c release --product leopard >/dev/null
  data=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  .build/release/leopard serve --port "$port" --data-dir "$data" --signup-rate-limit 0 --log-level warning "$@" >"$data/serve.log" 2>&1 &
  server=$!
  # Replaces any earlier EXIT trap, so it also stops bench/lib/postgres.sh's clusters when
  # that file was sourced first.
  trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"; if declare -F bench_postgres_stop_all >/dev/null; then bench_postgres_stop_all; fi' EXIT
  for _ in $(seq 1 200); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  base="http://127.0.0.1:$port"
}

# bench_store SLUG: signs the store up and its owner in; sets token.
bench_store() {
  curl -fsS -X POST "$base/api/tenants" -H 'content-type: application/json' \
    -d "{\"storeName\":\"Bench Store\",\"slug\":\"$1\",\"ownerEmail\":\"owner@bench.test\",\"ownerPassword\":\"correct horse battery\"}" >/dev/null
  token=$(curl -fsS -X POST "$base/api/auth/login" -H "X-Tenant-ID: $1" -H 'content-type: application/json' \
    -d '{"email":"owner@bench.test","password":"correct horse battery"}' | json '["token"]')
}

# bench_products_csv COUNT: a product CSV (handles item-0 … item-COUNT-1) on stdout.
bench_products_csv() {
  python3 - "$1" <<'PY'
import random, sys
random.seed(7)
words = "oak linen copper wool cedar slate amber ivory maple cobalt walnut sage".split()
kinds = "mug lamp chair table shirt scarf bowl vase rug clock kettle stool".split()
print("handle,title,description,status,category,tags,options,sku,price,compare_at_price,stock,track_inventory,images")
for i in range(int(sys.argv[1])):
    a, b = random.choice(words), random.choice(kinds)
    print(f"item-{i},{a.title()} {b} {i},A {a} {b} for every home,active,,{a};{b},,SKU-{i},{random.randint(500, 50000)},,{random.randint(0, 50)},true,https://cdn.example.test/{i}.jpg")
PY
}

# row: requests/s, p50 and p99 from wrk's output on one line.
row() { grep -E "Requests/sec|^ +50%|^ +99%" | tr -s ' ' | paste -sd ' ' -; }

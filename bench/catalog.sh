#!/usr/bin/env bash
# The commerce benchmarks of docs/benchmarks.md, release build, SQLite (or PostgreSQL with
# DATABASE_URL=postgres://…): GET /api/products (20 items) from a store of 10,000 products, and
# checkouts per second on one store, each beside GET /healthz (no database) in the same run.
# Usage: bench/catalog.sh   (DURATION=10s CONNECTIONS=64 PRODUCTS=10000)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product leopard >/dev/null
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
database=()
[ -n "${DATABASE_URL:-}" ] && database=(--database-url "$DATABASE_URL")
.build/release/leopard serve --port "$port" --data-dir "$data" "${database[@]}" --signup-rate-limit 0 --log-level warning >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 200); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
base="http://127.0.0.1:$port"
slug="bench-$(date +%s)"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

curl -fsS -X POST "$base/api/tenants" -H 'content-type: application/json' \
  -d "{\"storeName\":\"Bench Store\",\"slug\":\"$slug\",\"ownerEmail\":\"owner@bench.test\",\"ownerPassword\":\"correct horse battery\"}" >/dev/null
token=$(curl -fsS -X POST "$base/api/auth/login" -H "X-Tenant-ID: $slug" -H 'content-type: application/json' \
  -d '{"email":"owner@bench.test","password":"correct horse battery"}' | json '["token"]')
staff=(-H "X-Tenant-ID: $slug" -H "Authorization: Bearer $token")

products=${PRODUCTS:-10000}
python3 - "$products" >"$data/products.csv" <<'PY'
import random, sys
random.seed(7)
words = "oak linen copper wool cedar slate amber ivory maple cobalt walnut sage".split()
kinds = "mug lamp chair table shirt scarf bowl vase rug clock kettle stool".split()
print("handle,title,description,status,category,tags,options,sku,price,compare_at_price,stock,track_inventory,images")
for i in range(int(sys.argv[1])):
    a, b = random.choice(words), random.choice(kinds)
    print(f"item-{i},{a.title()} {b} {i},A {a} {b} for every home,active,,{a};{b},,SKU-{i},{random.randint(500, 50000)},,{random.randint(0, 50)},true,https://cdn.example.test/{i}.jpg")
PY
start=$(date +%s.%N)
curl -fsS -X POST "$base/api/products/import" "${staff[@]}" -H 'content-type: text/csv' --data-binary @"$data/products.csv" >/dev/null
echo "Imported $products products (one CSV, one transaction) in $(python3 -c "print(round($(date +%s.%N) - $start, 2))") s"
variant=$(curl -fsS -X POST "$base/api/products" "${staff[@]}" -H 'content-type: application/json' \
  -d '{"title":"Checkout item","price":1500,"stock":1000000000}' | json '["variants"][0]["id"]')

duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
row() { grep -E "Requests/sec|^ +50%|^ +99%" | tr -s ' ' | paste -sd ' ' -; }
echo "## $connections connections, $duration each, $(nproc) cores"
echo "GET /healthz (ceiling):      $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"
echo "GET /api/products (20 of $products): $(wrk -t2 -c"$connections" -d"$duration" --latency -H "X-Tenant-ID: $slug" "$base/api/products" | row)"
echo "GET /api/products as staff (never cached): $(wrk -t2 -c"$connections" -d"$duration" --latency -H "X-Tenant-ID: $slug" -H "Authorization: Bearer $token" "$base/api/products" | row)"
echo "GET /api/products?q=oak+mug:  $(wrk -t2 -c"$connections" -d"$duration" --latency -H "X-Tenant-ID: $slug" "$base/api/products?q=oak+mug" | row)"
echo "GET /healthz (ceiling again): $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"
echo "Checkout (create cart + checkout per order):"
LEOPARD_TENANT=$slug LEOPARD_VARIANT=$variant wrk -t2 -c"$connections" -d"$duration" --latency -s bench/lib/checkout.lua "$base/" | grep -E "Requests/sec|^ +50%|^ +99%|Checkouts"

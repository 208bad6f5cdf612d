#!/usr/bin/env bash
# The storefront benchmark of docs/benchmarks.md, release build, SQLite: server-rendered HTML
# pages of a store with 10,000 products (a product page, the home page, a catalog page), each
# beside GET /healthz (no database) in the same run, with and without gzip.
# Usage: bench/storefront.sh   (DURATION=10s CONNECTIONS=64 PRODUCTS=10000)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product leopard >/dev/null
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
.build/release/leopard serve --port "$port" --data-dir "$data" --signup-rate-limit 0 --spare-stores 0 --log-level warning >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 200); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
base="http://127.0.0.1:$port"
slug="shop-$(date +%s)"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

curl -fsS -X POST "$base/api/tenants" -H 'content-type: application/json' \
  -d "{\"storeName\":\"Bench Store\",\"slug\":\"$slug\",\"ownerEmail\":\"owner@bench.test\",\"ownerPassword\":\"correct horse battery\"}" >/dev/null
token=$(curl -fsS -X POST "$base/api/auth/login" -H "X-Tenant-ID: $slug" -H 'content-type: application/json' \
  -d '{"email":"owner@bench.test","password":"correct horse battery"}' | json '["token"]')
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
curl -fsS -X POST "$base/api/products/import" -H "X-Tenant-ID: $slug" -H "Authorization: Bearer $token" -H 'content-type: text/csv' --data-binary @"$data/products.csv" >/dev/null
host="Host: $slug.localhost:$port"
curl -fsS -H "$host" "$base/products/item-5000" >/dev/null || { echo "the product page did not render"; exit 1; }

duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
row() { grep -E "Requests/sec|^ +50%|^ +99%" | tr -s ' ' | paste -sd ' ' -; }
echo "## $connections connections, $duration each, $(nproc) cores, $products products"
echo "GET /healthz (ceiling):                $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"
echo "GET /products/item-5000 (product page): $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" "$base/products/item-5000" | row)"
echo "  the same with gzip:                   $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" -H 'Accept-Encoding: gzip' "$base/products/item-5000" | row)"
echo "GET / (home, 8 products):               $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" "$base/" | row)"
echo "GET /products (catalog, 24 products):   $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" "$base/products" | row)"
echo "GET /healthz (ceiling again):           $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"

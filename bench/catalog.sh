#!/usr/bin/env bash
# The commerce benchmarks of docs/benchmarks.md, release build, SQLite (or PostgreSQL with
# DATABASE_URL=postgres://…): GET /api/products (20 items) from a store of 10,000 products, and
# checkouts per second on one store, each beside GET /healthz (no database) in the same run.
# Usage: bench/catalog.sh   (DURATION=10s CONNECTIONS=64 PRODUCTS=10000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/store.sh
database=()
[ -n "${DATABASE_URL:-}" ] && database=(--database-url "$DATABASE_URL")
bench_serve "${database[@]}"
slug="bench-$(date +%s)"
bench_store "$slug"
staff=(-H "X-Tenant-ID: $slug" -H "Authorization: Bearer $token")
products=${PRODUCTS:-10000}
bench_products_csv "$products" >"$data/products.csv"
start=$(date +%s.%N)
curl -fsS -X POST "$base/api/products/import" "${staff[@]}" -H 'content-type: text/csv' --data-binary @"$data/products.csv" >/dev/null
echo "Imported $products products (one CSV, one transaction) in $(python3 -c "print(round($(date +%s.%N) - $start, 2))") s"
variant=$(curl -fsS -X POST "$base/api/products" "${staff[@]}" -H 'content-type: application/json' \
  -d '{"title":"Checkout item","price":1500,"stock":1000000000}' | json '["variants"][0]["id"]')

duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
echo "## $connections connections, $duration each, $(nproc) cores"
echo "GET /healthz (ceiling):      $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"
echo "GET /api/products (20 of $products): $(wrk -t2 -c"$connections" -d"$duration" --latency -H "X-Tenant-ID: $slug" "$base/api/products" | row)"
echo "GET /api/products as staff (never cached): $(wrk -t2 -c"$connections" -d"$duration" --latency -H "X-Tenant-ID: $slug" -H "Authorization: Bearer $token" "$base/api/products" | row)"
echo "GET /api/products?q=oak+mug:  $(wrk -t2 -c"$connections" -d"$duration" --latency -H "X-Tenant-ID: $slug" "$base/api/products?q=oak+mug" | row)"
echo "GET /healthz (ceiling again): $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"
echo "Checkout (create cart + checkout per order):"
LEOPARD_TENANT=$slug LEOPARD_VARIANT=$variant wrk -t2 -c"$connections" -d"$duration" --latency -s bench/lib/checkout.lua "$base/" | grep -E "Requests/sec|^ +50%|^ +99%|Checkouts"
# The same checkouts once the store prices by the one calculation's every part: an automatic
# 10 % discount, a shipping zone with a weight-band and a flat method, and a tax rate.
curl -fsS -X POST "$base/api/discounts" "${staff[@]}" -H 'content-type: application/json' \
  -d '{"automatic":true,"title":"Bench 10 %","kind":"percentage","value":10,"combinable":true}' >/dev/null
curl -fsS -X POST "$base/api/shipping-zones" "${staff[@]}" -H 'content-type: application/json' \
  -d '{"name":"US","countries":["US"],"methods":[{"name":"Ground","kind":"weight","bands":[{"upTo":1000,"rate":500},{"upTo":100000,"rate":900}]},{"name":"Express","kind":"flat","rate":1500}]}' >/dev/null
curl -fsS -X POST "$base/api/tax-rates" "${staff[@]}" -H 'content-type: application/json' -d '{"country":"US","rate":7.25}' >/dev/null
echo "GET /healthz (ceiling again): $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"
echo "Checkout with an automatic discount, a shipping zone and a tax rate:"
LEOPARD_TENANT=$slug LEOPARD_VARIANT=$variant wrk -t2 -c"$connections" -d"$duration" --latency -s bench/lib/checkout.lua "$base/" | grep -E "Requests/sec|^ +50%|^ +99%|Checkouts"

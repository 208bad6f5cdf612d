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
# measure LABEL wrk-arguments…: one wrk run, printed as requests/s, p50 and p99, and kept in
# $last (requests/s) for the ratios below.
measure() {
  local label=$1; shift
  local out; out=$(wrk -t2 -d"$duration" --latency "$@")
  last=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  echo "$label $(echo "$out" | row)"
  echo "$out" | grep -E "Checkouts" || true
}
# share PART WHOLE: PART as a percentage of WHOLE, one decimal.
share() { python3 -c "print(f'{100 * $1 / $2:.1f} %')"; }
checkouts() { echo "$1" | awk '/^Checkouts/{print $7}'; }
echo "## $connections connections, $duration each, $(nproc) cores"
measure "GET /healthz (ceiling):" -c"$connections" "$base/healthz"; ceiling=$last
measure "GET /api/products (20 of $products):" -c"$connections" -H "X-Tenant-ID: $slug" "$base/api/products"; cached=$last
measure "GET /api/products as staff (never cached):" -c"$connections" -H "X-Tenant-ID: $slug" -H "Authorization: Bearer $token" "$base/api/products"
staff_list=$last
measure "GET /api/products?q=oak+mug:" -c"$connections" -H "X-Tenant-ID: $slug" "$base/api/products?q=oak+mug"
measure "GET /healthz (ceiling again):" -c"$connections" "$base/healthz"; ceiling2=$last
plain=$(LEOPARD_TENANT=$slug LEOPARD_VARIANT=$variant wrk -t2 -c"$connections" -d"$duration" --latency -s bench/lib/checkout.lua "$base/")
echo "Checkout (create cart + checkout per order): $(echo "$plain" | row)"
echo "$plain" | grep -E "^Checkouts"

# Reads while orders flow: shopper catalog reads on 48 connections alone, then beside 16
# connections of checkouts (each order changes stock, so it invalidates the cached page).
measure "GET /api/products, 48 connections alone:" -c48 -H "X-Tenant-ID: $slug" "$base/api/products"; alone=$last
LEOPARD_TENANT=$slug LEOPARD_VARIANT=$variant wrk -t1 -c16 -d"$duration" -s bench/lib/checkout.lua "$base/" >"$data/mixed-checkout.txt" &
mixed_checkout=$!
measure "GET /api/products, 48 connections beside 16 of checkouts:" -c48 -H "X-Tenant-ID: $slug" "$base/api/products"; beside=$last
wait $mixed_checkout
echo "  the 16 checkout connections: $(grep -E "^Checkouts" "$data/mixed-checkout.txt")"

# The same checkouts once the store prices by the one calculation's every part: an automatic
# 10 % discount, a shipping zone with a weight-band and a flat method, and a tax rate.
curl -fsS -X POST "$base/api/discounts" "${staff[@]}" -H 'content-type: application/json' \
  -d '{"automatic":true,"title":"Bench 10 %","kind":"percentage","value":10,"combinable":true}' >/dev/null
curl -fsS -X POST "$base/api/shipping-zones" "${staff[@]}" -H 'content-type: application/json' \
  -d '{"name":"US","countries":["US"],"methods":[{"name":"Ground","kind":"weight","bands":[{"upTo":1000,"rate":500},{"upTo":100000,"rate":900}]},{"name":"Express","kind":"flat","rate":1500}]}' >/dev/null
curl -fsS -X POST "$base/api/tax-rates" "${staff[@]}" -H 'content-type: application/json' -d '{"country":"US","rate":7.25}' >/dev/null
measure "GET /healthz (ceiling again):" -c"$connections" "$base/healthz"
priced=$(LEOPARD_TENANT=$slug LEOPARD_VARIANT=$variant wrk -t2 -c"$connections" -d"$duration" --latency -s bench/lib/checkout.lua "$base/")
echo "Checkout with an automatic discount, a shipping zone and a tax rate: $(echo "$priced" | row)"
echo "$priced" | grep -E "^Checkouts"

echo "## Issue 23's goals (ratios to the first /healthz of this run, $ceiling req/s; the second gave $ceiling2)"
echo "cached shopper list: $(share "$cached" "$ceiling") of the ceiling"
echo "uncached staff list: $(share "$staff_list" "$ceiling") of the ceiling (goal: 25 % on SQLite, 15 % on PostgreSQL)"
echo "checkouts: $(checkouts "$plain")/s, priced $(checkouts "$priced")/s (goal: 1,000/s)"
echo "reads while orders flow: $(share "$beside" "$alone") of the read-only rate (goal: 50 %)"

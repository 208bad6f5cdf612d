#!/usr/bin/env bash
# The storefront benchmark of docs/benchmarks.md, release build, SQLite: server-rendered HTML
# pages of a store with 10,000 products (a product page, the home page, a catalog page), each
# beside GET /healthz (no database) in the same run, with and without gzip.
# Usage: bench/storefront.sh   (DURATION=10s CONNECTIONS=64 PRODUCTS=10000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/store.sh
bench_serve --spare-stores 0
slug="shop-$(date +%s)"
bench_store "$slug"
products=${PRODUCTS:-10000}
bench_products_csv "$products" >"$data/products.csv"
curl -fsS -X POST "$base/api/products/import" -H "X-Tenant-ID: $slug" -H "Authorization: Bearer $token" -H 'content-type: text/csv' --data-binary @"$data/products.csv" >/dev/null
host="Host: $slug.localhost:$port"
item="item-$((products / 2))"
curl -fsS -H "$host" "$base/products/$item" >/dev/null || { echo "the product page did not render"; exit 1; }

duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
echo "## $connections connections, $duration each, $(nproc) cores, $products products"
echo "GET /healthz (ceiling):                $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"
echo "GET /products/$item (product page): $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" "$base/products/$item" | row)"
echo "  the same with gzip:                   $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" -H 'Accept-Encoding: gzip' "$base/products/$item" | row)"
echo "GET / (home, 8 products):               $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" "$base/" | row)"
echo "GET /products (catalog, 24 products):   $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" "$base/products" | row)"
echo "GET /healthz (ceiling again):           $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"

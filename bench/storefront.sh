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
curl -fsS "$base/metrics" >"$data/before.txt"
echo "GET /products/$item (product page): $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" "$base/products/$item" | row)"
curl -fsS "$base/metrics" >"$data/after.txt"
# The server's own view of the same run: the request-duration histogram of the product page's
# route (time inside the router, without the kernel's and the event loop's queues).
python3 - "$data/before.txt" "$data/after.txt" <<'PY'
import re, sys
def buckets(path):
    found = {}
    for line in open(path):
        m = re.match(r'leopard_http_request_duration_seconds_bucket\{method="GET",route="(/products/[^"]+)",le="([^"]+)"\} (\S+)', line)
        if m: found[float("inf") if m.group(2) == "+Inf" else float(m.group(2))] = float(m.group(3))
    return found
before, after = buckets(sys.argv[1]), buckets(sys.argv[2])
delta = {le: after[le] - before.get(le, 0) for le in after}
total = delta.get(float("inf"), 0)
def quantile(q):
    for le in sorted(delta):
        if delta[le] >= q * total: return le
p50, p99 = quantile(0.5), quantile(0.99)
print(f"  server-side (histogram, {int(total)} requests): p50 <= {p50 * 1000:g} ms, p99 <= {p99 * 1000:g} ms")
PY
echo "  the same with gzip:                   $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" -H 'Accept-Encoding: gzip' "$base/products/$item" | row)"
echo "GET / (home, 8 products):               $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" "$base/" | row)"
echo "GET /products (catalog, 24 products):   $(wrk -t2 -c"$connections" -d"$duration" --latency -H "$host" "$base/products" | row)"
echo "GET /healthz (ceiling again):           $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"

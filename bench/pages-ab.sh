#!/usr/bin/env bash
# A/B of builds: the storefront product and home pages and the API list of the repo at DIR
# (its own release build), one store of 2,000 products, as shares of /healthz. Usage:
# bench/pages-ab.sh DIR   (run it for two checkouts in turn; DURATION=8s)
set -euo pipefail
cd "$1"
source bench/lib/store.sh
bench_serve --spare-stores 0
slug="shop-$(date +%s)"
bench_store "$slug"
bench_products_csv 2000 >"$data/products.csv"
curl -fsS -X POST "$base/api/products/import" -H "X-Tenant-ID: $slug" -H "Authorization: Bearer $token" -H 'content-type: text/csv' --data-binary @"$data/products.csv" >/dev/null
host="Host: $slug.localhost:$port"
d=${DURATION:-8s}
h1=$(wrk -t2 -c64 -d"$d" "$base/healthz" | awk '/Requests\/sec/ {print $2}')
p=$(wrk -t2 -c64 -d"$d" -H "$host" "$base/products/item-1000" | awk '/Requests\/sec/ {print $2}')
hm=$(wrk -t2 -c64 -d"$d" -H "$host" "$base/" | awk '/Requests\/sec/ {print $2}')
api=$(wrk -t2 -c64 -d"$d" -H "X-Tenant-ID: $slug" "$base/api/products" | awk '/Requests\/sec/ {print $2}')
h2=$(wrk -t2 -c64 -d"$d" "$base/healthz" | awk '/Requests\/sec/ {print $2}')
python3 -c "
h=( $h1 + $h2 )/2
print(f'$(basename $1): healthz {h:.0f}  product {$p:.0f} ({$p/h*100:.0f}%)  home {$hm:.0f} ({$hm/h*100:.0f}%)  api list {$api:.0f} ({$api/h*100:.0f}%)')"

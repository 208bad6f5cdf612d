#!/usr/bin/env bash
# The reports benchmark of docs/benchmarks.md (issue 22), release build, SQLite: one store with
# ORDERS orders (100,000) of one line each over the last 120 days, then GET /api/reports/sales
# for 90 days by day and by week, and GET /api/reports/products for 90 days, each beside
# GET /healthz in the same run. The orders are written straight into the store's database file
# (placing 100,000 through checkout would take minutes and measure checkout); the sales ledger
# is then filled by migration 0032's statements plus one entry per order, so the report sums
# as many entries as the checkout transactions would have left.
# Usage: bench/reports.sh   (DURATION=10s CONNECTIONS=16 ORDERS=100000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/store.sh
command -v sqlite3 >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
bench_serve
slug="bench-$(date +%s)"
bench_store "$slug"
staff=(-H "X-Tenant-ID: $slug" -H "Authorization: Bearer $token")
orders=${ORDERS:-100000}
for i in $(seq 1 20); do
  curl -fsS -X POST "$base/api/products" "${staff[@]}" -H 'content-type: application/json' -d "{\"title\":\"Report item $i\",\"price\":$((i * 250)),\"stock\":100}" >/dev/null
done
name=$(sqlite3 "$data/platform.sqlite" "SELECT database_name FROM tenants WHERE slug = '$slug'")
db="$data/tenants/$name"
[ -n "$name" ] && [ -f "$db" ] || { echo "no store database under $data" >&2; exit 1; }
start=$(date +%s.%N)
sqlite3 "$db" <<SQL
.timeout 10000
BEGIN;
CREATE TEMP TABLE bench_products AS SELECT p.id AS product_id, v.id AS variant_id, p.title, v.price, ROW_NUMBER() OVER (ORDER BY p.id) - 1 AS n
  FROM products p JOIN product_variants v ON v.product_id = p.id;
WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < $orders - 1)
INSERT INTO orders (id, number, email, status, currency, subtotal, shipping, tax, total, refunded_total, shipping_address_json,
                    payment_method, created_at, updated_at, discount_total)
SELECT printf('ord_bench%07d', i), 100000 + i, 'shopper@bench.test', CASE WHEN i % 20 = 0 THEN 'cancelled' ELSE 'paid' END, 'USD',
       (1 + i % 3) * (250 * (1 + i % 20)), 500, (1 + i % 3) * (25 * (1 + i % 20)), 0, CASE WHEN i % 50 = 1 THEN 1000 ELSE 0 END, '{}',
       'card', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d seconds', (i * 104729) % (120 * 86400))),
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d seconds', (i * 104729) % (120 * 86400))), CASE WHEN i % 7 = 0 THEN 100 ELSE 0 END
FROM seq;
UPDATE orders SET total = subtotal - discount_total + shipping + tax WHERE id LIKE 'ord_bench%';
INSERT INTO order_lines (id, order_id, position, product_id, variant_id, title, unit_price, quantity, line_total, discount, tax)
SELECT 'line_' || substr(o.id, 5), o.id, 0, b.product_id, b.variant_id, b.title, b.price, 1 + o.number % 3, (1 + o.number % 3) * b.price,
       o.discount_total, o.tax
FROM orders o JOIN bench_products b ON b.n = (o.number - 100000) % 20 WHERE o.id LIKE 'ord_bench%';
DELETE FROM sales_entries;
INSERT INTO sales_entries (bucket, orders, gross, discounts, refunds, tax, shipping, total)
SELECT CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER) / 900, COUNT(*), SUM(subtotal), SUM(discount_total), 0, SUM(tax), SUM(shipping),
       SUM(total)
FROM orders WHERE status <> 'cancelled' GROUP BY CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER) / 900;
-- The checkout transactions would leave one entry per order: add one more per order (all
-- zero but the bucket) so the report sums as many rows as 100,000 placed orders would leave.
INSERT INTO sales_entries (bucket) SELECT CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER) / 900 FROM orders WHERE status <> 'cancelled';
INSERT INTO sales_entries (bucket, refunds)
SELECT CAST(strftime('%s', substr(updated_at, 1, 19)) AS INTEGER) / 900, SUM(refunded_total) FROM orders WHERE refunded_total > 0
GROUP BY CAST(strftime('%s', substr(updated_at, 1, 19)) AS INTEGER) / 900;
COMMIT;
ANALYZE;
SQL
echo "Seeded $orders orders (and their lines, and $(sqlite3 "$db" 'SELECT COUNT(*) FROM sales_entries') ledger entries over $(sqlite3 "$db" 'SELECT COUNT(DISTINCT bucket) FROM sales_entries') quarter hours) in $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"

to=$(date -u +%F)
from=$(date -u -d '89 days ago' +%F)
sales="$base/api/reports/sales?from=$from&to=$to&interval=day"
weeks="$base/api/reports/sales?from=$from&to=$to&interval=week"
products="$base/api/reports/products?from=$from&to=$to"
once() { curl -fsS -o /dev/null -w '%{time_total}' "${staff[@]}" "$1"; }
echo "One request each, seconds: sales by day $(once "$sales"), by week $(once "$weeks"), best sellers $(once "$products")"
curl -fsS "${staff[@]}" "$sales" | python3 -c "import json,sys; r=json.load(sys.stdin); print('90-day totals:', r['totals'])"

duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
wrk_staff() { wrk -t2 -c"$connections" -d"$duration" --latency -H "X-Tenant-ID: $slug" -H "Authorization: Bearer $token" "$1" | row; }
echo "## $connections connections, $duration each, $(nproc) cores"
echo "GET /healthz (ceiling):           $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"
echo "GET /api/reports/sales 90 days by day:  $(wrk_staff "$sales")"
echo "GET /api/reports/sales 90 days by week: $(wrk_staff "$weeks")"
echo "GET /api/reports/products 90 days:      $(wrk_staff "$products")"
echo "GET /healthz (ceiling again):     $(wrk -t2 -c"$connections" -d"$duration" --latency "$base/healthz" | row)"

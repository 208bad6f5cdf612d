#!/usr/bin/env bash
# The isolation audit in CI: 20 stores made by `leopard bench provision` on each storage (SQLite,
# and a throwaway PostgreSQL cluster), `leopard audit isolation` must find nothing; then one
# planted fault each (a stray copy of a store's file; a CONNECT grant to another store's role)
# must make it exit 1.
#   bash bench/audit.sh [path/to/leopard]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/debug/leopard}
source bench/lib/postgres.sh
export LEOPARD_OPERATOR_TOKEN=audit-operator-token-0123456789

sqlite=$(mktemp -d)
"$binary" bench provision --count 20 --concurrency 4 --bcrypt-cost 4 --data-dir "$sqlite" >/dev/null
"$binary" audit isolation --data-dir "$sqlite" --log-level warning
store=$(ls "$sqlite/tenants" | grep -v '^\.' | grep '\.sqlite$' | head -1)
cp "$sqlite/tenants/$store" "$sqlite/tenants/planted-copy.sqlite"
if "$binary" audit isolation --data-dir "$sqlite" --log-level warning --json >"$sqlite/report.json"; then
  echo "FAIL: the audit did not report a stray copy of a store's database"; exit 1
fi
grep -q 'planted-copy.sqlite' "$sqlite/report.json" || { echo "FAIL: the report does not name the stray file"; cat "$sqlite/report.json"; exit 1; }
echo "ok   SQLite: 20 stores clean; a planted stray file reported"
rm -rf "$sqlite"

bench_postgres_start
url=$(bench_postgres_new_platform)
pgdata=$(mktemp -d)
"$binary" bench provision --count 20 --concurrency 4 --bcrypt-cost 4 --data-dir "$pgdata" --database-url "$url" >/dev/null
"$binary" audit isolation --data-dir "$pgdata" --database-url "$url" --log-level warning
databases=$(PGPASSWORD=leopard $BENCH_PG_PSQL "SELECT datname FROM pg_database WHERE datname LIKE 'leopard_ten_%' ORDER BY datname LIMIT 2" -tA 2>/dev/null || true)
first=$(echo "$databases" | sed -n 1p)
second=$(echo "$databases" | sed -n 2p)
[ -n "$first" ] && [ -n "$second" ] || { echo "FAIL: no store databases found"; exit 1; }
owner=$(PGPASSWORD=leopard $BENCH_PG_PSQL "SELECT r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = '$first'" -tA)
PGPASSWORD=leopard $BENCH_PG_PSQL "GRANT CONNECT ON DATABASE \"$second\" TO \"$owner\""
if "$binary" audit isolation --data-dir "$pgdata" --database-url "$url" --log-level warning --json >"$pgdata/report.json"; then
  echo "FAIL: the audit did not report a CONNECT grant to another store's role"; exit 1
fi
grep -q "$second" "$pgdata/report.json" || { echo "FAIL: the report does not name the database"; cat "$pgdata/report.json"; exit 1; }
echo "ok   PostgreSQL: 20 stores clean; a planted CONNECT grant reported"
rm -rf "$pgdata"

#!/usr/bin/env bash
# Provisioning latency, release build: 200 sequential and 100 concurrent signups on SQLite and
# on a throwaway PostgreSQL cluster. Paste the output into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/postgres.sh
swift build -c release --product leopard >/dev/null
leopard=.build/release/leopard

echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr)"
echo "## SQLite, 200 sequential";   "$leopard" bench provision --count 200 --concurrency 1
echo "## SQLite, 100 concurrent";   "$leopard" bench provision --count 100 --concurrency 100
# The bursts vary from run to run on a 2-core machine: each burst with spares runs RUNS times.
runs=${RUNS:-5}
for run in $(seq "$runs"); do
  echo "## SQLite, 100 concurrent, 100 spares ready (run $run of $runs)"; "$leopard" bench provision --count 100 --concurrency 100 --spare-stores 100
done
bench_postgres_start
echo "## PostgreSQL, 200 sequential"; "$leopard" bench provision --count 200 --concurrency 1 --database-url "$(bench_postgres_new_platform)"
echo "## PostgreSQL, 100 concurrent"; "$leopard" bench provision --count 100 --concurrency 100 --database-url "$(bench_postgres_new_platform)"
for run in $(seq "$runs"); do
  echo "## PostgreSQL, 100 concurrent, 100 spares ready (run $run of $runs)"
  "$leopard" bench provision --count 100 --concurrency 100 --spare-stores 100 --database-url "$(bench_postgres_new_platform)"
done

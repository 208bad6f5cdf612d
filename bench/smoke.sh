#!/usr/bin/env bash
# The README's quick start, against a real server on a free port with a throwaway data
# directory: sign up a store, then read it through its subdomain and through X-Tenant-ID.
# Usage: bench/smoke.sh [path to the leopard binary]
set -euo pipefail
binary=${1:-.build/debug/leopard}
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$binary" serve --port "$port" --data-dir "$data" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  if ! kill -0 $server 2>/dev/null; then cat "$data/serve.log"; exit 1; fi
  sleep 0.1
done

check() {  # name, expected status, curl arguments...
  local name=$1 expected=$2; shift 2
  local body status
  body=$(mktemp)
  status=$(curl -sS -o "$body" -w '%{http_code}' "$@")
  if [ "$status" != "$expected" ]; then
    echo "FAIL $name: HTTP $status (expected $expected): $(cat "$body")"; exit 1
  fi
  echo "ok   $name: HTTP $status $(head -c 300 "$body")"
  rm -f "$body"
}

check "signup" 201 -X POST "http://localhost:$port/api/tenants" -H 'content-type: application/json' \
  -d '{"storeName":"Acme Tools","ownerEmail":"owner@acme.test","ownerPassword":"correct horse battery"}'
check "store by subdomain" 200 "http://acme-tools.localhost:$port/api/store"
check "store by X-Tenant-ID" 200 -H 'X-Tenant-ID: acme-tools' "http://localhost:$port/api/store"
check "taken slug" 409 -X POST "http://localhost:$port/api/tenants" -H 'content-type: application/json' \
  -d '{"storeName":"Acme Tools","ownerEmail":"owner@acme.test"}'
check "unknown store" 404 "http://nobody.localhost:$port/api/store"
check "operator token required" 401 "http://localhost:$port/api/tenants"
curl -fsS "http://acme-tools.localhost:$port/api/store" | grep -q '"slug":"acme-tools"'
grep -q "Operator token" "$data/serve.log" || { echo "FAIL: serve did not print the operator token"; exit 1; }
check "signup page" 200 "http://localhost:$port/signup"
check "storefront" 200 "http://acme-tools.localhost:$port/"
# /metrics from this machine, read by Prometheus' own Python parser (PyPI, in a venv).
venv=${METRICS_VENV:-.build/metrics-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import prometheus_client' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check prometheus_client
fi
curl -fsS "http://localhost:$port/metrics" >"$data/metrics.txt"
"$venv/bin/python" - "$data/metrics.txt" <<'PY' || { echo "FAIL: /metrics does not parse"; exit 1; }
import sys
from prometheus_client.parser import text_string_to_metric_families
families = {family.name: family for family in text_string_to_metric_families(open(sys.argv[1]).read())}
for name in ("leopard_http_requests", "leopard_http_request_duration_seconds", "leopard_provisioning_duration_seconds", "leopard_tenant_databases_open", "process_resident_memory_bytes"):
    assert name in families, f"{name} missing from /metrics: {sorted(families)}"
signups = [s for s in families["leopard_http_requests"].samples if s.labels.get("route") == "/api/tenants" and s.labels.get("status") == "201"]
assert signups and signups[0].value == 1, signups
print(f"ok   /metrics parses with prometheus_client: {len(families)} metric families")
PY
# SIGTERM: a clean stop (exit status 0) that closes the databases.
kill -TERM $server
status=0
wait $server || status=$?
[ "$status" = 0 ] || { echo "FAIL: serve exited with $status after SIGTERM"; cat "$data/serve.log"; exit 1; }
echo "ok   clean stop on SIGTERM"
trap 'rm -rf "$data"' EXIT

# Backups from the command line: back up every store, verify the file, restore it as a copy.
"$binary" backup --data-dir "$data" --to "$data/backups" >"$data/backup.log" 2>&1 || { cat "$data/backup.log"; echo "FAIL: leopard backup"; exit 1; }
file=$(ls "$data"/backups/*/*.leopard.tar | head -1)
# Output to a file, then grep: `grep -q` in a pipe quits at the first match, and under pipefail
# the SIGPIPE of the writer would fail the step.
"$binary" backup verify --data-dir "$data" "$file" >"$data/verify.log" 2>&1 || { cat "$data/verify.log"; echo "FAIL: leopard backup verify $file"; exit 1; }
grep -q "^OK" "$data/verify.log" || { cat "$data/verify.log"; echo "FAIL: leopard backup verify $file"; exit 1; }
tenant=$(basename "$(dirname "$file")")
"$binary" restore --data-dir "$data" --tenant "$tenant" --from "$file" --as acme-copy >"$data/restore.log" 2>&1 || { cat "$data/restore.log"; echo "FAIL: leopard restore --as"; exit 1; }
grep -q "acme-copy" "$data/restore.log" || { cat "$data/restore.log"; echo "FAIL: leopard restore --as"; exit 1; }
echo "ok   leopard backup, backup verify and restore --as"
echo "smoke: 12 passed, 0 failed"

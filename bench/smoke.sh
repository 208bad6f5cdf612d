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
# SIGTERM: a clean stop (exit status 0) that closes the databases.
kill -TERM $server
status=0
wait $server || status=$?
[ "$status" = 0 ] || { echo "FAIL: serve exited with $status after SIGTERM"; cat "$data/serve.log"; exit 1; }
echo "ok   clean stop on SIGTERM"
trap 'rm -rf "$data"' EXIT
echo "smoke: 8 passed, 0 failed"

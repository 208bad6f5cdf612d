#!/usr/bin/env bash
# Fuzzes the store API from its own OpenAPI document with schemathesis (PyPI, in a venv this
# script creates), every phase including the stateful one (which follows the document's links),
# as three identities (the owner, a staff member, a customer) on each storage. Each identity gets
# a store of its own, seeded by bench/schemathesis/seed.py with a record for every path
# parameter. The checks: no 5xx, every status, content type and body as documented, and no
# schemathesis warning (an operation only ever refused, or never reached past a 404) left.
# Usage: bench/schemathesis.sh [path/to/leopard]   (default: .build/debug/leopard)
#   STORAGES="sqlite postgres" IDENTITIES="owner staff customer" SCHEMATHESIS_EXAMPLES=25
#   SCHEMATHESIS_SEED=20261204 (fixed, so CI explores the same cases each run; set another to explore)
#   SCHEMATHESIS_OPERATIONS="createProduct updateProduct" (only these operations)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-.build/debug/leopard}")
venv=$(realpath -m "${SCHEMATHESIS_VENV:-.build/schemathesis-venv}")
# Pinned: the configuration seed.py writes (dictionaries, per-operation settings) and the
# warnings the run fails on are this version's.
version=4.32.5
if [ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $version" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$version"
fi
source bench/lib/postgres.sh
# Rules between fields no JSON Schema states, followed by the positive cases (see the file).
hooks=$(realpath bench/schemathesis/hooks.py)

work=$(mktemp -d)
server=
stop_server() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; fi
}
cleanup() { stop_server; bench_postgres_stop_all; rm -rf "$work"; }
trap cleanup EXIT

start_server() {  # storage data-dir
  local database=() url
  if [ "$1" = postgres ]; then
    url=$(bench_postgres_new_platform)
    [ -n "$url" ] || { echo "no platform database"; exit 1; }
    database=(--database-url "$url")
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # Private webhook targets: the seeded endpoints point at a closed port on this machine. The
  # run never creates endpoints itself (createWebhook is excluded below).
  LEOPARD_WEBHOOK_ALLOW_PRIVATE=1 LEOPARD_PASSWORD_HASH_COST=4 "$binary" serve --port "$port" --data-dir "$2" \
    "${database[@]}" --signup-rate-limit 0 --log-level error >"$2/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do
    kill -0 "$server" 2>/dev/null || break
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "leopard serve did not start:"; cat "$2/serve.log"; exit 1
}

for storage in ${STORAGES:-sqlite postgres}; do
  if [ "$storage" = postgres ]; then
    bench_postgres_start
    trap cleanup EXIT  # bench_postgres_start sets its own; ours stops it too
  fi
  # Each identity gets a server and a platform of its own: one run's mail and webhook work
  # never delays the next one's seeding.
  for identity in ${IDENTITIES:-owner staff customer}; do
    echo "== schemathesis: $storage, as $identity"
    run="$work/$storage-$identity"
    mkdir -p "$run/data"
    start_server "$storage" "$run/data"
    base="http://127.0.0.1:$port"
    python3 bench/schemathesis/seed.py "$base" "$run/data" "$identity" "$run"
    curl -fsS -H "Host: fuzz-$identity.localhost" "$base/openapi.json" >"$run/openapi.json"
    include=()
    while read -r operation; do
      # SCHEMATHESIS_OPERATIONS="createProduct …": only these (of the identity's own).
      if [ -z "${SCHEMATHESIS_OPERATIONS:-}" ] || [[ " $SCHEMATHESIS_OPERATIONS " == *" $operation "* ]]; then
        include+=(--include-operation-id "$operation")
      fi
    done <"$run/operations.txt"
    # Excluded: the two logouts (they would end the run's own session), the Stripe keys (stored
    # keys send card payments to Stripe, which this machine cannot reach: a 502 by design), and
    # creating webhook endpoints (a fuzzed URL could point anywhere; the seeded one is local).
    (cd "$run" && SCHEMATHESIS_HOOKS="$hooks" "$venv/bin/schemathesis" --config-file "$run/schemathesis.toml" run "$run/openapi.json" --url "$base" \
      "${include[@]}" \
      --exclude-operation-id staffLogout --exclude-operation-id customerLogout \
      --exclude-operation-id setStripeKeys --exclude-operation-id removeStripeKeys \
      --exclude-operation-id createWebhook \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
      --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --phases examples,coverage,fuzzing,stateful --no-color \
      --seed "${SCHEMATHESIS_SEED:-20261204}" ${SCHEMATHESIS_ARGS:-})
    stop_server
  done
done

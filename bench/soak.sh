#!/usr/bin/env bash
# The soak: two `leopard serve` instances on one throwaway PostgreSQL cluster behind Caddy
# (reverse_proxy with health checks and lb_try_duration), shoppers browsing, signing up,
# checking out and paying (bench/soak/driver.py), and faults while they do: a rolling SIGTERM
# restart of both instances, a SIGKILL of one, and a PostgreSQL restart. Then, as each store's
# owner, the audit: every order a shopper was told of exists once, order numbers have no gaps
# or repeats, stock adds up per variant, every paid order has exactly one captured payment; and
# the warm pool holds no more spares than its setting, across both instances.
# Usage: bench/soak.sh [path/to/leopard]   DURATION=210 CLIENTS=10 (CI runs DURATION=75 CLIENTS=6)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-.build/release/leopard}")
duration=${DURATION:-210}
clients=${CLIENTS:-10}
spares=4
source bench/lib/postgres.sh
command -v caddy >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy >/dev/null; }

work=$(mktemp -d /tmp/leopard-soak.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bench_postgres_stop_all
  rm -rf "$work"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
bench_postgres_start
trap cleanup EXIT  # after bench_postgres_start, whose own trap this one includes
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi

ports=("$(free_port)" "$(free_port)")
instance_pid=("" "")
start_instance() {  # index
  local index=$1 port=${ports[$1]}
  "$binary" serve --port "$port" --data-dir "$work/data" --database-url "$BENCH_DATABASE_URL" --signup-rate-limit 0 \
    --spare-stores "$spares" --log-level info >>"$work/instance-$index.log" 2>&1 &
  instance_pid[$index]=$!
  pids+=("$!")
  for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "soak: instance $index did not become ready"; tail -20 "$work/instance-$index.log"; exit 1
}
stop_instance() {  # index signal
  local pid=${instance_pid[$1]}
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "soak: instance $1 did not stop on $2"; exit 1
}

mkdir -p "$work/data"
start_instance 0
start_instance 1

proxy=$(free_port)
cat >"$work/Caddyfile" <<CADDY
{
	admin off
	auto_https off
}
:$proxy {
	bind 127.0.0.1
	reverse_proxy 127.0.0.1:${ports[0]} 127.0.0.1:${ports[1]} {
		lb_policy round_robin
		lb_try_duration 10s
		lb_try_interval 250ms
		fail_duration 5s
		health_uri /readyz
		health_interval 1s
		health_timeout 2s
	}
}
CADDY
XDG_DATA_HOME="$work/caddy" XDG_CONFIG_HOME="$work/caddy" caddy run --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$proxy/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$proxy/healthz" >/dev/null || { echo "soak: Caddy did not start"; cat "$work/caddy.log"; exit 1; }

base="http://127.0.0.1:$proxy"
echo "== soak: ${duration} s, $clients clients, instances on ${ports[*]} behind Caddy on $proxy"
python3 bench/soak/driver.py load "$base" "$work" "$duration" "$clients" &
driver=$!

# The faults, spread over the run.
step=$((duration / 5))
sleep "$step"
echo "== soak: rolling restart (SIGTERM, start, ready) at ${step} s"
for index in 0 1; do
  stop_instance "$index" TERM
  start_instance "$index"
  sleep 2
done
sleep "$step"
echo "== soak: SIGKILL instance 1"
stop_instance 1 KILL
sleep 2
start_instance 1
sleep "$step"
echo "== soak: PostgreSQL restart"
"${as[@]}" "$pg_bin/pg_ctl" -D "$BENCH_PG_DIR/data" -m fast -w restart >/dev/null
wait "$driver"

sleep 3  # captures relayed after the last answers
python3 bench/soak/driver.py audit "$base" "$work"

spare_count=$(PGPASSWORD=leopard "$pg_bin/psql" -h 127.0.0.1 -p "$(sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$BENCH_DATABASE_URL")" -U leopard -d leopard_platform -tAc \
  "SELECT COUNT(*) FROM spare_databases" 2>/dev/null || echo "?")
echo "soak: spare store databases: $spare_count (setting: $spares, two instances)"
unhandled=$(cat "$work"/instance-*.log | grep -c '"unhandled error"\|unhandled error' || true)
feed_back=$(cat "$work"/instance-*.log | grep -c 'the tenant change feed is back' || true)
echo "soak: unhandled errors logged: $unhandled; change feed came back $feed_back times"
if [ "$spare_count" != "?" ] && [ "$spare_count" -gt "$spares" ]; then echo "soak: the warm pool overfilled"; exit 1; fi
if [ "$unhandled" -gt 0 ]; then grep -h 'unhandled error' "$work"/instance-*.log | head -5; exit 1; fi
echo "== soak passed"

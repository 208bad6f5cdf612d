# Source this file: starts throwaway PostgreSQL clusters on free loopback ports, and stops and
# removes every one of them when the calling script exits. Installs Debian's postgresql package
# when the server binaries are missing.
#
# bench_postgres_start sets BENCH_DATABASE_URL (a platform database), BENCH_PG_PSQL and
# BENCH_PG_BASE for the cluster it starts; call it again for another cluster (a second pod).
BENCH_PG_STOPS=()
bench_postgres_stop_all() {
  local stop
  for stop in "${BENCH_PG_STOPS[@]}"; do eval "$stop" >/dev/null 2>&1 || true; done
}

bench_postgres_start() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bin" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  BENCH_PG_DIR=$(mktemp -d /tmp/leopard-bench-pg.XXXXXX)
  local port as=()
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  echo leopard >"$BENCH_PG_DIR/pw"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$BENCH_PG_DIR"; as=(runuser -u postgres --); fi
  "${as[@]}" "$bin/initdb" -D "$BENCH_PG_DIR/data" -U leopard --pwfile="$BENCH_PG_DIR/pw" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --no-locale >/dev/null
  BENCH_PG_STOPS+=("${as[*]} $bin/pg_ctl -D $BENCH_PG_DIR/data -m fast stop; rm -rf $BENCH_PG_DIR")
  trap bench_postgres_stop_all EXIT
  # Durable settings (fsync on): the numbers are what a real server would do on this disk.
  "${as[@]}" "$bin/pg_ctl" -D "$BENCH_PG_DIR/data" -l "$BENCH_PG_DIR/log" -w \
    -o "-p $port -k $BENCH_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  PGPASSWORD=leopard "$bin/psql" -h 127.0.0.1 -p "$port" -U leopard -d postgres -qc "CREATE DATABASE leopard_platform" >/dev/null
  BENCH_DATABASE_URL="postgres://leopard:leopard@127.0.0.1:$port/leopard_platform"
  BENCH_PG_PSQL="$bin/psql -h 127.0.0.1 -p $port -U leopard -d postgres -qc"
  BENCH_PG_BASE="postgres://leopard:leopard@127.0.0.1:$port"
}

# Prints the URL of a new, empty platform database on the bench cluster (each run of
# `leopard bench provision` gets its own: its key file is new every time).
bench_postgres_new_platform() {
  local name="leopard_platform_$(date +%s%N)"
  PGPASSWORD=leopard $BENCH_PG_PSQL "CREATE DATABASE $name" >/dev/null
  echo "$BENCH_PG_BASE/$name"
}

#!/usr/bin/env bash
# The browser story (e2e/story.py) against a real `leopard serve` on a free loopback port, in
# headless Chromium with Debian's chromium and chromium-driver. Makes its own venv with selenium
# (PyPI). Screenshots of every step go to e2e/artifacts/.
#
#   bash e2e/run.sh [path/to/leopard]     (default .build/debug/leopard)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/debug/leopard}

for tool in chromium chromedriver; do
  command -v "$tool" >/dev/null 2>&1 || { echo "e2e: $tool is not installed (apt-get install chromium chromium-driver)"; exit 1; }
done
if [ ! -x e2e/.venv/bin/python ]; then
  python3 -m venv e2e/.venv
  e2e/.venv/bin/pip install -q --disable-pip-version-check selenium
fi

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
rm -rf e2e/artifacts && mkdir -p e2e/artifacts
LEOPARD_OPERATOR_TOKEN=e2e-operator-token-0123456789 "$binary" serve --port "$port" --data-dir "$data" \
  --spare-stores 0 --signup-rate-limit 0 >"e2e/artifacts/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
CHROMIUM=$(command -v chromium) CHROMEDRIVER=$(command -v chromedriver) e2e/.venv/bin/python e2e/story.py "http://localhost:$port"

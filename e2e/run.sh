#!/usr/bin/env bash
# The browser stories (e2e/story.py, stripe_story.py, mail_story.py) against a real `leopard serve`
# on a free loopback port, its mail going to aiosmtpd (a real SMTP server), in
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
# selenium drives Chromium; localstripe (a stateful fake Stripe with its own Stripe.js) takes
# the card payments of the second story.
bash e2e/venv.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

data=$(mktemp -d)
port=$(free_port)
stripe_port=$(free_port)
smtp_port=$(free_port)
rm -rf e2e/artifacts && mkdir -p e2e/artifacts
e2e/.venv/bin/python e2e/localstripe_server.py "$stripe_port" "$data/localstripe.pickle" >"e2e/artifacts/localstripe.log" 2>&1 &
localstripe=$!
# aiosmtpd, a real SMTP server, receives the platform's mail for the mail story.
e2e/.venv/bin/python e2e/smtp_server.py "$smtp_port" "$data/maildir" >"e2e/artifacts/smtp.log" 2>&1 &
smtp=$!
LEOPARD_OPERATOR_TOKEN=e2e-operator-token-0123456789 \
  LEOPARD_STRIPE_API_BASE="http://127.0.0.1:$stripe_port" LEOPARD_STRIPE_JS_URL="http://127.0.0.1:$stripe_port/js.stripe.com/v3/" \
  "$binary" serve --port "$port" --data-dir "$data" --spare-stores 0 --signup-rate-limit 0 --smtp-url "smtp://127.0.0.1:$smtp_port" >"e2e/artifacts/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" "$localstripe" "$smtp" 2>/dev/null || true
  wait "$server" "$localstripe" "$smtp" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
ready=no
for _ in $(seq 1 150); do
  if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && curl -sf "http://127.0.0.1:$stripe_port/js.stripe.com/v3/" >/dev/null 2>&1; then
    ready=yes
    break
  fi
  sleep 0.1
done
if [ "$ready" != yes ]; then
  echo "e2e: leopard or localstripe did not start"; tail -20 e2e/artifacts/server.log e2e/artifacts/localstripe.log
  exit 1
fi
export CHROMIUM=$(command -v chromium) CHROMEDRIVER=$(command -v chromedriver)
echo "story 1: the test gateway"
e2e/.venv/bin/python e2e/story.py "http://localhost:$port"
echo "story 2: card payments through Stripe.js, against localstripe"
e2e/.venv/bin/python e2e/stripe_story.py "http://localhost:$port" "http://127.0.0.1:$stripe_port" e2e/artifacts/server.log
echo "story 3: mail through a real SMTP server (aiosmtpd)"
e2e/.venv/bin/python e2e/mail_story.py "http://localhost:$port" "$data/maildir"

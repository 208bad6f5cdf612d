#!/usr/bin/env bash
# The venv of the browser stories, the localstripe and the SMTP tests: selenium (drives Chromium),
# localstripe (a stateful fake of Stripe with its own Stripe.js stand-in) and aiosmtpd (a real SMTP server), from PyPI.
#
#   bash e2e/venv.sh      (makes e2e/.venv when it lacks either; quiet otherwise)
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ] || [ ! -x .venv/bin/pip ]; then
  rm -rf .venv
  python3 -m venv .venv
fi
.venv/bin/python -c 'import selenium, localstripe, aiosmtpd' 2>/dev/null \
  || .venv/bin/pip install -q --disable-pip-version-check selenium localstripe aiosmtpd

#!/usr/bin/env bash
# Installs what the tests need, idempotently: PostgreSQL and Chromium from Debian, Python
# schemathesis and openapi-python-client, the Playwright/axe npm packages, cargo-fuzz. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing from Debian: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# scripts/api-fuzz.sh speaks the schemathesis 4 command line (seconds for --request-timeout,
# --max-examples, native OpenAPI 3.1).
python3 -c 'import sys, schemathesis; sys.exit(0 if schemathesis.__version__.startswith("4.") else 1)' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check 'schemathesis>=4,<5'

# scripts/python-client.sh generates a client from the API's OpenAPI document with it.
command -v openapi-python-client >/dev/null 2>&1 \
  || python3 -m pip install --quiet --disable-pip-version-check openapi-python-client

if [ -f tests/e2e/package.json ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz --quiet

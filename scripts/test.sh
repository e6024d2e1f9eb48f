#!/usr/bin/env bash
# Runs every test of vires on a fresh machine: installs what the tests need (PostgreSQL and
# Chromium from Debian, npm packages), starts a throwaway PostgreSQL, then runs the Rust
# test suite, the API fuzz run, the browser tests and the fuzz smoke run.
# Nothing is skipped silently: a missing prerequisite is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "prerequisites"
scripts/setup.sh

step "cargo test (SQLite and PostgreSQL)"
scripts/with-postgres.sh cargo test --workspace --all-targets --locked

step "API fuzz against /openapi.json (schemathesis)"
scripts/api-fuzz.sh

step "browser tests and accessibility (Playwright, axe-core, Debian chromium)"
scripts/e2e.sh

step "fuzz smoke run (bounded)"
FUZZ_SECONDS="${FUZZ_SECONDS:-20}" scripts/fuzz.sh

step "all tests passed"

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

step "no circular imports between the files of any crate"
python3 scripts/file-cycles.py --self-test
python3 scripts/file-cycles.py .

step "cargo test (SQLite and PostgreSQL)"
scripts/with-postgres.sh cargo test --workspace --all-targets --locked

step "doctests"
# `--all-targets` leaves doctests out; the examples in the crates' documentation must run too.
cargo test --workspace --doc --locked
# The CLI's integration tests made this binary; the API fuzz run and the browser tests use
# it rather than build their own (a `cargo build -p vires-cli` would resolve dependency
# features without the dev-dependencies and rebuild half the tree: 2.5 minutes on CI).
export VIRES_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/vires"
[ -x "$VIRES_BIN" ] || cargo build --locked -p vires-cli --bin vires

step "API fuzz against /openapi.json (schemathesis)"
scripts/api-fuzz.sh

step "a Python client generated from /openapi.json (openapi-python-client)"
scripts/python-client.sh

step "browser tests and accessibility (Playwright, axe-core, Debian chromium)"
scripts/e2e.sh

step "fuzz smoke run (bounded)"
FUZZ_SECONDS="${FUZZ_SECONDS:-20}" scripts/fuzz.sh

step "all tests passed"

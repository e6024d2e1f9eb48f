#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for a bounded time each (libFuzzer through cargo-fuzz).
#
#   scripts/fuzz.sh              30 s per target (or $FUZZ_SECONDS)
#   scripts/fuzz.sh 300          five minutes per target
#   scripts/fuzz.sh 30 lang_parse   one target
#
# Targets: lang_parse (the .vires parser and formatter), lang_json (the JSON form),
# ods_import (the ODS/ONS CSV import from in-memory files), http_decode (request JSON and
# dates). Seeds are in fuzz/corpus/<target>/; new inputs found go to target/fuzz-corpus/
# so the committed corpus stays small. A crash leaves its input in fuzz/artifacts/<target>/
# and fails the script: turn it into a regression test in the crate it concerns.
#
# Needs cargo-fuzz (installed here if missing) and sanitizer flags, which stable rustc
# accepts with RUSTC_BOOTSTRAP=1.
#
# No AddressSanitizer by default (FUZZ_SANITIZER=address to have it): the fuzzed crates
# have no `unsafe`, so what a run can find is a panic, a hang or runaway memory, which
# libFuzzer catches without it; ASan made the instrumented build the longest step of CI
# and halved the executions per second.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-30}}"
only="${2:-}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
# Its own target dir so fuzz builds (instrumented) never invalidate normal builds.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target/fuzz}"

targets=(lang_parse lang_json ods_import http_decode)
if [ -n "$only" ]; then targets=("$only"); fi

failed=()
for t in "${targets[@]}"; do
  work="target/fuzz-corpus/$t"
  mkdir -p "$work" "fuzz/artifacts/$t"
  echo "== $t: ${seconds}s"
  # -max_total_time bounds the run; -rss_limit_mb keeps a runaway input from taking the
  # machine; the committed corpus is read, new finds are written to $work.
  if ! cargo fuzz run --sanitizer "${FUZZ_SANITIZER:-none}" --fuzz-dir fuzz "$t" "$work" "fuzz/corpus/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
      2>"target/fuzz-$t.log"; then
    failed+=("$t")
    echo "!! $t failed; the input is in fuzz/artifacts/$t, the log in target/fuzz-$t.log" >&2
    grep -E "panicked|ERROR|SUMMARY|Test unit written" "target/fuzz-$t.log" | head -20 >&2 || true
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "target/fuzz-$t.log" | sed "s/^/   /" || true
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz targets that found a crash: ${failed[*]}" >&2
  exit 1
fi
echo "all fuzz targets ran ${seconds}s without a crash"

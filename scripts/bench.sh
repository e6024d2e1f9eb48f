#!/usr/bin/env bash
# The vires benchmark, in one command:
#
#   scripts/bench.sh            quick run (under five minutes on two cores)
#   scripts/bench.sh --full     more questions and repetitions, peers on 10^5 instruments
#
# 1. In process (vires-bench): who/may on the bundled England register and on synthetic
#    registers of 10^3..10^6 instruments, build time and its growth exponent, bytes per
#    instrument, and the same `may` questions put to Cedar and SQLite (every answer compared
#    first, then exactly those questions timed; each timed call's answer is checked against
#    the compared one, and any difference fails the run). Writes target/bench/summary.json
#    (fresh each run: a figure this run did not measure is null) and
#    target/bench/performance.svg.
# 2. Instruction counts (valgrind --tool=callgrind) per `who` and per `may` question, which
#    do not drift with machine noise. Skipped, and said so, if valgrind is missing
#    (apt-get install valgrind).
# 3. Over HTTP on loopback (wrk, bounded to a few seconds per endpoint): requests per second
#    and p99 for GET /who against GET /ping of the same `vires serve`, and the ratio, in
#    rounds of one run each (the round with the middle ratio is reported). Any non-2xx
#    answer or socket error fails the run.
#    Skipped, and said so in the summary, if wrk (apt-get install wrk) or `vires serve` is
#    not available.
# 4. The command line's start-up (hyperfine, before the HTTP part): one `vires who` with the
#    England register built from its CSV extracts (`--no-cache`, cold) and read from the
#    cache (warm), and one `vires who --batch` over every active practice in the bundled
#    epraccur extract on one date. Results in target/bench/cli-who.json and cli-batch.json.
#    Skipped, and said so, without hyperfine (apt-get install hyperfine).
#
# Environment: CARGO_TARGET_DIR (default target), HTTP_SECONDS (default 8),
# HTTP_CONNECTIONS (default 16), HTTP_ROUNDS (default 3), VIRES_BIN (a release `vires` binary to serve, instead of
# building one), VIRES_BENCH_BIN (a release `vires-bench` binary, instead of building one:
# building it alone unifies dependency features differently from a build with the CLI, so
# it can rebuild much of the tree), BENCH_SKIP_INPROCESS=1 (reuse the last summary; only
# callgrind and HTTP).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:---quick}"
case "$mode" in
  --quick|--full) ;;
  *) echo "usage: scripts/bench.sh [--quick|--full]" >&2; exit 2 ;;
esac
target="${CARGO_TARGET_DIR:-target}"
out="target/bench"
export VIRES_BENCH_OUT="$PWD/$out"
mkdir -p "$out"

if [ -n "${VIRES_BENCH_BIN:-}" ]; then
  bench="$VIRES_BENCH_BIN"
else
  cargo build --release -p vires-bench --bin vires-bench
  bench="$target/release/vires-bench"
fi
set_summary() { "$bench" --set "$@" >/dev/null; }

if [ "${BENCH_SKIP_INPROCESS:-}" != 1 ]; then
  # Writes a fresh summary, with the callgrind and HTTP figures null until measured below.
  "$bench" "$mode"
else
  # Keeps the last in-process figures; clears those this run measures again, so none
  # survives from an earlier run.
  set_summary callgrind_instructions_per_who=null callgrind_instructions_per_may=null \
    callgrind_note=null http_rps_who=null http_rps_trivial=null http_ratio=null http_p99_ms=null \
    http_p99_ms_trivial=null http_ratio_rounds=null http_note=null
fi

# 2. callgrind
if command -v valgrind >/dev/null 2>&1; then
  n=2000
  for q in who may; do
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*callgrind_region*' \
      --callgrind-out-file="$out/callgrind.$q.out" "$bench" "--callgrind-$q" "$n" >/dev/null 2>"$out/callgrind.$q.log"
    total=$(grep -E '^(summary|totals):' "$out/callgrind.$q.out" | head -1 | awk '{print $2}')
    if [ -n "$total" ]; then
      per=$((total / n))
      echo "callgrind: $per instructions per $q question (synthetic 10^4 register, $n questions)"
      set_summary "callgrind_instructions_per_$q=$per"
    else
      echo "callgrind: no totals in $out/callgrind.$q.out; see $out/callgrind.$q.log" >&2
      set_summary "callgrind_instructions_per_$q=null" "callgrind_note=no totals for $q; see $out/callgrind.$q.log"
    fi
  done
else
  echo "callgrind: skipped (valgrind not installed; apt-get install valgrind)"
  set_summary callgrind_instructions_per_who=null callgrind_instructions_per_may=null \
    "callgrind_note=valgrind not installed"
fi

# 4. The command line's start-up (here, because the HTTP part ends the script when it skips)
# The release vires binary's path on stdout: $VIRES_BIN, else built here. Fails if it does
# not build (the build's output is in $out/vires-build.log).
release_vires() {
  if [ -n "${VIRES_BIN:-}" ]; then
    echo "$VIRES_BIN"
  elif cargo build --release -p vires-cli --bin vires >"$out/vires-build.log" 2>&1; then
    echo "$target/release/vires"
  else
    return 1
  fi
}

cli_startup() {
  if ! command -v hyperfine >/dev/null 2>&1; then
    echo "CLI: skipped (hyperfine not installed; apt-get install hyperfine)"
    return 0
  fi
  local vires
  if ! vires="$(release_vires)"; then
    echo "CLI: skipped (the vires binary does not build; see $out/vires-build.log)"
    return 0
  fi
  local dir
  dir=$(mktemp -d)
  # Every active GP practice (status A, prescribing setting 4: columns 13 and 26) of the
  # bundled December 2019 epraccur extract, asked about on 2019-12-01.
  {
    echo "function,place,date,purpose"
    awk -F'","' '$13 == "A" && $26 == "4" { sub(/^"/, "", $1); print "commissioning.secondary-care," $1 ",2019-12-01," }' \
      data/ods/ods_epraccur_2019_12.csv
  } >"$dir/practices.csv"
  local who="who -f commissioning.secondary-care --practice A85001 --on 2024-06-01"
  (
    export VIRES_DB="sqlite://$dir/vires.db" VIRES_CACHE_DIR="$dir/cache"
    # The first run creates and seeds the store and writes the cache; it is not timed.
    $vires $who >/dev/null
    echo "CLI: $(($(wc -l <"$dir/practices.csv") - 1)) active practices in the batch"
    hyperfine -N --warmup 3 --runs 30 --export-json "$out/cli-who.json" \
      -n "who, cold (--no-cache)" "$vires --no-cache $who" \
      -n "who, warm (cached register)" "$vires $who"
    hyperfine -N --warmup 2 --runs 10 --export-json "$out/cli-batch.json" \
      -n "who --batch, every active practice" "$vires who --batch $dir/practices.csv"
  )
  rm -rf "$dir"
}
cli_startup

# 3. HTTP
http_skip() {
  echo "HTTP: skipped ($1)"
  set_summary "http_note=skipped: $1" http_rps_who=null http_rps_trivial=null http_ratio=null http_p99_ms=null
}
if ! command -v wrk >/dev/null 2>&1; then
  http_skip "wrk not installed; apt-get install wrk"
  exit 0
fi
if ! vires="$(release_vires)"; then
  http_skip "the vires binary does not build; see $out/vires-build.log"
  exit 0
fi
if ! "$vires" --help 2>/dev/null | grep -qE '^\s+serve\b'; then
  http_skip "this vires binary has no serve command yet"
  exit 0
fi

port=$((20000 + RANDOM % 20000))
db_dir=$(mktemp -d)
# One client (wrk) asks thousands of questions a second: the per-client rate limit is off.
VIRES_ADDR="127.0.0.1:$port" VIRES_DB="sqlite://$db_dir/vires.db" VIRES_BASE=england VIRES_READ_AUTH=public VIRES_REQUESTS_PER_MINUTE_PER_CLIENT=0 \
  "$vires" serve >"$out/serve.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$db_dir"; }
trap cleanup EXIT
up=""
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$port/ping" >/dev/null 2>&1; then up=1; break; fi
  if ! kill -0 "$server" 2>/dev/null; then break; fi
  sleep 0.2
done
if [ -z "$up" ]; then
  http_skip "vires serve did not answer GET /ping within 60 s; see $out/serve.log"
  exit 0
fi

# Who questions about real practices, cycled by a wrk script.
"$bench" --http-paths 500 >"$out/who-paths.txt"
first=$(head -1 "$out/who-paths.txt")
status=$(curl -s -o "$out/who-sample.json" -w '%{http_code}' "http://127.0.0.1:$port$first")
if [ "$status" != 200 ]; then
  http_skip "GET $first answered $status; see $out/who-sample.json"
  exit 0
fi
# Both endpoints are driven the same way, by a script cycling over a file of paths, so the
# load generator (on the same two cores) does the same work per request for each.
for _ in $(seq 1 500); do echo /ping; done >"$out/ping-paths.txt"
for what in ping who; do
  cat >"$out/$what.lua" <<EOF
local paths = {}
for line in io.lines("$PWD/$out/$what-paths.txt") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
EOF
done

seconds="${HTTP_SECONDS:-8}"
conns="${HTTP_CONNECTIONS:-16}"
rounds="${HTTP_ROUNDS:-3}"
run_wrk() { wrk -t2 -c"$conns" -d"${seconds}s" --latency "$@"; }
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
p99_ms() {
  awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
                     else if (v ~ /ms$/) { sub(/ms$/, "", v); print v }
                     else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 } }' "$1"
}
# Rounds of ping-then-who, each pair close in time: the machine's speed drifts between runs
# by a fifth, so the round with the middle ratio is reported, and every round is listed.
all=""
for r in $(seq 1 "$rounds"); do
  run_wrk -s "$out/ping.lua" "http://127.0.0.1:$port/ping" >"$out/wrk-ping-$r.txt"
  run_wrk -s "$out/who.lua" "http://127.0.0.1:$port/who" >"$out/wrk-who-$r.txt"
  # A request that was not answered with 2xx is not throughput: the run fails, and no
  # HTTP figure is published.
  for what in ping who; do
    if grep -qE "Non-2xx|Socket errors" "$out/wrk-$what-$r.txt"; then
      echo "HTTP: GET /$what had failed requests in round $r (see $out/wrk-$what-$r.txt):" >&2
      grep -E "Non-2xx|Socket errors" "$out/wrk-$what-$r.txt" >&2
      set_summary http_rps_who=null http_rps_trivial=null http_ratio=null http_p99_ms=null \
        http_p99_ms_trivial=null http_ratio_rounds=null "http_note=failed: GET /$what had non-2xx answers or socket errors in round $r"
      exit 1
    fi
  done
  w=$(rps "$out/wrk-who-$r.txt"); p=$(rps "$out/wrk-ping-$r.txt")
  q=$(awk -v a="$w" -v b="$p" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print 0 }')
  echo "HTTP round $r: who $w req/s, ping $p req/s, ratio $q"
  all="$all$q $r\n"
done
mid=$(printf "%b" "$all" | sort -n | awk -v n="$rounds" 'NR == int((n + 1) / 2) { print $2 }')
cp "$out/wrk-who-$mid.txt" "$out/wrk-who.txt"
cp "$out/wrk-ping-$mid.txt" "$out/wrk-ping.txt"
who_rps=$(rps "$out/wrk-who.txt")
ping_rps=$(rps "$out/wrk-ping.txt")
who_p99=$(p99_ms "$out/wrk-who.txt")
ping_p99=$(p99_ms "$out/wrk-ping.txt")
ratio=$(awk -v a="$who_rps" -v b="$ping_rps" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "null" }')
echo "HTTP: who $who_rps req/s (p99 $who_p99 ms), ping $ping_rps req/s (p99 $ping_p99 ms), ratio $ratio"
set_summary "http_rps_who=$who_rps" "http_rps_trivial=$ping_rps" "http_ratio=$ratio" \
  "http_p99_ms=$who_p99" "http_p99_ms_trivial=$ping_p99" \
  "http_ratio_rounds=$(printf "%b" "$all" | awk 'NF { printf "%s%s", sep, $1; sep = "," }')" \
  "http_note=wrk -t2 -c$conns -d${seconds}s on loopback, both endpoints by the same path-cycling script; the round of $rounds with the middle ratio; server and load generator share the machine's 2 cores"

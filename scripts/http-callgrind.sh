#!/usr/bin/env bash
# Instructions per request in the server, for GET /ping and GET /who: `vires serve` (release
# build, bundled England register, SQLite store in a temporary directory) under callgrind,
# N requests of each over one keep-alive connection (curl -K), counters zeroed between them.
# Instruction counts do not depend on what else the machine is doing, unlike wrk's figures.
#   scripts/http-callgrind.sh [N]        (default 1000; needs valgrind and curl)
# With VIRES_CALLGRIND_KEEP=DIR the profiles are copied to DIR (ping.out, who.out) for
# callgrind_annotate --inclusive=yes DIR/who.out.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
cargo build --release -p vires-cli --bin vires -p vires-bench --bin vires-bench >&2
vires=target/release/vires
out=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
VIRES_ADDR="127.0.0.1:$port" VIRES_DB="sqlite://$out/vires.db" VIRES_BASE=england VIRES_READ_AUTH=public \
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.%p.out" "$vires" serve >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$port/ping" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$out/serve.log" >&2; exit 1; }
  sleep 0.5
done
target/release/vires-bench --http-paths "$n" >"$out/paths.txt"
config() { awk -v p="$port" '{ print "url = \"http://127.0.0.1:" p $0 "\"\noutput = /dev/null" }'; }
for _ in $(seq 1 "$n"); do echo /ping; done | config >"$out/ping.cfg"
config <"$out/paths.txt" >"$out/who.cfg"
curl -s -K "$out/ping.cfg"; curl -s -K "$out/who.cfg"   # warm up
for what in ping who; do
  callgrind_control -z "$server" >/dev/null
  curl -s -K "$out/$what.cfg"
  callgrind_control -d "$what" "$server" >/dev/null
done
for what in ping who; do
  f=$(grep -l "^desc: Trigger: Client Request: $what" "$out"/cg.*.out.* 2>/dev/null | head -1 || true)
  [ -n "$f" ] || f=$(ls "$out"/cg.*.out.* | sed -n "$([ "$what" = ping ] && echo 1 || echo 2)p")
  total=$(grep -E '^(summary|totals):' "$f" | head -1 | awk '{print $2}')
  requests=$([ "$what" = ping ] && echo "$n" || wc -l <"$out/paths.txt")
  echo "GET /$what: $((total / requests)) instructions per request ($requests requests)"
  if [ -n "${VIRES_CALLGRIND_KEEP:-}" ]; then mkdir -p "$VIRES_CALLGRIND_KEEP"; cp "$f" "$VIRES_CALLGRIND_KEEP/$what.out"; fi
done

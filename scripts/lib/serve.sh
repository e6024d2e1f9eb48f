# Starting a real `vires serve` for a script, waiting until it is ready, and stopping it.
# Sourced (not run) by scripts/python-client.sh, scripts/api-fuzz.sh and scripts/e2e.sh:
#
#   . "$root/scripts/lib/serve.sh"
#   serve_scratch NAME PREFIX; dir="$SERVE_DIR"  # a temporary directory, and traps that stop
#                                                # the server and remove it on exit
#   vires="$(serve_vires_bin NAME)"              # $VIRES_BIN, else a debug build of the CLI
#   port="$(serve_free_port)"
#   serve_start "$dir/server.log" env VIRES_ADDR=127.0.0.1:$port ... "$vires" serve
#   serve_wait_ready NAME "http://127.0.0.1:$port/readyz" "$dir/server.log"
#
# A script with more to clean up than serve_scratch does (scripts/e2e.sh) sets its own EXIT
# trap instead, calling serve_stop, and serve_show_log NAME LOG on a failure.
#
# NAME prefixes every message ("api-fuzz: the server exited during start-up"). The server's
# process id is in $SERVE_PID once started.

SERVE_PID=""
SERVE_LOG_SHOWN=""
SERVE_NAME=""
SERVE_DIR=""

# A new temporary directory ${TMPDIR:-/tmp}/PREFIX.XXXXXX in $SERVE_DIR for the server's
# database, log ($SERVE_DIR/server.log) and whatever else the script keeps there; and traps:
# on exit the server is stopped, its log shown if the script failed, and the directory
# removed; INT and TERM exit with 130 and 143 (through the EXIT trap).
serve_scratch() {
    SERVE_NAME="$1"
    SERVE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/$2.XXXXXX")"
    trap _serve_scratch_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

_serve_scratch_cleanup() {
    local status=$?
    serve_stop
    [[ $status -eq 0 ]] || serve_show_log "$SERVE_NAME" "$SERVE_DIR/server.log"
    rm -rf "$SERVE_DIR"
    exit "$status"
}

# A free TCP port on 127.0.0.1 (the kernel's choice; free when asked, so start soon after).
serve_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# The vires binary: $VIRES_BIN when the caller built it (scripts/test.sh passes its test
# build's: a `cargo build -p vires-cli` resolves dependency features without the
# dev-dependencies and so rebuilds half the tree), else a debug build of the CLI. The build's
# errors go to stderr; the path goes to stdout.
serve_vires_bin() {
    local name="$1" target
    if [[ -n "${VIRES_BIN:-}" ]]; then
        printf '%s\n' "$VIRES_BIN"
        return
    fi
    target="${CARGO_TARGET_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/target}"
    echo "$name: building vires" >&2
    cargo build -q --locked -p vires-cli --bin vires >&2 || {
        echo "$name: cannot build vires" >&2
        return 1
    }
    printf '%s\n' "$target/debug/vires"
}

# Starts COMMAND... in the background, its stdout and stderr to LOG; sets SERVE_PID.
serve_start() {
    local log="$1"
    shift
    "$@" >"$log" 2>&1 &
    SERVE_PID=$!
}

# Waits until URL answers 2xx: up to TRIES times (300), INTERVAL seconds apart (0.2). Fails,
# with the last lines of LOG, if the server exits first or never answers.
serve_wait_ready() {
    local name="$1" url="$2" log="$3" tries="${4:-300}" interval="${5:-0.2}" _
    for _ in $(seq 1 "$tries"); do
        if curl -fsS -o /dev/null "$url" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$SERVE_PID" 2>/dev/null; then
            echo "$name: the server exited during start-up" >&2
            serve_show_log "$name" "$log"
            return 1
        fi
        sleep "$interval"
    done
    echo "$name: the server did not answer $url in time" >&2
    serve_show_log "$name" "$log"
    return 1
}

# The last lines of the server's LOG, once: after a failed start, or a failed run.
serve_show_log() {
    local name="$1" log="$2"
    if [[ -z "$SERVE_LOG_SHOWN" && -f "$log" ]]; then
        SERVE_LOG_SHOWN=yes
        echo "$name: the last lines of the server's log:" >&2
        tail -n 20 "$log" >&2 || true
    fi
}

# Stops the server: TERM, up to 10 s for it to finish, then KILL. Safe to call twice, or
# before a start.
serve_stop() {
    local _
    if [[ -z "$SERVE_PID" ]] || ! kill -0 "$SERVE_PID" 2>/dev/null; then
        return 0
    fi
    kill -TERM "$SERVE_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
}

#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# Finds Debian's PostgreSQL binaries (/usr/lib/postgresql/*/bin, newest first; install
# them with `apt-get install -y postgresql`), creates a cluster in a fresh temporary
# directory, starts it on a free port of 127.0.0.1 (and a unix socket in the same
# directory), creates the database vires_test, exports
#
#   VIRES_TEST_PG=postgres://vires@127.0.0.1:PORT/vires_test
#   VIRES_TEST_PG_CRASH=/tmp/vires-pg.XXXXXX/crash-restart.sh   (crash-restarts the server)
#
# and runs CMD. The server is stopped and the directory removed on exit, whatever
# happens. The exit status is CMD's.
#
# PostgreSQL refuses to run as root, so when run as root the cluster belongs to the
# `postgres` system user (created by the Debian package; created here if missing).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
        bindir="$d"
        break
    fi
done
if [[ -z "$bindir" ]]; then
    echo "with-postgres: no PostgreSQL server found under /usr/lib/postgresql/*/bin;" >&2
    echo "with-postgres: install it with: apt-get update && apt-get install -y postgresql" >&2
    exit 1
fi

# Run a PostgreSQL binary as the cluster owner.
as_owner() { "$@"; }
owner="$(id -un)"
if [[ "$(id -u)" -eq 0 ]]; then
    owner=postgres
    if ! id -u "$owner" >/dev/null 2>&1; then
        useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$owner"
    fi
    if command -v runuser >/dev/null 2>&1; then
        as_owner() { runuser -u "$owner" -- "$@"; }
    else
        as_owner() { su -s /bin/sh "$owner" -c "$(printf '%q ' "$@")"; }
    fi
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/vires-pg.XXXXXX")"
chmod 755 "$dir"
data="$dir/data"
log="$dir/server.log"
started=0

cleanup() {
    local status=$?
    if [[ $started -eq 1 ]]; then
        as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "$owner" != "$(id -un)" ]]; then
    chown "$owner" "$dir"
fi

# A free port: ask the kernel for one, then give it back to the server.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || true)"
if [[ -z "$port" ]]; then
    port=$((20000 + RANDOM % 20000))
fi

as_owner "$bindir/initdb" -D "$data" -U vires --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    echo "with-postgres: initdb failed (log above)" >&2
    exit 1
}

# Durability settings stay at their defaults: the crash test relies on a commit being durable.
as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null || {
    cat "$log" >&2
    echo "with-postgres: the server did not start (log above)" >&2
    exit 1
}
started=1

as_owner "$bindir/createdb" -h "$dir" -p "$port" -U vires vires_test

export VIRES_TEST_PG="postgres://vires@127.0.0.1:$port/vires_test"

# A script the server-crash test runs: an immediate stop (no checkpoint, like a crash;
# the next start runs crash recovery) and a start with the same options.
crash="$dir/crash-restart.sh"
restart="$(printf '%q ' "$bindir/pg_ctl" -D "$data" -l "$log" -m immediate -w -t 60 restart)"
if [[ "$owner" == "$(id -un)" ]]; then
    printf '#!/bin/sh\nexec %s >/dev/null\n' "$restart" >"$crash"
elif command -v runuser >/dev/null 2>&1; then
    printf '#!/bin/sh\nexec runuser -u %q -- %s >/dev/null\n' "$owner" "$restart" >"$crash"
else
    printf '#!/bin/sh\nexec su -s /bin/sh %q -c %q >/dev/null\n' "$owner" "$restart" >"$crash"
fi
chmod 755 "$crash"
export VIRES_TEST_PG_CRASH="$crash"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at $VIRES_TEST_PG" >&2

set +e
"$@"
status=$?
set -e
exit "$status"

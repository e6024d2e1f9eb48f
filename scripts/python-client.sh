#!/usr/bin/env bash
# Generates a Python client from the /openapi.json of a running `vires serve` with
# openapi-python-client (PyPI), and drives a query, a proposal and an approval through it
# (tests/python-client/drive.py). This is what "the OpenAPI document serves generated
# clients" means: a document the generator cannot read, or a model it drops (the area of an
# instrument once was), fails here.
#
#   scripts/python-client.sh          # uses $VIRES_BIN, else builds the CLI
#
# The server and the generated code live in a temporary directory removed on exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
. "$root/scripts/lib/serve.sh"
serve_scratch python-client vires-pyclient
dir="$SERVE_DIR"

cd "$root"
vires="$(serve_vires_bin python-client)"
if ! command -v openapi-python-client >/dev/null 2>&1; then
    echo "python-client: installing openapi-python-client from PyPI" >&2
    python3 -m pip install --quiet --disable-pip-version-check openapi-python-client >&2
fi

port="$(serve_free_port)"
serve_start "$dir/server.log" env VIRES_ADDR="127.0.0.1:$port" VIRES_DB="sqlite://$dir/vires.db" \
    VIRES_LOG=warn VIRES_BOOTSTRAP_ADMIN=client-admin VIRES_BOOTSTRAP_TOKEN_FILE="$dir/admin.token" \
    "$vires" serve
serve_wait_ready python-client "http://127.0.0.1:$port/readyz" "$dir/server.log"
curl -fsS "http://127.0.0.1:$port/openapi.json" -o "$dir/openapi.json"

# The generator must read the whole document without dropping anything: a warning that it
# skipped a schema or an endpoint fails the run.
(cd "$dir" && openapi-python-client generate --path openapi.json --meta none \
    --output-path vires_client) >"$dir/generate.log" 2>&1 || {
    cat "$dir/generate.log" >&2
    echo "python-client: openapi-python-client could not generate a client" >&2
    exit 1
}
if grep -qiE "warning|could not|unable|skipping" "$dir/generate.log"; then
    cat "$dir/generate.log" >&2
    echo "python-client: openapi-python-client dropped parts of the document" >&2
    exit 1
fi

PYTHONPATH="$dir" python3 "$root/tests/python-client/drive.py" \
    "http://127.0.0.1:$port" "$(cat "$dir/admin.token")"
echo "python-client: the generated client asked, proposed and approved"

#!/usr/bin/env bash
# End-to-end tests of the web UI in headless Chromium (Debian's, at /usr/bin/chromium; it is
# never downloaded): builds vires, starts `vires serve` on a free port with a temporary SQLite
# database over the bundled England register, creates a viewer, an editor and an approver,
# has the editor propose a change, then runs the Playwright tests and axe-core on every page
# (tests/e2e). Screenshots go to a temporary directory, so a test run changes no tracked file
# (scripts/screenshots.sh makes the documentation's, in docs/screenshots/). Exits non-zero on
# any failure.
#
# It also starts a real OpenID Connect provider (tests/e2e/oidc-provider.js: the npm package
# oidc-provider, on 127.0.0.1 only) and configures vires to sign people in through it, as it
# would through an organisation's Entra ID tenant; its people are in that file (ann and bea
# are approvers, eve an editor, vic a viewer, ada an admin, nia has no vires role).
#
#   scripts/e2e.sh            # everything
#   E2E_ONLY=journeys scripts/e2e.sh   # one test file (tests/e2e/<name>.test.js)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. "$root/scripts/lib/serve.sh"

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "e2e: no Chromium at $chromium; install Debian's with: apt-get install -y chromium" >&2
  exit 1
fi

# The real binary by default (`vires serve` mounts the UI beside the API); E2E_SERVER=example
# uses crates/web/examples/serve.rs instead, which needs only the web and server crates.
target="${CARGO_TARGET_DIR:-$root/target}"
if [ "${E2E_SERVER:-vires}" = example ]; then
  echo "e2e: building the example server with the web UI"
  cargo build --quiet -p vires-web --example serve
  # exec: the background job's pid is the server's, so the clean-up stops the server itself.
  start_server() { exec env VIRES_BOOTSTRAP_TOKEN_FILE="$3" "$target/debug/examples/serve" "127.0.0.1:$1" "sqlite://$2" e2e-admin; }
else
  vires="$(serve_vires_bin e2e)"
  start_server() {
    exec env VIRES_DB="sqlite://$2" VIRES_BOOTSTRAP_ADMIN=e2e-admin VIRES_BOOTSTRAP_TOKEN_FILE="$3" VIRES_BASE=england \
      "$vires" serve --addr "127.0.0.1:$1"
  }
fi

if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/@axe-core/playwright ] || [ ! -d tests/e2e/node_modules/oidc-provider ]; then
  echo "e2e: installing the test dependencies (npm ci)"
  (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts)
fi

tmp="$(mktemp -d)"
port="$(serve_free_port)"
base="http://127.0.0.1:$port"

# The organisation's identity provider, with vires registered as its client.
oidc_port="$(serve_free_port)"
issuer="http://localhost:$oidc_port"
oidc_secret="$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
OIDC_PORT="$oidc_port" OIDC_REDIRECT_URI="$base/ui/login/oidc/callback" OIDC_CLIENT_SECRET="$oidc_secret" \
  node tests/e2e/oidc-provider.js >"$tmp/oidc.log" 2>&1 &
oidc_pid=$!
export VIRES_OIDC_ISSUER="$issuer" VIRES_OIDC_CLIENT_ID=vires VIRES_OIDC_CLIENT_SECRET="$oidc_secret" \
  VIRES_OIDC_REDIRECT_URL="$base/ui/login/oidc/callback" \
  VIRES_OIDC_ROLES="vires-viewer=viewer,vires-editor=editor,vires-approver=approver,vires-admin=admin"

serve_start "$tmp/server.log" start_server "$port" "$tmp/vires.db" "$tmp/admin.token"
cleanup() {
  serve_stop
  kill "$oidc_pid" 2>/dev/null || true
  wait "$oidc_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

for _ in $(seq 1 40); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$oidc_port/.well-known/openid-configuration" 2>/dev/null; then break; fi
  sleep 0.25
done
if ! curl -fsS -o /dev/null "http://127.0.0.1:$oidc_port/.well-known/openid-configuration"; then
  echo "e2e: the OpenID Connect provider did not start:" >&2
  cat "$tmp/oidc.log" >&2
  exit 1
fi

serve_wait_ready e2e "$base/ui/" "$tmp/server.log" 240 0.5
admin="$(cat "$tmp/admin.token" 2>/dev/null || true)"
if [ -z "$admin" ]; then
  echo "e2e: the server wrote no bootstrap admin token to $tmp/admin.token" >&2
  exit 1
fi
if grep -qF "$admin" "$tmp/server.log"; then
  echo "e2e: the bootstrap admin token is in the server's log" >&2
  exit 1
fi

# POST JSON with a bearer token; prints the body, fails on a status outside 2xx.
post() {
  local token="$1" path="$2" body="$3" out status
  out="$tmp/resp.json"
  status="$(curl -sS -o "$out" -w '%{http_code}' -X POST "$base$path" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data "$body")"
  if [ "${status:0:1}" != "2" ]; then
    echo "e2e: POST $path answered $status:" >&2
    cat "$out" >&2
    return 1
  fi
  cat "$out"
}
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(eval("v"+process.argv[1]))})' "$1"; }

user_token() {
  post "$admin" /admin/users "{\"name\":\"$1\",\"role\":\"$2\"}" >/dev/null
  post "$admin" /admin/tokens "{\"user\":\"$1\",\"label\":\"e2e\"}" | json .token
}
viewer="$(user_token vera viewer)"
editor="$(user_token eddie editor)"
approver="$(user_token alex approver)"

revision="$(curl -sS -D - -o /dev/null "$base/status" | sed -n 's/^[Vv]ires-[Rr]evision: *\([0-9]*\).*/\1/p' | head -1)"
# The pending proposal: NHS England also delegates GP services for one Newcastle practice to
# another ICB from 2024-04-01, so "who commissions GP services there" gains a holder.
post "$editor" /changes "{
  \"base_revision\": ${revision:-1},
  \"reason\": \"End-to-end test: a second commissioner for one practice\",
  \"change\": {\"op\": \"add-instrument\", \"instrument\": {
    \"id\": \"e2e-gp-A86027-2024\",
    \"title\": \"GP services for Newcastle Medical Centre also delegated to Humber and North Yorkshire ICB\",
    \"kind\": \"delegation\",
    \"basis\": \"NHS Act 2006 s.65Z5\",
    \"maker\": \"X24\",
    \"receivers\": {\"bodies\": [\"QOQ\"]},
    \"functions\": [\"commissioning.primary-care.medical\"],
    \"area\": {\"practices\": [\"A86027\"]},
    \"from\": \"2024-04-01\",
    \"source\": \"Test data for the vires end-to-end tests; not a real arrangement\"
  }}
}" >/dev/null
echo "e2e: server at $base (revision ${revision:-?}), users vera (viewer), eddie (editor), alex (approver), one proposal"

shots="${SCREENSHOTS:-$tmp/screenshots}"
mkdir -p "$shots"
cd tests/e2e
files=(*.test.js)
if [ -n "${E2E_ONLY:-}" ]; then files=("$E2E_ONLY.test.js"); fi
status=0
OIDC_ISSUER="$issuer" VIRES_URL="$base" VIRES_VIEWER_TOKEN="$viewer" VIRES_EDITOR_TOKEN="$editor" VIRES_APPROVER_TOKEN="$approver" \
  CHROMIUM="$chromium" SCREENSHOTS="$shots" \
  node --test --test-concurrency=1 --test-reporter=spec "${files[@]}" || status=$?
if [ "$status" -ne 0 ]; then
  echo "e2e: FAILED; the server's log follows" >&2
  tail -40 "$tmp/server.log" >&2
fi
exit "$status"

#!/usr/bin/env bash
# The documentation's screenshots (docs/screenshots/*.png): runs the browser tests
# (scripts/e2e.sh, same arguments and environment) with their screenshots written there
# instead of to a temporary directory. Run it on purpose when the pages change, and commit
# the pictures; the test run itself never touches them. Screenshots are not compared with
# earlier ones: fonts and anti-aliasing differ between machines, so a pixel comparison
# would fail for reasons that are not changes to the pages.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
SCREENSHOTS="$root/docs/screenshots" exec "$root/scripts/e2e.sh" "$@"

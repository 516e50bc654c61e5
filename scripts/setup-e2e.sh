#!/usr/bin/env bash
# Installs what the browser E2E tier needs, idempotently and without prompts (run as root, e.g. from .ci/run):
#   1. Debian packages: chromium (driven by playwright-core), libkrb5-dev (code-server's native `kerberos`
#      module compiles against it), ripgrep (pre-seeds @vscode/ripgrep, which would otherwise download rg).
#      Installed with their recommends (fonts-liberation etc.), as on the machine where the E2E tier was verified.
#   2. code-server@$CODE_SERVER_VERSION into the gitignored .cache/code-server, with its own package.json so that
#      it is never part of the extension's dependency tree (and never ends up in the .vsix).
# A second run is a no-op (well under a second) when everything is already there and working.
# Usage: scripts/setup-e2e.sh [all|apt|code-server]   (default all; .ci/run calls the phases separately)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CODE_SERVER_VERSION=4.100.3
CS_DIR="$ROOT/.cache/code-server"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
export DEBIAN_FRONTEND=noninteractive

log() { echo "[setup-e2e] $*" >&2; }

PHASE=${1:-all} # all | apt | code-server
case $PHASE in all | apt | code-server) ;; *) log "usage: setup-e2e.sh [all|apt|code-server]"; exit 2 ;; esac

# ---------------------------------------------------------------------------------------------- apt packages
APT_PACKAGES=(chromium libkrb5-dev ripgrep)
installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == *'install ok installed'* ]]; }
if [[ $PHASE == all || $PHASE == apt ]]; then
  need=()
  for p in "${APT_PACKAGES[@]}"; do installed "$p" || need+=("$p"); done
  # SETUP_E2E_FORCE_APT=1 runs apt-get even when everything is there (to exercise this path).
  if ((${#need[@]})) || [[ -n ${SETUP_E2E_FORCE_APT:-} ]]; then
    ((${#need[@]})) || need=("${APT_PACKAGES[@]}")
    [[ $(id -u) == 0 ]] || { log "need root to apt-get install ${need[*]}"; exit 1; }
    log "apt-get update && apt-get install ${need[*]}"
    for attempt in 1 2 3; do
      if apt-get update -q </dev/null; then break; fi
      ((attempt == 3)) && { log "apt-get update failed"; exit 1; }
      log "apt-get update failed (attempt $attempt); retrying in 10 s"; sleep 10
    done
    for attempt in 1 2 3; do
      if apt-get install -y -q \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${need[@]}" </dev/null; then break; fi
      ((attempt == 3)) && { log "apt-get install failed"; exit 1; }
      log "apt-get install failed (attempt $attempt); retrying in 10 s"; sleep 10
    done
  else
    log "apt packages already installed: ${APT_PACKAGES[*]}"
  fi
  for c in chromium rg; do command -v "$c" >/dev/null || { log "$c is not on PATH after install"; exit 1; }; done
fi
[[ $PHASE == apt ]] && exit 0

# ---------------------------------------------------------------------------------------------- code-server
code_server_ok() {
  [[ -x "$CS_BIN" ]] || return 1
  [[ -f "$CS_DIR/.installed-$CODE_SERVER_VERSION" ]] || return 1
  "$CS_BIN" --version >/dev/null 2>&1 || return 1
}

for c in node npm rg make g++ curl; do
  command -v "$c" >/dev/null || { log "$c is required to install code-server (run: scripts/setup-e2e.sh apt)"; exit 1; }
done
[[ -f /usr/include/krb5.h || -f /usr/include/krb5/krb5.h ]] || { log "libkrb5-dev is required (run: scripts/setup-e2e.sh apt)"; exit 1; }

if code_server_ok; then
  log "code-server $CODE_SERVER_VERSION already installed in .cache/code-server"
  exit 0
fi

log "installing code-server@$CODE_SERVER_VERSION into .cache/code-server (about 2-5 minutes)"
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"

# @vscode/ripgrep's postinstall downloads a release binary unless its cache already holds the archive. Seed that
# cache with Debian's rg, packed the way the download would be (one `rg` at the archive root). @vscode/ripgrep
# 1.15.11 (VS Code 1.100) asks for ripgrep v13.0.0-10, musl build on x86_64 Linux.
RG_CACHE="$(node -e "console.log(require('os').tmpdir())")/vscode-ripgrep-cache-1.15.11"
case $(uname -m) in
  x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
  aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) log "unsupported architecture $(uname -m)"; exit 1 ;;
esac
mkdir -p "$RG_CACHE"
PACK=$(mktemp -d)
cp "$(command -v rg)" "$PACK/rg"
tar -C "$PACK" -czf "$RG_CACHE/ripgrep-v13.0.0-10-$RG_TARGET.tar.gz" rg
rm -rf "$PACK"

# Its own package.json: a private, throw-away project outside the extension's tree.
#
# What code-server needs at install time: its npm tarball ships VS Code (lib/vscode) WITHOUT node_modules. Its
# postinstall.sh (a) checks Node 20 and --unsafe-perm under root, (b) runs `npm install --omit=dev` inside
# lib/vscode, which compiles VS Code's native modules with node-gyp (node-pty, @vscode/spdlog, kerberos ->
# libkrb5-dev, native-watchdog, @vscode/deviceid, ...) and runs @vscode/ripgrep's postinstall (rg binary),
# (c) symlinks node_modules.asar and the bin/ helper scripts, (d) runs `npm install` in lib/vscode/extensions
# (the shared typescript for built-in extensions). code-server's own dependency argon2 also has an install
# script (no prebuilt binary is reachable here, so it falls back to a node-gyp build).
#
# npm 11.x gates dependency install scripts on package.json#allowScripts (advisory in 11.19, blocking in later
# releases). So that no required script is silently skipped, whatever npm does by default: install with
# --ignore-scripts, approve exactly the packages that need scripts (top level, and in lib/vscode before its
# nested install runs), then run the scripts with `npm rebuild`, and finally verify the artefacts exist.
cat >"$CS_DIR/package.json" <<JSON
{
  "name": "sqlite2mongo-code-server",
  "private": true,
  "description": "code-server for sqlite2mongo's browser E2E tests (installed by scripts/setup-e2e.sh; not part of the extension)",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON

export npm_config_yes=true npm_config_unsafe_perm=true npm_config_fund=false npm_config_audit=false \
  npm_config_update_notifier=false npm_config_foreground_scripts=true npm_config_loglevel=warn
cd "$CS_DIR"
log "npm install --ignore-scripts (download)"
npm install --ignore-scripts --no-package-lock </dev/null
CS_PKG="$CS_DIR/node_modules/code-server"
VS_DIR="$CS_PKG/lib/vscode"
[[ -f "$VS_DIR/package.json" ]] || { log "code-server package has no lib/vscode"; exit 1; }
# Approve, by name, the dependencies of VS Code whose install scripts build the native modules / fetch rg.
node - "$VS_DIR/package.json" "$VS_DIR/extensions/package.json" <<'NODE'
const fs = require('fs');
const allow = {
  [process.argv[2]]: ['@parcel/watcher', '@vscode/deviceid', '@vscode/ripgrep', '@vscode/spdlog',
    '@vscode/windows-process-tree', '@vscode/windows-registry', '@vscode/policy-watcher', 'kerberos',
    'native-watchdog', 'node-pty', 'native-keymap', 'native-is-elevated', '@vscode/sqlite3'],
  [process.argv[3]]: ['@parcel/watcher', 'esbuild'],
};
for (const [file, names] of Object.entries(allow)) {
  if (!fs.existsSync(file)) continue;
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  pkg.allowScripts = Object.fromEntries(names.map((n) => [n, true]));
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
}
NODE
log "running install scripts: argon2 (node-gyp), code-server postinstall (VS Code native modules, ~1-3 min)"
npm rebuild argon2 code-server </dev/null
cd "$ROOT"

# Verify the postinstall really did its job (a skipped script leaves a code-server that starts but whose
# terminals, file watching, search or login break at run time).
missing=()
for f in node_modules/argon2/lib/binding/napi-v3/argon2.node \
         node_modules/code-server/lib/vscode/node_modules/node-pty/build/Release/pty.node \
         node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node \
         node_modules/code-server/lib/vscode/node_modules/kerberos/build/Release/kerberos.node \
         node_modules/code-server/lib/vscode/node_modules/native-watchdog/build/Release/watchdog.node \
         node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg \
         node_modules/code-server/lib/vscode/node_modules.asar \
         node_modules/code-server/lib/vscode/bin/remote-cli/code-server \
         node_modules/code-server/lib/vscode/extensions/node_modules/typescript/package.json; do
  [[ -e "$CS_DIR/$f" ]] || missing+=("$f")
done
if ((${#missing[@]})); then
  log "code-server's install scripts did not complete; missing:"
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
"$CS_BIN" --version >&2 || { log "code-server does not run"; exit 1; }

# Smoke test: start it on a free port and wait for /healthz.
PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
SMOKE=$(mktemp -d)
"$CS_BIN" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check \
  --user-data-dir "$SMOKE/user" --extensions-dir "$SMOKE/ext" "$SMOKE" >"$SMOKE/log" 2>&1 &
CS_PID=$!
ok=
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then ok=1; break; fi
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 0.5
done
kill "$CS_PID" 2>/dev/null || true
wait "$CS_PID" 2>/dev/null || true
if [[ -z $ok ]]; then
  log "code-server did not answer /healthz; its log:"
  cat "$SMOKE/log" >&2
  rm -rf "$SMOKE"
  exit 1
fi
rm -rf "$SMOKE"
touch "$CS_DIR/.installed-$CODE_SERVER_VERSION"
log "code-server $CODE_SERVER_VERSION installed and answered /healthz"

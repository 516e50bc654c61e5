#!/usr/bin/env bash
# Tries to build mongoimport (MongoDB Database Tools) from the Go module proxy into .cache/bin/mongoimport, for the
# benchmark's comparison. The tools' release tags (100.x.y) are not Go semver tags, so only a pseudo-version of the
# default branch can be resolved (@latest). Prints the reason and exits non-zero when it cannot be built.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.cache/bin/mongoimport
VERSION=${MONGOIMPORT_VERSION:-latest}
if [[ -x "$BIN" ]]; then exit 0; fi
command -v go >/dev/null || { echo "build-mongoimport: Go is not installed" >&2; exit 1; }
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
mkdir -p .cache/bin
# go install names the binary after its package directory (mongoimport/main → "main"): build from the module copy.
INFO=$(cd /tmp && go mod download -json "github.com/mongodb/mongo-tools@$VERSION" 2>&1) || true
MODDIR=$(printf '%s\n' "$INFO" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
if [[ -z "$MODDIR" || ! -d "$MODDIR" ]]; then
  ERR=$(printf '%s\n' "$INFO" | sed -n 's/^\s*"Error": "\(.*\)"$/\1/p')
  # The proxy's address is left out of the message (it ends up in committed results).
  MSG=$(printf '%s' "${ERR:-$INFO}" | sed -E 's#https?://[^ /]+#<proxy>#g; s#\\n\\t# #g')
  echo "build-mongoimport: cannot download github.com/mongodb/mongo-tools@$VERSION from the Go module proxy: $MSG" >&2
  exit 1
fi
(cd "$MODDIR" && go build -o "$OLDPWD/$BIN" ./mongoimport/main)
"$BIN" --version | head -1 >&2

#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (the MongoDB-compatible test server) once into .cache/bin/ferretdb.
# Source comes from the Go module proxy. A proxy build lacks the build/version/version.txt that FerretDB's
# release tooling generates (the binary panics at start without it), so we build from a copy of the module
# with that one file written, exactly as FerretDB's `task gen-version` would.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=v1.24.2
BIN=.cache/bin/ferretdb
# The version is captured whole, never piped into a reader that stops early (grep -q, head): the binary writes it in
# several writes, and one that lands after the reader exited is killed by SIGPIPE (exit 141 under pipefail).
installed_version() { [[ -x "$BIN" ]] && "$BIN" --version 2>/dev/null || true; }
if [[ $(installed_version) == *"version: $VERSION"* ]]; then
  exit 0
fi
command -v go >/dev/null || { echo "build-ferretdb: Go is required (https://go.dev/dl/) to build the test server" >&2; exit 1; }
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
echo "Building FerretDB $VERSION (first time only; a few minutes on 2 cores)…" >&2
MODDIR=$(cd /tmp && go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[[ -d "$MODDIR" ]] || { echo "build-ferretdb: could not download github.com/FerretDB/FerretDB@$VERSION" >&2; exit 1; }
SRC=.cache/ferretdb-src
rm -rf "$SRC" && mkdir -p .cache/bin && cp -r "$MODDIR" "$SRC" && chmod -R u+w "$SRC"
echo "$VERSION" > "$SRC/build/version/version.txt"
(cd "$SRC" && go build -o ../bin/ferretdb ./cmd/ferretdb)
rm -rf "$SRC"
version=$("$BIN" --version)
echo "${version%%$'\n'*}" >&2

#!/usr/bin/env bash
# Builds the conformance run's pulsarctl-library client (conformance/go/fmesh-pulsaradmin, on
# github.com/apache/pulsar-client-go/pulsaradmin from the Go module proxy) into the cache:
#   ${FMESH_CACHE:-<repo>/.cache}/pulsaradmin-go-<hash>/fmesh-pulsaradmin
# where <hash> covers go.mod, go.sum and every .go file under conformance/go, so it is rebuilt only
# when its source changes. Prints `PULSARADMIN_GO_BIN=<path>` on stdout (prepare.sh records it in
# conformance.env); logs go to stderr and <cache>/logs/pulsaradmin-go-build.log. Exit 1 on failure.
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${FMESH_CACHE:-$REPO_ROOT/.cache}"
mkdir -p "$CACHE/logs"
CACHE="$(cd "$CACHE" && pwd)"
SRC="$REPO_ROOT/conformance/go"

hash="$(cd "$SRC" && find . -name '*.go' -o -name go.mod -o -name go.sum | LC_ALL=C sort |
  xargs sha256sum | sha256sum | cut -c1-16)"
dir="$CACHE/pulsaradmin-go-$hash"
bin="$dir/fmesh-pulsaradmin"
if [[ ! -e "$dir/.done" ]]; then
  echo "[prepare] pulsaradmin Go client: building $bin" >&2
  rm -rf "$dir" && mkdir -p "$dir"
  if (cd "$SRC" && GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 \
    go build -trimpath -o "$bin" ./fmesh-pulsaradmin) >"$CACHE/logs/pulsaradmin-go-build.log" 2>&1; then
    touch "$dir/.done"
  else
    echo "[prepare] pulsaradmin Go client: go build failed; see $CACHE/logs/pulsaradmin-go-build.log" >&2
    exit 1
  fi
fi
echo "PULSARADMIN_GO_BIN=$bin"

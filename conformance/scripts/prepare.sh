#!/usr/bin/env bash
# Prepares the real parts the local conformance backend runs, caching each one by name and version:
#   etcd (Debian's etcd-server, else built from the Go module proxy), kube-apiserver (k8s.io/kubernetes from the
#   Go module proxy), Pulsar (conformance/scripts/prepare-pulsar.sh, from Maven Central), the worker scenarios'
#   pulsaradmin Go client (conformance/scripts/prepare-go-client.sh, from the Go module proxy), and the Function Mesh
#   parts where they can be had legitimately:
#   - the upstream CRDs are data, looked for only in ${FMESH_SHARED:-<repo>/../shared}/function-mesh/<version>/crds/
#     (a folder the project's steering may fill; nothing here builds or extracts them from source);
#   - the operator is code: taken from FMESH_OPERATOR_BIN (a path to a `manager` binary of the pinned release that
#     the user has, e.g. built by hand outside the repository) when set, else built only from the Go module proxy
#     (`go mod download github.com/streamnative/function-mesh@<version>`), which refuses that module today (403; see
#     docs/conformance-blockers.md). Nothing here builds it from any other source.
# Idempotent: a part whose stamp file exists is not rebuilt. Cache root: ${FMESH_CACHE:-<repo>/.cache}.
# At the end it writes ${FMESH_CACHE}/conformance.env (KEY=VALUE lines) that the harness reads; a part that
# cannot be prepared is recorded as MISSING_<PART>=<reason>.
# Exit status: 0 when everything is prepared, or when the only missing parts are the known-blocked Function Mesh
# ones (MISSING_FM_CRDS_<version>, MISSING_FM_OPERATOR: the harness reports their scenarios as blocked);
# non-zero when anything else (etcd, kube-apiserver, Pulsar) is missing, unless FMESH_PREPARE_ALLOW_MISSING=1.
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${FMESH_CACHE:-$REPO_ROOT/.cache}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"

K8S_VERSION="${FMESH_K8S_VERSION:-v1.30.14}"
K8S_STAGING_VERSION="v0.${K8S_VERSION#v1.}"
FM_VERSION="${FMESH_FM_VERSION:-v0.27.2}"
FM_OLD_VERSIONS="${FMESH_FM_OLD_VERSIONS:-v0.6.0 v0.14.0}"
SHARED="$(realpath -m "${FMESH_SHARED:-$REPO_ROOT/../shared}")"
ETCD_FALLBACK_VERSION="${FMESH_ETCD_VERSION:-v3.5.21}"

export GOTOOLCHAIN=local
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0

LOG_DIR="$CACHE/logs"
mkdir -p "$LOG_DIR"
MISSING=()
ENV_LINES=()

log() { printf '[prepare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
missing() { MISSING+=("$1"); ENV_LINES+=("MISSING_$1=$2"); log "MISSING $1: $2"; }
timed() { # timed <name> <cmd...>: runs a step, logs its wall time
  local name="$1"; shift
  local t0=$SECONDS
  "$@"
  local rc=$?
  log "$name: rc=$rc in $((SECONDS - t0))s"
  return $rc
}

# ---------------------------------------------------------------- etcd
prepare_etcd() {
  local pkgver dir
  pkgver="$(apt-cache policy etcd-server 2>/dev/null | awk '/Candidate:/ {print $2}')"
  if [[ -z "$pkgver" || "$pkgver" == "(none)" ]]; then
    # Lists may be missing on a fresh machine: refresh them once.
    if [[ ! -e "$CACHE/.apt-updated" ]]; then
      apt-get update -qq >"$LOG_DIR/apt-update.log" 2>&1 && touch "$CACHE/.apt-updated"
      pkgver="$(apt-cache policy etcd-server 2>/dev/null | awk '/Candidate:/ {print $2}')"
    fi
  fi
  if [[ -n "$pkgver" && "$pkgver" != "(none)" ]]; then
    dir="$CACHE/etcd-debian-${pkgver//[^A-Za-z0-9._-]/_}"
    if [[ ! -e "$dir/.done" ]]; then
      log "etcd: Debian etcd-server $pkgver (apt-get download, unpacked into the cache)"
      rm -rf "$dir" && mkdir -p "$dir/deb"
      (cd "$dir/deb" && apt-get download "etcd-server=$pkgver" >"$LOG_DIR/etcd-apt.log" 2>&1) &&
        dpkg-deb -x "$dir"/deb/etcd-server_*.deb "$dir/root" &&
        [[ -x "$dir/root/usr/bin/etcd" ]] && touch "$dir/.done"
    fi
    if [[ -e "$dir/.done" ]]; then
      ENV_LINES+=("ETCD_BIN=$dir/root/usr/bin/etcd" "ETCD_VERSION=debian-$pkgver")
      return 0
    fi
    log "etcd: the Debian package route failed (see $LOG_DIR/etcd-apt.log); building from the Go module proxy"
  fi
  dir="$CACHE/etcd-go-$ETCD_FALLBACK_VERSION"
  if [[ ! -e "$dir/.done" ]]; then
    rm -rf "$dir" && mkdir -p "$dir/mod"
    (
      cd "$dir/mod" &&
        go mod init fmesh.invalid/etcd-build >/dev/null 2>&1 &&
        go get "go.etcd.io/etcd/server/v3@$ETCD_FALLBACK_VERSION" &&
        go build -o "$dir/etcd" go.etcd.io/etcd/server/v3
    ) >"$LOG_DIR/etcd-go-build.log" 2>&1 && touch "$dir/.done"
  fi
  if [[ -e "$dir/.done" ]]; then
    ENV_LINES+=("ETCD_BIN=$dir/etcd" "ETCD_VERSION=$ETCD_FALLBACK_VERSION")
  else
    missing ETCD "neither Debian's etcd-server nor go.etcd.io/etcd/server/v3@$ETCD_FALLBACK_VERSION could be prepared; see $LOG_DIR/etcd-go-build.log"
  fi
}

# ---------------------------------------------------------------- kube-apiserver
prepare_kube_apiserver() {
  local dir="$CACHE/kube-apiserver-$K8S_VERSION"
  if [[ ! -e "$dir/.done" ]]; then
    log "kube-apiserver: building k8s.io/kubernetes@$K8S_VERSION (staging modules $K8S_STAGING_VERSION)"
    rm -rf "$dir/mod" && mkdir -p "$dir/mod"
    (
      set -e
      cd "$dir/mod"
      gomod="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')"
      [[ -f "$gomod" ]]
      {
        echo "module fmesh.invalid/kube-apiserver-build"
        echo
        echo "go 1.22"
        echo
        echo "require k8s.io/kubernetes $K8S_VERSION"
        echo
        # Every staging module that k8s.io/kubernetes replaces with ./staging/... → the published v0.x.y.
        sed -n 's#^\s*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*$#replace \1 => \1 '"$K8S_STAGING_VERSION"'#p' "$gomod"
      } >go.mod
      cat >tools.go <<'EOF'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
EOF
      go mod tidy
      minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
      go build -trimpath -o "$dir/kube-apiserver" -ldflags "-s -w \
        -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
        -X k8s.io/component-base/version.gitMajor=1 \
        -X k8s.io/component-base/version.gitMinor=$minor \
        -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION" \
        k8s.io/kubernetes/cmd/kube-apiserver
    ) >"$LOG_DIR/kube-apiserver-build.log" 2>&1 && touch "$dir/.done"
  fi
  if [[ -e "$dir/.done" ]]; then
    ENV_LINES+=("KUBE_APISERVER_BIN=$dir/kube-apiserver" "KUBE_APISERVER_VERSION=$K8S_VERSION")
  else
    missing KUBE_APISERVER "go build of k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION failed; see $LOG_DIR/kube-apiserver-build.log (last line: $(tail -n1 "$LOG_DIR/kube-apiserver-build.log" 2>/dev/null))"
  fi
}

# ---------------------------------------------------------------- Function Mesh
# fm_proxy_dir_or_error <module@version>: prints "DIR <dir>" when the Go module proxy serves the module (status
# 0), else "ERR <the proxy's exact error, on one line>" (status 1).
fm_proxy_dir_or_error() {
  local json dir err
  json="$(go mod download -json "$1" 2>>"$LOG_DIR/function-mesh-proxy.log")"
  printf '%s\n' "$json" >>"$LOG_DIR/function-mesh-proxy.log"
  dir="$(printf '%s\n' "$json" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')"
  if [[ -n "$dir" && -d "$dir" ]]; then
    echo "DIR $dir"
    return 0
  fi
  err="$(printf '%s\n' "$json" | sed -n 's/^\s*"Error": "\(.*\)",\?$/\1/p' | sed 's/\\n\\t/ /g; s/\\n/ /g; s/\\t/ /g')"
  echo "ERR ${err:-go mod download -json $1 gave no Dir (see $LOG_DIR/function-mesh-proxy.log)}"
  return 1
}

# proxy_verdict <"ERR ..." line>: a short phrase for the one-line blocked reasons.
proxy_verdict() {
  if [[ "$1" == *"403 Forbidden"* ]]; then echo "is refused by the Go module proxy (403)"; else echo "is not served by the Go module proxy"; fi
}

# The upstream CRDs are data: they are looked for only in the shared data folder (which the project's steering
# may fill), never built or extracted from source here.
prepare_fm_crds() { # prepare_fm_crds <tag>; records FM_CRDS_DIR_<tag> or MISSING_FM_CRDS_<tag>
  local tag="$1" dir="$SHARED/function-mesh/$1/crds" r
  if compgen -G "$dir/*.yaml" >/dev/null; then
    ENV_LINES+=("FM_CRDS_DIR_$tag=$dir")
    return 0
  fi
  r="$(fm_proxy_dir_or_error "github.com/streamnative/function-mesh@$tag")"
  missing "FM_CRDS_$tag" "github.com/streamnative/function-mesh@$tag $(proxy_verdict "$r") and $dir has no CRD files — \`go mod download -json github.com/streamnative/function-mesh@$tag\` answers: ${r#* }"
  return 1
}

# The operator is code: only the Go module proxy is a legitimate source. It refuses the module today (403), so
# this records MISSING_FM_OPERATOR unless the proxy starts serving it.
prepare_fm_operator() {
  local tag="$FM_VERSION" dir="$CACHE/fm-operator-proxy-$FM_VERSION" r src apidir bin
  if [[ -n "${FMESH_OPERATOR_BIN:-}" ]]; then
    bin="$(realpath -m "$FMESH_OPERATOR_BIN")"
    if [[ -f "$bin" && -x "$bin" ]]; then
      log "function-mesh operator: FMESH_OPERATOR_BIN=$bin (given by the user; taken as the $tag operator)"
      ENV_LINES+=("FM_OPERATOR_BIN=$bin" "FM_OPERATOR_SOURCE=FMESH_OPERATOR_BIN")
      return 0
    fi
    missing FM_OPERATOR_GIVEN "FMESH_OPERATOR_BIN=$FMESH_OPERATOR_BIN is not an executable file"
    return 1
  fi
  if [[ ! -e "$dir/.done" ]]; then
    r="$(fm_proxy_dir_or_error "github.com/streamnative/function-mesh@$tag")" ||
      { missing FM_OPERATOR "github.com/streamnative/function-mesh@$tag $(proxy_verdict "$r") — \`go mod download -json github.com/streamnative/function-mesh@$tag\` answers: ${r#* }"; return 1; }
    log "function-mesh operator $tag: served by the Go module proxy; go build (main.go)"
    rm -rf "$dir" && mkdir -p "$dir"
    src="$dir/src"
    (
      set -e
      cp -r "${r#DIR }"/. "$src"/ && chmod -R u+w "$src"
      if [[ ! -d "$src/api" ]] && grep -q 'function-mesh/api => ./api' "$src/go.mod"; then
        apidir="$(fm_proxy_dir_or_error "github.com/streamnative/function-mesh/api@$tag")"
        [[ "$apidir" == DIR* ]]
        mkdir -p "$src/api" && cp -r "${apidir#DIR }"/. "$src/api"/ && chmod -R u+w "$src/api"
      fi
      cd "$src"
      go build -trimpath -o "$dir/function-mesh-controller-manager" .
    ) >"$LOG_DIR/fm-operator-build.log" 2>&1 && touch "$dir/.done"
  fi
  if [[ -e "$dir/.done" ]]; then
    ENV_LINES+=("FM_OPERATOR_BIN=$dir/function-mesh-controller-manager")
  else
    missing FM_OPERATOR "go build of the Function Mesh operator $tag (from the Go module proxy) failed; see $LOG_DIR/fm-operator-build.log (last line: $(tail -n1 "$LOG_DIR/fm-operator-build.log" 2>/dev/null))"
  fi
}

T0=$SECONDS
# Folders of an earlier version of this script that held Function Mesh sources, CRDs and an operator taken from
# a research-tool git mirror (a route the project forbids): removed so that nothing can use them.
for stale in "$CACHE"/function-mesh-*; do
  [[ -e "$stale" ]] || continue
  log "removing $stale (stale: built by an earlier prepare.sh from a git mirror, a route that is not allowed)"
  rm -rf "$stale"
done
rm -f "$LOG_DIR"/fm-v*-source.log
ENV_LINES+=("FM_VERSION=$FM_VERSION")
# Scenario 9 looks up every target release's CRDs under this folder (<tag>/crds/*.yaml).
[[ -d "$SHARED/function-mesh" ]] && ENV_LINES+=("FM_SHARED_DIR=$SHARED/function-mesh")
timed etcd prepare_etcd
timed "function-mesh CRDs $FM_VERSION" prepare_fm_crds "$FM_VERSION" &&
  ENV_LINES+=("FM_CRDS_DIR=$SHARED/function-mesh/$FM_VERSION/crds")
old_list=()
for v in $FM_OLD_VERSIONS; do
  if timed "function-mesh CRDs $v" prepare_fm_crds "$v"; then old_list+=("$v=$SHARED/function-mesh/$v/crds"); fi
done
ENV_LINES+=("FM_OLD_CRDS=$(IFS=,; echo "${old_list[*]}")")
timed "function-mesh operator" prepare_fm_operator
timed kube-apiserver prepare_kube_apiserver

if [[ -x "$REPO_ROOT/conformance/scripts/prepare-pulsar.sh" || -f "$REPO_ROOT/conformance/scripts/prepare-pulsar.sh" ]]; then
  if FMESH_CACHE="$CACHE" timed pulsar bash "$REPO_ROOT/conformance/scripts/prepare-pulsar.sh"; then
    ENV_LINES+=("PULSAR_PREPARED=1")
  else
    missing PULSAR "conformance/scripts/prepare-pulsar.sh failed"
  fi
else
  missing PULSAR "conformance/scripts/prepare-pulsar.sh does not exist yet"
fi

# The worker scenarios' pulsarctl-library client (conformance/go), rebuilt only when its source changes.
if go_line="$(FMESH_CACHE="$CACHE" timed "pulsaradmin Go client" bash "$REPO_ROOT/conformance/scripts/prepare-go-client.sh")"; then
  ENV_LINES+=("$go_line")
else
  missing PULSARADMIN_GO "conformance/scripts/prepare-go-client.sh failed; see $LOG_DIR/pulsaradmin-go-build.log"
fi

{
  echo "# written by conformance/scripts/prepare.sh; read by the conformance harness"
  echo "FMESH_CACHE=$CACHE"
  printf '%s\n' "${ENV_LINES[@]}"
} >"$CACHE/conformance.env.tmp" && mv "$CACHE/conformance.env.tmp" "$CACHE/conformance.env"

log "done in $((SECONDS - T0))s; wrote $CACHE/conformance.env"
blocking=()
for m in "${MISSING[@]}"; do
  case "$m" in
    FM_CRDS_* | FM_OPERATOR) ;; # known-blocked (see docs/conformance-blockers.md): reported as blocked scenarios
    *) blocking+=("$m") ;;
  esac
done
if ((${#MISSING[@]} > 0)); then
  log "missing parts: ${MISSING[*]}"
fi
if ((${#blocking[@]} > 0)); then
  log "missing parts the conformance run cannot do without: ${blocking[*]}"
  [[ "${FMESH_PREPARE_ALLOW_MISSING:-0}" == 1 ]] || exit 1
fi
exit 0

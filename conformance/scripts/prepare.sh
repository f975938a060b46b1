#!/usr/bin/env bash
# Prepares the real parts the local conformance backend runs, caching each one by name and version:
#   etcd, kube-apiserver (k8s.io/kubernetes from the Go module proxy), the Function Mesh CRDs of the pinned
#   release and of older releases, the Function Mesh operator built from its main.go, then (if present)
#   conformance/scripts/prepare-pulsar.sh.
# Idempotent: a part whose stamp file exists is not rebuilt. Cache root: ${FMESH_CACHE:-<repo>/.cache}.
# At the end it writes ${FMESH_CACHE}/conformance.env (KEY=VALUE lines) that the harness reads.
#
# Routes for the Function Mesh sources, tried in order:
#   1. the Go module proxy: `go mod download -json github.com/streamnative/function-mesh@<tag>` (+ the nested
#      `github.com/streamnative/function-mesh/api` module for the operator build);
#   2. a git mirror of the public repository (FMESH_FUNCTION_MESH_GIT, default
#      /work/.mirror/streamnative+function-mesh/repo): `git archive <tag>`.
# A part that cannot be prepared is recorded as missing (with the reason) in conformance.env; the harness then
# fails exactly the scenarios that need it and keeps the others running. The script exits non-zero in that case
# unless FMESH_PREPARE_ALLOW_MISSING=1.
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${FMESH_CACHE:-$REPO_ROOT/.cache}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"

K8S_VERSION="${FMESH_K8S_VERSION:-v1.30.14}"
K8S_STAGING_VERSION="v0.${K8S_VERSION#v1.}"
FM_VERSION="${FMESH_FM_VERSION:-v0.27.2}"
FM_OLD_VERSIONS="${FMESH_FM_OLD_VERSIONS:-v0.6.0 v0.14.0}"
FM_GIT="${FMESH_FUNCTION_MESH_GIT:-/work/.mirror/streamnative+function-mesh/repo}"
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

# ---------------------------------------------------------------- Function Mesh sources
# fm_source <tag> <dest-dir>: a writable copy of the Function Mesh tree at <tag>; records the route used.
fm_source() {
  local tag="$1" dest="$2" zipdir apidir
  rm -rf "$dest" && mkdir -p "$dest"
  local json
  json="$(go mod download -json "github.com/streamnative/function-mesh@$tag" 2>>"$LOG_DIR/fm-$tag-source.log")"
  printf '%s\n' "$json" >>"$LOG_DIR/fm-$tag-source.log"
  zipdir="$(printf '%s\n' "$json" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')"
  if [[ -n "$zipdir" && -d "$zipdir" ]]; then
    cp -r "$zipdir"/. "$dest"/ && chmod -R u+w "$dest"
    if [[ ! -d "$dest/api" ]] && grep -q 'function-mesh/api => ./api' "$dest/go.mod" 2>/dev/null; then
      apidir="$(go mod download -json "github.com/streamnative/function-mesh/api@$tag" 2>>"$LOG_DIR/fm-$tag-source.log" |
        sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')"
      [[ -n "$apidir" && -d "$apidir" ]] || return 1
      mkdir -p "$dest/api" && cp -r "$apidir"/. "$dest/api"/ && chmod -R u+w "$dest/api"
    fi
    echo "go-module-proxy" >"$dest/.route"
    return 0
  fi
  log "function-mesh@$tag: not served by the Go module proxy ($(printf '%s\n' "$json" | sed -n 's/^\s*"Error": "\([^\\]*\).*/\1/p')); trying the git mirror $FM_GIT"
  if [[ -d "$FM_GIT" ]] && git --git-dir="$FM_GIT" rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
    # A partial mirror may lack a few large binary blobs (example .nar/.jar files): leave those out.
    local -a excludes=()
    local sha
    while IFS= read -r sha; do
      [[ -n "$sha" ]] || continue
      while IFS= read -r p; do excludes+=(":(exclude)$p"); done < <(git --git-dir="$FM_GIT" ls-tree -r "$tag" | awk -v s="$sha" '$3==s { sub(/^[^\t]*\t/, ""); print }')
    done < <(git --git-dir="$FM_GIT" ls-tree -r "$tag" | awk '$2=="blob"{print $3}' | git --git-dir="$FM_GIT" cat-file --batch-check | awk '$2=="missing"{print $1}')
    ((${#excludes[@]} == 0)) || log "function-mesh@$tag: leaving out ${#excludes[@]} file(s) whose blobs the mirror lacks: ${excludes[*]}"
    git --git-dir="$FM_GIT" archive --format=tar "$tag" -- . "${excludes[@]}" 2>>"$LOG_DIR/fm-$tag-source.log" | tar -x -C "$dest" &&
      echo "git-mirror:$(git --git-dir="$FM_GIT" rev-parse "$tag^{commit}")" >"$dest/.route" && return 0
  fi
  return 1
}

prepare_fm_crds() { # prepare_fm_crds <tag> <env-prefix>
  local tag="$1" prefix="$2" dir="$CACHE/function-mesh-$1"
  if [[ ! -e "$dir/crds/.done" ]]; then
    local src="$dir/src"
    if [[ ! -d "$src/config/crd/bases" ]]; then
      fm_source "$tag" "$src" || { missing "${prefix}_CRDS" "no route to github.com/streamnative/function-mesh@$tag: the Go module proxy refuses it and no git mirror with that tag at $FM_GIT (set FMESH_FUNCTION_MESH_GIT); see $LOG_DIR/fm-$tag-source.log"; return 1; }
    fi
    rm -rf "$dir/crds" && mkdir -p "$dir/crds" &&
      cp "$src"/config/crd/bases/*.yaml "$dir/crds/" && cp "$src/.route" "$dir/crds/.route" && touch "$dir/crds/.done"
  fi
  ENV_LINES+=("${prefix}_CRDS_DIR=$dir/crds" "${prefix}_SOURCE=$(cat "$dir/crds/.route")")
}

prepare_fm_operator() {
  local tag="$FM_VERSION" dir="$CACHE/function-mesh-$FM_VERSION"
  if [[ ! -e "$dir/bin/.done" ]]; then
    [[ -f "$dir/src/main.go" ]] || fm_source "$tag" "$dir/src" || { missing FM_OPERATOR "no source for the operator"; return 1; }
    log "function-mesh operator $tag: go build (main.go)"
    mkdir -p "$dir/bin"
    (
      set -e
      cd "$dir/src"
      go build -trimpath -o "$dir/bin/function-mesh-controller-manager" .
      # The VPA CRD the operator's envtest installs, from the pinned VPA module (the operator watches VPAs when
      # the autoscaling.k8s.io group is served).
      vpadir="$(go list -m -f '{{.Dir}}' k8s.io/autoscaler/vertical-pod-autoscaler)"
      if [[ -f "$vpadir/deploy/vpa-v1-crd-gen.yaml" ]]; then cp "$vpadir/deploy/vpa-v1-crd-gen.yaml" "$dir/bin/vpa-v1-crd-gen.yaml"; fi
    ) >"$LOG_DIR/fm-operator-build.log" 2>&1 && touch "$dir/bin/.done"
  fi
  if [[ -e "$dir/bin/.done" ]]; then
    ENV_LINES+=("FM_OPERATOR_BIN=$dir/bin/function-mesh-controller-manager" "FM_VERSION=$tag")
    [[ -f "$dir/bin/vpa-v1-crd-gen.yaml" ]] && ENV_LINES+=("VPA_CRD=$dir/bin/vpa-v1-crd-gen.yaml")
  else
    missing FM_OPERATOR "go build of the Function Mesh operator $tag failed; see $LOG_DIR/fm-operator-build.log (last line: $(tail -n1 "$LOG_DIR/fm-operator-build.log" 2>/dev/null))"
  fi
}

T0=$SECONDS
timed etcd prepare_etcd
timed "function-mesh CRDs $FM_VERSION" prepare_fm_crds "$FM_VERSION" FM
old_list=()
for v in $FM_OLD_VERSIONS; do
  key="FM_OLD_${v//[^0-9]/_}"
  if timed "function-mesh CRDs $v" prepare_fm_crds "$v" "$key"; then old_list+=("$v=$CACHE/function-mesh-$v/crds"); fi
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

{
  echo "# written by conformance/scripts/prepare.sh; read by the conformance harness"
  echo "FMESH_CACHE=$CACHE"
  printf '%s\n' "${ENV_LINES[@]}"
} >"$CACHE/conformance.env.tmp" && mv "$CACHE/conformance.env.tmp" "$CACHE/conformance.env"

log "done in $((SECONDS - T0))s; wrote $CACHE/conformance.env"
if ((${#MISSING[@]} > 0)); then
  log "missing parts: ${MISSING[*]}"
  [[ "${FMESH_PREPARE_ALLOW_MISSING:-0}" == 1 ]] || exit 1
fi
exit 0

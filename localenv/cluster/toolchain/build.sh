#!/usr/bin/env bash
# Builds the local Kubernetes control plane the cluster tests run (etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kwok) from the Go
# module proxy, and caches the binaries outside the repository, keyed by every
# pinned version and wrapper file. README.md beside this script says what is
# built and why.
#
# Usage: CLUSTER_BIN=$(localenv/cluster/toolchain/build.sh | tail -1)
# Progress and timings go to stderr; the bin directory is the last stdout line.
# Cache root: $APIM_GW_TOOLCHAIN_CACHE (default ~/.cache/apim-gateway-toolchain),
# shared with localenv/engine/toolchain (same module and build caches).
set -euo pipefail

# --- Pinned versions: the only place they are chosen -------------------------
# The wrapper go.mod files must require exactly these; the script checks.
# Kubernetes: the newest release the module proxy serves (go 1.26.0 in its
# go.mod, so the installed Go 1.26 builds it).
KUBERNETES_VERSION=1.37.2
# Its staging modules (k8s.io/api, apiserver, ...) are published from the same
# tag as v0.<minor>.<patch>.
STAGING_VERSION="0.${KUBERNETES_VERSION#*.}"
# etcd: Kubernetes 1.37 requires the etcd 3.7 client; 3.7.3 is the newest
# served 3.7 patch release.
ETCD_VERSION=3.7.3
# kwok: the newest served release.
KWOK_VERSION=0.8.0
# -----------------------------------------------------------------------------

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${APIM_GW_TOOLCHAIN_CACHE:-$HOME/.cache/apim-gateway-toolchain}"

log_prefix=cluster-toolchain
# shellcheck source=../../helpers/go-toolchain.sh
source "$here/../../helpers/go-toolchain.sh"

command -v go >/dev/null || fail "go is not on PATH; the control plane is built with Go >= 1.26"

require_pin kubernetes/go.mod k8s.io/kubernetes "v$KUBERNETES_VERSION"
require_pin etcd/go.mod go.etcd.io/etcd/server/v3 "v$ETCD_VERSION"
require_pin kwok/go.mod sigs.k8s.io/kwok "v$KWOK_VERSION"
if grep -E '=> k8s\.io/' "$here/kubernetes/go.mod" | grep -Evq " v$STAGING_VERSION\$"; then
    fail "kubernetes/go.mod must replace every staging module with v$STAGING_VERSION (Kubernetes v$KUBERNETES_VERSION)"
fi

inputs=(build.sh ../../helpers/go-toolchain.sh kubernetes/go.mod kubernetes/go.sum etcd/go.mod etcd/go.sum kwok/go.mod kwok/go.sum)
key="$(
    {
        echo "kubernetes=$KUBERNETES_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION"
        go env GOVERSION GOOS GOARCH
        (cd "$here" && sha256sum "${inputs[@]}")
    } | sha256sum | cut -c1-16
)"
key_dir="$cache_root/cluster-$key"
bin_dir="$key_dir/bin"

binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
cached=true
for b in "${binaries[@]}"; do [[ -x "$bin_dir/$b" ]] || cached=false; done
[[ -f "$bin_dir/kwok-stages/pod-ready.yaml" ]] || cached=false
if [[ "$cached" == true ]]; then
    log "cached control plane $key (kubernetes v$KUBERNETES_VERSION, etcd v$ETCD_VERSION, kwok v$KWOK_VERSION)"
    echo "$bin_dir"
    exit 0
fi

use_go_caches

partial="$key_dir/bin.partial.$$"
trap 'rm -rf "$partial"; rmdir "$key_dir" 2>/dev/null || true' EXIT
mkdir -p "$partial"
log "building control plane $key into $bin_dir"

timed bash -c "cd '$here/etcd' && go mod download && cd '$here/kwok' && go mod download && cd '$here/kubernetes' && go mod download"
report "download (go mod download)"

# etcd: the server module's root package is its main (-s -w drop the symbol
# tables; stack traces still work).
timed bash -c "cd '$here/etcd' && go build -trimpath -ldflags '-s -w' -o '$partial/etcd' go.etcd.io/etcd/server/v3"
report "etcd"

# Kubernetes components: tags and flags as upstream's hack/lib/golang.sh for
# release binaries; the version variables as hack/lib/version.sh sets them,
# since components and clients compare versions (build date: the release's).
release_date="$(cd "$here/kubernetes" && go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)"
minor="${KUBERNETES_VERSION#*.}"
minor="${minor%%.*}"
kube_ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    kube_ldflags+=" -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    kube_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$release_date"
done
for component in kube-apiserver kube-controller-manager kube-scheduler; do
    timed bash -c "cd '$here/kubernetes' && go build -trimpath -tags selinux,notest,grpcnotrace \
        -ldflags '$kube_ldflags' -o '$partial/$component' k8s.io/kubernetes/cmd/$component"
    report "$component"
done

timed bash -c "cd '$here/kwok' && go build -trimpath -ldflags '-s -w' -o '$partial/kwok' sigs.k8s.io/kwok/cmd/kwok"
report "kwok"

# kwok plays the kubelet's part through "stages" it is given in its configuration; these are
# the defaults kwokctl configures (node start and lease heartbeat, pod ready, complete,
# delete), from the module, so the harness uses the version built here.
kwok_dir="$(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
mkdir -p "$partial/kwok-stages"
for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    install -m 0644 "$kwok_dir/kustomize/stage/$stage.yaml" "$partial/kwok-stages/"
done

for b in "${binaries[@]/#/$partial/}"; do report_size "$b"; done
[[ "$("$partial/kube-apiserver" --version)" == "Kubernetes v$KUBERNETES_VERSION" ]] ||
    fail "the built kube-apiserver does not report Kubernetes v$KUBERNETES_VERSION"
[[ "$("$partial/etcd" --version)" == *"etcd Version: $ETCD_VERSION"* ]] || fail "the built etcd does not report $ETCD_VERSION"
[[ "$("$partial/kwok" --version)" == *"kwok version v$KWOK_VERSION "* ]] || fail "the built kwok does not report v$KWOK_VERSION"

# Publish atomically: a concurrent or interrupted run never leaves a half bin/.
if ! mv -T "$partial" "$bin_dir" 2>/dev/null; then
    [[ -x "$bin_dir/kube-apiserver" ]] || fail "could not publish $bin_dir"
fi
log "built in $SECONDS s; cache size: $(du -sh "$cache_root" | cut -f1) in $cache_root"
echo "$bin_dir"

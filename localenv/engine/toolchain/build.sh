#!/usr/bin/env bash
# Builds the Pulumi toolchain the end-to-end tests run (CLI, Node.js language
# host, Kubernetes provider) from the Go module proxy, and caches the binaries
# outside the repository, keyed by every pinned version and wrapper file.
# README.md beside this script says what is built and why.
#
# Usage: PULUMI_BIN=$(localenv/engine/toolchain/build.sh | tail -1)
# Progress and timings go to stderr; the bin directory is the last stdout line.
# Cache root: $APIM_GW_TOOLCHAIN_CACHE (default ~/.cache/apim-gateway-toolchain).
set -euo pipefail

# --- Pinned versions: the only place they are chosen -------------------------
# The wrapper go.mod files must require exactly these; the script checks.
# Pulumi CLI: the closest release >= the npm @pulumi/pulumi (3.270.0) that the
# module proxy serves (it refuses pkg/v3 v3.270.0); a CLI newer than the SDK
# is the supported direction.
PULUMI_VERSION=3.274.1
# Kubernetes provider module: the only provider/v4 pseudo-version the proxy
# serves (a 2026-01-15 main-branch commit); the v4.32.0 commit is refused.
K8S_PROVIDER_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
# Plugin version the binary reports and is installed as: the version the npm
# @pulumi/kubernetes in the lockfile declares, which the engine asks for.
K8S_PLUGIN_VERSION=4.32.0
# -----------------------------------------------------------------------------

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${APIM_GW_TOOLCHAIN_CACHE:-$HOME/.cache/apim-gateway-toolchain}"

log_prefix=toolchain
# shellcheck source=../../helpers/go-toolchain.sh
source "$here/../../helpers/go-toolchain.sh"

command -v go >/dev/null || fail "go is not on PATH; the toolchain is built with Go >= 1.26"

require_pin pulumi/go.mod github.com/pulumi/pulumi/pkg/v3 "v$PULUMI_VERSION"
require_pin pulumi/go.mod github.com/pulumi/pulumi/sdk/v3 "v$PULUMI_VERSION"
require_pin kubernetes/go.mod github.com/pulumi/pulumi-kubernetes/provider/v4 "$K8S_PROVIDER_MODULE_VERSION"

inputs=(build.sh ../../helpers/go-toolchain.sh pulumi/go.mod pulumi/go.sum pulumi/langhost-nodejs/main.go kubernetes/go.mod kubernetes/go.sum kubernetes/main.go kubernetes/embedgen/main.go)
key="$(
    {
        echo "pulumi=$PULUMI_VERSION k8s-module=$K8S_PROVIDER_MODULE_VERSION k8s-plugin=$K8S_PLUGIN_VERSION"
        go env GOVERSION GOOS GOARCH
        (cd "$here" && sha256sum "${inputs[@]}")
    } | sha256sum | cut -c1-16
)"
key_dir="$cache_root/$key"
bin_dir="$key_dir/bin"

binaries=(pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-resource-kubernetes)
cached=true
for b in "${binaries[@]}"; do [[ -x "$bin_dir/$b" ]] || cached=false; done
if [[ "$cached" == true ]]; then
    log "cached toolchain $key (pulumi v$PULUMI_VERSION, kubernetes $K8S_PLUGIN_VERSION)"
    echo "$bin_dir"
    exit 0
fi

use_go_caches

work="$key_dir/work.$$"
partial="$key_dir/bin.partial.$$"
trap 'rm -rf "$work" "$partial"; rmdir "$key_dir" 2>/dev/null || true' EXIT
mkdir -p "$work" "$partial"
log "building toolchain $key into $bin_dir"

timed bash -c "cd '$here/pulumi' && go mod download && cd '$here/kubernetes' && go mod download"
report "download (go mod download)"

# Pulumi CLI. The Automation API parses `pulumi version`, so the version
# ldflag is required (flags as in pulumi's .goreleaser.yml; -s -w drop the
# symbol tables, about a third of the size, stack traces still work).
timed bash -c "cd '$here/pulumi' && go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags '-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION' \
    -o '$partial/pulumi' github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
report "pulumi"

# Node.js language host: the project's stand-in (see its main.go for why).
timed bash -c "cd '$here/pulumi' && go build -trimpath \
    -ldflags '-s -w -X main.version=$PULUMI_VERSION' \
    -o '$partial/pulumi-language-nodejs' ./langhost-nodejs"
report "pulumi-language-nodejs"

# Dynamic providers (pulumi.dynamic.Resource) run through this launcher,
# which releases ship next to the CLI; it comes from the sdk module.
sdk_dir="$(cd "$here/pulumi" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
install -m 0755 "$sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$partial/"

# Kubernetes provider: its main package embeds files that upstream generates
# and git-ignores, so a copy of the wrapper gets them generated next to it.
mkdir -p "$work/kubernetes"
cp -R "$here/kubernetes/." "$work/kubernetes/"
provider_dir="$(cd "$work/kubernetes" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
timed bash -c "cd '$work/kubernetes' && go run ./embedgen '$provider_dir/cmd/pulumi-resource-kubernetes' . '$K8S_PLUGIN_VERSION' && \
    go build -trimpath \
    -ldflags '-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PLUGIN_VERSION' \
    -o '$partial/pulumi-resource-kubernetes' ."
report "pulumi-resource-kubernetes"

for b in "$partial"/*; do report_size "$b"; done
"$partial/pulumi" version >/dev/null || fail "the built pulumi binary does not run"

# Publish atomically: a concurrent or interrupted run never leaves a half bin/.
if ! mv -T "$partial" "$bin_dir" 2>/dev/null; then
    [[ -x "$bin_dir/pulumi" ]] || fail "could not publish $bin_dir"
fi
log "cache size: $(du -sh "$cache_root" | cut -f1) in $cache_root"
echo "$bin_dir"

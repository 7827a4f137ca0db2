# Shared by the toolchain build scripts (localenv/engine/toolchain/build.sh, localenv/cluster/toolchain/build.sh),
# which source it after setting `here` (their directory), `cache_root` and `log_prefix`.

log() { printf '[%s] %s\n' "$log_prefix" "$*" >&2; }
fail() { log "error: $*"; exit 1; }

require_pin() { # file module version
    grep -Eq "^[[:space:]]*(require[[:space:]]+)?$2 $3([[:space:]]|$)" "$here/$1" ||
        fail "$1 must require $2 $3 (pinned in build.sh); edit both together and run 'go mod tidy' there"
}

# Module and build caches shared by both toolchains, outside the repository.
use_go_caches() {
    export GOMODCACHE="$cache_root/gomod"
    export GOCACHE="$cache_root/gocache"
    # -mod=readonly: never rewrite the committed go.mod/go.sum. -p: packages compiled at a time,
    # $APIM_GW_TOOLCHAIN_JOBS, default 1 so a build stays polite on a small shared machine; .ci/run
    # gives the engine's build every core (the end-to-end suite waits for it). Not in the cache key:
    # it changes how fast the binaries are built, not their bytes.
    local jobs="${APIM_GW_TOOLCHAIN_JOBS:-1}"
    [[ "$jobs" =~ ^[1-9][0-9]*$ ]] ||
        fail "APIM_GW_TOOLCHAIN_JOBS must be a whole number of packages compiled at a time, 1 or more (got '$jobs'); unset it for 1"
    export GOFLAGS="-mod=readonly -modcacherw -p=$jobs"
    export GOTOOLCHAIN=local CGO_ENABLED=0
    mkdir -p "$GOMODCACHE" "$GOCACHE"
}

# Runs a command niced and records "<wall> <user> <sys>" seconds in $timing.
timing=""
timed() {
    local tf rc=0
    tf="$(mktemp)"
    local TIMEFORMAT='%R %U %S'
    { time nice -n 19 "$@" 2>&3 || rc=$?; } 3>&2 2>"$tf"
    timing="$(tail -1 "$tf")"
    rm -f "$tf"
    return "$rc"
}
report() { # label
    local wall user sys
    read -r wall user sys <<<"$timing"
    log "$(printf '%-30s %7.1f s wall, %7.1f s user CPU, %6.1f s sys CPU' "$1" "$wall" "$user" "$sys")"
}
report_size() { # file
    log "$(printf '%-30s %6.1f MiB' "$(basename "$1")" "$(awk -v s="$(stat -c %s "$1")" 'BEGIN { print s / 1048576 }')")"
}

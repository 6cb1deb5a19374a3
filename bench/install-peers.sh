#!/usr/bin/env bash
# install-peers.sh — put the tools the benchmark compares hookwave against
# onto this machine. Never fails: a peer that cannot be installed is simply
# missing, and bench/run prints it as skipped.
#
#   bash bench/install-peers.sh
#
# apt (Debian): make, ninja-build, parallel (GNU), hyperfine, time (GNU
#   /usr/bin/time for peak RSS), findutils (xargs), git.
# npm: lefthook and prek, into $PEERS (default /tmp/hookwave-peers). The npm
#   packages ship native binaries as optional dependencies; bench/lib.sh calls
#   those binaries directly, because the npm `bin` shims are node wrappers
#   that add ~75 ms to every call.
#
# Knobs: PEERS, LEFTHOOK_VERSION (2.2.1), PREK_VERSION (0.5.3), NO_APT=1,
# NO_NPM=1.
set -u
PEERS=${PEERS:-/tmp/hookwave-peers}
LEFTHOOK_VERSION=${LEFTHOOK_VERSION:-2.2.1}
PREK_VERSION=${PREK_VERSION:-0.5.3}

note() { printf 'install-peers: %s\n' "$*" >&2; }

if [ "${NO_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
    SUDO=
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=false; fi
    fi
    if [ "$SUDO" = false ]; then
        note "not root and no sudo: apt packages not installed"
    else
        $SUDO apt-get update -qq >/dev/null 2>&1 || note "apt-get update failed"
        # One package at a time, so one that is missing does not stop the rest.
        for p in make ninja-build parallel hyperfine time findutils git; do
            if dpkg -s "$p" >/dev/null 2>&1; then continue; fi
            DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$p" \
                >/dev/null 2>&1 || note "apt: could not install $p (skipped)"
        done
    fi
else
    note "apt-get not used: install make, ninja, GNU parallel, hyperfine, GNU time by hand"
fi

npm_install() { # DIR PACKAGE@VERSION
    local dir=$1 pkg=$2
    mkdir -p "$dir" || return 1
    ( cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null 2>&1; } &&
      npm i -E --no-audit --no-fund --loglevel=error "$pkg" >/dev/null 2>&1 )
}
if [ "${NO_NPM:-0}" != 1 ] && command -v npm >/dev/null 2>&1; then
    npm_install "$PEERS/lefthook" "lefthook@$LEFTHOOK_VERSION" ||
        note "npm: could not install lefthook@$LEFTHOOK_VERSION (skipped)"
    npm_install "$PEERS/prek" "@j178/prek@$PREK_VERSION" ||
        note "npm: could not install @j178/prek@$PREK_VERSION (skipped)"
else
    note "npm not available: lefthook and prek will be skipped"
fi

# What we have now (bench/lib.sh looks the tools up the same way).
HERE=$(cd "$(dirname "$0")" && pwd)
PEERS=$PEERS . "$HERE/lib.sh"
print_versions
exit 0

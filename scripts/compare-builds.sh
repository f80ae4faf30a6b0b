#!/usr/bin/env bash
# Build cost of two revisions of patkit side by side (BENCHMARKS.md "Build cost", aws-lc-rs vs
# ring): each revision is exported with `git archive` into a temporary directory (sources and
# Cargo.lock only, no target), then, interleaved so the machine's load falls on both alike:
#
# 1. crates compiled, counted as scripts/measure-build.sh does (`cargo tree -e normal,build
#    --prefix none`, one line per crate and version), for the default features on the host, for
#    `--features cli,keyring` on x86_64-pc-windows-gnu and for the default features on
#    aarch64-apple-darwin;
# 2. a clean debug `cargo build --lib` (default features), A then B;
# 3. a clean debug `cargo build --target x86_64-pc-windows-gnu --features cli,keyring --bins --lib`
#    (needs mingw-w64: scripts/test-services.sh install), B then A;
# 4. `cargo check --target aarch64-apple-darwin --lib`, A then B (fails where a build script
#    needs a C compiler for macOS, which this machine does not have: the exit code is printed).
#
# Each build gets its own empty target directory; the load average is printed before and after.
#
# Usage: scripts/compare-builds.sh REV_A REV_B   (e.g. main crypto)
set -uo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
[[ $# == 2 ]] || { echo "usage: $0 REV_A REV_B" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for side in a b; do
    rev=$([[ $side == a ]] && echo "$1" || echo "$2")
    mkdir "$work/$side"
    git -C "$repo" archive "$rev" | tar -x -C "$work/$side"
    (cd "$work/$side" && cargo fetch -q)
    echo "$side = $rev ($(git -C "$repo" rev-parse --short "$rev"))"
done

crates() {
    cargo tree -e normal,build --prefix none "$@" |
        sed -E 's/ \(\*\)$//; s/ \(proc-macro\)//; s/ \(\/.*\)$//' | sort -u | wc -l
}
for side in a b; do
    cd "$work/$side" || exit 1
    echo "crates $side: default $(crates), x86_64-pc-windows-gnu cli,keyring" \
        "$(crates --target x86_64-pc-windows-gnu --features cli,keyring)," \
        "aarch64-apple-darwin default $(crates --target aarch64-apple-darwin)"
done

build() { # side label cargo-args…
    local side="$1" label="$2"
    shift 2
    local target="$work/target-$side-$label" load start end rc
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    start=$(date +%s.%N)
    (cd "$work/$side" && CARGO_TARGET_DIR="$target" cargo "$@" >"$work/log" 2>&1)
    rc=$?
    end=$(date +%s.%N)
    echo "$label $side: rc=$rc $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }') s," \
        "load before [$load] after [$(cut -d' ' -f1-3 /proc/loadavg)]"
    [[ $rc == 0 ]] || grep -m3 -E '^error|cc: error' "$work/log" | sed 's/^/    /'
    rm -rf "$target"
}
win=(build --target x86_64-pc-windows-gnu --features cli,keyring --bins --lib)
mac=(check --target aarch64-apple-darwin --lib)
build a lib build --lib
build b lib build --lib
build b windows "${win[@]}"
build a windows "${win[@]}"
build a macos "${mac[@]}"
build b macos "${mac[@]}"

#!/usr/bin/env bash
# Build cost of patkit beside azure_devops_rust_api (features tokens + token_admin), in one run:
#
# 1. crates compiled (with patkit's Cargo.lock, and also resolved afresh without it), counted
#    with `cargo tree -e normal,build --prefix none`, one line per
#    crate and version (the root crate included; the wrapper project around
#    azure_devops_rust_api is not counted), for patkit's default features, patkit
#    `--no-default-features` and azure_devops_rust_api;
# 2. with `--time` (or MEASURE_BUILD_TIME=1), a clean debug build of each (`cargo build --lib`)
#    into its own temporary target directory, the three interleaved ROUNDS times (default 1).
#
# azure_devops_rust_api is fetched by cargo into a temporary project outside this package; it is
# never a dependency of patkit. Prints `RATIO build …` lines; BENCHMARKS.md quotes them.
#
# Usage: scripts/measure-build.sh [--time]
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rounds="${ROUNDS:-1}"
time_builds="${MEASURE_BUILD_TIME:-0}"
[[ "${1:-}" == "--time" ]] && time_builds=1

# The project around azure_devops_rust_api (its default `reqwest` feature on, as a new user gets
# it from `cargo add azure_devops_rust_api --features tokens,token_admin`).
mkdir -p "$work/ado/src"
cat >"$work/ado/Cargo.toml" <<'EOF'
[package]
name = "ado-probe"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
azure_devops_rust_api = { version = "0.39", features = ["tokens", "token_admin"] }

[workspace]
EOF
echo "" >"$work/ado/src/lib.rs"

# One line per crate and version; path-dependency and proc-macro markers stripped.
crates() {
    cargo tree -e normal,build --prefix none "$@" |
        sed -E 's/ \(\*\)$//; s/ \(proc-macro\)//; s/ \(\/.*\)$//' |
        grep -v '^ado-probe ' | sort -u
}

pk_default=$(cd "$repo" && crates | wc -l)
pk_bare=$(cd "$repo" && crates --no-default-features | wc -l)
ado=$(cd "$work/ado" && crates | wc -l)
echo "crates: patkit default $pk_default, patkit --no-default-features $pk_bare, azure_devops_rust_api (tokens, token_admin) $ado"

# The same package resolved afresh, without patkit's Cargo.lock: what a program that depends on
# the library gets unless it pins idna_adapter as the README says (cargo then picks the newest
# idna_adapter, with ICU4X). Reported beside the lockfile's counts, not instead of them.
mkdir -p "$work/fresh"
(cd "$repo" && tar cf - --exclude=./target --exclude=./.git --exclude=./Cargo.lock .) | (cd "$work/fresh" && tar xf -)
fresh_default=$(cd "$work/fresh" && crates | wc -l)
fresh_bare=$(cd "$work/fresh" && crates --no-default-features | wc -l)
echo "crates without patkit's lockfile (fresh resolution): patkit default $fresh_default, --no-default-features $fresh_bare"
awk -v a="$pk_default" -v b="$pk_bare" -v c="$ado" 'BEGIN {
    printf "RATIO build crates patkit default/azure_devops_rust_api: %.3f  (%d / %d)\n", a / c, a, c
    printf "RATIO build crates patkit --no-default-features/azure_devops_rust_api: %.3f  (%d / %d)\n", b / c, b, c
}'

[[ "$time_builds" == 1 ]] || exit 0

# Clean debug builds, each into its own empty target directory, interleaved round by round so
# the machine's load falls on all three alike.
(cd "$work/ado" && cargo fetch -q)
(cd "$repo" && cargo fetch -q)
build() { # name dir args… → seconds
    local name="$1" dir="$2"
    shift 2
    rm -rf "$work/target-$name"
    local start end
    start=$(date +%s.%N)
    (cd "$dir" && CARGO_TARGET_DIR="$work/target-$name" cargo build -q --lib "$@" >/dev/null 2>&1)
    end=$(date +%s.%N)
    rm -rf "$work/target-$name"
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}
declare -A total=([default]=0 [bare]=0 [ado]=0)
for round in $(seq "$rounds"); do
    d=$(build default "$repo")
    b=$(build bare "$repo" --no-default-features)
    a=$(build ado "$work/ado")
    echo "round $round: clean debug build patkit default ${d}s, --no-default-features ${b}s, azure_devops_rust_api ${a}s"
    total[default]=$(awk -v t="${total[default]}" -v x="$d" 'BEGIN { print t + x }')
    total[bare]=$(awk -v t="${total[bare]}" -v x="$b" 'BEGIN { print t + x }')
    total[ado]=$(awk -v t="${total[ado]}" -v x="$a" 'BEGIN { print t + x }')
done
awk -v a="${total[default]}" -v b="${total[bare]}" -v c="${total[ado]}" 'BEGIN {
    printf "RATIO build time patkit default/azure_devops_rust_api: %.3f  (%.1f s / %.1f s)\n", a / c, a, c
    printf "RATIO build time patkit --no-default-features/azure_devops_rust_api: %.3f  (%.1f s / %.1f s)\n", b / c, b, c
}'

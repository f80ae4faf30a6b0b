#!/usr/bin/env bash
# Client CPU per listed token, patkit vs azure_devops_rust_api: builds and runs the separate
# project benches/ado_cpu (release, in this package's target directory, so nothing is built
# twice). Not run by CI. Usage: scripts/bench-ado-cpu.sh [PAIRS] (default 30).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo/benches/ado_cpu"
CARGO_TARGET_DIR="$repo/target" cargo run --release --quiet -- "$@"

#!/usr/bin/env bash
# Hostile-input fuzzing for CI, in two steps:
#  1. Replays the committed seed corpus (fuzz/seeds) through the fuzz target's checks with the
#     stable test harness (`cargo test --test azure hostile_input::fuzz_seeds_replay`). Always runs.
#  2. Runs the cargo-fuzz target `responses` from those seeds for FUZZ_SECONDS (default 60): on
#     nightly with AddressSanitizer when a nightly toolchain is installed, else on stable with
#     `-s none`. cargo-fuzz is installed (`cargo install cargo-fuzz --locked`, ~2-4 min once)
#     when missing, unless PATKIT_FUZZ_INSTALL=0, in which case this step is skipped with a notice.
#     FUZZ_SECONDS=0 replays the seeds through libFuzzer once and does not fuzz.
# A crash fails the script; the input is saved under fuzz/artifacts/responses/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"

echo "== fuzz seeds through the stable test harness"
cargo test --all-features --test azure hostile_input::fuzz_seeds_replay

if ! cargo fuzz --version >/dev/null 2>&1; then
  if [ "${PATKIT_FUZZ_INSTALL:-1}" = "1" ]; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
  else
    echo "notice: cargo-fuzz is not installed and PATKIT_FUZZ_INSTALL=0; bounded fuzz run skipped"
    exit 0
  fi
fi

if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
  sanitizer=()
else
  echo "notice: no nightly toolchain; fuzzing on stable without a sanitizer (-s none)"
  toolchain=()
  sanitizer=(-s none)
fi

if [ "$seconds" = "0" ]; then
  limit=(-runs=0)
  echo "== replaying fuzz/seeds through libFuzzer"
else
  limit=(-max_total_time="$seconds")
  echo "== fuzzing 'responses' for ${seconds}s from fuzz/seeds"
fi

mkdir -p fuzz/corpus/responses
# Its own target dir: fuzz builds use other compiler flags than the main build. Built first, so a
# build failure is reported as one, not as a failing input.
if ! cargo "${toolchain[@]}" fuzz build "${sanitizer[@]}" --target-dir fuzz/target responses; then
  echo "the fuzz target did not build" >&2
  exit 1
fi
if ! cargo "${toolchain[@]}" fuzz run "${sanitizer[@]}" --target-dir fuzz/target responses \
  fuzz/corpus/responses fuzz/seeds -- "${limit[@]}" -max_len=16384 -rss_limit_mb=2048 -print_final_stats=1; then
  echo "fuzzing found a failing input (fuzz/artifacts/responses/). Reproduce with" >&2
  echo "  cargo ${toolchain[*]} fuzz run ${sanitizer[*]} responses fuzz/artifacts/responses/<file>" >&2
  echo "then fix it and commit the input to fuzz/seeds/ (named {operation}-{status}-{what})." >&2
  exit 1
fi

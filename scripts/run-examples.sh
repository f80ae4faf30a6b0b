#!/usr/bin/env bash
# Runs every example to completion (CI runs them all). Each one runs on the in-process emulator by
# default, so this needs no network and no credentials.
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
  echo "== example $*"
  cargo run --quiet --all-features --example "$@"
}

shopt -s nullglob
for file in examples/*.rs; do
  name=$(basename "$file" .rs)
  case "$name" in
    emulator) run emulator -- --once ;;
    rotate | offboard)
      run "$name"
      run "$name" -- --dry-run
      ;;
    patctl)
      run patctl -- --emulator list
      run patctl -- --emulator scan
      run patctl -- --emulator rotate --dry-run
      ;;
    git-credential-patkit)
      # A host the helper does not serve: it answers nothing, exits 0 and touches no store.
      echo "== example git-credential-patkit get (foreign host)"
      printf 'protocol=https\nhost=example.com\n\n' | cargo run --quiet --all-features --example git-credential-patkit -- get
      ;;
    *) run "$name" ;;
  esac
done

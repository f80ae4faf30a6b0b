#!/usr/bin/env bash
# Runs every example to completion (CI runs them all), then the tools (`cli` feature) once each. Each one runs on the in-process emulator by
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
    nightly)
      # Over the OpenBao dev server when the test services are up, else an in-memory store.
      if [ -n "${PATKIT_VAULT_ADDR:-}" ]; then
        echo "== example nightly -- --emulator (OpenBao at $PATKIT_VAULT_ADDR)"
        env BAO_ADDR="$PATKIT_VAULT_ADDR" BAO_TOKEN="$PATKIT_VAULT_TOKEN" PATKIT_VAULT_PREFIX="examples/nightly-$$" \
          cargo run --quiet --all-features --example nightly -- --emulator
      else
        run nightly -- --emulator
      fi
      ;;
    *) run "$name" ;;
  esac
done

# The tools are binaries, not examples: run each once on the emulator (no account, no network).
tool() {
  echo "== bin $*"
  cargo run --quiet --all-features --bin "$@"
}
tool patctl -- --emulator list
tool patctl -- --emulator scan
tool patctl -- --emulator rotate --dry-run
# A host the helper does not serve: it answers nothing, exits 0 and touches no store.
echo "== bin git-credential-patkit get (foreign host)"
printf 'protocol=https\nhost=example.com\n\n' | cargo run --quiet --all-features --bin git-credential-patkit -- get

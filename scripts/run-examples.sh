#!/usr/bin/env bash
# Runs every example to completion (CI runs them all). Each example runs on the in-process
# emulator by default, so this needs no network and no credentials.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
for file in examples/*.rs; do
  name=$(basename "$file" .rs)
  args=()
  case "$name" in
    emulator) args=(--once) ;;
  esac
  echo "== example $name ${args[*]:-}"
  cargo run --quiet --all-features --example "$name" -- "${args[@]}"
done

#!/usr/bin/env bash
# Runs a command with patkit's test services up (OpenBao dev server + gnome-keyring Secret
# Service on a private D-Bus session), installing them first if missing. Example:
#   scripts/with-services.sh cargo test --all-features
# See scripts/test-services.sh for what is installed and started.
set -euo pipefail
exec "$(dirname "$0")/test-services.sh" run "$@"

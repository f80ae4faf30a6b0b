#!/usr/bin/env bash
# Cross-builds the library and both tools for aarch64-apple-darwin on Linux, with zig (PyPI's
# `ziglang`) as the C compiler of ring / aws-lc-sys and as the linker, then checks what the link
# of each tool leaves unresolved.
#
# What it does and does not prove: every crate of the library and of `patctl` and
# `git-credential-patkit` (features cli,keyring: every provider, the reqwest transport with its
# rustls crypto, the Keychain store) is compiled for the target, C and assembly included, and
# each tool is linked against libSystem. The link is not complete: Security.framework and
# CoreFoundation.framework (rustls-platform-verifier, the Keychain store) and libiconv (the libc
# crate asks for it) exist only as stubs in Apple's SDK, which neither zig nor Debian ships, so
# scripts/zig-darwin/link-probe leaves their symbols unresolved. This script fails if anything
# else is unresolved (a C or assembly symbol of ring / aws-lc, a libSystem function zig's stubs
# lack) or if another framework is asked for, and deletes the incomplete executables.
#
# Needs what `scripts/test-services.sh install` installs (the Rust target, ziglang, llvm-nm).
set -euo pipefail
cd "$(dirname "$0")/.."

target=aarch64-apple-darwin
if [ -z "${ZIG:-}" ]; then
  ZIG=$(python3 -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))' 2>/dev/null) ||
    { echo "macos-build: ziglang not found (scripts/test-services.sh install)" >&2; exit 1; }
fi
export ZIG
wrappers="$PWD/scripts/zig-darwin"
export CC_aarch64_apple_darwin="$wrappers/cc" AR_aarch64_apple_darwin="$wrappers/ar"
export CARGO_TARGET_AARCH64_APPLE_DARWIN_LINKER="$wrappers/link-probe"

echo "== $target: the library and both tools (Rust by rustc, C and assembly by zig $("$ZIG" version))"
# rustc warns that `xcrun` cannot find MacOSX.sdk: true, there is none here.
cargo build --target "$target" --features cli,keyring --lib --bins

echo "== $target: what each tool's link leaves unresolved is only Security / CoreFoundation"
deps="${CARGO_TARGET_DIR:-target}/$target/debug"
status=0
for bin in patctl git-credential-patkit; do
  exe="$deps/$bin"
  imports=$(llvm-nm -m -u "$exe")
  from_libsystem=$(grep -c '(from libSystem)' <<<"$imports" || true)
  unresolved=$(grep -v '(from libSystem)' <<<"$imports" | awk '{print $NF}')
  # Apple's names for the Security (Sec, CMS, SSL, Authorization) and CoreFoundation (CF) APIs,
  # with the k… of their constants, and libiconv's.
  other=$(grep -v -E '^_k?(Sec|CF|CMS|SSL|Authorization)|^_iconv' <<<"$unresolved" || true)
  echo "$bin: $from_libsystem symbols from libSystem, $(grep -c . <<<"$unresolved" || true) left for Security / CoreFoundation"
  if [ -n "$other" ]; then
    echo "$bin: unresolved and from neither framework:" >&2
    echo "$other" >&2
    status=1
  fi
  # Not a usable executable (no load command for the frameworks): nothing may pick it up.
  rm -f "$exe"
  find "$deps/deps" -maxdepth 1 -type f -name "${bin//-/_}-*" ! -name '*.d' ! -name '*.o' -delete
done
exit "$status"

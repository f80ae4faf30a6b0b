#!/usr/bin/env bash
# Runs the Windows build of patkit's store tests under Wine: the `stores` test binary built for
# x86_64-pc-windows-gnu (feature testing + keyring), so the file store's refusal and the
# KeyringTokenStore on Wine's Credential Manager (advapi32 Cred* functions) run as Windows code.
# Then runs the Windows patctl once on its emulator with `--store keyring`.
#
# Needs what `scripts/test-services.sh install` installs (wine64, gcc-mingw-w64-x86-64, the
# Rust target). Uses a throwaway Wine prefix, removed on exit. Wine 8 (Debian 12) lacks
# bcryptprimitives.dll, which Rust's standard library imports; scripts/wine/bcryptprimitives.c,
# built with mingw into that prefix only, stands in for it. Wine 8's CredEnumerateW also hands
# out CREDENTIALW records at 4-byte-aligned addresses (Windows aligns them to 8), which the
# alignment checks of a debug build stop in windows-native-keyring-store's enumeration; that one
# crate is built without debug assertions here (`--config`), everything else as usual.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
[ -x "$wine" ] || { echo "wine-test: wine64 not found (scripts/test-services.sh install)" >&2; exit 1; }

prefix=$(mktemp -d -t patkit-wine.XXXXXX)
trap 'WINEPREFIX="$prefix" wineserver -k 2>/dev/null || /usr/lib/wine/wineserver64 -k 2>/dev/null || true; rm -rf "$prefix"' EXIT
export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="

echo "== wine prefix"
"$wine" wineboot --init >/dev/null 2>&1 || true
x86_64-w64-mingw32-gcc -shared -O2 -o "$prefix/drive_c/windows/system32/bcryptprimitives.dll" \
  scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32

wine_config=(--config 'profile.dev.package."windows-native-keyring-store".debug-assertions=false')

echo "== cargo test --target $target --features testing,keyring --test stores (under wine)"
# One test at a time: with two keyring suites at once, Wine's credential code faulted and wine
# then waited for a debugger forever (the `timeout` bounds that). Each suite still runs its own
# concurrent tasks, and the two-process compare-and-swap test its two processes.
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="timeout 600 $wine" \
  cargo test "${wine_config[@]}" --target "$target" --features testing,keyring --test stores -- --test-threads 1

echo "== patctl.exe --emulator --store keyring, under wine"
cargo build "${wine_config[@]}" --target "$target" --features cli,keyring --bin patctl
exe="target/$target/debug/patctl.exe"
out=$(timeout 120 "$wine" "$exe" --emulator --store keyring create feed --scopes vso.code --lifetime 7d --store-as ci/Feed)
grep -q "stored as   ci/Feed" <<<"$out" || { echo "wine-test: create --store-as did not store: $out" >&2; exit 1; }
out=$(timeout 120 "$wine" "$exe" --emulator --store keyring scan --store-only --all)
grep -q "ci/Feed" <<<"$out" || { echo "wine-test: the keyring entry was not listed: $out" >&2; exit 1; }
echo "wine-test: the Windows build's store tests and patctl on the Credential Manager passed under wine"

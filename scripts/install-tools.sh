#!/usr/bin/env bash
# Installs the tools as a user would (`cargo install --path . --features cli`), into a temporary
# root, and runs each installed binary once from there: `patctl` on its built-in emulator, the
# git credential helper through the real `git` (a host it does not serve, so it answers nothing).
# PROFILE_FLAG=--debug reuses debug builds (quicker on a developer machine); CI builds release.
set -euo pipefail
cd "$(dirname "$0")/.."

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

echo "== cargo install --path . --features cli --root $root"
cargo install --locked --quiet ${PROFILE_FLAG:-} --path . --features cli --root "$root"

for bin in patctl git-credential-patkit; do
  test -x "$root/bin/$bin" || { echo "install-tools: $bin was not installed" >&2; exit 1; }
done

echo "== installed patctl --help"
"$root/bin/patctl" --help >/dev/null
echo "== installed patctl --emulator list"
out=$("$root/bin/patctl" --emulator list)
grep -q "laptop git" <<<"$out" || { echo "install-tools: unexpected listing:" >&2; echo "$out" >&2; exit 1; }

echo "== installed git-credential-patkit, through git (a host it does not serve)"
home=$(mktemp -d -p "$root")
answer=$(printf 'protocol=https\nhost=example.com\n\n' |
  env -i PATH="$root/bin:$PATH" HOME="$home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 \
    git -c credential.helper= -c 'credential.helper=patkit --verbose' credential fill 2>&1 || true)
# git found the helper on PATH (as `patkit`); it said why it answered nothing, and git, unable to
# prompt, gave up.
if ! grep -q "not a host this helper serves" <<<"$answer" || grep -q "password=" <<<"$answer"; then
  echo "install-tools: git did not run the installed helper as expected: $answer" >&2
  exit 1
fi
printf 'protocol=https\nhost=example.com\n\n' | "$root/bin/git-credential-patkit" get
echo "install-tools: both tools installed and ran from $root/bin"

//! Shared by the tools tests: building the example binaries and locating them.
//!
//! `env!("CARGO_BIN_EXE_…")` exists for `[[bin]]` targets only, so the tests ask cargo to build
//! the example (a no-op when `cargo test` already built it) and take the executable's path from
//! cargo's JSON messages. That works on a clean clone, with `CARGO_TARGET_DIR` set, and with any
//! profile. The example is built with the features this test binary was built with, so the
//! library is not compiled a second time.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

pub mod interpose;

/// The path of example `name`'s executable, built on first use.
pub fn example_binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", "--example", name, "--message-format=json-render-diagnostics"])
        .args(feature_args())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let output = command.output().expect("run cargo build");
    assert!(output.status.success(), "cargo build --example {name} failed");
    let path = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo did not report an executable for example {name}"));
    built.insert(name.to_owned(), path.clone());
    path
}

/// `--all-features` when every feature this crate has is on (what CI runs), else the exact list.
fn feature_args() -> Vec<String> {
    let known = [
        ("reqwest", cfg!(feature = "reqwest")),
        ("testing", cfg!(feature = "testing")),
        ("emulator", cfg!(feature = "emulator")),
        ("encryption", cfg!(feature = "encryption")),
        ("keyring", cfg!(feature = "keyring")),
        ("vault", cfg!(feature = "vault")),
    ];
    if known.iter().all(|(_, on)| *on) {
        return vec!["--all-features".into()];
    }
    let on: Vec<&str> = known.iter().filter(|(_, on)| *on).map(|(f, _)| *f).collect();
    vec!["--no-default-features".into(), "--features".into(), on.join(",")]
}

/// `s` quoted for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

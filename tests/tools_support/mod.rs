//! Shared by the tools tests: the tools' executables, and shell quoting.
//!
//! The tools are `[[bin]]` targets behind the `cli` feature and the `tools` test binary requires
//! that feature, so cargo builds them before the tests and names them in `CARGO_BIN_EXE_…`.

#![allow(dead_code)]

use std::path::PathBuf;

pub mod interpose;

/// The `patctl` executable cargo built for this test run.
pub fn patctl_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_patctl"))
}

/// The `git-credential-patkit` executable cargo built for this test run.
pub fn helper_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_git-credential-patkit"))
}

/// `s` quoted for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

//! The tools, run as processes: patctl, the git credential helper, and a real `git clone` through
//! it.
//!
//! One test binary for this layer (each binary links the whole crate); each module is the
//! former test file of the same name and keeps its own `cfg`.

#[cfg(all(unix, feature = "emulator", feature = "reqwest"))]
#[path = "../tools_support/mod.rs"]
mod tools_support;

#[path = "../support/report_schema.rs"]
mod report_schema;

mod git_clone;
mod git_configure;
mod git_helper;
mod patctl;
mod providers;
mod store_choice;

//! The Azure DevOps provider: its client (over scripted transports, the emulator in process and
//! over loopback), its credentials, its emulator, tracing and redaction, hostile answers.
//!
//! One test binary for this layer (each binary links the whole crate); each module is the
//! former test file of the same name and keeps its own `cfg`.

#[cfg(feature = "testing")]
#[path = "../common/mod.rs"]
mod common;
#[cfg(all(feature = "emulator", feature = "reqwest"))]
#[path = "../emulator_support/mod.rs"]
mod emulator_support;
#[cfg(unix)]
#[path = "../fake_az/mod.rs"]
mod fake_az;
#[path = "../hostile/harness.rs"]
mod harness;
#[cfg(any(all(feature = "emulator", feature = "reqwest"), feature = "testing", unix))]
#[path = "../support/trace_capture.rs"]
mod trace_capture;

mod chaos;
mod cli_credential;
mod cli_redaction;
mod client_retry;
mod create;
mod devops_sdk;
mod e2e_loopback;
mod emulator_concurrency;
mod emulator_faults;
mod emulator_lifecycle;
mod emulator_pagination;
mod emulator_redaction;
mod emulator_s11;
mod get;
mod hostile_input;
mod limits;
mod list;
mod listings_end;
mod offboard_by_name;
mod redaction;
mod request_tracing;
mod revoke;
mod throttling;
mod token_admin;
mod update;

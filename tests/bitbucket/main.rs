//! The Bitbucket Data Center provider: its client over scripted transports and against its
//! emulator (in process and over loopback HTTP), the provider conformance suite, the admin seam,
//! and redaction of the password.
//!
//! One test binary for this layer (each binary links the whole crate); each module keeps its own
//! `cfg`.

#[cfg(feature = "testing")]
#[path = "../support/trace_capture.rs"]
mod trace_capture;

mod against_emulator;
mod client;
mod emulator_rules;
mod lifecycle;
mod offboard_by_name;
mod redaction;
mod resource_tokens;

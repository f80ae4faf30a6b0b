//! The Gitea / Forgejo provider: its client over scripted transports (operations, the neutral
//! seams, redaction), its emulator over loopback, the client against the emulator, and a real
//! client no one here wrote (giteapy) driving the emulator.
//!
//! One test binary for this layer (each binary links the whole crate); each module keeps its own
//! `cfg`.

#[cfg(feature = "testing")]
#[path = "../support/trace_capture.rs"]
mod trace_capture;

mod against_emulator;
mod client_operations;
mod client_provider;
mod client_redaction;
mod emulator_loopback;
mod emulator_redaction;
mod offboard_by_name;
mod python_giteapy;

//! The GitLab provider: its client (over scripted transports and against its emulator), its
//! credentials, redaction, its emulator over loopback, and a real client no one here wrote
//! (python-gitlab) driving the emulator.
//!
//! One test binary for this layer (each binary links the whole crate); each module keeps its own
//! `cfg`.

#[cfg(feature = "testing")]
#[path = "../support/trace_capture.rs"]
mod trace_capture;

mod admin_scan;
mod against_emulator;
mod client;
mod client_provider;
mod client_redaction;
mod credentials;
mod emulator_loopback;
mod offboard_by_name;
mod operations_loopback;
mod operations_loopback_resources;
mod python_gitlab;
mod resource_lifecycle;
mod throttling;

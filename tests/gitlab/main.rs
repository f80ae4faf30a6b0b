//! The GitLab provider: its client over scripted transports, its credentials, redaction (and
//! its emulator). One test binary for this layer; one module per theme.

#[cfg(feature = "testing")]
#[path = "../support/trace_capture.rs"]
mod trace_capture;

mod client;
mod client_provider;
mod client_redaction;
mod credentials;

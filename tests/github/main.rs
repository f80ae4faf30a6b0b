//! The GitHub provider: its client over scripted transports (App authentication, governance of
//! grants, requests and SAML authorizations, the neutral seams, redaction), its governance
//! emulator over loopback, and the client against the emulator.
//!
//! One test binary for this layer (each binary links the whole crate); each module keeps its own
//! `cfg`.

#[cfg(feature = "testing")]
#[path = "../support/trace_capture.rs"]
mod trace_capture;

mod against_emulator;
mod client_app_auth;
mod client_governance;
mod client_redaction;
mod emulator_loopback;
mod emulator_redaction;
mod offboard_by_name;

//! The GitHub provider: its governance emulator over loopback (and, from the client's side, the
//! client's own modules).
//!
//! One test binary for this layer (each binary links the whole crate); each module keeps its own
//! `cfg`.

#[cfg(feature = "testing")]
#[path = "../support/trace_capture.rs"]
mod trace_capture;

mod emulator_loopback;
mod emulator_redaction;

//! The transport layer: the retry decorator and its tracing.
//!
//! One test binary for this layer (each binary links the whole crate); each module is the
//! former test file of the same name and keeps its own `cfg`.

#[cfg(feature = "testing")]
#[path = "../support/trace_capture.rs"]
mod trace_capture;

mod retry;
mod retry_tracing;

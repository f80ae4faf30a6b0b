//! Captures everything logged at TRACE on the current thread, for canary checks.
//!
//! Include with `#[path = "support/trace_capture.rs"] mod trace_capture;`. Tracing caches per call
//! site whether anyone listens; with a single registered dispatcher it decides from whichever
//! thread reaches a call site first, so a test on another thread without a subscriber could
//! make a capture miss events. [`TraceCapture::start`] therefore keeps a second dispatcher
//! registered for the life of the binary, which makes every call site ask each thread's own
//! default; capturing tests should still assert that they captured something.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};

use tracing::subscriber::DefaultGuard;

/// The captured output; clones share it.
#[derive(Clone, Default)]
pub struct TraceCapture(Arc<Mutex<Vec<u8>>>);

impl TraceCapture {
    /// Starts capturing on this thread until the guard is dropped.
    pub fn start() -> (Self, DefaultGuard) {
        static SECOND: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
        SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
        let capture = Self::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(capture.clone())
            .with_ansi(false)
            .finish();
        (capture, tracing::subscriber::set_default(subscriber))
    }

    /// Everything logged so far.
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for TraceCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for TraceCapture {
    type Writer = TraceCapture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

//! Where scan findings go: the [`ScanSink`] hook and its closure adapter.

use std::fmt;
use std::future::Future;

use async_trait::async_trait;

use super::Finding;

/// Receives each finding of a [`Scan`](super::Scan) as it is made, e.g. to send mail, post to
/// chat or count metrics. Findings never carry a secret.
#[async_trait]
pub trait ScanSink: Send + Sync {
    /// Called once per finding, in the order of the report.
    async fn on_finding(&self, finding: &Finding);
}

/// A [`ScanSink`] made from an async closure; see [`sink_fn`].
pub struct FnSink<F>(F);

impl<F> fmt::Debug for FnSink<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnSink")
    }
}

/// A [`ScanSink`] that calls `f` with a copy of each finding.
///
/// ```
/// use patkit::lifecycle::{sink_fn, Finding};
/// let sink = sink_fn(|finding: Finding| async move {
///     if finding.kind.needs_attention() {
///         eprintln!("{finding}");
///     }
/// });
/// # let _ = sink;
/// ```
pub fn sink_fn<F, Fut>(f: F) -> FnSink<F>
where
    F: Fn(Finding) -> Fut + Send + Sync,
    Fut: Future<Output = ()> + Send,
{
    FnSink(f)
}

#[async_trait]
impl<F, Fut> ScanSink for FnSink<F>
where
    F: Fn(Finding) -> Fut + Send + Sync,
    Fut: Future<Output = ()> + Send,
{
    async fn on_finding(&self, finding: &Finding) {
        (self.0)(finding.clone()).await;
    }
}

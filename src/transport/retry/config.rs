//! What a [`RetryTransport`](super::RetryTransport) is configured with.

use std::time::Duration;

#[cfg(doc)]
use super::RetryTransport;

/// When and how often [`RetryTransport`] tries again.
///
/// ```
/// use std::time::Duration;
/// use patkit::transport::{BackoffConfig, RetryConfig};
///
/// let config = RetryConfig { max_retries: 2, budget: Duration::from_secs(20), ..RetryConfig::default() };
/// assert_eq!(config.backoff, BackoffConfig::default());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryConfig {
    /// How many times one request may be repeated after its first attempt (default 5). `0` turns
    /// retrying off; a request is then sent at most once.
    pub max_retries: u32,
    /// How long to wait between attempts when the server does not say (default: 0.5 s doubling
    /// up to 30 s). A `Retry-After` longer than the backoff wins.
    pub backoff: BackoffConfig,
    /// The most time one request may spend in this transport, counted from its first attempt
    /// (default 2 minutes). A retry whose wait would end after the budget is not made: the last
    /// response or error is returned at once. An attempt already in flight is not interrupted
    /// (bound those with the inner transport's timeouts).
    pub budget: Duration,
    /// Whether to randomise each backoff wait uniformly between zero and its computed value
    /// ("full jitter", default `true`), so that many clients throttled together do not retry in
    /// lock step. `false` waits exactly the computed value, which is predictable but
    /// synchronises clients. `Retry-After` waits are never shortened by jitter.
    pub jitter: bool,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self { max_retries: 5, backoff: BackoffConfig::default(), budget: Duration::from_secs(120), jitter: true }
    }
}

impl RetryConfig {
    /// A configuration that never retries (each request is sent once). Pacing by a
    /// `Retry-After` on a success still applies.
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }
}

/// Exponential backoff: the wait before retry *n* (counting from 0) is
/// `min(max, initial × multiplierⁿ)`, before jitter.
#[derive(Debug, Clone, PartialEq)]
pub struct BackoffConfig {
    /// The wait before the first retry (default 500 ms). Smaller values retry sooner and put
    /// more load on a struggling service.
    pub initial: Duration,
    /// The longest wait between two attempts (default 30 s), whatever the multiplier says.
    pub max: Duration,
    /// How much each wait grows over the previous one (default 2.0). `1.0` waits `initial`
    /// every time; values below 1 shrink the waits.
    pub multiplier: f64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self { initial: Duration::from_millis(500), max: Duration::from_secs(30), multiplier: 2.0 }
    }
}

impl BackoffConfig {
    /// The wait before retry `retry` (0-based), before jitter.
    pub(super) fn ceiling(&self, retry: u32) -> Duration {
        let factor = self.multiplier.powi(i32::try_from(retry).unwrap_or(i32::MAX));
        let secs = self.initial.as_secs_f64() * factor;
        if secs.is_finite() && secs >= 0.0 {
            Duration::try_from_secs_f64(secs).map_or(self.max, |d| d.min(self.max))
        } else {
            self.max
        }
    }
}

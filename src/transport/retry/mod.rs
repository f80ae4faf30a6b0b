//! The retry decorator: [`RetryTransport`] and its configuration.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::{HttpRequest, HttpResponse, HttpTransport, Operation, TransportError, TransportErrorKind};
use crate::clock::{Clock, SystemClock};

mod after;
mod config;
mod jitter;
#[cfg(test)]
mod tests;

pub(crate) use after::retry_after;
pub use config::{BackoffConfig, RetryConfig};
use jitter::XorShift;

/// An [`HttpTransport`] that retries what is safe to retry, over any other transport.
///
/// # What is retried
///
/// Each request's [`Operation`] (from its extensions) decides. A request without one is treated
/// as **not idempotent**.
///
/// | outcome | [idempotent](crate::transport::Idempotency::Idempotent) | [not idempotent](crate::transport::Idempotency::NotIdempotent), [conditional write](crate::transport::Idempotency::ConditionalWrite), untagged |
/// |---|---|---|
/// | [`TransportErrorKind::Connect`] (never reached the server) | retried | retried |
/// | [`TransportErrorKind::Timeout`], [`TransportErrorKind::Interrupted`] | retried | **returned** |
/// | HTTP 408, 429, 500, 502, 503, 504 | retried | **returned** |
/// | any other status, any other error kind | returned | returned |
///
/// So a create is never repeated once it may have reached the server: repeating it could mint a
/// second live token. Likewise a store's compare-and-set write
/// ([`Idempotency::ConditionalWrite`](crate::transport::Idempotency::ConditionalWrite)) is never repeated: if the first attempt landed, the
/// repeat would be refused as a conflict and hide the success. The caller gets the response or
/// error and decides (e.g. by looking for the token by its display name).
///
/// # How long it waits
///
/// Before retry *n* it waits `max(backoff, Retry-After)`, where backoff is
/// [`BackoffConfig`]'s `min(max, initial × multiplierⁿ)`, randomised by full jitter when
/// [`RetryConfig::jitter`] is on (from a small generator seeded per transport; see
/// [`seed`](Self::seed)). `Retry-After` is read as delta-seconds or an HTTP date (compared
/// with the injected [`Clock`], see [`clock`](Self::clock)); `retry-after-ms` and
/// `x-ms-retry-after-ms` are honoured too. If the wait would end after the
/// [`budget`](RetryConfig::budget), or [`max_retries`](RetryConfig::max_retries) is used up,
/// the last response or error is returned as it is.
///
/// A `Retry-After` on a **successful** (2xx) response is the service pacing its callers: the
/// next request through this transport waits until that time before it is sent (that wait is
/// not charged to the next request's budget, and lasts at most one budget).
///
/// Waits use `tokio::time::sleep`, so tests can run them in virtual time
/// (`#[tokio::test(start_paused = true)]`). Each retry emits a `tracing` event at `INFO` (target
/// `patkit::transport::retry`) with the operation, the attempt number, the status or error kind
/// and the wait; each attempt emits one at `DEBUG` with its outcome, and the number of attempts
/// so far is recorded on the current span's `attempts` field, if it has one (the client's
/// `patkit.request` span does). No header, URL or body is logged.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use patkit::transport::{HttpTransport, Operation, RetryConfig, RetryTransport, from_fn};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap().block_on(async {
/// let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
/// let counter = calls.clone();
/// let flaky = from_fn(move |_request| {
///     let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
///     async move { Ok(http::Response::builder().status(if n < 2 { 503 } else { 200 }).body(Vec::new()).unwrap()) }
/// });
/// let transport = RetryTransport::new(flaky, RetryConfig::default());
///
/// let mut request = http::Request::get("https://forge.example/api/tokens").body(Vec::new()).unwrap();
/// request.extensions_mut().insert(Operation::idempotent("list"));
/// assert_eq!(transport.send(request).await.unwrap().status(), 200);
/// assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
/// # });
/// ```
pub struct RetryTransport {
    inner: Arc<dyn HttpTransport>,
    config: RetryConfig,
    clock: Arc<dyn Clock>,
    rng: Mutex<XorShift>,
    not_before: Mutex<Option<Instant>>,
}

impl RetryTransport {
    /// Retries requests sent through `inner` according to `config`, judging `Retry-After` dates
    /// by the system clock.
    pub fn new(inner: impl HttpTransport + 'static, config: RetryConfig) -> Self {
        Self {
            inner: Arc::new(inner),
            config,
            clock: Arc::new(SystemClock),
            rng: Mutex::new(XorShift::from_entropy()),
            not_before: Mutex::new(None),
        }
    }

    /// Judges `Retry-After` HTTP dates by `clock` instead of the system clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Seeds the jitter generator, for reproducible waits in tests. By default it is seeded from
    /// the operating system's randomness.
    pub fn seed(self, seed: u64) -> Self {
        *lock(&self.rng) = XorShift::from_seed(seed);
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &RetryConfig {
        &self.config
    }

    /// Waits until pacing asked for by an earlier `Retry-After` on a success has passed.
    async fn pace(&self) {
        let not_before = *lock(&self.not_before);
        if let Some(at) = not_before
            && at > Instant::now()
        {
            tracing::debug!(wait_ms = millis(at - Instant::now()), "patkit: pacing as asked by an earlier Retry-After");
            tokio::time::sleep_until(at).await;
        }
    }

    fn remember_pacing(&self, response: &HttpResponse) {
        // Most answers carry no `Retry-After` in any form: one pass over the names decides.
        let asks_to_wait =
            |name: &http::HeaderName| matches!(name.as_str(), "retry-after" | "retry-after-ms" | "x-ms-retry-after-ms");
        if !response.headers().keys().any(asks_to_wait) {
            return;
        }
        // Capped at the budget: one hostile answer must not stall every later request for years.
        if let Some(delay) = retry_after(response.headers(), self.clock.now()).map(|d| d.min(self.config.budget))
            && !delay.is_zero()
            && let Some(at) = Instant::now().checked_add(delay)
        {
            let mut not_before = lock(&self.not_before);
            *not_before = Some(not_before.map_or(at, |earlier| earlier.max(at)));
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.config.backoff.ceiling(retry);
        if self.config.jitter { ceiling.mul_f64(lock(&self.rng).next_unit()) } else { ceiling }
    }
}

/// A request the retry loop keeps for the next attempt. Dropping it wipes its body; headers are
/// reference-counted `Bytes` shared with the copies already sent (and marked sensitive), so
/// there is no copy of them here to wipe.
struct HeldRequest(Option<HttpRequest>);

impl HeldRequest {
    /// A copy to send, keeping the original for a later attempt.
    fn copy(&self) -> HttpRequest {
        self.0.clone().expect("a held request is taken only for the last attempt")
    }

    /// The original, for the last attempt.
    fn take(&mut self) -> HttpRequest {
        self.0.take().expect("a held request is taken only for the last attempt")
    }
}

impl Drop for HeldRequest {
    fn drop(&mut self) {
        if let Some(request) = &mut self.0 {
            zeroize::Zeroize::zeroize(request.body_mut());
        }
    }
}

#[async_trait]
impl HttpTransport for RetryTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (outcome, attempts) = self.send_with_retries(request).await;
        // Once, at the end: some subscribers append rather than replace re-recorded fields.
        tracing::Span::current().record("attempts", attempts);
        outcome
    }
}

impl RetryTransport {
    /// The retry loop; returns the last outcome and how many attempts were made.
    async fn send_with_retries(&self, request: HttpRequest) -> (Result<HttpResponse, TransportError>, u32) {
        let operation = Operation::of(&request);
        let idempotent = operation.is_some_and(Operation::is_idempotent);
        let op_name = operation.map_or("untagged", Operation::name);

        self.pace().await;
        let deadline = Instant::now().checked_add(self.config.budget);
        let mut retries: u32 = 0;
        // The request kept for further attempts; its body (which may hold a secret: a store
        // write carries a PAT) is wiped when the loop ends. Each attempt gets a copy, except the
        // last possible one, which gets the request itself.
        let mut held = HeldRequest(Some(request));
        loop {
            let last = retries >= self.config.max_retries;
            let attempt = if last { held.take() } else { held.copy() };
            let outcome = self.inner.send(attempt).await;
            record_attempt(op_name, retries + 1, &outcome);
            match &outcome {
                Ok(response) if response.status().is_success() => {
                    self.remember_pacing(response);
                    return (outcome, retries + 1);
                }
                Ok(response) if !(idempotent && is_retryable_status(response.status().as_u16())) => {
                    return (outcome, retries + 1);
                }
                Err(error) if !is_retryable_error(error.kind(), idempotent) => return (outcome, retries + 1),
                _ => {}
            }
            if retries >= self.config.max_retries {
                tracing::debug!(operation = op_name, attempts = retries + 1, "patkit: retries used up");
                return (outcome, retries + 1);
            }
            let server_wait = outcome.as_ref().ok().and_then(|r| retry_after(r.headers(), self.clock.now()));
            let wait = self.backoff(retries).max(server_wait.unwrap_or_default());
            let wake = Instant::now().checked_add(wait);
            if deadline.is_some_and(|deadline| wake.is_none_or(|wake| wake > deadline)) {
                tracing::info!(
                    operation = op_name,
                    attempts = retries + 1,
                    wait_ms = millis(wait),
                    "patkit: not retrying, the wait would exceed the retry budget"
                );
                return (outcome, retries + 1);
            }
            retries += 1;
            match &outcome {
                Ok(response) => tracing::info!(
                    operation = op_name,
                    attempt = retries + 1,
                    status = response.status().as_u16(),
                    wait_ms = millis(wait),
                    retry_after = server_wait.is_some(),
                    "patkit: retrying request"
                ),
                Err(error) => tracing::info!(
                    operation = op_name,
                    attempt = retries + 1,
                    error_kind = ?error.kind(),
                    wait_ms = millis(wait),
                    "patkit: retrying request"
                ),
            }
            tokio::time::sleep(wait).await;
        }
    }
}

impl fmt::Debug for RetryTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryTransport")
            .field("inner", &self.inner)
            .field("config", &self.config)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// One `DEBUG` event per attempt, inside the caller's span (e.g. the client's `patkit.request`).
fn record_attempt(op_name: &str, attempt: u32, outcome: &Result<HttpResponse, TransportError>) {
    match outcome {
        Ok(response) => {
            tracing::debug!(operation = op_name, attempt, status = response.status().as_u16(), "patkit: attempt done");
        }
        Err(error) => {
            tracing::debug!(operation = op_name, attempt, error_kind = ?error.kind(), "patkit: attempt failed")
        }
    }
}

fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

fn is_retryable_error(kind: TransportErrorKind, idempotent: bool) -> bool {
    match kind {
        TransportErrorKind::Connect => true,
        TransportErrorKind::Timeout | TransportErrorKind::Interrupted => idempotent,
        _ => false,
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

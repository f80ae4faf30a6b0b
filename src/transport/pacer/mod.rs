//! Adaptive pacing: one [`Pacer`] per client keeps its requests under the service's rate limit
//! and adapts how many are in flight, so bulk work runs at the limit without colliding with it.

mod signals;
mod state;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::{HttpRequest, HttpResponse, HttpTransport, TransportError};
use crate::clock::{Clock, SystemClock};
use signals::Signals;
use state::{State, Step};

/// How a client paces its requests; set with each provider client's builder (`.pacing(…)`).
///
/// ```
/// use patkit::transport::{Pacing, PacingLimits};
///
/// assert_eq!(Pacing::default(), Pacing::Adaptive(PacingLimits::default()));
/// let gentle = Pacing::Adaptive(PacingLimits { max_concurrency: 4, max_per_second: Some(10.0), ..PacingLimits::default() });
/// # let _ = (gentle, Pacing::Off);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum Pacing {
    /// No pacing: every request is sent when it is made (the retry decorator still honours
    /// `Retry-After`). Bulk flows then run at their own fixed concurrency.
    Off,
    /// A [`Pacer`] with these limits (the default): it reads the rate-limit headers and
    /// `Retry-After`, keeps requests within the budget the service reports, and adapts the
    /// number in flight.
    Adaptive(PacingLimits),
}

impl Default for PacingLimits {
    fn default() -> Self {
        Self {
            max_concurrency: 32,
            initial_concurrency: 4,
            max_per_second: None,
            max_held: 4,
            max_wait: std::time::Duration::from_secs(120),
        }
    }
}

impl Default for Pacing {
    fn default() -> Self {
        Self::Adaptive(PacingLimits::default())
    }
}

/// The bounds an adaptive [`Pacer`] works within. Plain fields; start from [`Default`].
#[derive(Debug, Clone, PartialEq)]
pub struct PacingLimits {
    /// The most requests in flight at once (default 32), and the concurrency bulk flows
    /// (rotation, offboarding, scans) use when their caller does not set one: the pacer decides
    /// how many of those actually go at a time.
    pub max_concurrency: usize,
    /// Requests in flight at first (default 4); the window grows by one per answer until the
    /// service shows a sign of its limit, then by one per window of answers, and halves on each
    /// such sign (a refused request, a 5xx, or a held one where holding is not the service's
    /// way).
    pub initial_concurrency: usize,
    /// A ceiling of your own on requests per second (default none: the service's headers
    /// decide).
    pub max_per_second: Option<f64>,
    /// With the reported budget spent, how many requests may wait at a service that holds
    /// what is over its limit ([`OverLimit::Held`]; default 4). More keep a busy window full
    /// as it frees; too many and the service blocks (429): each refusal halves it, down to 1.
    pub max_held: usize,
    /// The longest the pacer waits for budget before a request (default 2 minutes, the
    /// default [`RetryConfig::budget`](super::RetryConfig::budget)). A request that would wait
    /// longer — a budget spent until a reset far ahead, a long `Retry-After` — is not sent: the
    /// pacer answers it with a 429 carrying `Retry-After` (the wait, at most 5 minutes) and the
    /// header `x-patkit-paced: not-sent`, which the client reports as
    /// [`Error::RateLimited`](crate::Error::RateLimited) at once, so one call never stalls for
    /// minutes and a request the service never saw is safe to send again later.
    pub max_wait: std::time::Duration,
}

/// What a service does with a request over its rate limit: decides what the pacer dares when the
/// reported budget is spent. Each provider's client declares its service's.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverLimit {
    /// It holds the request and answers once there is room (delays before it blocks): the pacer
    /// lets a few requests wait there ([`PacingLimits::max_held`]), and the service's answers
    /// pace the rest.
    Held,
    /// It refuses the request (429 or 403): the pacer waits for the budget to refill.
    Refused,
}

/// What a [`Pacer`] has done.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PacerStats {
    /// Requests let through.
    pub sent: u64,
    /// Answers the service said it had held back (`X-RateLimit-Delay`).
    pub delayed: u64,
    /// Answers that refused a request for the rate (429, or a 403 saying the budget is gone).
    pub refused: u64,
}

/// Paces every request of one client (share it: it is in an `Arc` inside the client, and every
/// concurrent task of that client goes through the same one).
///
/// Before each request it waits, if need be, for:
/// - a `Retry-After` (on a refusal, or on a success as "slow down");
/// - room in its concurrency window (additive increase, multiplicative decrease on a held or
///   refused request or a 5xx);
/// - budget: the `X-RateLimit-Remaining` / `RateLimit-Remaining` the service last reported,
///   less the requests sent since, until the `*-Reset` it reported. With the budget spent, a
///   service that holds what is over ([`OverLimit::Held`]) gets a few at a time
///   ([`max_held`](PacingLimits::max_held)) and its answers pace the rest, and one that refuses
///   ([`OverLimit::Refused`]) gets none until the reset;
/// - its own [`max_per_second`](PacingLimits::max_per_second), if set.
///
/// No one answer makes it wait more than 5 minutes (a hostile or broken `Retry-After` or reset
/// is capped there).
///
/// The pacer names no provider: every service in this crate reports its budget in one of two
/// header families, both read here.
///
/// ```
/// use std::sync::Arc;
/// use patkit::transport::{HttpTransport, OverLimit, PacedTransport, Pacer, PacingLimits, from_fn};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap().block_on(async {
/// // A service with 2 requests left in a window that ends in 60 s.
/// let service = from_fn(|_request| async {
///     Ok(http::Response::builder()
///         .header("ratelimit-limit", "2")
///         .header("ratelimit-remaining", "0")
///         .header("ratelimit-reset", "60")
///         .body(Vec::new())
///         .unwrap())
/// });
/// let pacer = Arc::new(Pacer::new(PacingLimits::default(), OverLimit::Refused));
/// let transport = PacedTransport::new(service, pacer.clone());
/// let started = tokio::time::Instant::now();
/// for _ in 0..2 {
///     transport.send(http::Request::new(Vec::new())).await.unwrap();
/// }
/// // The first answer said the budget was spent: the second request waited for the reset.
/// assert!(started.elapsed() >= std::time::Duration::from_secs(60));
/// assert_eq!(pacer.stats().sent, 2);
/// # });
/// ```
pub struct Pacer {
    state: Mutex<State>,
    answered: Notify,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Pacer")
            .field("limits", state.limits())
            .field("window", &state.window())
            .field("stats", &state.stats())
            .finish_non_exhaustive()
    }
}

impl Pacer {
    /// A pacer within `limits` for a service that does `over_limit` with what is over its limit;
    /// Unix times in headers are judged by the system clock.
    pub fn new(limits: PacingLimits, over_limit: OverLimit) -> Self {
        Self {
            state: Mutex::new(State::new(limits, over_limit)),
            answered: Notify::new(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Judges Unix times and HTTP dates in headers by `clock` instead of the system clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The most requests in flight at once: what a bulk flow uses as its concurrency when its
    /// caller set none.
    pub fn max_concurrency(&self) -> usize {
        self.lock().limits().max_concurrency.max(1)
    }

    /// How many requests may be in flight now (the adaptive window).
    pub fn window(&self) -> usize {
        self.lock().window()
    }

    /// What it has done so far.
    pub fn stats(&self) -> PacerStats {
        self.lock().stats()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a request may be sent; the permit reports its answer. `Err(wait)` when the
    /// wait would exceed [`PacingLimits::max_wait`].
    async fn acquire(&self) -> Result<Permit<'_>, std::time::Duration> {
        loop {
            // Registered before the state is read, so an answer in between is not missed.
            let mut answered = std::pin::pin!(self.answered.notified());
            answered.as_mut().enable();
            let now = Instant::now();
            let (step, max_wait) = {
                let mut state = self.lock();
                (state.try_acquire(now), state.limits().max_wait)
            };
            match step {
                Step::Go(seq) => return Ok(Permit { pacer: self, seq, done: false }),
                Step::Wait(None) => answered.await,
                Step::Wait(Some(at)) if at.saturating_duration_since(now) > max_wait => {
                    return Err(at.saturating_duration_since(now));
                }
                Step::Wait(Some(at)) => {
                    tracing::trace!(wait_ms = millis(at.saturating_duration_since(Instant::now())), "patkit: pacing");
                    let _ = tokio::time::timeout_at(at, answered).await;
                }
            }
        }
    }

    fn release(&self, seq: u64, response: Option<&HttpResponse>) {
        let signals = response.map(|r| Signals::read(r, || self.clock.now()));
        self.lock().release(Instant::now(), seq, signals.as_ref());
        self.answered.notify_waiters();
    }
}

/// A request in flight; dropped unanswered (cancelled, or failed in transport) it frees its slot.
struct Permit<'a> {
    pacer: &'a Pacer,
    seq: u64,
    done: bool,
}

impl Permit<'_> {
    fn answered(mut self, response: Option<&HttpResponse>) {
        self.done = true;
        self.pacer.release(self.seq, response);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.pacer.release(self.seq, None);
        }
    }
}

/// An [`HttpTransport`] that sends every request through a shared [`Pacer`]. Put it *inside*
/// a [`RetryTransport`](super::RetryTransport), so that each attempt is paced and every answer,
/// refusals included, teaches the pacer.
pub struct PacedTransport {
    inner: Arc<dyn HttpTransport>,
    pacer: Arc<Pacer>,
}

impl PacedTransport {
    /// Paces requests sent through `inner` with `pacer`.
    pub fn new(inner: impl HttpTransport + 'static, pacer: Arc<Pacer>) -> Self {
        Self { inner: Arc::new(inner), pacer }
    }

    /// The pacer.
    pub fn pacer(&self) -> &Arc<Pacer> {
        &self.pacer
    }
}

impl fmt::Debug for PacedTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PacedTransport").field("inner", &self.inner).field("pacer", &self.pacer).finish()
    }
}

#[async_trait]
impl HttpTransport for PacedTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let permit = match self.pacer.acquire().await {
            Ok(permit) => permit,
            Err(wait) => {
                tracing::debug!(wait_ms = millis(wait), "patkit: pacing: over the wait limit, not sent");
                return Ok(not_sent(wait));
            }
        };
        let outcome = self.inner.send(request).await;
        permit.answered(outcome.as_ref().ok());
        outcome
    }
}

/// The answer to a request the pacer did not send because its wait was too long: a 429 with
/// the wait as `Retry-After` (whole seconds, rounded up).
fn not_sent(wait: std::time::Duration) -> HttpResponse {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = HttpResponse::new(Vec::new());
    *response.status_mut() = http::StatusCode::TOO_MANY_REQUESTS;
    let headers = response.headers_mut();
    headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
    headers.insert("x-patkit-paced", http::HeaderValue::from_static("not-sent"));
    response
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    /// A service whose every answer says the budget is spent until `reset_secs` from now.
    fn spent_until(reset_secs: u64, calls: Arc<AtomicUsize>) -> impl HttpTransport {
        crate::transport::from_fn(move |_request| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(http::Response::builder()
                    .header("ratelimit-limit", "1")
                    .header("ratelimit-remaining", "0")
                    .header("ratelimit-reset", reset_secs.to_string())
                    .body(Vec::new())
                    .unwrap())
            }
        })
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_beyond_max_wait_is_answered_at_once_with_a_429_and_nothing_is_sent() {
        let calls = Arc::new(AtomicUsize::new(0));
        let pacer = Arc::new(Pacer::new(PacingLimits::default(), OverLimit::Refused));
        let transport = PacedTransport::new(spent_until(3600, calls.clone()), pacer.clone());
        transport.send(http::Request::new(Vec::new())).await.unwrap();

        let started = Instant::now();
        let answer = transport.send(http::Request::new(Vec::new())).await.unwrap();
        assert_eq!(started.elapsed(), Duration::ZERO, "no waiting");
        assert_eq!(answer.status(), http::StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(answer.headers()["x-patkit-paced"], "not-sent");
        // The reset an hour ahead is capped at the pacer's 5-minute horizon.
        assert_eq!(answer.headers()[http::header::RETRY_AFTER], "300");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "the second request never reached the service");
        assert_eq!(pacer.stats().sent, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_within_max_wait_is_waited_out_and_sent() {
        let calls = Arc::new(AtomicUsize::new(0));
        let limits = PacingLimits { max_wait: Duration::from_secs(90), ..PacingLimits::default() };
        let pacer = Arc::new(Pacer::new(limits, OverLimit::Refused));
        let transport = PacedTransport::new(spent_until(60, calls.clone()), pacer);
        transport.send(http::Request::new(Vec::new())).await.unwrap();
        let started = Instant::now();
        let answer = transport.send(http::Request::new(Vec::new())).await.unwrap();
        assert!(started.elapsed() >= Duration::from_secs(60), "{:?}", started.elapsed());
        assert_eq!(answer.status(), http::StatusCode::OK);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}

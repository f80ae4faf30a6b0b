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
        Self { max_concurrency: 32, initial_concurrency: 4, max_per_second: None, max_held: 4 }
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

    /// Waits until a request may be sent; the permit reports its answer.
    async fn acquire(&self) -> Permit<'_> {
        loop {
            // Registered before the state is read, so an answer in between is not missed.
            let mut answered = std::pin::pin!(self.answered.notified());
            answered.as_mut().enable();
            let step = self.lock().try_acquire(Instant::now());
            match step {
                Step::Go(seq) => return Permit { pacer: self, seq, done: false },
                Step::Wait(None) => answered.await,
                Step::Wait(Some(at)) => {
                    tracing::trace!(wait_ms = millis(at.saturating_duration_since(Instant::now())), "patkit: pacing");
                    let _ = tokio::time::timeout_at(at, answered).await;
                }
            }
        }
    }

    fn release(&self, seq: u64, response: Option<&HttpResponse>) {
        let signals = response.map(|r| Signals::read(r, self.clock.now()));
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
        let permit = self.pacer.acquire().await;
        let outcome = self.inner.send(request).await;
        permit.answered(outcome.as_ref().ok());
        outcome
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

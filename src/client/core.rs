//! The transport, retry wiring, clock and the instrumented send every client shares.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use zeroize::Zeroize as _;

use crate::clock::Clock;
use crate::error::Result;
use crate::transport::{
    HttpRequest, HttpResponse, HttpTransport, Operation, OverLimit, PacedTransport, Pacer, Pacing, RetryConfig,
    RetryTransport,
};

/// How a client sends: its transport (retrying or not) and its clock.
#[derive(Clone)]
pub(crate) struct Core {
    transport: Arc<dyn HttpTransport>,
    clock: Arc<dyn Clock>,
    /// Whether the transport is wrapped in the retry decorator (which records `attempts`).
    retrying: bool,
    /// The client's pacer, shared by every request (and clone) of it; `None` with [`Pacing::Off`].
    pacer: Option<Arc<Pacer>>,
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Core")
            .field("transport", &self.transport)
            .field("retrying", &self.retrying)
            .field("pacing", &self.pacer.is_some())
            .finish()
    }
}

impl Core {
    /// `transport` (or the default one: [`ReqwestTransport`](crate::transport::ReqwestTransport)
    /// with the `reqwest` feature, an error without it), paced by a new [`Pacer`] unless
    /// `pacing` is [`Pacing::Off`] (`over_limit`: what the provider's service does with a request
    /// over its limit), and wrapped in a [`RetryTransport`] with `retry` and `clock` unless
    /// `retry.max_retries` is 0. The pacer sits inside the retries, so every attempt is paced.
    pub(crate) fn new(
        transport: Option<Arc<dyn HttpTransport>>,
        retry: RetryConfig,
        clock: Arc<dyn Clock>,
        pacing: Pacing,
        over_limit: OverLimit,
    ) -> Result<Self> {
        let mut transport = match transport {
            Some(t) => t,
            None => default_transport()?,
        };
        let pacer = match pacing {
            Pacing::Off => None,
            Pacing::Adaptive(limits) => Some(Arc::new(Pacer::new(limits, over_limit).clock(clock.clone()))),
        };
        if let Some(pacer) = &pacer {
            transport = Arc::new(PacedTransport::new(transport, pacer.clone()));
        }
        let retrying = retry.max_retries > 0;
        if retrying {
            transport = Arc::new(RetryTransport::new(transport, retry).clock(clock.clone()));
        }
        Ok(Self { transport, clock, retrying, pacer })
    }

    /// The concurrency a bulk flow should use when its caller set none: the pacer's ceiling.
    pub(crate) fn bulk_concurrency(&self) -> Option<usize> {
        self.pacer.as_ref().map(|p| p.max_concurrency())
    }

    /// The transport requests go through (the retry decorator included).
    pub(crate) fn transport(&self) -> &Arc<dyn HttpTransport> {
        &self.transport
    }

    /// The clock.
    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, by the clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Sends `request` and parses the answer, inside a `patkit.request` tracing span (level
    /// `DEBUG`) with the fields `operation`, `organization` (the provider's scope: an
    /// organization or a host), `status` (the last answer's), `attempts` (recorded by the retry
    /// decorator; 1 when retrying is off) and `elapsed_ms` (all attempts and waits). Never a
    /// header, a URL or a body.
    ///
    /// The body of a sensitive answer (one whose [`Operation`] is sensitive, e.g. a create that
    /// holds the new secret) is zeroed once `parse` is done with it.
    pub(crate) async fn execute<T>(
        &self,
        organization: &str,
        request: HttpRequest,
        parse: impl FnOnce(&HttpResponse, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        use tracing::Instrument as _;
        use tracing::field::Empty;
        let sensitive = Operation::of(&request).is_some_and(Operation::is_sensitive);
        let op = Operation::of(&request).map_or("unknown", Operation::name);
        let span = tracing::debug_span!(
            "patkit.request",
            operation = op,
            organization = %organization,
            status = Empty,
            attempts = Empty,
            elapsed_ms = Empty
        );
        if !self.retrying {
            span.record("attempts", 1);
        }
        let started = tokio::time::Instant::now();
        let response = self.transport.send(request).instrument(span.clone()).await;
        span.record("elapsed_ms", u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                span.in_scope(|| tracing::debug!(error.kind = ?e.kind(), "transport failed"));
                return Err(e.into());
            }
        };
        span.record("status", response.status().as_u16());
        let result = parse(&response, self.now());
        if sensitive {
            response.into_body().zeroize();
        }
        if let Err(e) = &result {
            span.in_scope(|| tracing::debug!(error = %e, "request failed"));
        }
        result
    }
}

#[cfg(feature = "reqwest")]
fn default_transport() -> Result<Arc<dyn HttpTransport>> {
    Ok(Arc::new(crate::transport::ReqwestTransport::new()?))
}

#[cfg(not(feature = "reqwest"))]
fn default_transport() -> Result<Arc<dyn HttpTransport>> {
    Err(crate::error::Error::invalid_input(
        "transport",
        "no transport given and the `reqwest` feature is off; call `.transport(…)`",
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use http::StatusCode;

    use super::*;
    use crate::clock::SystemClock;
    use crate::transport::{TransportError, TransportErrorKind, from_fn};

    const PROBE: Operation = Operation::idempotent("probe");

    fn probe() -> HttpRequest {
        http::Request::get("https://example.test/").extension(PROBE).body(Vec::new()).unwrap()
    }

    /// A transport answering 503 `failures` times, then 200, counting calls.
    fn flaky(failures: u32, calls: Arc<AtomicU32>) -> Arc<dyn HttpTransport> {
        Arc::new(from_fn(move |_req: HttpRequest| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                let mut response = http::Response::new(Vec::new());
                *response.status_mut() = if n < failures { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
                Ok::<_, TransportError>(response)
            }
        }))
    }

    #[tokio::test(start_paused = true)]
    async fn retries_are_wired_unless_turned_off() {
        let calls = Arc::new(AtomicU32::new(0));
        let core = Core::new(
            Some(flaky(1, calls.clone())),
            RetryConfig::default(),
            Arc::new(SystemClock),
            Pacing::Off,
            OverLimit::Refused,
        )
        .unwrap();
        let status = core.execute("org", probe(), |r, _| Ok(r.status())).await.unwrap();
        assert_eq!((status, calls.load(Ordering::SeqCst)), (StatusCode::OK, 2), "one 503, retried once");

        let calls = Arc::new(AtomicU32::new(0));
        let core = Core::new(
            Some(flaky(1, calls.clone())),
            RetryConfig::none(),
            Arc::new(SystemClock),
            Pacing::Off,
            OverLimit::Refused,
        )
        .unwrap();
        let status = core.execute("org", probe(), |r, _| Ok(r.status())).await.unwrap();
        assert_eq!((status, calls.load(Ordering::SeqCst)), (StatusCode::SERVICE_UNAVAILABLE, 1), "not retried");
    }

    #[tokio::test]
    async fn transport_failures_become_errors_before_parse() {
        let failing: Arc<dyn HttpTransport> = Arc::new(from_fn(|_req: HttpRequest| async {
            Err::<crate::transport::HttpResponse, _>(TransportError::new(TransportErrorKind::Connect, "refused"))
        }));
        let core =
            Core::new(Some(failing), RetryConfig::none(), Arc::new(SystemClock), Pacing::default(), OverLimit::Refused)
                .unwrap();
        let result = core.execute("org", probe(), |_, _| -> Result<()> { panic!("parse must not run") }).await;
        assert!(matches!(result, Err(crate::Error::Transport(ref t)) if t.kind() == TransportErrorKind::Connect));
    }
}

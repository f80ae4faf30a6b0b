//! One request through the emulator: classify, faults, rate limiter, authentication, handler.

use std::time::Duration;

use async_trait::async_trait;
use http::StatusCode;

use super::Emulator;
use super::auth::{authenticate, claimed_user};
use super::facts;
use super::routes::Route;
use super::tokens::Call;
use super::wire::{Incoming, set_header};
use crate::testing::emulator_kit::{EmulatedService, Fault, Outcome};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};

impl Emulator {
    /// Runs one request through the emulator.
    async fn run(&self, request: HttpRequest) -> Outcome {
        let incoming = Incoming::new(request);
        let route = incoming.segments.as_ref().and_then(|s| Route::classify(&incoming.method, s));
        let operation = route.as_ref().map(|r| r.operation().name());
        let decision = self.inner.harness.admit(operation).await;
        let mut response = match decision.action {
            Some(Fault::RateLimited { retry_after }) => throttled(retry_after),
            Some(Fault::ServerError { status }) => server_error(status),
            _ => self.handle(route.as_ref(), &incoming),
        };
        // Method, operation and status only: never headers, query values or bodies.
        tracing::debug!(method = %incoming.method, operation = operation.unwrap_or("unknown"), status = response.status().as_u16(), fault = ?decision.action, "patkit bitbucket emulator");
        if decision.action == Some(Fault::CommitThenDrop) {
            return Outcome::Drop;
        }
        if let Some(Fault::SlowDown { retry_after }) = decision.action {
            set_header(&mut response, "retry-after", &seconds(retry_after).to_string());
        }
        Outcome::Respond(response)
    }

    fn handle(&self, route: Option<&Route>, request: &Incoming) -> HttpResponse {
        let now = self.now();
        let mut state = self.lock();
        let Some(route) = route else { return facts::no_route() };
        let key = claimed_user(&state, request);
        if !state.take(&key, now) {
            let wait = state.rate_limit.map_or(Duration::from_secs(1), |l| l.retry_after);
            return throttled(wait);
        }
        let principal = match authenticate(&mut state, request, now) {
            Ok(p) => p,
            Err(refusal) => return refusal,
        };
        let mut call = Call { state: &mut state, principal: &principal, request, now };
        let answer = match route {
            Route::List(owner) => call.list(owner),
            Route::Create(owner) => call.create(owner),
            Route::Get(owner, id) => call.get(owner, id),
            Route::Update(owner, id) => call.update(owner, id),
            Route::Delete(owner, id) => call.delete(owner, id),
            Route::Read(owner) => call.read(owner),
            Route::AdminUsers => call.admin_users(),
            Route::Keys(gpg) => call.keys(*gpg),
        };
        answer.unwrap_or_else(|refusal| refusal)
    }
}

/// 429 with `Retry-After` and the errors body (§5.7: the headers are unverified for DC; *pick*).
fn throttled(retry_after: Duration) -> HttpResponse {
    let mut r = facts::errors(StatusCode::TOO_MANY_REQUESTS, None, "Rate limit exceeded.", facts::RATE_LIMITED);
    set_header(&mut r, "retry-after", &seconds(retry_after).to_string());
    r
}

/// A 5xx in the errors shape (a status outside 500–599 is taken as 500).
fn server_error(status: u16) -> HttpResponse {
    let status = StatusCode::from_u16(status)
        .ok()
        .filter(StatusCode::is_server_error)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    facts::errors(status, None, status.canonical_reason().unwrap_or("Server Error"), facts::SERVER_ERROR)
}

/// Whole seconds, rounded up, at least 1.
fn seconds(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

#[async_trait]
impl EmulatedService for Emulator {
    async fn dispatch(&self, request: HttpRequest) -> Outcome {
        self.run(request).await
    }
}

/// In process: no sockets. The path decides (scheme and host are ignored).
/// [`Fault::CommitThenDrop`] becomes a [`TransportError`] of kind
/// [`Interrupted`](crate::transport::TransportErrorKind::Interrupted) after the request was applied.
#[async_trait]
impl HttpTransport for Emulator {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.run(request).await.into_result()
    }
}

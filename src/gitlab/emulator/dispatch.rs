//! One request through the emulator: classify, faults, rate limiter, authentication, handler.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use http::StatusCode;

use super::Emulator;
use super::auth::{authenticate, owner_of_presented};
use super::facts;
use super::pats::Call;
use super::routes::Route;
use super::wire::{Incoming, plain_message, response, set_header};
use crate::testing::emulator_kit::{Admission, EmulatedService, Fault, Outcome, Standing, Verdict};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};

/// The throttle's name in `RateLimit-Name` (§2.9).
const THROTTLE_NAME: &str = "throttle_authenticated_api";

impl Emulator {
    /// Runs one request through the emulator.
    async fn run(&self, request: HttpRequest) -> Outcome {
        let incoming = Incoming::new(request);
        let route = incoming.segments.as_ref().and_then(|s| Route::classify(&incoming.method, s));
        let operation = route.as_ref().map(|r| r.operation().name());
        let decision = self.inner.harness.admit(operation).await;
        // The limiter counts what the service would serve: not the scripted refusals.
        let metered = match decision.action {
            Some(Fault::RateLimited { .. } | Fault::ServerError { .. }) => None,
            _ => {
                let caller = owner_of_presented(&self.lock(), &incoming)
                    .map_or_else(|| "anonymous".to_owned(), |id| format!("user {id}"));
                self.inner.harness.throttle(&caller).await
            }
        };
        let mut response = match (decision.action, metered) {
            (Some(Fault::RateLimited { retry_after }), _) => throttled(retry_after, self.now(), None),
            (Some(Fault::ServerError { status }), _) => server_error(status),
            (_, Some(Admission { verdict: Verdict::Refused { retry_after }, standing })) => {
                throttled(retry_after, self.now(), Some(Budget::refused(&standing)))
            }
            (_, admission) => {
                let mut response = self.handle(route.as_ref(), &incoming);
                if let Some(Admission { standing, .. }) = admission {
                    Budget::served(&standing).headers(&mut response);
                }
                response
            }
        };
        // Method, path shape and status only: never headers, query values or bodies.
        tracing::debug!(method = %incoming.method, operation = operation.unwrap_or("unknown"), status = response.status().as_u16(), fault = ?decision.action, "patkit gitlab emulator");
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
        match route {
            None => facts::no_route(),
            Some(route) => match authenticate(&mut state, request, now) {
                Err(refusal) => refusal,
                Ok(principal) => {
                    let mut call = Call { state: &mut state, principal: &principal, request, now };
                    let answer = match route {
                        Route::List => call.list(),
                        Route::Get(id) => call.get(id),
                        Route::Associations => call.associations(),
                        Route::Rotate(id) => call.rotate(id),
                        Route::Revoke(id) => call.revoke(id),
                        Route::CreateForUser(user) => call.create_for_user(user),
                        Route::CreateOwn => call.create_own(),
                        Route::CurrentUser => call.current_user(),
                        Route::Users => call.users(),
                        Route::UserKeys(user) => call.user_keys(user, false),
                        Route::UserGpgKeys(user) => call.user_keys(user, true),
                        Route::ResourceList(kind, key) => call.resource_list(*kind, key),
                        Route::ResourceCreate(kind, key) => call.resource_create(*kind, key),
                        Route::ResourceGet(kind, key, token) => call.resource_get(*kind, key, token),
                        Route::ResourceRotate(kind, key, token) => call.resource_rotate(*kind, key, token),
                        Route::ResourceRevoke(kind, key, token) => call.resource_revoke(*kind, key, token),
                    };
                    answer.unwrap_or_else(|refusal| refusal)
                }
            },
        }
    }
}

/// Where a caller stands in the current rate-limit window (anonymous callers share one budget).
struct Budget {
    limit: u32,
    observed: u32,
    reset: i64,
}

impl Budget {
    /// A served request's standing.
    fn served(standing: &Standing) -> Self {
        Self { limit: standing.limit, observed: standing.used, reset: whole_seconds_up(standing.reset) }
    }

    /// A refused request is observed too (one over the limit).
    fn refused(standing: &Standing) -> Self {
        Self {
            limit: standing.limit,
            observed: standing.used.saturating_add(1),
            reset: whole_seconds_up(standing.reset),
        }
    }

    fn headers(&self, response: &mut HttpResponse) {
        set_header(response, "ratelimit-name", THROTTLE_NAME);
        set_header(response, "ratelimit-limit", &self.limit.to_string());
        set_header(response, "ratelimit-observed", &self.observed.to_string());
        set_header(response, "ratelimit-remaining", &self.limit.saturating_sub(self.observed).to_string());
        set_header(response, "ratelimit-reset", &self.reset.to_string());
    }
}

/// 429 with the plain text `Retry later`, `Retry-After` and `RateLimit-ResetTime` (§2.9).
fn throttled(retry_after: Duration, now: DateTime<Utc>, budget: Option<Budget>) -> HttpResponse {
    let wait = seconds(retry_after);
    let mut r = response(StatusCode::TOO_MANY_REQUESTS, "text/plain", b"Retry later\n".to_vec());
    set_header(&mut r, "retry-after", &wait.to_string());
    let reset_at = now + TimeDelta::seconds(i64::try_from(wait).unwrap_or(1));
    set_header(&mut r, "ratelimit-resettime", &reset_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    // A scripted throttle without a limiter has no budget to report.
    if let Some(budget) = budget {
        budget.headers(&mut r);
    }
    r
}

/// `{"message":"500 Internal Server Error"}` (a status outside 500–599 is taken as 500).
fn server_error(status: u16) -> HttpResponse {
    let status = StatusCode::from_u16(status)
        .ok()
        .filter(StatusCode::is_server_error)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let text = format!("{} {}", status.as_u16(), status.canonical_reason().unwrap_or("Server Error"));
    plain_message(status, &text)
}

/// Unix seconds, rounded up.
fn whole_seconds_up(at: DateTime<Utc>) -> i64 {
    at.timestamp() + i64::from(at.timestamp_subsec_nanos() > 0)
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

/// In process: no sockets. The request's scheme and host are ignored except in `Link` headers;
/// the path decides. [`Fault::CommitThenDrop`] becomes a [`TransportError`] of kind
/// [`Interrupted`](crate::transport::TransportErrorKind::Interrupted) after the request was
/// applied.
#[async_trait]
impl HttpTransport for Emulator {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.run(request).await.into_result()
    }
}

//! One request through the emulator: classify, faults, auth gate, version, handler.

use std::time::Duration;

use async_trait::async_trait;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use uuid::Uuid;

use super::auth::{authenticate, caller_key, require_member, require_org_admin, require_user, unauthenticated};
use super::routes::{Route, check_version};
use super::wire::{Incoming, wrapped};
use super::{Emulator, connection_data, graph, location, pats, token_admin};
use crate::testing::emulator_kit::{Admission, EmulatedService, Fault, Outcome, Standing, Verdict};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};

/// The TSTU budget the `X-RateLimit-Limit` header reports (§7).
const RATE_LIMIT: u32 = 200;

impl Emulator {
    /// Runs one request through the emulator.
    async fn run(&self, request: HttpRequest) -> Outcome {
        let incoming = Incoming::new(request);
        let route = Route::classify(&incoming.path);
        let operation = route.operation(&incoming);
        let decision = self.inner.harness.admit(operation).await;
        let op_name = operation.unwrap_or("unknown");
        // The meter counts what the service would serve: not the scripted refusals.
        let metered = match decision.action {
            Some(Fault::RateLimited { .. } | Fault::ServerError { .. }) => None,
            _ => {
                let caller = caller_key(&self.lock(), &incoming);
                self.inner.harness.throttle(&caller).await
            }
        };
        let mut response = match (decision.action, metered) {
            (Some(Fault::RateLimited { retry_after }), _) => self.throttled(retry_after),
            (Some(Fault::ServerError { status }), _) => server_error(status),
            (_, Some(Admission { verdict: Verdict::Refused { retry_after }, standing })) => {
                let mut response = self.throttled(retry_after);
                standing_headers(&mut response, &standing);
                response
            }
            _ => self.handle(&route, operation, &incoming),
        };
        // Method, path and status only: never headers, query values or bodies.
        tracing::debug!(method = %incoming.method, path = %incoming.path, operation = op_name, status = response.status().as_u16(), fault = ?decision.action, "patkit emulator");
        if decision.action == Some(Fault::CommitThenDrop) {
            return Outcome::Drop;
        }
        if let Some(Fault::SlowDown { retry_after }) = decision.action {
            set(&mut response, "retry-after", &seconds(retry_after));
            set(&mut response, "x-ratelimit-delay", &format!("{:.3}", retry_after.as_secs_f64()));
        }
        match metered {
            Some(Admission { verdict: Verdict::Refused { .. }, .. }) => {}
            Some(Admission { verdict, standing }) => {
                standing_headers(&mut response, &standing);
                if let Verdict::Delayed(delay) = verdict {
                    set(&mut response, "x-ratelimit-delay", &format!("{:.3}", delay.as_secs_f64()));
                }
            }
            None => self.rate_limit_headers(&mut response),
        }
        set(&mut response, "activityid", &Uuid::new_v4().to_string());
        Outcome::Respond(response)
    }

    fn handle(&self, route: &Route, operation: Option<&str>, request: &Incoming) -> HttpResponse {
        let now = self.now();
        let mut state = self.lock();
        let Some(org_name) = route.org() else {
            return wrapped(
                StatusCode::NOT_FOUND,
                "VssResourceNotFoundException",
                "The requested resource was not found.",
                0,
            );
        };
        let Some(org) = state.org_by_name(org_name).cloned() else {
            return wrapped(
                StatusCode::NOT_FOUND,
                "HostNotFoundException",
                &format!(
                    "TF400813: The organization '{}' was not found.",
                    org_name.chars().take(64).collect::<String>()
                ),
                0,
            );
        };
        match route {
            Route::Apis { area, .. } if request.method == Method::OPTIONS => {
                return self
                    .location_gate(&state, request, org.id, now)
                    .unwrap_or_else(|| location::options(area.as_deref()));
            }
            Route::ResourceAreas { area_id, .. } if request.method == Method::GET => {
                if let Some(refusal) = self.location_gate(&state, request, org.id, now) {
                    return refusal;
                }
                return match check_version(route, request) {
                    Ok(_) => location::resource_areas(&location::org_url(request, &org.name), area_id.as_deref()),
                    Err(response) => response,
                };
            }
            Route::Apis { .. } => {
                return wrapped(
                    StatusCode::NOT_FOUND,
                    "VssResourceNotFoundException",
                    "The requested resource was not found.",
                    0,
                );
            }
            _ => {}
        }
        let Some(operation) = operation else {
            return wrapped(
                StatusCode::METHOD_NOT_ALLOWED,
                "VssMethodNotAllowedException",
                "The requested method is not allowed for this resource.",
                0,
            );
        };
        let principal = match authenticate(&state, request, org.id, now) {
            Ok(p) => p,
            Err(why) => return unauthenticated(why, request),
        };
        let version = match check_version(route, request) {
            Ok(v) => v,
            Err(response) => return response,
        };
        let result = match (route, version) {
            (Route::Pats { .. }, Some(version)) => require_user(principal).map(|user| {
                pats::handle(pats::Call { state: &mut state, user, org: &org, request, version, now }, operation)
            }),
            (Route::AdminList { descriptor, .. }, _) => require_org_admin(&state, principal, org.id)
                .map(|_| token_admin::list(&mut state, &org, descriptor, request, now)),
            (Route::AdminRevocations { .. }, _) => {
                require_org_admin(&state, principal, org.id).map(|_| token_admin::revoke(&mut state, &org, request))
            }
            (Route::AdminRules { .. }, _) => require_org_admin(&state, principal, org.id)
                .map(|_| token_admin::create_rule(&mut state, &org, request, now)),
            (Route::ConnectionData { .. }, _) => Ok(connection_data::answer(&state, principal, &org)),
            (Route::GraphUsers { .. }, _) => {
                require_member(&state, principal, org.id).map(|_| graph::list_users(&mut state, &org, request))
            }
            _ => Err(wrapped(
                StatusCode::NOT_FOUND,
                "VssResourceNotFoundException",
                "The requested resource was not found.",
                0,
            )),
        };
        result.unwrap_or_else(|refusal| refusal)
    }

    /// The Location area answers anonymous callers (clients discover locations before they
    /// authenticate, and Microsoft's send their credential anyway); a credential that is sent
    /// must work. `None`: go ahead.
    fn location_gate(
        &self,
        state: &super::state::State,
        request: &Incoming,
        org: Uuid,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<HttpResponse> {
        request.header("authorization")?;
        authenticate(state, request, org, now).err().map(|why| unauthenticated(why, request))
    }

    /// The 429 of §7: `Retry-After`, the rate-limit headers and TF400733.
    fn throttled(&self, retry_after: Duration) -> HttpResponse {
        let mut response = wrapped(
            StatusCode::TOO_MANY_REQUESTS,
            "ClientRequestThrottledException",
            "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Core' in namespace 'User'.",
            0,
        );
        let reset = self.now().timestamp() + i64::try_from(retry_after.as_secs()).unwrap_or(0) + 1;
        set(&mut response, "retry-after", &seconds(retry_after));
        set(&mut response, "x-ratelimit-resource", "Core");
        set(&mut response, "x-ratelimit-limit", &RATE_LIMIT.to_string());
        set(&mut response, "x-ratelimit-remaining", "0");
        set(&mut response, "x-ratelimit-reset", &reset.to_string());
        response
    }

    fn rate_limit_headers(&self, response: &mut HttpResponse) {
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            return;
        }
        let used = {
            let mut state = self.lock();
            if !state.rate_limit.headers_enabled {
                return;
            }
            state.rate_limit.used = state.rate_limit.used.wrapping_add(1);
            state.rate_limit.used
        };
        let remaining = RATE_LIMIT - 1 - (used - 1) % RATE_LIMIT;
        set(response, "x-ratelimit-resource", "Core");
        set(response, "x-ratelimit-limit", &RATE_LIMIT.to_string());
        set(response, "x-ratelimit-remaining", &remaining.to_string());
        set(response, "x-ratelimit-reset", &(self.now().timestamp() + 300).to_string());
    }
}

/// The `X-RateLimit-*` headers of §7 from the meter's standing: the budget (requests standing in
/// for TSTUs), what is left before delays, and when the usage is back to zero. A refusal also
/// gets `Retry-After` (from [`Emulator::throttled`]).
fn standing_headers(response: &mut HttpResponse, standing: &Standing) {
    set(response, "x-ratelimit-resource", "Core");
    set(response, "x-ratelimit-limit", &standing.limit.to_string());
    set(response, "x-ratelimit-remaining", &standing.remaining.to_string());
    // Whole seconds, rounded up: "usage would return to 0" is not before this.
    let reset = standing.reset.timestamp() + i64::from(standing.reset.timestamp_subsec_nanos() > 0);
    set(response, "x-ratelimit-reset", &reset.to_string());
}

/// A 5xx with a WrappedException body (a status outside 500–599 is taken as 500).
fn server_error(status: u16) -> HttpResponse {
    let status = StatusCode::from_u16(status)
        .ok()
        .filter(StatusCode::is_server_error)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    wrapped(
        status,
        "VssServiceException",
        &format!("TF400898: An Internal Error Occurred. Activity Id: {}.", Uuid::new_v4()),
        0,
    )
}

/// Whole seconds, rounded up, at least 1.
fn seconds(d: Duration) -> String {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1).to_string()
}

fn set(response: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

#[async_trait]
impl EmulatedService for Emulator {
    async fn dispatch(&self, request: HttpRequest) -> Outcome {
        self.run(request).await
    }
}

/// In process: no sockets. The request's scheme and host are ignored; the path decides.
/// [`Fault::CommitThenDrop`] becomes a [`TransportError`] of kind
/// [`Interrupted`](crate::transport::TransportErrorKind::Interrupted) after the request was
/// applied.
#[async_trait]
impl HttpTransport for Emulator {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.run(request).await.into_result()
    }
}

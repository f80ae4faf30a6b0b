//! One request through the emulator: classify, faults, authentication, handler.

use std::time::Duration;

use async_trait::async_trait;

use super::Emulator;
use super::auth::authenticate;
use super::facts;
use super::routes::Route;
use super::tokens::Call;
use super::wire::{Incoming, render, set_header};
use crate::testing::emulator_kit::{EmulatedService, Fault, Outcome};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};

impl Emulator {
    /// Runs one request through the emulator.
    async fn run(&self, request: HttpRequest) -> Outcome {
        let incoming = Incoming::new(request);
        let route = Route::classify(&incoming, self.inner.flavor);
        let operation = route.as_ref().map(|r| r.operation().name());
        let decision = self.inner.harness.admit(operation).await;
        let mut response = match decision.action {
            Some(Fault::RateLimited { retry_after }) => {
                let mut r = render(&facts::throttled(), &incoming.origin);
                set_header(&mut r, "retry-after", &seconds(retry_after).to_string());
                r
            }
            Some(Fault::ServerError { status }) => render(&facts::server_error(status), &incoming.origin),
            _ => self.handle(route.as_ref(), &incoming),
        };
        // Method, operation and status only: never headers, query values or bodies.
        tracing::debug!(method = %incoming.method, operation = operation.unwrap_or("unknown"), status = response.status().as_u16(), fault = ?decision.action, "patkit gitea emulator");
        if decision.action == Some(Fault::CommitThenDrop) {
            return Outcome::Drop;
        }
        if let Some(Fault::SlowDown { retry_after }) = decision.action {
            set_header(&mut response, "retry-after", &seconds(retry_after).to_string());
        }
        Outcome::Respond(response)
    }

    fn handle(&self, route: Option<&Route>, request: &Incoming) -> HttpResponse {
        let Some(route) = route else { return render(&facts::not_found(), &request.origin) };
        let now = self.now();
        let flavor = self.inner.flavor;
        let mut state = self.lock();
        let principal = match authenticate(&mut state, request, flavor, now) {
            Ok(principal) => principal,
            Err(refusal) => return render(&refusal, &request.origin),
        };
        let mut call = Call { state: &mut state, principal: principal.as_ref(), request, flavor, now };
        let answer = match route {
            Route::List(user) => call.list(user),
            Route::Create(user) => call.create(user),
            Route::Delete(user, token) => call.delete(user, token),
            Route::CurrentUser => call.current_user(),
            Route::AdminUsers => call.admin_users(),
            Route::SearchUsers => call.search_users(),
            Route::UserKeys(user, gpg) => call.user_keys(user, *gpg),
            Route::Version => call.version(),
        };
        answer.unwrap_or_else(|refusal| render(&refusal, &request.origin))
    }
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

/// In process: no sockets. The request's scheme and host are ignored except in the `url` of
/// error bodies; the path decides. [`Fault::CommitThenDrop`] becomes a [`TransportError`] of
/// kind [`Interrupted`](crate::transport::TransportErrorKind::Interrupted) after the request
/// was applied.
#[async_trait]
impl HttpTransport for Emulator {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.run(request).await.into_result()
    }
}

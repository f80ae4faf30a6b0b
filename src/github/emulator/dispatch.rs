//! One request through the emulator: classify, faults, queued jobs, authentication, rate
//! limits, handler, `x-ratelimit-*` headers.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use http::StatusCode;
use serde_json::json;

use super::Emulator;
use super::auth::{Principal, authenticate, credential, identify};
use super::call::Call;
use super::facts;
use super::grants::Kind;
use super::jwt;
use super::limits::{Caller, Standing, seconds};
use super::routes::Route;
use super::wire::{Incoming, json_response, render, set_header};
use crate::testing::emulator_kit::{Admission, EmulatedService, Fault, Outcome, Verdict};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};

impl Emulator {
    /// Runs one request through the emulator.
    async fn run(&self, request: HttpRequest) -> Outcome {
        let incoming = Incoming::new(request);
        let route = Route::classify(&incoming);
        let operation = route.as_ref().map(|r| r.operation().name());
        let decision = self.inner.harness.admit(operation).await;
        let now = self.now();
        // Every request (faulted ones too) counts down the jobs a 202 queued.
        self.lock().settle(now, true);
        // The shared throttle stands for the primary limit on a scaled window (§4.10): the
        // caller's budget, counted for what the service would serve.
        let metered = match decision.action {
            Some(Fault::RateLimited { .. } | Fault::ServerError { .. }) => None,
            _ => {
                let caller = identify(&self.lock(), &incoming, now);
                self.inner.harness.throttle(&format!("{caller:?}")).await.map(|a| (a, caller))
            }
        };
        let mut response = match (decision.action, &metered) {
            (Some(Fault::RateLimited { retry_after }), _) => {
                render(&facts::secondary_limit(StatusCode::TOO_MANY_REQUESTS, seconds(retry_after)))
            }
            (Some(Fault::ServerError { status }), _) => render(&facts::server_error(status)),
            (_, Some((Admission { verdict: Verdict::Refused { .. }, .. }, caller))) => {
                render(&facts::primary_limit(StatusCode::FORBIDDEN, &caller.whom()))
            }
            _ => self.handle(route.as_ref(), &incoming, now),
        };
        if let Some((admission, _)) = &metered {
            Standing::metered(&admission.standing).write(&mut response);
        }
        if !response.headers().contains_key("x-ratelimit-limit") {
            // A faulted answer or an unknown route: the caller's standing, without counting.
            let mut state = self.lock();
            let caller = identify(&state, &incoming, now);
            let resource = if route == Some(Route::CredentialsRevoke) { "credentials_revoke" } else { "core" };
            let limits = state.limits;
            state.buckets.take(&limits, &caller, resource, true, now).0.write(&mut response);
        }
        // Method, operation and status only: never headers, query values or bodies.
        tracing::debug!(method = %incoming.method, operation = operation.unwrap_or("unknown"), status = response.status().as_u16(), fault = ?decision.action, "patkit github emulator");
        if decision.action == Some(Fault::CommitThenDrop) {
            return Outcome::Drop;
        }
        if let Some(Fault::SlowDown { retry_after }) = decision.action {
            set_header(&mut response, "retry-after", &seconds(retry_after).to_string());
        }
        Outcome::Respond(response)
    }

    fn handle(&self, route: Option<&Route>, request: &Incoming, now: DateTime<Utc>) -> HttpResponse {
        let Some(route) = route else { return render(&facts::not_found()) };
        let mut state = self.lock();
        let (principal, refused) = match route {
            // The App JWT is checked by the handler, against the App's key.
            Route::InstallationToken(_) | Route::OrgInstallation(_) => (Principal::Anonymous, None),
            Route::CredentialsRevoke if credential(request).is_some() => {
                (Principal::Anonymous, Some(facts::revoke_must_be_anonymous()))
            }
            Route::CredentialsRevoke => (Principal::Anonymous, None),
            _ => match authenticate(&mut state, request, now) {
                Ok(p) => (p, None),
                Err(refusal) => (Principal::Anonymous, Some(refusal)),
            },
        };
        let resource = if *route == Route::CredentialsRevoke { "credentials_revoke" } else { "core" };
        let limits = state.limits;
        let free = *route == Route::RateLimit;
        let leeway = state
            .jwt_leeway
            .unwrap_or_else(|| TimeDelta::from_std(facts::JWT_LEEWAY).unwrap_or(TimeDelta::seconds(60)));
        // The exchange counts against the App whose JWT verifies (the handler checks it again
        // and answers any refusal); anything else against its principal.
        let caller = match route {
            Route::InstallationToken(_) | Route::OrgInstallation(_) => credential(request)
                .and_then(|c| jwt::verify(c, &state.apps, now, leeway).ok())
                .map_or(Caller::Anonymous, Caller::App),
            _ => principal.caller(),
        };
        let (standing, limited) = state.buckets.take(&limits, &caller, resource, free, now);
        let answer = match refused.or(limited) {
            Some(refusal) => Err(refusal),
            None => {
                let mut call = Call { state: &mut state, principal: &principal, request, now };
                match route {
                    Route::InstallationToken(id) => call.installation_token(id, leeway),
                    Route::OrgInstallation(org) => call.org_installation(org, leeway),
                    Route::GrantList(org) => call.list(org, Kind::Grants),
                    Route::GrantRevokeBulk(org) => call.revoke_bulk(org),
                    Route::GrantRevoke(org, id) => call.revoke_one(org, id),
                    Route::GrantRepositories(org, id) => call.repositories(org, id, Kind::Grants),
                    Route::RequestList(org) => call.list(org, Kind::Requests),
                    Route::RequestReviewBulk(org) => call.review_bulk(org),
                    Route::RequestReview(org, id) => call.review_one(org, id),
                    Route::RequestRepositories(org, id) => call.repositories(org, id, Kind::Requests),
                    Route::SamlList(org) => call.saml_list(org),
                    Route::SamlDelete(org, id) => call.saml_delete(org, id),
                    Route::SamlRevokeBulk(org, login, by_type) => {
                        call.saml_revoke_bulk(org, login.as_deref(), *by_type)
                    }
                    Route::Org(org) => call.org(org),
                    Route::Member(org, user) => call.member(org, user),
                    Route::CurrentUser => call.current_user(),
                    Route::RateLimit => {
                        let core = standing.json();
                        Ok(json_response(StatusCode::OK, &json!({ "resources": { "core": core }, "rate": core })))
                    }
                    Route::CredentialsRevoke => call.credentials_revoke(),
                }
            }
        };
        let mut response = answer.unwrap_or_else(|refusal| render(&refusal));
        standing.write(&mut response);
        response
    }
}

#[async_trait]
impl EmulatedService for Emulator {
    async fn dispatch(&self, request: HttpRequest) -> Outcome {
        self.run(request).await
    }
}

/// In process: no sockets. The request's scheme and host are ignored except in `Link` headers
/// and `*_url` fields; the path decides. [`Fault::CommitThenDrop`] becomes a [`TransportError`]
/// of kind [`Interrupted`](crate::transport::TransportErrorKind::Interrupted) after the request
/// was applied.
#[async_trait]
impl HttpTransport for Emulator {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.run(request).await.into_result()
    }
}

//! `POST /personal_access_tokens/:id/rotate` and `POST /personal_access_tokens/self/rotate`.
//!
//! Never re-sent: both operations are not idempotent (rotating an already rotated token makes
//! GitLab revoke the whole token family), so the retry decorator returns their first failure.
//! A lost answer is resolved by reading (is the old token revoked? is there a newer active token
//! with its name?), which is the lifecycle's job, never by rotating again. `expires_at` is always
//! sent: GitLab's one-week default is never relied on.

use chrono::{DateTime, Utc};
use http::Method;
use serde::Serialize;

use crate::auth::AccessCredential;
use crate::error::Result;
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::{RequestContext, json, token_id};
use crate::gitlab::wire::{SecretWire, TokenWire};
use crate::gitlab::{ExpiryDate, GitLabClient, operations as op};
use crate::model::{CreatedPat, PatId};
use crate::provider::RotatedPat;
use crate::transport::{HttpRequest, HttpResponse, Operation};

#[derive(Serialize)]
pub(crate) struct RotateBody {
    pub(crate) expires_at: String,
}

/// The body every rotate carries, after checking the date leaves the token alive for an hour.
pub(crate) fn body(expires_at: ExpiryDate, now: DateTime<Utc>) -> Result<Vec<u8>> {
    json(&RotateBody { expires_at: expires_at.check_alive(now)?.to_string() })
}

/// `POST /personal_access_tokens/:id/rotate` with `{"expires_at": "YYYY-MM-DD"}`.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    id: &PatId,
    expires_at: ExpiryDate,
    now: DateTime<Utc>,
) -> Result<HttpRequest> {
    let id = token_id(id)?.to_string();
    let url = ctx.url(&["personal_access_tokens", &id, "rotate"]);
    ctx.build(Method::POST, url, op::PAT_ROTATE, credential, Some(body(expires_at, now)?))
}

/// `POST /personal_access_tokens/self/rotate` with `{"expires_at": "YYYY-MM-DD"}`.
pub(crate) fn request_self(
    ctx: &RequestContext,
    credential: &AccessCredential,
    expires_at: ExpiryDate,
    now: DateTime<Utc>,
) -> Result<HttpRequest> {
    crate::gitlab::request::require_access_token(credential)?;
    let url = ctx.url(&["personal_access_tokens", "self", "rotate"]);
    ctx.build(Method::POST, url, op::PAT_ROTATE_SELF, credential, Some(body(expires_at, now)?))
}

/// The new token (new id) with its secret.
pub(crate) fn parse(
    response: &HttpResponse,
    op: Operation,
    id: Option<&PatId>,
    now: DateTime<Utc>,
) -> Result<CreatedPat> {
    check(response, op, id, now)?;
    let wire: TokenWire<SecretWire> = decode(response, op)?;
    wire.into_created(now)
}

impl GitLabClient {
    /// Rotates token `id` at GitLab: a new token (new id, new secret, same name, description and
    /// scopes) expiring at 00:00 UTC of `expires_at` replaces it, and GitLab revokes `id` at once.
    /// Store the new secret before anything else.
    ///
    /// Refused before sending when `expires_at` leaves less than an hour
    /// ([`ExpiryDate::check_alive`]). Sent once: a failure after the request may have reached
    /// GitLab is returned as it is (never retried; see the module docs).
    /// An unknown, foreign or expired id (GitLab: 401) is [`Error::NotFound`](crate::Error::NotFound)
    /// when the credential itself works. A revoked id is `400 Token already revoked`
    /// ([`Error::Api`](crate::Error::Api)), and GitLab then revokes the token's whole family.
    pub async fn rotate(&self, id: &PatId, expires_at: ExpiryDate) -> Result<RotatedPat> {
        let credential = self.credential().await?;
        let request = request(self.ctx(), &credential, id, expires_at, self.now())?;
        match self.execute(request, |r, now| parse(r, op::PAT_ROTATE, Some(id), now)).await {
            Ok(created) => Ok(RotatedPat { previous: id.clone(), created }),
            Err(e) => Err(self.not_found_if_credential_works(e, id).await),
        }
    }

    /// Rotates the token the client authenticates with (it needs the `api` or `self_rotate`
    /// scope). The client's own credential stops working the moment GitLab answers: build a new
    /// client with the returned secret. Sent once, like [`rotate`](Self::rotate).
    pub async fn rotate_self(&self, expires_at: ExpiryDate) -> Result<CreatedPat> {
        let credential = self.credential().await?;
        let request = request_self(self.ctx(), &credential, expires_at, self.now())?;
        self.execute(request, |r, now| parse(r, op::PAT_ROTATE_SELF, None, now)).await
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::Error;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};
    use crate::gitlab::wire::examples::ROTATED;

    fn date(d: u32) -> ExpiryDate {
        ExpiryDate::new(NaiveDate::from_ymd_opt(2026, 3, d).unwrap())
    }

    #[test]
    fn request_shapes_always_carry_expires_at() {
        let request = request(&context(), &pat(), &PatId::new("41"), date(15), now()).unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "https://gitlab.example/api/v4/personal_access_tokens/41/rotate");
        assert_eq!(request.body(), br#"{"expires_at":"2026-03-15"}"#);
        assert_eq!(request.headers()["content-type"], "application/json");
        assert_common(&request, op::PAT_ROTATE);
        let own = request_self(&context(), &pat(), date(15), now()).unwrap();
        assert_eq!(own.uri(), "https://gitlab.example/api/v4/personal_access_tokens/self/rotate");
        assert_eq!(own.body(), br#"{"expires_at":"2026-03-15"}"#);
        assert_common(&own, op::PAT_ROTATE_SELF);
    }

    #[test]
    fn a_date_that_leaves_the_token_dead_is_refused_before_sending() {
        // now() is 2026-03-01T12:00Z: 03-01 is already dead.
        assert!(matches!(
            request(&context(), &pat(), &PatId::new("41"), date(1), now()),
            Err(Error::InvalidInput { field: "expires_at", .. })
        ));
        assert!(request_self(&context(), &pat(), date(1), now()).is_err());
        assert!(request(&context(), &pat(), &PatId::new("41"), date(2), now()).is_ok());
    }

    #[test]
    fn parses_the_new_token_and_its_secret() {
        let created = parse(&respond(200, ROTATED), op::PAT_ROTATE, Some(&PatId::new("41")), now()).unwrap();
        assert_eq!(created.metadata.id.as_str(), "42", "the new id");
        assert_eq!(created.metadata.valid_to.unwrap().to_rfc3339(), "2023-08-15T00:00:00+00:00");
        assert_eq!(created.secret.expose_secret(), "s3cr3t");
        let revoked = r#"{"message":"400 Bad request - Token already revoked"}"#;
        assert!(matches!(
            parse(&respond(400, revoked), op::PAT_ROTATE, None, now()),
            Err(Error::Api { status: 400, .. })
        ));
    }

    #[test]
    fn a_broken_answer_never_quotes_the_secret() {
        let body = r#"{"id":"not-a-number","name":"n","created_at":"2026-01-01T00:00:00Z","token":"glpat-CANARY-rot"}"#;
        let err = parse(&respond(200, body), op::PAT_ROTATE, None, now()).unwrap_err();
        let shown = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
        assert!(!shown.contains("CANARY"), "{shown}");
    }
}

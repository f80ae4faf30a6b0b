//! `POST /projects|groups/:id/access_tokens/:token_id/rotate`. Never re-sent; always sends
//! `expires_at`.

use chrono::{DateTime, Utc};
use http::Method;

use super::{Resource, ResourceTokens};
use crate::auth::AccessCredential;
use crate::error::Result;
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::{RequestContext, token_id};
use crate::gitlab::wire::{SecretWire, TokenWire};
use crate::gitlab::{ExpiryDate, operations as op};
use crate::model::{CreatedPat, PatId};
use crate::provider::RotatedPat;
use crate::transport::{HttpRequest, HttpResponse};

pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    resource: &Resource,
    id: &PatId,
    expires_at: ExpiryDate,
    now: DateTime<Utc>,
) -> Result<HttpRequest> {
    let [kind, rid] = resource.segments();
    let id = token_id(id)?.to_string();
    let body = crate::gitlab::pats::rotate_body(expires_at, now)?;
    let url = ctx.url(&[kind, rid, "access_tokens", &id, "rotate"]);
    ctx.build(Method::POST, url, op::RESOURCE_TOKEN_ROTATE, credential, Some(body))
}

pub(crate) fn parse(response: &HttpResponse, id: &PatId, now: DateTime<Utc>) -> Result<CreatedPat> {
    check(response, op::RESOURCE_TOKEN_ROTATE, Some(id), now)?;
    let wire: TokenWire<SecretWire> = decode(response, op::RESOURCE_TOKEN_ROTATE)?;
    wire.into_created(now)
}

impl ResourceTokens {
    /// Rotates token `id` of the resource: a new token (new id and secret) expiring at 00:00 UTC
    /// of `expires_at`; GitLab revokes `id` at once. Refused before sending when `expires_at`
    /// leaves less than an hour. Sent once.
    pub async fn rotate(&self, id: &PatId, expires_at: ExpiryDate) -> Result<RotatedPat> {
        let credential = self.client.credential().await?;
        let request = request(self.client.ctx(), &credential, &self.resource, id, expires_at, self.client.now())?;
        match self.client.execute(request, |r, now| parse(r, id, now)).await {
            Ok(created) => Ok(RotatedPat { previous: id.clone(), created }),
            Err(e) => Err(self.client.not_found_if_credential_works(e, id).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};
    use crate::gitlab::wire::examples::ROTATED;

    #[test]
    fn request_shape_and_parse() {
        let date = ExpiryDate::new(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        let id = PatId::new("9");
        let request = request(&context(), &pat(), &Resource::Project("42".into()), &id, date, now()).unwrap();
        assert_eq!(request.uri(), "https://gitlab.example/api/v4/projects/42/access_tokens/9/rotate");
        assert_eq!(request.body(), br#"{"expires_at":"2026-04-01"}"#);
        assert_common(&request, op::RESOURCE_TOKEN_ROTATE);
        assert_eq!(parse(&respond(200, ROTATED), &id, now()).unwrap().secret.expose_secret(), "s3cr3t");
    }
}

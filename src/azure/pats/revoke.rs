use crate::auth::AccessCredential;
use crate::azure::classify::{check_status, decode, rejection};
use crate::azure::request::{RequestContext, build, lifecycle_authorization};
use crate::azure::wire::PatTokenResultWire;
use crate::azure::{AzureDevOpsClient, PatTokenError, operations as op};
use crate::error::{Error, Result};
use crate::model::PatId;
use crate::transport::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use http::Method;

/// `DELETE …/_apis/tokens/pats?authorizationId=…`.
pub(crate) fn request(ctx: &RequestContext, credential: &AccessCredential, id: &PatId) -> Result<HttpRequest> {
    let mut url = ctx.pats_url();
    url.append_pair("authorizationId", id.as_str());
    build(Method::DELETE, url, op::REVOKE, lifecycle_authorization(credential)?, None)
}

/// 204 (the example) or 200 (the spec) both mean revoked.
///
/// Revoke is idempotent in patkit: a token that is unknown, not the caller's, or already revoked
/// counts as revoked (`Ok(())`), whether the service says so with 404 or with `tokenNotFound` in
/// a body. The service's own behaviour here is unverified; a caller that must tell "never
/// existed" apart should `get` first.
pub(crate) fn parse(response: &HttpResponse, id: &PatId, now: DateTime<Utc>) -> Result<()> {
    match check_status(response, op::REVOKE, now) {
        Ok(()) => {}
        Err(Error::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e),
    }
    if response.body().iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let result: PatTokenResultWire = decode(response.body(), op::REVOKE)?;
    match result.pat_token_error.unwrap_or(PatTokenError::None) {
        PatTokenError::None | PatTokenError::TokenNotFound | PatTokenError::AuthorizationNotFound => Ok(()),
        code => Err(rejection(code, result.pat_token_error_message, Some(id))),
    }
}

impl AzureDevOpsClient {
    /// Revokes one of the caller's tokens.
    ///
    /// Idempotent: revoking a token that is already revoked, unknown, or not the caller's
    /// returns `Ok(())` (the service's own answer in those cases is unverified; patkit treats
    /// every "not found" answer as "already gone"). Use [`get`](Self::get) first to tell them
    /// apart.
    pub async fn revoke(&self, id: &PatId) -> Result<()> {
        let credential = self.credential().await?;
        let request = request(&self.inner.ctx, &credential, id)?;
        self.execute(request, |r, now| parse(r, id, now)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::pats::examples::*;
    use crate::azure::request::tests::{assert_common_headers, bearer, context};

    fn id() -> PatId {
        PatId::new("cf42cc9f-f170-4375-92ba-c13d58a6545f")
    }

    #[test]
    fn request_shape() {
        let request = request(&context(), &bearer(), &id()).unwrap();
        assert_eq!(request.method(), Method::DELETE);
        assert_eq!(
            request.uri(),
            "https://vssps.dev.azure.com/fabrikam/_apis/tokens/pats?api-version=7.1-preview.1&authorizationId=cf42cc9f-f170-4375-92ba-c13d58a6545f"
        );
        assert_common_headers(&request, op::REVOKE);
    }

    #[test]
    fn accepts_204_and_200_and_is_idempotent() {
        assert!(parse(&empty(204), &id(), now()).is_ok());
        assert!(parse(&empty(200), &id(), now()).is_ok());
        assert!(parse(&ok(r#"{"patToken":null,"patTokenError":"none"}"#), &id(), now()).is_ok());
        assert!(parse(&empty(404), &id(), now()).is_ok(), "unknown id counts as revoked");
        assert!(parse(&ok(r#"{"patToken":null,"patTokenError":"tokenNotFound"}"#), &id(), now()).is_ok());
        assert!(matches!(
            parse(&ok(r#"{"patToken":null,"patTokenError":"accessDenied"}"#), &id(), now()),
            Err(Error::Forbidden { .. })
        ));
        assert!(matches!(parse(&empty(401), &id(), now()), Err(Error::AuthRequired { .. })));
    }
}

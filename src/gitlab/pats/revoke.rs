//! `DELETE /personal_access_tokens/:id` and `DELETE /personal_access_tokens/self`.

use chrono::{DateTime, Utc};
use http::Method;

use crate::auth::AccessCredential;
use crate::error::{Error, Result};
use crate::gitlab::classify::check;
use crate::gitlab::request::{RequestContext, token_id};
use crate::gitlab::{GitLabClient, operations as op};
use crate::model::PatId;
use crate::transport::{HttpRequest, HttpResponse, Operation};

/// `DELETE /personal_access_tokens/:id`.
pub(crate) fn request(ctx: &RequestContext, credential: &AccessCredential, id: &PatId) -> Result<HttpRequest> {
    let id = token_id(id)?.to_string();
    ctx.build(Method::DELETE, ctx.url(&["personal_access_tokens", &id]), op::PAT_REVOKE, credential, None)
}

/// `DELETE /personal_access_tokens/self`.
pub(crate) fn request_self(ctx: &RequestContext, credential: &AccessCredential) -> Result<HttpRequest> {
    crate::gitlab::request::require_access_token(credential)?;
    let url = ctx.url(&["personal_access_tokens", "self"]);
    ctx.build(Method::DELETE, url, op::PAT_REVOKE_SELF, credential, None)
}

/// 204 (any 2xx) means revoked.
pub(crate) fn parse(response: &HttpResponse, op: Operation, id: Option<&PatId>, now: DateTime<Utc>) -> Result<()> {
    check(response, op, id, now)
}

impl GitLabClient {
    /// Revokes token `id` (soft: it stays listed with `revoked: true`).
    ///
    /// Idempotent for a token that is already revoked: GitLab may answer a second revoke with 400
    /// (unverified), so on a 400 the client reads the token and answers `Ok(())` when it is
    /// revoked. An unknown or foreign id is [`Error::NotFound`] (after the 401 probe; see the
    /// type's docs).
    pub async fn revoke(&self, id: &PatId) -> Result<()> {
        let credential = self.credential().await?;
        let request = request(self.ctx(), &credential, id)?;
        match self.execute(request, |r, now| parse(r, op::PAT_REVOKE, Some(id), now)).await {
            Ok(()) => Ok(()),
            Err(e @ Error::Api { status: 400, .. }) => match self.get(id).await {
                Ok(token) if token.revoked => Ok(()),
                _ => Err(e),
            },
            Err(e) => Err(self.not_found_if_credential_works(e, id).await),
        }
    }

    /// Revokes the token the client authenticates with (any scope). The client's credential stops
    /// working.
    pub async fn revoke_self(&self) -> Result<()> {
        let credential = self.credential().await?;
        let request = request_self(self.ctx(), &credential)?;
        self.execute(request, |r, now| parse(r, op::PAT_REVOKE_SELF, None, now)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};

    #[test]
    fn request_shapes() {
        let request = request(&context(), &pat(), &PatId::new("4")).unwrap();
        assert_eq!(request.method(), Method::DELETE);
        assert_eq!(request.uri(), "https://gitlab.example/api/v4/personal_access_tokens/4");
        assert_common(&request, op::PAT_REVOKE);
        let own = request_self(&context(), &pat()).unwrap();
        assert_eq!(
            (own.method(), own.uri().to_string()),
            (&Method::DELETE, "https://gitlab.example/api/v4/personal_access_tokens/self".into())
        );
        assert_common(&own, op::PAT_REVOKE_SELF);
    }

    #[test]
    fn answers() {
        let id = PatId::new("4");
        assert!(parse(&respond(204, ""), op::PAT_REVOKE, Some(&id), now()).is_ok());
        assert!(matches!(
            parse(&respond(400, r#"{"message":"400 Bad request"}"#), op::PAT_REVOKE, Some(&id), now()),
            Err(Error::Api { status: 400, .. })
        ));
        assert!(matches!(
            parse(&respond(403, r#"{"message":"403 Forbidden"}"#), op::PAT_REVOKE, Some(&id), now()),
            Err(Error::Forbidden { .. })
        ));
        assert!(matches!(
            parse(&respond(404, r#"{"message":"404 Not found"}"#), op::PAT_REVOKE, Some(&id), now()),
            Err(Error::NotFound { .. })
        ));
    }
}

//! `GET /personal_access_tokens/:id` and `GET /personal_access_tokens/self`.

use chrono::{DateTime, Utc};
use http::Method;

use crate::auth::AccessCredential;
use crate::error::Result;
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::{RequestContext, token_id};
use crate::gitlab::wire::TokenWire;
use crate::gitlab::{GitLabClient, GitLabToken, operations as op};
use crate::model::PatId;
use crate::transport::{HttpRequest, HttpResponse, Operation};

/// `GET /personal_access_tokens/:id`; an id that is no positive integer is refused before sending.
pub(crate) fn request(ctx: &RequestContext, credential: &AccessCredential, id: &PatId) -> Result<HttpRequest> {
    let id = token_id(id)?.to_string();
    ctx.build(Method::GET, ctx.url(&["personal_access_tokens", &id]), op::PAT_GET, credential, None)
}

/// `GET /personal_access_tokens/self`.
pub(crate) fn request_self(ctx: &RequestContext, credential: &AccessCredential) -> Result<HttpRequest> {
    crate::gitlab::request::require_access_token(credential)?;
    ctx.build(Method::GET, ctx.url(&["personal_access_tokens", "self"]), op::PAT_GET_SELF, credential, None)
}

/// One token (a `token` field, should one appear, is dropped unread).
pub(crate) fn parse(
    response: &HttpResponse,
    op: Operation,
    id: Option<&PatId>,
    now: DateTime<Utc>,
) -> Result<GitLabToken> {
    check(response, op, id, now)?;
    let wire: TokenWire = decode(response, op)?;
    Ok(wire.into_token(now).0)
}

impl GitLabClient {
    /// One token by id. An unknown or foreign id is [`Error::NotFound`](crate::Error::NotFound)
    /// (GitLab's 401 for it is told apart from a bad credential by one probe; see the type's docs).
    pub async fn get(&self, id: &PatId) -> Result<GitLabToken> {
        let credential = self.credential().await?;
        let request = request(self.ctx(), &credential, id)?;
        match self.execute(request, |r, now| parse(r, op::PAT_GET, Some(id), now)).await {
            Err(e) => Err(self.not_found_if_credential_works(e, id).await),
            ok => ok,
        }
    }

    /// The token the client authenticates with (any scope). Needs an access token: an OAuth
    /// credential is refused before sending ([`CredentialErrorKind::NotAccepted`](crate::CredentialErrorKind::NotAccepted)).
    pub async fn get_self(&self) -> Result<GitLabToken> {
        let credential = self.credential().await?;
        let request = request_self(self.ctx(), &credential)?;
        self.execute(request, |r, now| parse(r, op::PAT_GET_SELF, None, now)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};
    use crate::gitlab::wire::examples::PAT;

    #[test]
    fn request_shapes() {
        let request = request(&context(), &pat(), &PatId::new("4")).unwrap();
        assert_eq!(
            (request.method(), request.uri().to_string()),
            (&Method::GET, "https://gitlab.example/api/v4/personal_access_tokens/4".into())
        );
        assert_common(&request, op::PAT_GET);
        let own = request_self(&context(), &pat()).unwrap();
        assert_eq!(own.uri(), "https://gitlab.example/api/v4/personal_access_tokens/self");
        assert_common(&own, op::PAT_GET_SELF);
        assert!(matches!(super::request(&context(), &pat(), &PatId::new("self")), Err(Error::NotFound { .. })));
    }

    #[test]
    fn parses_the_sheets_body_and_maps_errors() {
        let id = PatId::new("4");
        let token = parse(&respond(200, PAT), op::PAT_GET, Some(&id), now()).unwrap();
        assert_eq!(token.metadata.display_name, "Test Token");
        assert!(matches!(
            parse(&respond(404, r#"{"message":"404 Not found"}"#), op::PAT_GET, Some(&id), now()),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            parse(&respond(401, r#"{"message":"401 Unauthorized"}"#), op::PAT_GET, Some(&id), now()),
            Err(Error::AuthRequired { .. })
        ));
        let non_pat =
            r#"{"message":"400 Bad request - This endpoint requires token type to be a personal access token"}"#;
        assert!(matches!(
            parse(&respond(400, non_pat), op::PAT_GET_SELF, None, now()),
            Err(Error::Api { status: 400, .. })
        ));
    }
}

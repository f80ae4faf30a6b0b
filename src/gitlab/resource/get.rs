//! `GET /projects|groups/:id/access_tokens/:token_id`.

use chrono::{DateTime, Utc};
use http::Method;

use super::{Resource, ResourceTokens};
use crate::auth::AccessCredential;
use crate::error::Result;
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::{RequestContext, token_id};
use crate::gitlab::wire::TokenWire;
use crate::gitlab::{GitLabToken, operations as op};
use crate::model::PatId;
use crate::transport::{HttpRequest, HttpResponse};

pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    resource: &Resource,
    id: &PatId,
) -> Result<HttpRequest> {
    let [kind, rid] = resource.segments();
    let id = token_id(id)?.to_string();
    ctx.build(Method::GET, ctx.url(&[kind, rid, "access_tokens", &id]), op::RESOURCE_TOKEN_GET, credential, None)
}

pub(crate) fn parse(response: &HttpResponse, id: &PatId, now: DateTime<Utc>) -> Result<GitLabToken> {
    check(response, op::RESOURCE_TOKEN_GET, Some(id), now)?;
    let wire: TokenWire = decode(response, op::RESOURCE_TOKEN_GET)?;
    Ok(wire.into_token(now).0)
}

impl ResourceTokens {
    /// One token of the resource; an unknown id is [`Error::NotFound`](crate::Error::NotFound).
    pub async fn get(&self, id: &PatId) -> Result<GitLabToken> {
        let credential = self.client.credential().await?;
        let request = request(self.client.ctx(), &credential, &self.resource, id)?;
        match self.client.execute(request, |r, now| parse(r, id, now)).await {
            Err(e) => Err(self.client.not_found_if_credential_works(e, id).await),
            ok => ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};

    #[test]
    fn request_shape_and_parse() {
        let id = PatId::new("9");
        let request = request(&context(), &pat(), &Resource::Group("5".into()), &id).unwrap();
        assert_eq!(request.uri(), "https://gitlab.example/api/v4/groups/5/access_tokens/9");
        assert_common(&request, op::RESOURCE_TOKEN_GET);
        assert!(matches!(
            parse(&respond(404, r#"{"message":"404 Not found"}"#), &id, now()),
            Err(crate::Error::NotFound { .. })
        ));
    }
}

//! `DELETE /projects|groups/:id/access_tokens/:token_id`.

use chrono::{DateTime, Utc};
use http::Method;

use super::{Resource, ResourceTokens};
use crate::auth::AccessCredential;
use crate::error::Result;
use crate::gitlab::classify::check;
use crate::gitlab::operations as op;
use crate::gitlab::request::{RequestContext, token_id};
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
    let url = ctx.url(&[kind, rid, "access_tokens", &id]);
    ctx.build(Method::DELETE, url, op::RESOURCE_TOKEN_REVOKE, credential, None)
}

pub(crate) fn parse(response: &HttpResponse, id: &PatId, now: DateTime<Utc>) -> Result<()> {
    check(response, op::RESOURCE_TOKEN_REVOKE, Some(id), now)
}

impl ResourceTokens {
    /// Revokes token `id` of the resource (204). An unknown id is
    /// [`Error::NotFound`](crate::Error::NotFound).
    pub async fn revoke(&self, id: &PatId) -> Result<()> {
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
        let request = request(&context(), &pat(), &Resource::Group("g".into()), &id).unwrap();
        assert_eq!(
            (request.method(), request.uri().to_string()),
            (&Method::DELETE, "https://gitlab.example/api/v4/groups/g/access_tokens/9".into())
        );
        assert_common(&request, op::RESOURCE_TOKEN_REVOKE);
        assert!(parse(&respond(204, ""), &id, now()).is_ok());
    }
}

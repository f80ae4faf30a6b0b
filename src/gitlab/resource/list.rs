//! `GET /projects|groups/:id/access_tokens`.

use chrono::{DateTime, Utc};
use http::Method;

use super::{Resource, ResourceTokens};
use crate::auth::AccessCredential;
use crate::error::Result;
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::RequestContext;
use crate::gitlab::wire::TokenWire;
use crate::gitlab::{GitLabToken, operations as op, pagination};
use crate::model::{ContinuationToken, Page};
use crate::transport::{HttpRequest, HttpResponse};

pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    resource: &Resource,
    per_page: Option<u32>,
    continuation: Option<&ContinuationToken>,
) -> Result<HttpRequest> {
    let [kind, id] = resource.segments();
    let mut url = ctx.url(&[kind, id, "access_tokens"]);
    let pairs = pagination::query(per_page, continuation)?;
    if !pairs.is_empty() {
        url.extend_pairs(pairs);
    }
    ctx.build(Method::GET, url, op::RESOURCE_TOKEN_LIST, credential, None)
}

pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<Page<GitLabToken>> {
    check(response, op::RESOURCE_TOKEN_LIST, None, now)?;
    let items: Vec<TokenWire> = decode(response, op::RESOURCE_TOKEN_LIST)?;
    Ok(Page {
        items: items.into_iter().map(|w| w.into_token(now).0).collect(),
        continuation: pagination::next(response),
    })
}

impl ResourceTokens {
    /// One page of the resource's tokens (`per_page` at most 100); pass the previous page's
    /// continuation for the next.
    pub async fn list(
        &self,
        per_page: Option<u32>,
        continuation: Option<ContinuationToken>,
    ) -> Result<Page<GitLabToken>> {
        let credential = self.client.credential().await?;
        let request = request(self.client.ctx(), &credential, &self.resource, per_page, continuation.as_ref())?;
        self.client.execute(request, parse).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};

    #[test]
    fn request_shape_and_parse() {
        let request = request(&context(), &pat(), &Resource::Project("g/p".into()), Some(20), None).unwrap();
        assert_eq!(request.uri(), "https://gitlab.example/api/v4/projects/g%2Fp/access_tokens?per_page=20");
        assert_common(&request, op::RESOURCE_TOKEN_LIST);
        let body = r#"[{"id":9,"name":"ci","revoked":false,"created_at":"2026-01-01T00:00:00.000Z","scopes":["read_repository"],"user_id":77,"last_used_at":null,"active":true,"expires_at":"2026-06-01","access_level":30}]"#;
        let page = parse(&respond(200, body), now()).unwrap();
        assert_eq!(page.items[0].metadata.extras.get("access_level"), Some("30"));
        assert_eq!(page.items[0].user_id, Some(77));
    }
}

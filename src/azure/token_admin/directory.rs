//! Graph users and SSH keys: the [`UserDirectory`] of an organization, for offboarding by name.
//!
//! Users come from Graph (`GET {vssps}/{org}/_apis/graph/users`, `api-version=7.1-preview.1`):
//! the service has no filter by name there, so every page is read (continuation in the
//! `X-MS-ContinuationToken` response header, sent back as `continuationToken`) and matched
//! here against `mailAddress`, `principalName` and `displayName`. The user's `descriptor` is
//! the subject descriptor Token Admin takes. SSH keys are Token Admin's `isPublic=true` listing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use http::Method;
use serde::Deserialize;

use super::TokenAdmin;
use super::list::validate_descriptor;
use crate::admin::UserId;
use crate::auth::AccessCredential;
use crate::azure::PROVIDER_NAME;
use crate::azure::classify::{check_status, decode};
use crate::azure::operations as op;
use crate::azure::request::{RequestContext, build};
use crate::directory::{CredentialKind, DirectoryUser, OtherCredential, UserDirectory, check_query};
use crate::error::Result;
use crate::model::{ContinuationToken, Page};
use crate::pagination::{self, DEFAULT_MAX_PAGES};
use crate::transport::{HttpRequest, HttpResponse};

/// The Graph api-version (Graph is preview in every version).
const GRAPH_API_VERSION: &str = "7.1-preview.1";

/// A `GraphUser`, the fields used here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphUserWire {
    descriptor: Option<String>,
    principal_name: Option<String>,
    mail_address: Option<String>,
    display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct GraphUsersWire {
    #[serde(default)]
    value: Vec<GraphUserWire>,
}

/// `GET …/_apis/graph/users?api-version=…&subjectTypes=aad,msa[&continuationToken=…]`.
pub(crate) fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    continuation: Option<&ContinuationToken>,
) -> Result<HttpRequest> {
    let mut url = ctx.url(&ctx.base_url, &["_apis", "graph", "users"], GRAPH_API_VERSION);
    {
        let q = &mut url;
        q.append_pair("subjectTypes", "aad,msa");
        if let Some(c) = continuation {
            q.append_pair("continuationToken", c.as_str());
        }
    }
    build(Method::GET, url, op::GRAPH_LIST_USERS, credential.to_header(), None)
}

/// One page of users; the continuation is the `X-MS-ContinuationToken` header. Users without a
/// descriptor are skipped (they cannot be offboarded).
pub(crate) fn parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<Page<DirectoryUser>> {
    check_status(response, op::GRAPH_LIST_USERS, now)?;
    let page: GraphUsersWire = decode(response.body(), op::GRAPH_LIST_USERS)?;
    let items = page
        .value
        .into_iter()
        .filter_map(|u| {
            let descriptor = u.descriptor.filter(|d| validate_descriptor(d).is_ok())?;
            let mut user = DirectoryUser::new(descriptor);
            user.login = u.principal_name.filter(|s| !s.is_empty());
            user.email = u.mail_address.filter(|s| !s.is_empty());
            user.display_name = u.display_name.filter(|s| !s.is_empty());
            Some(user)
        })
        .collect();
    let continuation = response
        .headers()
        .get("x-ms-continuationtoken")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(ContinuationToken::new);
    Ok(Page { items, continuation })
}

impl TokenAdmin {
    /// One page of the organization's users (Graph), as directory entries whose id is the
    /// subject descriptor [`list_pats`](Self::list_pats) takes. Needs read access to Graph
    /// (`vso.graph`; organization members have it).
    pub async fn graph_users(&self, continuation: Option<ContinuationToken>) -> Result<Page<DirectoryUser>> {
        let credential = self.client.credential().await?;
        let request = request(&self.client.inner.ctx, &credential, continuation.as_ref())?;
        self.client.execute(request, parse).await
    }
}

/// Graph users, SSH keys from Token Admin.
#[async_trait]
impl UserDirectory for TokenAdmin {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    /// Reads every Graph page (at most [`DEFAULT_MAX_PAGES`]) and returns the users whose mail
    /// address, principal name or display name contains the query, case-insensitively.
    async fn find_users(&self, query: &str) -> Result<Vec<DirectoryUser>> {
        let query = check_query(query)?.to_lowercase();
        let contains = |v: &Option<String>| v.as_deref().is_some_and(|v| v.to_lowercase().contains(&query));
        pagination::items(pagination::pages("Graph users", DEFAULT_MAX_PAGES, None, |c| self.graph_users(c)))
            .try_filter(|u| std::future::ready(contains(&u.email) || contains(&u.login) || contains(&u.display_name)))
            .try_collect()
            .await
    }

    /// The user's SSH keys (Token Admin, `isPublic=true`): title, id, created, expiry. Token
    /// Admin shows no fingerprint or last use.
    async fn other_credentials(&self, user: &UserId) -> Result<Vec<OtherCredential>> {
        let keys: Vec<_> = self.list_pats(user.as_str()).ssh_keys(true).page_size(100).items().try_collect().await?;
        Ok(keys
            .into_iter()
            .filter(|k| k.is_public)
            .map(|k| {
                let mut key =
                    OtherCredential::new(CredentialKind::SshKey, k.metadata.id.as_str()).created(k.metadata.valid_from);
                if !k.metadata.display_name.is_empty() {
                    key = key.title(k.metadata.display_name);
                }
                if let Some(to) = k.metadata.valid_to {
                    key = key.expires(to);
                }
                key
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::pats::examples::now;
    use crate::azure::request::tests::{assert_common_headers, bearer, context};

    #[test]
    fn request_shape() {
        let r = request(&context(), &bearer(), Some(&ContinuationToken::new("abc=="))).unwrap();
        assert_eq!(
            r.uri(),
            "https://vssps.dev.azure.com/fabrikam/_apis/graph/users?api-version=7.1-preview.1&subjectTypes=aad%2Cmsa&continuationToken=abc%3D%3D"
        );
        assert_common_headers(&r, op::GRAPH_LIST_USERS);
    }

    #[test]
    fn parses_users_and_the_continuation_header() {
        let body = r#"{"count":2,"value":[
          {"subjectKind":"user","domain":"t","principalName":"ada@contoso.com","mailAddress":"ada@contoso.com","origin":"aad","originId":"x","displayName":"Ada","descriptor":"aad.YWRh"},
          {"subjectKind":"user","principalName":"svc","displayName":"no descriptor"}]}"#;
        let response = http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .header("X-MS-ContinuationToken", "next1")
            .body(body.as_bytes().to_vec())
            .unwrap();
        let page = parse(&response, now()).unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].id.as_str(), "aad.YWRh");
        assert_eq!(page.items[0].email.as_deref(), Some("ada@contoso.com"));
        assert_eq!(page.continuation.unwrap().as_str(), "next1");
    }
}

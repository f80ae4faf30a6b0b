//! Users and their keys, as the neutral [`UserDirectory`] (offboarding by name):
//! `GET /users?username=` (exact) and `GET /users?search=` (name, username, email; an
//! administrator's search matches any email), then `GET /users/:id/keys` and
//! `GET /users/:id/gpg_keys`. Key material is never kept: only id, title and times.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use http::Method;
use serde::Deserialize;

use crate::admin::UserId;
use crate::auth::AccessCredential;
use crate::directory::{CredentialKind, DirectoryUser, OtherCredential, UserDirectory, check_query};
use crate::error::Result;
use crate::gitlab::classify::{check, decode};
use crate::gitlab::request::{RequestContext, user_id};
use crate::gitlab::{GitLabClient, MAX_PER_PAGE, PROVIDER_NAME, operations as op, pagination};
use crate::model::{ContinuationToken, Page};
use crate::pagination::{self as pages, DEFAULT_MAX_PAGES};
use crate::transport::{HttpRequest, HttpResponse};

/// A user as `GET /users` shows it (`email` to administrators only).
#[derive(Debug, Deserialize)]
struct UserWire {
    id: u64,
    username: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    public_email: Option<String>,
}

/// An SSH key (`Entities::SSHKey`) or a GPG key (`Entities::GpgKey`). The `key` field is
/// deliberately not read.
#[derive(Debug, Deserialize)]
struct KeyWire {
    id: u64,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    last_used_at: Option<DateTime<Utc>>,
}

/// Which users: `username=` (exact) or `search=`.
#[derive(Debug, Clone, Copy)]
enum By<'a> {
    Username(&'a str),
    Search(&'a str),
}

fn users_request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    by: By<'_>,
    continuation: Option<&ContinuationToken>,
) -> Result<HttpRequest> {
    let mut url = ctx.url(&["users"]);
    {
        let q = &mut url;
        match by {
            By::Username(name) => q.append_pair("username", name),
            By::Search(text) => q.append_pair("search", text),
        };
        for (k, v) in pagination::query(Some(MAX_PER_PAGE), continuation)? {
            q.append_pair(k, &v);
        }
    }
    ctx.build(Method::GET, url, op::USERS, credential, None)
}

fn users_parse(response: &HttpResponse, now: DateTime<Utc>) -> Result<Page<DirectoryUser>> {
    check(response, op::USERS, None, now)?;
    let users: Vec<UserWire> = decode(response, op::USERS)?;
    let items = users
        .into_iter()
        .map(|u| {
            let mut user = DirectoryUser::new(u.id.to_string()).login(u.username);
            user.email = u.email.or(u.public_email).filter(|e| !e.is_empty());
            user.display_name = u.name.filter(|n| !n.is_empty());
            user
        })
        .collect();
    Ok(Page { items, continuation: pagination::next(response) })
}

fn keys_request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    user: &UserId,
    gpg: bool,
    continuation: Option<&ContinuationToken>,
) -> Result<HttpRequest> {
    let id = user_id(user)?.to_string();
    let (last, operation) = if gpg { ("gpg_keys", op::USER_GPG_KEYS) } else { ("keys", op::USER_KEYS) };
    let mut url = ctx.url(&["users", &id, last]);
    {
        let q = &mut url;
        for (k, v) in pagination::query(Some(MAX_PER_PAGE), continuation)? {
            q.append_pair(k, &v);
        }
    }
    ctx.build(Method::GET, url, operation, credential, None)
}

fn keys_parse(response: &HttpResponse, now: DateTime<Utc>, gpg: bool) -> Result<Page<OtherCredential>> {
    let operation = if gpg { op::USER_GPG_KEYS } else { op::USER_KEYS };
    check(response, operation, None, now)?;
    let keys: Vec<KeyWire> = decode(response, operation)?;
    let kind = if gpg { CredentialKind::GpgKey } else { CredentialKind::SshKey };
    let items = keys
        .into_iter()
        .map(|k| {
            let mut credential = OtherCredential::new(kind.clone(), k.id.to_string());
            credential.title = k.title.filter(|t| !t.is_empty());
            credential.created = k.created_at;
            credential.expires = k.expires_at;
            credential.last_used = k.last_used_at;
            credential
        })
        .collect();
    Ok(Page { items, continuation: pagination::next(response) })
}

impl GitLabClient {
    async fn users_page(&self, by: By<'_>, continuation: Option<ContinuationToken>) -> Result<Page<DirectoryUser>> {
        let credential = self.credential().await?;
        let request = users_request(self.ctx(), &credential, by, continuation.as_ref())?;
        self.execute(request, users_parse).await
    }

    async fn keys_page(
        &self,
        user: &UserId,
        gpg: bool,
        continuation: Option<ContinuationToken>,
    ) -> Result<Page<OtherCredential>> {
        let credential = self.credential().await?;
        let request = keys_request(self.ctx(), &credential, user, gpg, continuation.as_ref())?;
        self.execute(request, move |r, now| keys_parse(r, now, gpg)).await
    }

    async fn all_users(&self, by: By<'_>, listing: &'static str) -> Result<Vec<DirectoryUser>> {
        pages::items(pages::pages(listing, DEFAULT_MAX_PAGES, None, |c| self.users_page(by, c))).try_collect().await
    }
}

/// Needs `read_user`, `read_api` or `api`; an administrator's client sees emails.
#[async_trait]
impl UserDirectory for GitLabClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    /// `GET /users?username=` (the exact username) and `GET /users?search=` (every page), merged.
    async fn find_users(&self, query: &str) -> Result<Vec<DirectoryUser>> {
        let query = check_query(query)?;
        let mut users = self.all_users(By::Username(query), "GitLab users by username").await?;
        users.extend(self.all_users(By::Search(query), "GitLab user search").await?);
        Ok(users)
    }

    /// SSH keys (title, created, expiry, last use) and GPG keys (id, created). A user GitLab
    /// does not know (404) has none.
    async fn other_credentials(&self, user: &UserId) -> Result<Vec<OtherCredential>> {
        crate::directory::ssh_and_gpg_keys(|gpg| {
            let listing = if gpg { "GitLab GPG keys" } else { "GitLab SSH keys" };
            pages::items(pages::pages(listing, DEFAULT_MAX_PAGES, None, move |c| self.keys_page(user, gpg, c)))
                .try_collect::<Vec<_>>()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::classify::tests::{now, respond};
    use crate::gitlab::request::tests::{assert_common, context, pat};

    #[test]
    fn requests() {
        let r = users_request(&context(), &pat(), By::Search("ada@x.test"), None).unwrap();
        assert_eq!(r.uri(), "https://gitlab.example/api/v4/users?search=ada%40x.test&per_page=100");
        assert_common(&r, op::USERS);
        let r = users_request(&context(), &pat(), By::Username("ada"), Some(&ContinuationToken::new("2"))).unwrap();
        assert_eq!(r.uri(), "https://gitlab.example/api/v4/users?username=ada&per_page=100&page=2");
        let r = keys_request(&context(), &pat(), &UserId::from("7"), true, None).unwrap();
        assert_eq!(r.uri(), "https://gitlab.example/api/v4/users/7/gpg_keys?per_page=100");
        assert!(keys_request(&context(), &pat(), &UserId::from("../7"), false, None).is_err());
    }

    #[test]
    fn parses_users_and_keys_without_key_material() {
        let page = users_parse(
            &respond(200, r#"[{"id":7,"username":"ada","name":"Ada","email":"ada@x.test","state":"active"}]"#),
            now(),
        )
        .unwrap();
        assert_eq!(page.items[0], DirectoryUser::new("7").login("ada").email("ada@x.test").display_name("Ada"));
        let keys = keys_parse(
            &respond(
                200,
                r#"[{"id":1,"title":"laptop","key":"ssh-ed25519 AAAACANARY","created_at":"2026-01-02T03:04:05.000Z","expires_at":null,"last_used_at":"2026-02-01T00:00:00Z","usage_type":"auth"}]"#,
            ),
            now(),
            false,
        )
        .unwrap();
        assert_eq!(keys.items[0].title.as_deref(), Some("laptop"));
        assert!(keys.items[0].last_used.is_some());
        assert!(!format!("{:?}", keys.items).contains("CANARY"));
    }
}

//! Users and their keys, as the neutral [`UserDirectory`] (offboarding by name), with the same
//! password login as token management: `GET /users/search?q=` (login and full name), and — for
//! a query that looks like an email address — the site admin's `GET /admin/users`, matched on
//! `email` here (whether the search itself matches emails is unverified); then
//! `GET /users/{username}/keys` (SSH, with Gitea's `fingerprint`) and `…/gpg_keys` (the key
//! id). Key material is never kept.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use http::Method;
use serde::Deserialize;

use crate::admin::UserId;
use crate::directory::{CredentialKind, DirectoryUser, OtherCredential, UserDirectory, check_query};
use crate::error::Result;
use crate::gitea::classify::{Asked, check, decode};
use crate::gitea::pagination::{self, MAX_LIMIT, Position};
use crate::gitea::request::{Prepared, RequestContext, username};
use crate::gitea::{GiteaClient, PROVIDER_NAME, operations as op};
use crate::model::{ContinuationToken, Page};
use crate::pagination::{self as pages, DEFAULT_MAX_PAGES};
use crate::transport::HttpResponse;

/// Gitea's `User`, the fields used here.
#[derive(Debug, Deserialize)]
struct UserWire {
    login: String,
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SearchWire {
    #[serde(default)]
    data: Vec<UserWire>,
}

/// A `PublicKey` or `GPGKey`; `key` and `public_key` are deliberately not read.
#[derive(Debug, Deserialize)]
struct KeyWire {
    id: u64,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    fingerprint: Option<String>,
    #[serde(default)]
    key_id: Option<String>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    expires_at: Option<DateTime<Utc>>,
}

/// What is listed.
#[derive(Debug, Clone, Copy)]
enum Listing<'a> {
    Search(&'a str),
    AdminUsers,
    Keys(&'a str),
    GpgKeys(&'a str),
}

fn request(ctx: &RequestContext, listing: Listing<'_>, at: Position) -> Result<Prepared> {
    let (mut url, op) = match listing {
        Listing::Search(_) => (ctx.url(&["users", "search"]), op::USER_SEARCH),
        Listing::AdminUsers => (ctx.url(&["admin", "users"]), op::ADMIN_USERS),
        Listing::Keys(user) => (ctx.url(&["users", username(user)?, "keys"]), op::USER_KEYS),
        Listing::GpgKeys(user) => (ctx.url(&["users", username(user)?, "gpg_keys"]), op::USER_GPG_KEYS),
    };
    {
        let q = &mut url;
        if let Listing::Search(text) = listing {
            q.append_pair("q", text);
        }
        q.append_pair("page", &at.page.to_string()).append_pair("limit", &MAX_LIMIT.to_string());
    }
    Ok(Prepared { method: Method::GET, url, op, body: None })
}

fn user(u: UserWire) -> DirectoryUser {
    let mut user = DirectoryUser::new(u.login.clone()).login(u.login);
    user.email = u.email.filter(|e| !e.is_empty());
    user.display_name = u.full_name.filter(|n| !n.is_empty());
    user
}

fn parse_users(
    response: &HttpResponse,
    asked: &Asked<'_>,
    at: Position,
    search: bool,
    now: DateTime<Utc>,
) -> Result<Page<DirectoryUser>> {
    check(response, asked, now)?;
    let users = if search {
        decode::<SearchWire>(response, asked.op)?.data
    } else {
        decode::<Vec<UserWire>>(response, asked.op)?
    };
    let next = pagination::next(at, MAX_LIMIT, users.len(), pagination::total(response));
    Ok(Page { items: users.into_iter().map(user).collect(), continuation: next.map(Position::continuation) })
}

fn parse_keys(
    response: &HttpResponse,
    asked: &Asked<'_>,
    at: Position,
    gpg: bool,
    now: DateTime<Utc>,
) -> Result<Page<OtherCredential>> {
    check(response, asked, now)?;
    let keys: Vec<KeyWire> = decode(response, asked.op)?;
    let next = pagination::next(at, MAX_LIMIT, keys.len(), pagination::total(response));
    let kind = if gpg { CredentialKind::GpgKey } else { CredentialKind::SshKey };
    let items = keys
        .into_iter()
        .map(|k| {
            let mut key = OtherCredential::new(kind.clone(), k.id.to_string());
            key.title = k.title.filter(|t| !t.is_empty());
            key.fingerprint = if gpg { k.key_id } else { k.fingerprint }.filter(|f| !f.is_empty());
            key.created = k.created_at;
            // Gitea writes a GPG key without expiry as the zero time.
            key.expires = k.expires_at.filter(|t| t.timestamp() > 0);
            key
        })
        .collect();
    Ok(Page { items, continuation: next.map(Position::continuation) })
}

impl GiteaClient {
    async fn users_page(&self, listing: Listing<'_>, c: Option<ContinuationToken>) -> Result<Page<DirectoryUser>> {
        let at = c.as_ref().map_or(Ok(Position::FIRST), pagination::position_of)?;
        let search = matches!(listing, Listing::Search(_));
        let prepared = request(self.ctx(), listing, at)?;
        self.managed(prepared, None, |r, asked, now| parse_users(r, asked, at, search, now)).await
    }

    async fn keys_page(&self, listing: Listing<'_>, c: Option<ContinuationToken>) -> Result<Page<OtherCredential>> {
        let at = c.as_ref().map_or(Ok(Position::FIRST), pagination::position_of)?;
        let gpg = matches!(listing, Listing::GpgKeys(_));
        let prepared = request(self.ctx(), listing, at)?;
        self.managed(prepared, None, |r, asked, now| parse_keys(r, asked, at, gpg, now)).await
    }
}

/// With the client's password login; an email query needs a site administrator.
#[async_trait]
impl UserDirectory for GiteaClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    async fn find_users(&self, query: &str) -> Result<Vec<DirectoryUser>> {
        let query = check_query(query)?;
        let search = Listing::Search(query);
        let mut users: Vec<DirectoryUser> =
            pages::items(pages::pages("Gitea user search", DEFAULT_MAX_PAGES, None, |c| self.users_page(search, c)))
                .try_collect()
                .await?;
        if query.contains('@') {
            let all =
                pages::pages("Gitea admin users", DEFAULT_MAX_PAGES, None, |c| self.users_page(Listing::AdminUsers, c));
            let by_email = pages::items(all)
                .try_filter(|u| std::future::ready(u.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(query))));
            users.extend(by_email.try_collect::<Vec<_>>().await?);
        }
        Ok(users)
    }

    /// SSH keys (title, fingerprint, created) and GPG keys (key id, created, expiry). A user
    /// Gitea does not know has none.
    async fn other_credentials(&self, user: &UserId) -> Result<Vec<OtherCredential>> {
        crate::directory::ssh_and_gpg_keys(|gpg| {
            let listing = if gpg { Listing::GpgKeys(user.as_str()) } else { Listing::Keys(user.as_str()) };
            pages::items(pages::pages("Gitea keys", DEFAULT_MAX_PAGES, None, move |c| self.keys_page(listing, c)))
                .try_collect::<Vec<_>>()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitea::classify::tests::{asked, now};
    use crate::gitea::request::tests::context;

    #[test]
    fn requests() {
        let r = request(&context(), Listing::Search("ada@x.test"), Position::FIRST).unwrap();
        assert_eq!(r.url.as_str(), "https://gitea.example/api/v1/users/search?q=ada%40x.test&page=1&limit=50");
        let r = request(&context(), Listing::GpgKeys("ada"), Position { page: 2, seen: Some(50) }).unwrap();
        assert_eq!(r.url.as_str(), "https://gitea.example/api/v1/users/ada/gpg_keys?page=2&limit=50");
        assert!(request(&context(), Listing::Keys("a/b"), Position::FIRST).is_err());
    }

    #[test]
    fn parses_search_and_keys_without_key_material() {
        let ok = |body: &str| http::Response::builder().status(200).body(body.as_bytes().to_vec()).unwrap();
        let asked = Asked { op: op::USER_SEARCH, ..asked(Some(false)) };
        let page = parse_users(
            &ok(r#"{"ok":true,"data":[{"id":3,"login":"ada","full_name":"Ada L","email":"ada@x.test"}]}"#),
            &asked,
            Position::FIRST,
            true,
            now(),
        )
        .unwrap();
        assert_eq!(page.items[0], DirectoryUser::new("ada").login("ada").email("ada@x.test").display_name("Ada L"));
        let asked = Asked { op: op::USER_KEYS, ..asked };
        let keys = parse_keys(
            &ok(r#"[{"id":9,"key":"ssh-ed25519 AAAACANARY","title":"laptop","fingerprint":"SHA256:abc","created_at":"2026-01-01T00:00:00Z"}]"#),
            &asked,
            Position::FIRST,
            false,
            now(),
        )
        .unwrap();
        assert_eq!(keys.items[0].fingerprint.as_deref(), Some("SHA256:abc"));
        assert!(!format!("{:?}", keys.items).contains("CANARY"));
    }
}

//! Users and their keys, as the neutral [`UserDirectory`] (offboarding by name), with the
//! client's password login: `GET /rest/api/latest/admin/users?filter=` (system administrators;
//! the filter matches part of the username, display name or email), then
//! `GET /rest/ssh/latest/keys?user=` and `GET /rest/gpg/latest/keys?user=`. Pages follow
//! `isLastPage` / `nextPageStart`. Key material (`text`) is never read. The SSH and GPG key
//! fields beyond `id`, `label` and `fingerprint` are unverified.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use http::Method;
use serde::Deserialize;

use crate::admin::UserId;
use crate::auth::AccessCredential;
use crate::bitbucket::classify::{check, decode};
use crate::bitbucket::request::{RequestContext, user_slug};
use crate::bitbucket::{BitbucketClient, PROVIDER_NAME, operations as op};
use crate::client::base_url;
use crate::directory::{CredentialKind, DirectoryUser, OtherCredential, UserDirectory, check_query};
use crate::error::{Error, Result};
use crate::model::{ContinuationToken, Page};
use crate::pagination::{self as pages, DEFAULT_MAX_PAGES};
use crate::transport::{HttpRequest, HttpResponse};

/// Items asked per page (the server may cap it lower).
const LIMIT: &str = "100";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PagedWire<T> {
    #[serde(default = "Vec::new")]
    values: Vec<T>,
    is_last_page: bool,
    #[serde(default)]
    next_page_start: Option<u64>,
}

impl<T> PagedWire<T> {
    fn continuation(&self) -> Option<ContinuationToken> {
        if self.is_last_page { None } else { self.next_page_start.map(|n| ContinuationToken::new(n.to_string())) }
    }
}

/// A `RestDetailedUser`, the fields used here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserWire {
    name: String,
    slug: String,
    #[serde(default)]
    email_address: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

/// A key id: a number for SSH keys, a string for GPG keys (unverified; both are accepted).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum KeyId {
    Number(u64),
    Text(String),
}

impl KeyId {
    fn into_string(self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Text(s) => s,
        }
    }
}

/// A `RestSshKey` or `RestGpgKey`; `text` is deliberately not read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyWire {
    id: KeyId,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    fingerprint: Option<String>,
    #[serde(default)]
    created_date: Option<i64>,
    #[serde(default)]
    last_authenticated: Option<i64>,
    #[serde(default)]
    expiry_date: Option<i64>,
}

/// What is listed.
#[derive(Debug, Clone, Copy)]
enum Listing<'a> {
    Users(&'a str),
    SshKeys(&'a str),
    GpgKeys(&'a str),
}

fn request(
    ctx: &RequestContext,
    credential: &AccessCredential,
    listing: Listing<'_>,
    start: Option<&ContinuationToken>,
) -> Result<HttpRequest> {
    let (segments, op, pair): (&[&str], _, _) = match listing {
        Listing::Users(filter) => (&["rest", "api", "latest", "admin", "users"], op::ADMIN_USERS, ("filter", filter)),
        Listing::SshKeys(user) => (&["rest", "ssh", "latest", "keys"], op::SSH_KEYS, ("user", user)),
        Listing::GpgKeys(user) => (&["rest", "gpg", "latest", "keys"], op::GPG_KEYS, ("user", user)),
    };
    if !matches!(listing, Listing::Users(_)) {
        user_slug("user", pair.1)?;
    }
    let mut url = base_url::join(&ctx.base_url, segments.iter().copied());
    {
        let q = &mut url;
        q.append_pair(pair.0, pair.1).append_pair("limit", LIMIT);
        if let Some(start) = start {
            let raw = start.as_str();
            if raw.is_empty() || raw.len() > 12 || !raw.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::invalid_input("continuation", "not a Bitbucket page start"));
            }
            q.append_pair("start", raw);
        }
    }
    ctx.build(Method::GET, url, op, credential, None)
}

fn parse_users(response: &HttpResponse, now: DateTime<Utc>) -> Result<Page<DirectoryUser>> {
    check(response, op::ADMIN_USERS, None, now)?;
    let page: PagedWire<UserWire> = decode(response, op::ADMIN_USERS)?;
    let continuation = page.continuation();
    let items = page
        .values
        .into_iter()
        .map(|u| {
            let mut user = DirectoryUser::new(u.slug).login(u.name);
            user.email = u.email_address.filter(|e| !e.is_empty());
            user.display_name = u.display_name.filter(|n| !n.is_empty());
            user
        })
        .collect();
    Ok(Page { items, continuation })
}

fn parse_keys(response: &HttpResponse, now: DateTime<Utc>, gpg: bool) -> Result<Page<OtherCredential>> {
    let operation = if gpg { op::GPG_KEYS } else { op::SSH_KEYS };
    check(response, operation, None, now)?;
    let page: PagedWire<KeyWire> = decode(response, operation)?;
    let continuation = page.continuation();
    let kind = if gpg { CredentialKind::GpgKey } else { CredentialKind::SshKey };
    let at = |ms: Option<i64>| ms.and_then(DateTime::from_timestamp_millis);
    let items = page
        .values
        .into_iter()
        .map(|k| {
            let mut key = OtherCredential::new(kind.clone(), k.id.into_string());
            key.title = k.label.filter(|l| !l.is_empty());
            key.fingerprint = k.fingerprint.filter(|f| !f.is_empty());
            key.created = at(k.created_date);
            key.last_used = at(k.last_authenticated);
            key.expires = at(k.expiry_date);
            key
        })
        .collect();
    Ok(Page { items, continuation })
}

impl BitbucketClient {
    async fn directory_page<T>(
        &self,
        listing: Listing<'_>,
        start: Option<ContinuationToken>,
        parse: impl FnOnce(&HttpResponse, DateTime<Utc>) -> Result<Page<T>>,
    ) -> Result<Page<T>> {
        let credential = self.credential().await?;
        let request = request(self.ctx(), &credential, listing, start.as_ref())?;
        self.execute(request, parse).await
    }
}

/// A system administrator's password login (the admin user list and other users' keys need
/// one). `UserId` is the user slug.
#[async_trait]
impl UserDirectory for BitbucketClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    async fn find_users(&self, query: &str) -> Result<Vec<DirectoryUser>> {
        let query = check_query(query)?;
        let listing = Listing::Users(query);
        pages::items(pages::pages("Bitbucket admin users", DEFAULT_MAX_PAGES, None, |c| {
            self.directory_page(listing, c, parse_users)
        }))
        .try_collect()
        .await
    }

    /// SSH keys (label, fingerprint, created, last authenticated) and GPG keys (fingerprint,
    /// expiry). An unknown user has none.
    async fn other_credentials(&self, user: &UserId) -> Result<Vec<OtherCredential>> {
        crate::directory::ssh_and_gpg_keys(|gpg| {
            let listing = if gpg { Listing::GpgKeys(user.as_str()) } else { Listing::SshKeys(user.as_str()) };
            pages::items(pages::pages("Bitbucket keys", DEFAULT_MAX_PAGES, None, move |c| {
                self.directory_page(listing, c, move |r, now| parse_keys(r, now, gpg))
            }))
            .try_collect::<Vec<_>>()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::classify::tests::{now, respond};
    use crate::bitbucket::request::tests::{assert_common, context, password};

    #[test]
    fn requests() {
        let r = request(&context(), &password(), Listing::Users("ada@x.test"), None).unwrap();
        assert!(
            r.uri().to_string().ends_with("/rest/api/latest/admin/users?filter=ada%40x.test&limit=100"),
            "{}",
            r.uri()
        );
        assert_common(&r, op::ADMIN_USERS);
        let r =
            request(&context(), &password(), Listing::SshKeys("ada"), Some(&ContinuationToken::new("100"))).unwrap();
        assert!(r.uri().to_string().ends_with("/rest/ssh/latest/keys?user=ada&limit=100&start=100"), "{}", r.uri());
        assert!(request(&context(), &password(), Listing::GpgKeys(" "), None).is_err());
    }

    #[test]
    fn parses_users_and_keys_without_key_material() {
        let users = parse_users(
            &respond(200, r#"{"size":1,"limit":100,"isLastPage":false,"nextPageStart":100,"values":[{"name":"Ada","emailAddress":"ada@x.test","id":5,"displayName":"Ada L","active":true,"slug":"ada","type":"NORMAL"}],"start":0}"#),
            now(),
        )
        .unwrap();
        assert_eq!(users.items[0], DirectoryUser::new("ada").login("Ada").email("ada@x.test").display_name("Ada L"));
        assert_eq!(users.continuation.unwrap().as_str(), "100");
        let keys = parse_keys(
            &respond(200, r#"{"size":1,"limit":100,"isLastPage":true,"values":[{"id":2,"text":"ssh-ed25519 AAAACANARY","label":"laptop","fingerprint":"SHA256:xyz","createdDate":1767225600000}],"start":0}"#),
            now(),
            false,
        )
        .unwrap();
        assert_eq!(keys.items[0].fingerprint.as_deref(), Some("SHA256:xyz"));
        assert!(keys.items[0].created.is_some() && keys.continuation.is_none());
        assert!(!format!("{:?}", keys.items).contains("CANARY"));
    }
}

//! The token API halves the session needs, sans-IO: request builders and parsers for
//! `auth/token/lookup-self`, `auth/token/renew-self` and `auth/<mount>/login` (AppRole).
//!
//! Every answer here holds a token (`data.id`, `auth.client_token`), so the requests are tagged
//! sensitive and a failed decode names only the JSON path, never the body.

use std::time::Duration;

use http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::super::answers;
use super::super::token::VaultToken;
use super::VaultSecretId;
use crate::http_url::HttpUrl;
use crate::store::{StoreError, StoreErrorKind};
use crate::transport::{HttpRequest, HttpResponse, Operation};

/// `GET auth/token/lookup-self`: the token's remaining TTL. Idempotent; sensitive (the answer
/// repeats the token).
pub(crate) const LOOKUP: Operation = Operation::idempotent("vault_token_lookup_self").sensitive();
/// `POST auth/token/renew-self`: extends the token's TTL; repeating it extends it again, which is
/// harmless.
pub(crate) const RENEW: Operation = Operation::idempotent("vault_token_renew_self").sensitive();
/// `POST auth/<mount>/login`: mints a new token. Not idempotent (a repeat mints another token
/// and may use up a secret ID with a use limit), so a retrying transport sends it again only
/// when it never reached the server.
pub(crate) const LOGIN: Operation = Operation::not_idempotent("vault_login").sensitive();

/// What Vault says about a token's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lease {
    /// Time left; zero for a token that never expires (root, or no TTL).
    pub(crate) ttl: Duration,
    /// Whether `renew-self` can extend it.
    pub(crate) renewable: bool,
    /// The TTL it was created with, when Vault says (`creation_ttl`; zero if not known): what a
    /// renewal asks for, even when the token was first looked up late in its life.
    pub(crate) creation_ttl: Duration,
}

/// Where the token API is and which namespace it is asked in.
#[derive(Clone, Debug)]
pub(crate) struct AuthApi {
    /// `<address>/v1/`.
    pub(crate) api: HttpUrl,
    pub(crate) namespace: Option<http::HeaderValue>,
}

impl AuthApi {
    pub(crate) fn lookup_self(&self, token: &VaultToken) -> Result<HttpRequest, StoreError> {
        self.request(Method::GET, &["auth", "token", "lookup-self"], Some(token), LOOKUP, Vec::new())
    }

    pub(crate) fn renew_self(&self, token: &VaultToken, increment: Duration) -> Result<HttpRequest, StoreError> {
        let body = json!({ "increment": format!("{}s", increment.as_secs().max(1)) });
        self.request(Method::POST, &["auth", "token", "renew-self"], Some(token), RENEW, body.to_string().into_bytes())
    }

    /// The AppRole login. The body carries the secret ID; [`crate::transport::RetryTransport`]
    /// wipes the copies it keeps, and the store wipes its own.
    pub(crate) fn app_role_login(
        &self,
        mount: &[String],
        role_id: &str,
        secret_id: &VaultSecretId,
    ) -> Result<HttpRequest, StoreError> {
        let mut path: Vec<&str> = vec!["auth"];
        path.extend(mount.iter().map(String::as_str));
        path.push("login");
        let body = json!({ "role_id": role_id, "secret_id": secret_id.expose_secret() });
        self.request(Method::POST, &path, None, LOGIN, body.to_string().into_bytes())
    }

    fn request(
        &self,
        method: Method,
        path: &[&str],
        token: Option<&VaultToken>,
        op: Operation,
        body: Vec<u8>,
    ) -> Result<HttpRequest, StoreError> {
        let mut url = self.api.clone();
        url.push_segments(path);
        let mut builder = http::Request::builder()
            .method(method)
            .uri(url.as_str())
            .header("x-vault-request", "true")
            .header(http::header::ACCEPT, "application/json");
        if let Some(token) = token {
            let value = token.header_value().ok_or_else(|| {
                StoreError::new(StoreErrorKind::Other, "the Vault token holds characters an HTTP header cannot carry")
            })?;
            builder = builder.header("x-vault-token", value);
        }
        if let Some(ns) = &self.namespace {
            builder = builder.header("x-vault-namespace", ns.clone());
        }
        if !body.is_empty() {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
        }
        let mut request = builder
            .body(body)
            .map_err(|_| StoreError::new(StoreErrorKind::Other, "could not build the Vault request"))?;
        request.extensions_mut().insert(op);
        Ok(request)
    }
}

#[derive(Deserialize)]
struct LookupAnswer {
    data: LookupData,
}

#[derive(Deserialize)]
struct LookupData {
    #[serde(default)]
    ttl: u64,
    #[serde(default)]
    renewable: bool,
    #[serde(default)]
    creation_ttl: u64,
}

#[derive(Deserialize)]
struct AuthAnswer {
    auth: AuthData,
}

#[derive(Deserialize)]
struct AuthData {
    client_token: String,
    #[serde(default)]
    lease_duration: u64,
    #[serde(default)]
    renewable: bool,
}

/// The answer to [`AuthApi::lookup_self`].
pub(crate) fn parse_lookup(response: &HttpResponse) -> Result<Lease, StoreError> {
    if response.status() != StatusCode::OK {
        return Err(answers::status_error(LOOKUP, "auth/token/lookup-self", response));
    }
    let answer: LookupAnswer = decode(response.body(), "the token lookup")?;
    let LookupData { ttl, renewable, creation_ttl } = answer.data;
    Ok(Lease { ttl: Duration::from_secs(ttl), renewable, creation_ttl: Duration::from_secs(creation_ttl) })
}

/// The answer to [`AuthApi::renew_self`] or [`AuthApi::app_role_login`]: the token (the same
/// one after a renewal) and its lease.
pub(crate) fn parse_auth(response: &HttpResponse, what: &str) -> Result<(VaultToken, Lease), StoreError> {
    match response.status().as_u16() {
        200 => {}
        // Vault answers a wrong role ID or secret ID with 400.
        400 | 401 | 403 => {
            return Err(StoreError::new(
                StoreErrorKind::PermissionDenied,
                format!(
                    "Vault answered HTTP {} to {what}: refused (check the token, or the role ID, secret ID and role)",
                    response.status().as_u16()
                ),
            ));
        }
        _ => return Err(answers::status_error(LOGIN, what, response)),
    }
    let answer: AuthAnswer = decode(response.body(), what)?;
    let AuthData { client_token, lease_duration, renewable } = answer.auth;
    let token = VaultToken::new(client_token);
    if token.expose_secret().is_empty() || token.header_value().is_none() {
        return Err(StoreError::new(StoreErrorKind::Other, format!("Vault's answer to {what} holds no usable token")));
    }
    let ttl = Duration::from_secs(lease_duration);
    Ok((token, Lease { ttl, renewable, creation_ttl: ttl }))
}

/// Decodes JSON; on failure, names only the path that failed (the body holds a token).
fn decode<T: for<'de> Deserialize<'de>>(body: &[u8], what: &str) -> Result<T, StoreError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| StoreError::new(StoreErrorKind::Other, format!("Vault's answer to {what} lacks `{}`", e.path())))
}

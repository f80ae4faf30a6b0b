//! [`GitHubCredential`]: what the client acts with: a GitHub App installation (the fine-grained
//! PAT administration endpoints accept nothing else) or a token (classic PAT or OAuth token: an
//! organization owner's, for SAML credential authorizations).

use std::fmt;
use std::sync::Arc;

use super::GitHubClient;
use super::app::{Cache, GitHubApp, InstallationToken};
use crate::auth::AccessCredential;
use crate::error::{CredentialErrorKind, Error, Result};
use crate::secret::BearerToken;

/// What a [`GitHubClient`] acts with. Cheap to clone (clones share the installation-token cache).
///
/// - [`app`](Self::app): a GitHub App installation. Each request sends an installation token
///   (`ghs_…`), exchanged from the app's JWT on first use, cached until five minutes before
///   it expires (GitHub's last an hour), and refreshed once for any number of concurrent callers.
///   A 401 forgets the cached token, so the next call exchanges a fresh one. The fine-grained PAT
///   endpoints (grants, requests) require this, with the organization permissions "Personal
///   access tokens" and "Personal access token requests".
/// - [`token`](Self::token): a classic PAT or OAuth token, sent as `Authorization: Bearer`. An
///   organization owner's token with `read:org` / `admin:org` manages SAML credential
///   authorizations; GitHub refuses it on the fine-grained PAT endpoints.
///
/// `Debug` never shows a key or token.
#[derive(Clone)]
pub struct GitHubCredential(Kind);

#[derive(Clone)]
enum Kind {
    App { app: GitHubApp, installation_id: u64, cache: Arc<Cache> },
    Token(BearerToken),
}

impl fmt::Debug for GitHubCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::App { app, installation_id, cache } => f
                .debug_struct("GitHubCredential::App")
                .field("app", &app.issuer())
                .field("installation_id", installation_id)
                .field("cache", cache)
                .finish(),
            Kind::Token(token) => f.debug_tuple("GitHubCredential::Token").field(token).finish(),
        }
    }
}

impl GitHubCredential {
    /// The installation `installation_id` of `app` (the installation on the organization the
    /// client manages: each organization has its own).
    pub fn app(app: GitHubApp, installation_id: u64) -> Self {
        Self(Kind::App { app, installation_id, cache: Arc::default() })
    }

    /// A classic PAT or OAuth token, sent as `Authorization: Bearer`.
    pub fn token(token: impl Into<String>) -> Self {
        Self(Kind::Token(BearerToken::new(token.into())))
    }

    /// The token held by the environment variable `name` (e.g. `GITHUB_TOKEN`).
    ///
    /// # Errors
    ///
    /// [`Error::Credential`] (kind `Unavailable`) when the variable is unset, empty or not
    /// Unicode.
    pub fn token_from_env(name: &str) -> Result<Self> {
        let value = zeroize::Zeroizing::new(std::env::var(name).unwrap_or_default());
        match value.trim() {
            token if !token.is_empty() => Ok(Self::token(token.to_owned())),
            _ => Err(Error::credential(
                CredentialErrorKind::Unavailable,
                format!("the environment variable {name} holding the GitHub token is not set"),
            )),
        }
    }

    /// Whether this is a GitHub App installation.
    pub fn is_app(&self) -> bool {
        matches!(self.0, Kind::App { .. })
    }

    /// The installation token the client would send now (exchanged or cached); `None` for a
    /// [`token`](Self::token) credential.
    pub(crate) async fn installation_token(&self, client: &GitHubClient) -> Result<Option<InstallationToken>> {
        match &self.0 {
            Kind::App { app, installation_id, cache } => Ok(Some(cache.get(client, app, *installation_id).await?)),
            Kind::Token(_) => Ok(None),
        }
    }

    /// The credential to send now.
    pub(crate) async fn access(&self, client: &GitHubClient) -> Result<AccessCredential> {
        match &self.0 {
            Kind::App { app, installation_id, cache } => {
                let token = cache.get(client, app, *installation_id).await?;
                Ok(AccessCredential::Bearer(token.token().clone()))
            }
            Kind::Token(token) => Ok(AccessCredential::Bearer(token.clone())),
        }
    }

    /// After a 401: forgets a cached installation token.
    pub(crate) async fn refused(&self) {
        if let Kind::App { cache, .. } = &self.0 {
            cache.forget().await;
        }
    }
}

//! GitHub App authentication: the app's private key ([`AppKey`]), its RS256 JWT
//! ([`GitHubApp::jwt`]) and the installation token it is exchanged for
//! ([`InstallationToken`], cached and refreshed by the client, see
//! [`GitHubCredential::app`](super::GitHubCredential::app)).

mod installation;
mod jwt;
pub(crate) mod key;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::secret::BearerToken;

pub(crate) use installation::Cache;
pub use installation::InstallationToken;
pub use key::AppKey;

/// A GitHub App: who it is (its app id, e.g. `"123456"`, or its client id, e.g.
/// `"Iv23li…"`, both accepted by GitHub as the JWT issuer) and its private key.
///
/// Cheap to clone (the key is shared).
///
/// ```
/// use patkit::github::{AppKey, GitHubApp};
///
/// let app = GitHubApp::new("123456", AppKey::from_pem_file("tests/fixtures/github/app-key.pem")?)?;
/// let jwt = app.jwt(chrono::Utc::now())?;
/// assert_eq!(jwt.expose_secret().split('.').count(), 3);
/// assert!(!format!("{app:?} {jwt:?}").contains(jwt.expose_secret()));
/// # Ok::<_, patkit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct GitHubApp {
    issuer: String,
    key: Arc<AppKey>,
}

impl GitHubApp {
    /// The app with id (or client id) `issuer` and private key `key`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty issuer or one with characters other than letters,
    /// digits, `.`, `_` and `-`.
    pub fn new(issuer: impl Into<String>, key: AppKey) -> Result<Self> {
        let issuer = issuer.into();
        if issuer.is_empty()
            || issuer.len() > 100
            || !issuer.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(Error::invalid_input("app_id", "expected a GitHub App id or client id"));
        }
        Ok(Self { issuer, key: Arc::new(key) })
    }

    /// The issuer (app id or client id).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// A JWT for the app's own endpoints (`/app/…`), good from 60 s before `now` to 9 minutes
    /// after: RS256, claims `iat`, `exp`, `iss`.
    ///
    /// # Errors
    ///
    /// [`Error::Credential`] if signing fails.
    pub fn jwt(&self, now: DateTime<Utc>) -> Result<BearerToken> {
        jwt::sign(&self.key, &self.issuer, now)
    }
}

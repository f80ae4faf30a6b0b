//! Credentials for the management APIs, neutral to the provider.
//!
//! A [`Credential`] yields an [`AccessCredential`] for each request: a bearer token, Basic auth
//! or a custom header, all secret-typed. Where a credential comes *from* is the provider's
//! business (e.g. the Azure CLI and Azure's environment variable live in the Azure module,
//! `patkit::azure`); this module holds the trait, fixed credentials
//! ([`StaticCredential`]), the password login some services require to mint tokens
//! ([`PasswordCredential`]) and the neutral header building.

mod fixed;
pub(crate) mod header;
mod password;

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::Result;
use crate::secret::BearerToken;

pub use crate::secret::CredentialSecret;
pub use fixed::StaticCredential;
pub use password::{PasswordCredential, PasswordLogin, PromptFor, SecretPrompt, prompt_fn};

/// What a [`Credential`] yields for one request. Every secret part is secret-typed, so `Debug`
/// never shows it.
///
/// ```
/// use patkit::auth::AccessCredential;
/// use patkit::BearerToken;
///
/// let bearer = AccessCredential::Bearer(BearerToken::new("eyJ0-canary".into()));
/// let basic = AccessCredential::basic("alice", "pw-canary".to_owned());
/// let header = AccessCredential::header(http::HeaderName::from_static("private-token"), "glpat-canary".to_owned());
/// for credential in [&bearer, &basic, &header] {
///     let (_, value) = credential.to_header();
///     assert!(value.is_sensitive());
///     assert!(!format!("{credential:?} {value:?}").contains("canary"));
/// }
/// assert_eq!(basic.to_header().1, "Basic YWxpY2U6cHctY2FuYXJ5");
/// assert_eq!(header.to_header().0, "private-token");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AccessCredential {
    /// An OAuth-style access token (e.g. a Microsoft Entra token): `Authorization: Bearer …`.
    Bearer(BearerToken),
    /// `Authorization: Basic base64(user ":" secret)` (RFC 7617). The user name must not contain
    /// `:`. Azure DevOps takes a PAT this way with an empty user name; Gitea and Bitbucket take a
    /// password.
    Basic {
        /// The user name (not secret; may be empty).
        user: String,
        /// The password or token.
        secret: CredentialSecret,
    },
    /// A header of the provider's own, e.g. GitLab's `PRIVATE-TOKEN: …`, sent as the value is.
    Header {
        /// The header's name.
        name: http::HeaderName,
        /// Its value.
        value: CredentialSecret,
    },
}

impl AccessCredential {
    /// [`AccessCredential::Basic`] for `user` and `secret`.
    pub fn basic(user: impl Into<String>, secret: impl Into<CredentialSecret>) -> Self {
        Self::Basic { user: user.into(), secret: secret.into() }
    }

    /// [`AccessCredential::Header`] `name: value`.
    pub fn header(name: http::HeaderName, value: impl Into<CredentialSecret>) -> Self {
        Self::Header { name, value: value.into() }
    }

    /// The header to send: its name (`Authorization` unless this is a [`Header`](Self::Header))
    /// and its value, marked sensitive. A value with characters a header cannot carry is sent
    /// empty (and so refused by the service) rather than quoted in an error.
    pub fn to_header(&self) -> (http::HeaderName, http::HeaderValue) {
        match self {
            Self::Bearer(token) => (http::header::AUTHORIZATION, header::bearer(token.expose_secret())),
            Self::Basic { user, secret } => (http::header::AUTHORIZATION, header::basic(user, secret.expose_secret())),
            Self::Header { name, value } => (name.clone(), header::sensitive(value.expose_secret())),
        }
    }
}

/// A source of credentials for the management APIs. Called before every request, so
/// implementations should cache (the built-in Azure CLI credential does).
#[async_trait]
pub trait Credential: Send + Sync + Debug {
    /// A credential to send now.
    async fn credential(&self) -> Result<AccessCredential>;
}

#[deny(clippy::missing_trait_methods)]
#[async_trait]
impl<T: Credential + ?Sized> Credential for Arc<T> {
    async fn credential(&self) -> Result<AccessCredential> {
        (**self).credential().await
    }
}

#[deny(clippy::missing_trait_methods)]
#[async_trait]
impl<T: Credential + ?Sized> Credential for Box<T> {
    async fn credential(&self) -> Result<AccessCredential> {
        (**self).credential().await
    }
}

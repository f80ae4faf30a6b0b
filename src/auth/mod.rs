//! Where the credential for the management APIs comes from.
//!
//! The PAT lifecycle API accepts only a Microsoft Entra access token issued to a *user*, for the
//! Azure DevOps resource [`AZURE_DEVOPS_RESOURCE`]. PATs, service principals and managed
//! identities are refused by the service. Token Admin may also be called with a PAT
//! (Basic auth) that has the `vso.tokenadministration` scope.

mod azure_cli;
mod chain;
mod env;
mod fixed;

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::Result;
use crate::secret::{BearerToken, PatSecret};

pub use azure_cli::AzureCliCredential;
pub use chain::DefaultCredential;
pub use env::EnvCredential;
pub use fixed::{PatCredential, StaticCredential};

/// The Entra resource (audience) id of Azure DevOps.
pub const AZURE_DEVOPS_RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";

/// What a [`Credential`] yields for one request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AccessCredential {
    /// A Microsoft Entra access token: `Authorization: Bearer …`.
    Bearer(BearerToken),
    /// A PAT: `Authorization: Basic base64(":" + PAT)`. Accepted by Token Admin only; the
    /// lifecycle calls refuse it before sending.
    Pat(PatSecret),
}

impl AccessCredential {
    /// The `Authorization` header value, marked sensitive.
    pub fn header_value(&self) -> http::HeaderValue {
        match self {
            Self::Bearer(token) => token.bearer_authorization(),
            Self::Pat(secret) => secret.basic_authorization(),
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

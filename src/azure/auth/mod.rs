//! Where Azure DevOps management credentials come from.
//!
//! The PAT lifecycle API accepts only a Microsoft Entra access token issued to a *user*, for the
//! Azure DevOps resource [`AZURE_DEVOPS_RESOURCE`]. PATs, service principals and managed
//! identities are refused by the service (a PAT is refused by the client before sending). Token
//! Admin may also be called with a PAT that has the `vso.tokenadministration` scope
//! ([`PatCredential`]: Basic auth with an empty user name).

mod chain;
mod cli;
mod env;

use async_trait::async_trait;

use crate::auth::{AccessCredential, Credential};
use crate::error::Result;
use crate::secret::PatSecret;

pub use chain::DefaultCredential;
pub use cli::AzureCliCredential;
pub use env::EnvCredential;

/// The Entra resource (audience) id of Azure DevOps.
pub const AZURE_DEVOPS_RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";

/// What to do when Azure DevOps did not accept the credential: the
/// [`hint`](crate::Error::AuthRequired) of the client's [`Error::AuthRequired`](crate::Error).
pub(crate) const AUTH_HINT: &str = "the PAT lifecycle API needs a Microsoft Entra access token issued to a user \
     (resource 499b84ac-1321-427f-aa17-267ca6975798); run `az login` and retry, or check that the token has not \
     expired";

/// A PAT used as the management credential: `Authorization: Basic base64(":" + PAT)`, i.e.
/// [`AccessCredential::Basic`] with an empty user name. Only Token Admin may accept it (a PAT
/// with `vso.tokenadministration`); the PAT lifecycle calls refuse it client-side with
/// [`CredentialErrorKind::NotAccepted`](crate::CredentialErrorKind::NotAccepted).
///
/// ```
/// use patkit::auth::{AccessCredential, Credential as _};
/// use patkit::azure::PatCredential;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let credential = PatCredential::new(patkit::PatSecret::new("admin-pat".into()));
/// assert!(!format!("{credential:?}").contains("admin-pat"));
/// match credential.credential().await.unwrap() {
///     AccessCredential::Basic { user, secret } => assert_eq!((user.as_str(), secret.expose_secret()), ("", "admin-pat")),
///     other => panic!("{other:?}"),
/// }
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct PatCredential(PatSecret);

impl PatCredential {
    /// Wraps a PAT.
    pub fn new(pat: PatSecret) -> Self {
        Self(pat)
    }
}

#[async_trait]
impl Credential for PatCredential {
    async fn credential(&self) -> Result<AccessCredential> {
        Ok(AccessCredential::basic("", self.0.clone()))
    }
}

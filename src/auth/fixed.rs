use async_trait::async_trait;

use super::{AccessCredential, Credential};
use crate::error::Result;
use crate::secret::{BearerToken, PatSecret};

/// A fixed Entra access token (e.g. obtained by your own OAuth flow). It is not refreshed.
///
/// ```
/// use patkit::auth::StaticCredential;
/// let credential = StaticCredential::new("eyJ0eXAi...".to_owned());
/// assert!(!format!("{credential:?}").contains("eyJ0eXAi"));
/// ```
#[derive(Debug, Clone)]
pub struct StaticCredential(BearerToken);

impl StaticCredential {
    /// Wraps an access token.
    pub fn new(token: String) -> Self {
        Self(BearerToken::new(token))
    }
}

impl From<BearerToken> for StaticCredential {
    fn from(token: BearerToken) -> Self {
        Self(token)
    }
}

#[async_trait]
impl Credential for StaticCredential {
    async fn credential(&self) -> Result<AccessCredential> {
        Ok(AccessCredential::Bearer(self.0.clone()))
    }
}

/// A PAT used as the management credential (Basic auth). Only Token Admin may accept it (a PAT
/// with `vso.tokenadministration`); the PAT lifecycle calls refuse it client-side with
/// [`CredentialErrorKind::NotAccepted`](crate::CredentialErrorKind::NotAccepted).
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
        Ok(AccessCredential::Pat(self.0.clone()))
    }
}

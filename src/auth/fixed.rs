use async_trait::async_trait;

use super::{AccessCredential, Credential, CredentialSecret};
use crate::error::Result;
use crate::secret::BearerToken;

/// A fixed credential: a bearer token obtained by your own OAuth flow, a user name and password,
/// or a custom header. It is not refreshed.
///
/// ```
/// use patkit::auth::StaticCredential;
/// let credential = StaticCredential::new("eyJ0eXAi...".to_owned());
/// assert!(!format!("{credential:?}").contains("eyJ0eXAi"));
/// let basic = StaticCredential::basic("alice", "pw-canary".to_owned());
/// assert!(!format!("{basic:?}").contains("pw-canary"));
/// ```
#[derive(Debug, Clone)]
pub struct StaticCredential(AccessCredential);

impl StaticCredential {
    /// A bearer token ([`AccessCredential::Bearer`]).
    pub fn new(token: String) -> Self {
        Self(AccessCredential::Bearer(BearerToken::new(token)))
    }

    /// Basic auth ([`AccessCredential::Basic`]).
    pub fn basic(user: impl Into<String>, secret: impl Into<CredentialSecret>) -> Self {
        Self(AccessCredential::basic(user, secret))
    }

    /// A custom header ([`AccessCredential::Header`]).
    pub fn header(name: http::HeaderName, value: impl Into<CredentialSecret>) -> Self {
        Self(AccessCredential::header(name, value))
    }
}

impl From<BearerToken> for StaticCredential {
    fn from(token: BearerToken) -> Self {
        Self(AccessCredential::Bearer(token))
    }
}

impl From<AccessCredential> for StaticCredential {
    fn from(credential: AccessCredential) -> Self {
        Self(credential)
    }
}

#[async_trait]
impl Credential for StaticCredential {
    async fn credential(&self) -> Result<AccessCredential> {
        Ok(self.0.clone())
    }
}

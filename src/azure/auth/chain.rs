use async_trait::async_trait;

use super::{AzureCliCredential, EnvCredential};
use crate::auth::{AccessCredential, Credential};
use crate::error::Result;

/// What most tools want: the Entra token in an environment variable when one is set (CI,
/// containers), else the Azure CLI's login (a developer's machine).
///
/// The choice is made on every call, so a variable exported later is picked up. The variable is
/// [`EnvCredential::DEFAULT_VAR`] unless [`DefaultCredential::from_var`] names another.
///
/// ```
/// use patkit::azure::DefaultCredential;
/// let credential = DefaultCredential::new();
/// assert!(format!("{credential:?}").contains("AZURE_DEVOPS_ENTRA_TOKEN"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct DefaultCredential {
    env: EnvCredential,
    cli: AzureCliCredential,
}

impl DefaultCredential {
    /// [`EnvCredential::DEFAULT_VAR`], else the Azure CLI.
    pub fn new() -> Self {
        Self::default()
    }

    /// `var`, else the Azure CLI.
    pub fn from_var(var: impl Into<String>) -> Self {
        Self { env: EnvCredential::from_var(var), cli: AzureCliCredential::new() }
    }

    /// Replaces the Azure CLI credential (e.g. to set a tenant or a clock).
    pub fn azure_cli(mut self, cli: AzureCliCredential) -> Self {
        self.cli = cli;
        self
    }

    fn env_is_set(&self) -> bool {
        std::env::var_os(self.env.var_name()).is_some_and(|v| !v.is_empty())
    }
}

#[async_trait]
impl Credential for DefaultCredential {
    async fn credential(&self) -> Result<AccessCredential> {
        if self.env_is_set() { self.env.credential().await } else { self.cli.credential().await }
    }
}

//! Where the tools get their Microsoft Entra user token: an environment variable when it is
//! set, the Azure CLI otherwise.

use patkit::async_trait;
use patkit::auth::{AccessCredential, Credential};
use patkit::azure::{AzureCliCredential, DefaultCredential, EnvCredential};

/// Which credential source to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The variable if it is set and not empty, else the Azure CLI.
    Auto,
    /// Only the environment variable.
    Env,
    /// Only the Azure CLI (`az account get-access-token`).
    AzureCli,
}

impl std::str::FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "env" => Ok(Self::Env),
            "azure-cli" | "az" => Ok(Self::AzureCli),
            other => Err(format!("unknown credential source `{other}` (expected auto, env or azure-cli)")),
        }
    }
}

/// The token from `var` when set, else from `az` (for [`Source::Auto`]). Decided on every call,
/// so a variable exported later is picked up.
#[derive(Debug, Clone)]
pub struct ToolCredential {
    source: Source,
    env: EnvCredential,
    cli: AzureCliCredential,
    auto: DefaultCredential,
}

impl ToolCredential {
    /// A credential reading `var` and/or the Azure CLI, as `source` says.
    pub fn new(source: Source, var: &str) -> Self {
        Self {
            source,
            env: EnvCredential::from_var(var),
            cli: AzureCliCredential::new(),
            auto: DefaultCredential::from_var(var),
        }
    }
}

#[async_trait]
impl Credential for ToolCredential {
    async fn credential(&self) -> patkit::Result<AccessCredential> {
        match self.source {
            Source::Env => self.env.credential().await,
            Source::AzureCli => self.cli.credential().await,
            Source::Auto => self.auto.credential().await,
        }
    }
}

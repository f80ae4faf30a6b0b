//! The helper's settings: command-line arguments (as written in git's `credential.helper`
//! value), each with an environment-variable fallback.

use std::time::Duration;

use clap::Parser;
use patkit::Scopes;

use crate::credential::Source;
use crate::provider::Kind;
use crate::store::StoreChoice;
use patkit::duration;

/// A git credential helper for personal access tokens: mints Azure DevOps PATs on demand (Entra
/// login), keeps a GitLab PAT alive by rotating it, mints Gitea, Forgejo and Bitbucket tokens
/// once with a password asked on the terminal, and keeps GitHub tokens and reports their expiry.
///
/// git runs it as `git-credential-patkit [OPTIONS] <get|store|erase>` and talks to it on stdin and
/// stdout. Every option also reads an environment variable, shown in brackets.
#[derive(Debug, Parser)]
#[command(name = "git-credential-patkit", version, after_help = SETUP)]
pub struct Args {
    /// Token store: `keyring` (the OS keyring), `vault` (from BAO_ADDR/VAULT_ADDR and a token,
    /// token file or AppRole, as patkit::store::VaultConfig reads them), `file` or
    /// `file:DIR` (a DIR alone works too) [default: the OS keyring when one answers, unless the
    /// default file store exists, else the file store `git-credentials` in patkit's data
    /// directory: $XDG_DATA_HOME/patkit or ~/.local/share/patkit; macOS ~/Library/Application
    /// Support/patkit; Windows %APPDATA%\patkit].
    #[arg(long, env = "PATKIT_GIT_STORE", value_name = "KIND")]
    pub store: Option<StoreChoice>,

    /// Scopes of minted tokens (space-separated) [default: the provider's for reading and
    /// writing repositories: `vso.code_write` (Azure DevOps), `write:repository` (Gitea,
    /// Forgejo), `REPO_WRITE` (Bitbucket)].
    #[arg(long, env = "PATKIT_GIT_SCOPES")]
    pub scopes: Option<String>,

    /// Lifetime of minted PATs (e.g. 7d, 12h; at most the tenant's maximum).
    #[arg(long, env = "PATKIT_GIT_LIFETIME", default_value = "30d", value_parser = duration::parse)]
    pub lifetime: Duration,

    /// A stored PAT is returned only if it stays valid this much longer; otherwise a new one is
    /// minted.
    #[arg(long, env = "PATKIT_GIT_MARGIN", default_value = "1h", value_parser = duration::parse)]
    pub margin: Duration,

    /// On `erase`, also revoke the PAT at Azure DevOps (default: only forget it locally).
    #[arg(long, env = "PATKIT_GIT_REVOKE_ON_ERASE")]
    pub revoke_on_erase: bool,

    /// More hosts served like dev.azure.com (organization = first path segment), e.g. an
    /// Azure DevOps Server or the emulator at 127.0.0.1:8080. Repeat or separate with commas.
    /// Served over https; over plain http only when the host is loopback.
    #[arg(long = "host", env = "PATKIT_GIT_HOSTS", value_delimiter = ',', value_name = "HOST[:PORT]")]
    pub hosts: Vec<String>,

    /// Base URL of the PAT API [default: https://vssps.dev.azure.com; for a --host, the host's
    /// own protocol://host].
    #[arg(long, env = "PATKIT_GIT_API_URL", value_name = "URL")]
    pub api_url: Option<String>,

    /// Organization to use when git sends no path (without `credential.useHttpPath`) for
    /// dev.azure.com or a --host.
    #[arg(long, env = "PATKIT_GIT_ORG")]
    pub org: Option<String>,

    /// Where the Entra user token comes from: auto (the variable if set, else the Azure CLI),
    /// env, or azure-cli.
    #[arg(long, env = "PATKIT_GIT_CREDENTIAL", default_value = "auto")]
    pub credential: Source,

    /// The environment variable holding an Entra user token.
    #[arg(long, env = "PATKIT_GIT_TOKEN_VAR", default_value = "AZURE_DEVOPS_ENTRA_TOKEN")]
    pub token_var: String,

    /// The username returned with a PAT when git did not send one (Azure DevOps ignores it).
    #[arg(long, env = "PATKIT_GIT_USERNAME", default_value = "pat")]
    pub username: String,

    /// The provider of the hosts this helper serves: azure, gitlab, gitea, forgejo, bitbucket
    /// or github [default: git's `credential.<url>.provider`, else by host: dev.azure.com and
    /// *.visualstudio.com are azure, gitlab.com gitlab, github.com github; a --host with neither
    /// is an Azure DevOps Server].
    #[arg(long, env = "PATKIT_GIT_PROVIDER", value_name = "PROVIDER")]
    pub provider: Option<Kind>,

    /// GitLab: rotate the stored PAT when it expires within this long. Bitbucket: mint a new
    /// token then. GitHub: warn on stderr then.
    #[arg(long, env = "PATKIT_GIT_RENEW_WITHIN", default_value = "7d", value_parser = duration::parse)]
    pub renew_within: Duration,

    /// Gitea, Forgejo, Bitbucket: the account has two-factor authentication; a one-time code is
    /// asked (like the password) when a token is minted.
    #[arg(long, env = "PATKIT_GIT_OTP")]
    pub otp: bool,

    /// Do not read `credential.<url>.provider` from git's config (for tests).
    #[arg(long, hide = true)]
    pub no_git_config: bool,

    /// Explain decisions on stderr (never a secret).
    #[arg(long, short, env = "PATKIT_GIT_VERBOSE")]
    pub verbose: bool,

    /// What git asks for: get, store or erase. Other actions are ignored, as the protocol asks.
    pub action: String,
}

const SETUP: &str = "\
Set git up to use it (and undo that):
  git-credential-patkit configure [--global|--local] [--host HOST[:PORT]] [-- HELPER OPTIONS]
  git-credential-patkit unconfigure [--global|--local]
(`git-credential-patkit configure --help` says what is written.)";

/// Checked settings.
#[derive(Debug)]
pub struct Config {
    pub store: Option<StoreChoice>,
    /// `--scopes`; [`Config::scopes_for`] gives the provider's default.
    pub scopes: Option<Scopes>,
    pub lifetime: Duration,
    pub margin: Duration,
    pub revoke_on_erase: bool,
    pub hosts: Vec<String>,
    pub api_url: Option<String>,
    pub org: Option<String>,
    pub credential: Source,
    pub token_var: String,
    pub username: String,
    pub provider: Option<Kind>,
    pub renew_within: Duration,
    pub otp: bool,
    pub no_git_config: bool,
    pub verbose: bool,
}

impl Args {
    /// Checks the settings.
    pub fn into_config(self) -> Result<Config, String> {
        let scopes = match &self.scopes {
            Some(s) => Some(Scopes::parse(s).map_err(|e| format!("--scopes / PATKIT_GIT_SCOPES: {e}"))?),
            None => None,
        };
        Ok(Config {
            store: self.store,
            scopes,
            lifetime: self.lifetime,
            margin: self.margin,
            revoke_on_erase: self.revoke_on_erase,
            hosts: self.hosts.into_iter().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect(),
            api_url: self.api_url,
            org: self.org,
            credential: self.credential,
            token_var: self.token_var,
            username: self.username,
            provider: self.provider,
            renew_within: self.renew_within,
            otp: self.otp,
            no_git_config: self.no_git_config,
            verbose: self.verbose,
        })
    }
}

impl Config {
    /// The scopes of tokens minted for `provider`: `--scopes`, else the provider's default for
    /// reading and writing repositories.
    pub fn scopes_for(&self, provider: Kind) -> Scopes {
        if let Some(scopes) = &self.scopes {
            return scopes.clone();
        }
        let default = match provider {
            Kind::Azure => "vso.code_write",
            Kind::Gitea | Kind::Forgejo => "write:repository",
            Kind::Bitbucket => "REPO_WRITE",
            Kind::GitLab => "write_repository",
            Kind::GitHub => "repo",
        };
        Scopes::parse(default).expect("the default scopes parse")
    }
}

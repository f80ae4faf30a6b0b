//! patctl's command line.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::credential::Source;
use crate::provider::Kind;
use patkit::duration;

const EXIT_CODES: &str = "\
Exit status:
  0   success
  1   unexpected failure
  2   usage error, invalid input or an operation the provider lacks (nothing was sent)
  3   authentication: no credential, or the service did not accept it (`az login`)
  4   forbidden: the credential may not do this (e.g. not an Entra *user* token, not an admin)
  5   not found: no such token (or not yours)
  6   refused by a policy or rejected by the service
  7   rate limited: wait and retry
  8   network or service failure (transport, HTTP 5xx, undecodable answer)
  9   token store failure
  10  a create may or may not have happened (see the message; revoke and retry)
  11  bulk work finished with some items failed (rotate, offboard)

Destructive commands (revoke, expire, rotate, offboard; not --dry-run) ask first; --yes skips
the question, and without a terminal on stdin they need --yes. patctl writes no colour (NO_COLOR
has nothing to turn off); names from the server are printed with control characters escaped.

Profiles: a config file (see --config) holds named profiles, e.g.
  default = work
  [work]
  provider = azure-devops
  organization = fabrikam
  credential = azure-cli
  store = ~/.local/share/patkit/work
  [lab]
  provider = gitlab
  host = gitlab.example.com
  token-var = GITLAB_TOKEN

Providers (--provider, or from --host: gitlab.com, github.com; else azure):
  azure      a Microsoft Entra user token: AZURE_DEVOPS_ENTRA_TOKEN when set, else the Azure CLI
  gitlab     a PAT (or an admin's, for create --for-user) in GITLAB_TOKEN (--token-var)
  gitea, forgejo, bitbucket
             --user NAME; the password is asked once: PATKIT_ASKPASS / GIT_ASKPASS /
             SSH_ASKPASS (a program answering the prompt), else the terminal
  github     governance only (`patctl github ...`, scan): a GitHub App (--app-id,
             --installation-id, --app-key FILE) or an owner's token in GITHUB_TOKEN
A command the provider lacks (e.g. `extend` on GitLab, `create` on GitHub) exits 2 before
anything is sent.";

/// Manage personal access tokens (Azure DevOps, GitLab, Gitea, Forgejo, Bitbucket Data Center)
/// and GitHub organization governance: list, create, extend, expire, revoke, scan for expiry,
/// rotate stored tokens, offboard a user.
#[derive(Debug, Parser)]
#[command(name = "patctl", version, after_help = EXIT_CODES, after_long_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// The provider: azure, gitlab, gitea, forgejo, bitbucket or github [default: the one
    /// --host names, else the profile's, else azure].
    #[arg(long, global = true, env = "PATCTL_PROVIDER", value_name = "PROVIDER")]
    pub provider: Option<Kind>,

    /// The instance's host (with :port), for every provider but Azure DevOps, e.g.
    /// gitlab.example.com (https; http for a loopback host) [default: gitlab.com for gitlab,
    /// github.com for github].
    #[arg(long, global = true, env = "PATCTL_HOST", value_name = "HOST[:PORT]")]
    pub host: Option<String>,

    /// Gitea, Forgejo, Bitbucket: the account whose password mints and manages tokens.
    #[arg(long, global = true, env = "PATCTL_USER", value_name = "NAME")]
    pub user: Option<String>,

    /// Gitea, Forgejo, Bitbucket: the account has two-factor authentication; a one-time code is
    /// asked (like the password) for each login.
    #[arg(long, global = true, env = "PATCTL_OTP")]
    pub otp: bool,

    /// GitHub: the GitHub App's id (with --installation-id and --app-key).
    #[arg(long, global = true, env = "PATCTL_GITHUB_APP_ID", value_name = "ID")]
    pub app_id: Option<String>,

    /// GitHub: the App's installation on the organization.
    #[arg(long, global = true, env = "PATCTL_GITHUB_INSTALLATION_ID", value_name = "ID")]
    pub installation_id: Option<u64>,

    /// GitHub: the App's private key (PEM file).
    #[arg(long, global = true, env = "PATCTL_GITHUB_APP_KEY", value_name = "FILE")]
    pub app_key: Option<PathBuf>,

    /// Azure DevOps organization (GitHub: the organization governed).
    #[arg(long, global = true, env = "AZURE_DEVOPS_ORG")]
    pub org: Option<String>,

    /// Base URL of the token API [default: https://vssps.dev.azure.com for Azure DevOps; for the
    /// others, from --host: https://HOST/api/v4 (GitLab), /api/v1 (Gitea, Forgejo), the host
    /// (Bitbucket), https://api.github.com].
    #[arg(long, global = true, env = "AZURE_DEVOPS_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// Where the Entra user token comes from: auto (the variable if set, else the Azure CLI),
    /// env, or azure-cli [default: auto].
    #[arg(long, global = true, env = "PATCTL_CREDENTIAL")]
    pub credential: Option<Source>,

    /// The environment variable holding the management token [default: AZURE_DEVOPS_ENTRA_TOKEN
    /// (azure), GITLAB_TOKEN (gitlab), GITHUB_TOKEN (github)].
    #[arg(long, global = true, value_name = "NAME")]
    pub token_var: Option<String>,

    /// A profile of the config file: organization, API URL, credential source and store in one
    /// name (options given here still win) [default: the file's `default`, except with
    /// --emulator].
    #[arg(long, global = true, env = "PATCTL_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,

    /// The config file with the profiles [default: $XDG_CONFIG_HOME/patkit/patctl.conf, else
    /// ~/.config/patkit/patctl.conf].
    #[arg(long, global = true, env = "PATCTL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Play against an in-process emulator seeded with sample tokens (Azure DevOps: organization
    /// `fabrikam`, you are `Alice`, an admin; `Bob` is a user to offboard. GitLab
    /// (--provider gitlab): you are `alice`, an admin). Nothing leaves the process.
    #[arg(long, global = true)]
    pub emulator: bool,

    /// With --emulator: also seed this many extra tokens (to try long listings).
    #[arg(long, global = true, default_value_t = 0, value_name = "N")]
    pub emulator_extra: u32,

    /// With --emulator: the emulator and patctl see this instant (RFC 3339) as "now", e.g. to
    /// try the global-PAT retirement on either side of its date. For tests; hidden from --help.
    #[arg(long, global = true, hide = true, env = "PATCTL_EMULATOR_NOW", value_name = "RFC3339")]
    pub emulator_now: Option<DateTime<Utc>>,

    /// Token store, for `create --store-as`, `scan` and `rotate`: `keyring` (the OS keyring),
    /// `vault` (from BAO_ADDR/VAULT_ADDR and a token, token file or AppRole: see patkit::store::VaultConfig), `file` or `file:DIR` (a DIR alone works too) [default:
    /// the OS keyring when one answers, unless the default file store exists, else the file
    /// store `tokens` in patkit's data directory ($XDG_DATA_HOME/patkit or ~/.local/share/patkit;
    /// macOS ~/Library/Application Support/patkit; Windows %APPDATA%\patkit); with --emulator,
    /// an in-memory store with sample entries].
    #[arg(long, global = true, env = "PATCTL_STORE", value_name = "KIND")]
    pub store: Option<crate::store::StoreChoice>,

    /// Machine-readable JSON on stdout instead of a table.
    #[arg(long, global = true)]
    pub json: bool,

    /// Never draw a progress bar (it is drawn only on a terminal anyway).
    #[arg(long, global = true)]
    pub no_progress: bool,

    /// Do not ask before anything destructive (revoke, expire, rotate, offboard). Without it
    /// patctl asks on the terminal, and refuses when stdin is not a terminal.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,

    /// Diagnostics on stderr: the settings used, and each request to the service (operation,
    /// status, time taken). Never a secret.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List your tokens.
    List(ListArgs),
    /// Show one token.
    Get {
        /// The token's id (authorizationId).
        id: String,
    },
    /// Create a token. Its secret is handed out once: print it with --show-secret, keep it with
    /// --store-as (one of the two is required; a token no one holds is not created).
    Create(CreateArgs),
    /// Move a token's expiry later.
    Extend {
        /// The token's id.
        id: String,
        /// How much later (e.g. 30d).
        #[arg(long, value_parser = duration::parse)]
        by: Duration,
    },
    /// Set a token's expiry (to stop a token now, revoke it).
    Expire {
        /// The token's id.
        id: String,
        /// The new expiry (RFC 3339, e.g. 2026-07-01T00:00:00Z).
        #[arg(long, conflicts_with = "in", required_unless_present = "in")]
        at: Option<DateTime<Utc>>,
        /// The new expiry, from now (e.g. 1h).
        #[arg(long = "in", value_parser = duration::parse)]
        r#in: Option<Duration>,
    },
    /// Revoke tokens.
    Revoke {
        /// The tokens' ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Report stored and server tokens that expired or expire soon, and global tokens (retiring
    /// on 2026-12-01, retired after).
    Scan(ScanArgs),
    /// Rotate stored tokens that are due (expired or expiring within the window).
    Rotate(RotateArgs),
    /// Revoke every PAT of a user (Token Admin; organization administrators only).
    Offboard(OffboardArgs),
    /// GitHub organization governance: fine-grained PAT grants and requests, SAML credential
    /// authorizations (a GitHub App's installation, or an owner's token for SAML).
    #[command(subcommand)]
    Github(GithubCommand),
    /// Print a completion script for a shell, e.g. `patctl completions bash >
    /// ~/.local/share/bash-completion/completions/patctl` (zsh: into a directory of your
    /// `$fpath` as `_patctl`; fish: ~/.config/fish/completions/patctl.fish).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Status {
    Active,
    Revoked,
    Expired,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
    /// By display name.
    Name,
    /// By date.
    Date,
    /// By status.
    Status,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which tokens.
    #[arg(long, value_enum, default_value = "active")]
    pub status: Status,
    /// Sort key.
    #[arg(long, value_enum, default_value = "name")]
    pub sort: Sort,
    /// Descending order.
    #[arg(long)]
    pub desc: bool,
    /// Only tokens whose display name contains this text (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Only tokens that are still valid but expire within this window (e.g. 7d).
    #[arg(long, value_parser = duration::parse, value_name = "DURATION")]
    pub expiring_within: Option<Duration>,
    /// Only global (all-organizations) tokens.
    #[arg(long)]
    pub global: bool,
    /// Stop after this many tokens.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Tokens per request (1–100).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub page_size: u32,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Display name.
    pub name: String,
    /// Scopes, space-separated (e.g. "vso.code vso.packaging").
    #[arg(long)]
    pub scopes: String,
    /// Lifetime (e.g. 30d) [default: the service's, one year clamped by policy].
    #[arg(long, value_parser = duration::parse, conflicts_with = "expires_at")]
    pub lifetime: Option<Duration>,
    /// Expiry (RFC 3339).
    #[arg(long)]
    pub expires_at: Option<DateTime<Utc>>,
    /// A global token, valid in all your organizations (discouraged; retired 2026-12-01).
    #[arg(long)]
    pub all_orgs: bool,
    /// Print the secret (it cannot be fetched again).
    #[arg(long)]
    pub show_secret: bool,
    /// Keep the token (secret included) in the token store under this entry name.
    #[arg(long, value_name = "ENTRY")]
    pub store_as: Option<String>,
    /// GitLab: create the token for this user id (an administrator's token). Without it a
    /// GitLab user can create only `k8s_proxy` / `self_rotate` tokens for themselves.
    #[arg(long, value_name = "USER_ID")]
    pub for_user: Option<String>,
}

/// `patctl github ...`.
#[derive(Debug, Subcommand)]
pub enum GithubCommand {
    /// Fine-grained PATs with access to the organization (grants).
    Grants {
        /// Only this user's.
        #[arg(long, value_name = "LOGIN")]
        owner: Option<String>,
    },
    /// Pending requests of fine-grained PATs for access to the organization.
    Requests {
        /// Only this user's.
        #[arg(long, value_name = "LOGIN")]
        owner: Option<String>,
    },
    /// Approve requests.
    Approve {
        /// The requests' ids.
        #[arg(required = true)]
        ids: Vec<String>,
        /// Why (shown to the requester).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Deny requests.
    Deny {
        /// The requests' ids.
        #[arg(required = true)]
        ids: Vec<String>,
        /// Why (shown to the requester).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Revoke grants: the tokens lose access to the organization (they keep working elsewhere).
    RevokeGrants {
        /// The grants' ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// SAML single sign-on credential authorizations.
    Saml {
        /// Only this user's.
        #[arg(long, value_name = "LOGIN")]
        login: Option<String>,
    },
    /// Revoke SAML credential authorizations.
    SamlRevoke {
        /// The credentials' ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// How soon counts as "expiring soon".
    #[arg(long, value_parser = duration::parse, default_value = "14d", value_name = "DURATION")]
    pub within: Duration,
    /// Also report tokens that need no attention.
    #[arg(long)]
    pub all: bool,
    /// Only the token store, no server listing.
    #[arg(long, conflicts_with = "server_only")]
    pub store_only: bool,
    /// Only the server listing, no token store.
    #[arg(long)]
    pub server_only: bool,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Store entries to rotate [default: every entry of the organization that is due].
    pub entries: Vec<String>,
    /// Rotate entries expiring within this window.
    #[arg(long, value_parser = duration::parse, default_value = "14d", value_name = "DURATION")]
    pub within: Duration,
    /// Rotate even if not due.
    #[arg(long)]
    pub force: bool,
    /// Lifetime of the replacements [default: that of the token replaced].
    #[arg(long, value_parser = duration::parse, value_name = "DURATION")]
    pub lifetime: Option<Duration>,
    /// Say what would be done; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct OffboardArgs {
    /// The user's subject descriptor (aad.… or msa.…); with --emulator, a sample user's name.
    #[arg(required_unless_present = "by_name", conflicts_with = "by_name")]
    pub user: Option<String>,
    /// Find the user by email address or principal name (Graph) instead, in the organization
    /// and every --also-org; several matches are reported, never guessed.
    #[arg(long = "user", value_name = "EMAIL|NAME", conflicts_with_all = ["issued_before", "revocation_rule"])]
    pub by_name: Option<String>,
    /// With --user: offboard in this organization too (repeatable); one failing does not stop
    /// the others.
    #[arg(long = "also-org", value_name = "ORG", requires = "by_name")]
    pub also_orgs: Vec<String>,
    /// Say what would be revoked; revoke nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Only tokens issued before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub issued_before: Option<DateTime<Utc>>,
    /// Also create a revocation rule: every credential in the organization (of ANY user) issued
    /// before now with any of these scopes is revoked.
    #[arg(long, value_name = "SCOPES")]
    pub revocation_rule: Option<String>,
}

impl Status {
    pub fn filter(self) -> patkit::StatusFilter {
        match self {
            Self::Active => patkit::StatusFilter::Active,
            Self::Revoked => patkit::StatusFilter::Revoked,
            Self::Expired => patkit::StatusFilter::Expired,
            Self::All => patkit::StatusFilter::All,
        }
    }
}

impl Sort {
    pub fn key(self) -> patkit::SortBy {
        match self {
            Self::Name => patkit::SortBy::DisplayName,
            Self::Date => patkit::SortBy::DisplayDate,
            Self::Status => patkit::SortBy::Status,
        }
    }
}

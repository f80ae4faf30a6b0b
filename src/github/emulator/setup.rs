//! The public set-up and inspection types: seeds for PATs, grants, requests and SAML
//! authorizations, the delay of asynchronous jobs, and snapshots of what the emulator holds
//! (never a secret: only a SHA-256 digest of each token).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::secret::PatSecret;

/// A personal access token's kind, by its prefix (§4.5).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `ghp_…`: OAuth scopes, shown in `X-OAuth-Scopes`; may have no expiry.
    Classic,
    /// `github_pat_…`: permissions instead of scopes; reaches an org through a grant.
    FineGrained,
}

/// When a 202 (bulk revoke, bulk review, async SAML revocation) takes effect: at the first of
/// `requests` further requests reaching the emulator (of any operation, faulted ones included)
/// or the emulator clock passing `after` since it was queued. The default is 2 requests or 5
/// seconds: the first list right after a 202 still shows the old state, the second does not.
/// [`Emulator::settle`](super::Emulator::settle) runs every queued job at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkDelay {
    /// Further requests after which the job runs (0 is taken as 1: the very next request).
    pub requests: u32,
    /// Emulator-clock time after which the job runs.
    pub after: Duration,
}

impl Default for BulkDelay {
    fn default() -> Self {
        Self { requests: 2, after: Duration::from_secs(5) }
    }
}

/// A PAT to put into the emulator directly (GitHub has no API to create one, §4.1).
#[derive(Debug, Clone)]
pub struct SeedPat {
    pub(crate) owner: String,
    pub(crate) kind: TokenKind,
    pub(crate) name: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) last_used_at: Option<DateTime<Utc>>,
    pub(crate) secret: Option<PatSecret>,
}

impl SeedPat {
    fn new(owner: &str, kind: TokenKind, name: &str) -> Self {
        Self {
            owner: owner.to_owned(),
            kind,
            name: name.to_owned(),
            scopes: Vec::new(),
            expires_at: None,
            last_used_at: None,
            secret: None,
        }
    }

    /// A classic PAT (`ghp_…`) of user `owner`, called `name`, with OAuth `scopes`, no expiry,
    /// never used, with a fresh secret.
    pub fn classic(owner: &str, name: &str, scopes: &[&str]) -> Self {
        let mut seed = Self::new(owner, TokenKind::Classic, name);
        seed.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        seed
    }

    /// A fine-grained PAT (`github_pat_…`) of user `owner`, called `name`, no expiry (give one
    /// with [`expires_at`](Self::expires_at): GitHub requires it unless the org allows none),
    /// never used, with a fresh secret.
    pub fn fine_grained(owner: &str, name: &str) -> Self {
        Self::new(owner, TokenKind::FineGrained, name)
    }

    /// Expires at `at` (after which it gets 401 "Bad credentials").
    pub fn expires_at(mut self, at: DateTime<Utc>) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// Last used at `at`.
    pub fn last_used_at(mut self, at: DateTime<Utc>) -> Self {
        self.last_used_at = Some(at);
        self
    }

    /// This secret instead of a fresh one.
    ///
    /// The emulator panics on seeding if it has not the kind's prefix or is in use.
    pub fn secret(mut self, secret: PatSecret) -> Self {
        self.secret = Some(secret);
        self
    }
}

/// A seeded PAT: its id and its secret (the emulator keeps only a digest).
#[derive(Debug, Clone)]
pub struct SeededPat {
    /// The token id (`token_id` in grants).
    pub token_id: u64,
    /// The secret.
    pub secret: PatSecret,
}

/// A fine-grained PAT's access to an org: a grant, or (with
/// [`Emulator::seed_request`](super::Emulator::seed_request)) a pending request.
#[derive(Debug, Clone)]
pub struct SeedGrant {
    pub(crate) token_id: u64,
    pub(crate) repositories: Option<Vec<String>>,
    pub(crate) permissions: Vec<(String, String, String)>,
    pub(crate) at: Option<DateTime<Utc>>,
    pub(crate) reason: Option<String>,
}

impl SeedGrant {
    /// Access for the fine-grained PAT `token_id` to all of the org's repositories, with no
    /// permission, granted (or requested) now.
    pub fn new(token_id: u64) -> Self {
        Self { token_id, repositories: None, permissions: Vec::new(), at: None, reason: None }
    }

    /// Only these repositories of the org (`repository_selection: subset`; an empty list is
    /// `none`). Unknown repository names are added to the org.
    pub fn repositories(mut self, names: &[&str]) -> Self {
        self.repositories = Some(names.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    /// One permission: `group` is `organization`, `repository` or `other`; `level` `read`,
    /// `write` or `admin`.
    pub fn permission(mut self, group: &str, name: &str, level: &str) -> Self {
        self.permissions.push((group.to_owned(), name.to_owned(), level.to_owned()));
        self
    }

    /// Granted (or requested) at `at` instead of now.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(at);
        self
    }

    /// A request's `reason`.
    pub fn reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_owned());
        self
    }
}

/// A SAML credential authorization to seed (GHEC, §4.3).
#[derive(Debug, Clone)]
pub struct SeedAuthorization {
    pub(crate) login: String,
    pub(crate) credential_type: String,
    pub(crate) token_id: Option<u64>,
    pub(crate) scopes: Vec<String>,
    pub(crate) authorized_at: Option<DateTime<Utc>>,
}

impl SeedAuthorization {
    /// The SAML authorization of a seeded PAT (its owner, kind `personal access token`, its
    /// scopes, last eight characters, name and expiry come from the token).
    pub fn pat(token_id: u64) -> Self {
        Self {
            login: String::new(),
            credential_type: "personal access token".to_owned(),
            token_id: Some(token_id),
            scopes: Vec::new(),
            authorized_at: None,
        }
    }

    /// Another credential of `login`: `credential_type` as listed (`SSH key`, `OAuth app
    /// token`, `GitHub app token`).
    pub fn other(login: &str, credential_type: &str, scopes: &[&str]) -> Self {
        Self {
            login: login.to_owned(),
            credential_type: credential_type.to_owned(),
            token_id: None,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            authorized_at: None,
        }
    }

    /// Authorized at `at` instead of now.
    pub fn authorized_at(mut self, at: DateTime<Utc>) -> Self {
        self.authorized_at = Some(at);
        self
    }
}

/// A PAT as the emulator holds it: no secret, only its SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatSnapshot {
    /// The token id.
    pub token_id: u64,
    /// The owner's login.
    pub owner: String,
    /// Classic or fine-grained.
    pub kind: TokenKind,
    /// The token's name (a classic PAT's note).
    pub name: String,
    /// OAuth scopes (classic).
    pub scopes: Vec<String>,
    /// Expiry, if any.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last use, if any.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked through `POST /credentials/revoke`.
    pub revoked: bool,
    /// SHA-256 of the secret, lower-case hex.
    pub digest: String,
}

/// A grant or a pending request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantSnapshot {
    /// The grant (or request) id.
    pub id: u64,
    /// The org's login.
    pub org: String,
    /// The token id.
    pub token_id: u64,
    /// The token owner's login.
    pub owner: String,
    /// `none`, `all` or `subset`.
    pub repository_selection: String,
    /// The repositories of a `subset`.
    pub repositories: Vec<String>,
    /// `access_granted_at` (a request: `created_at`).
    pub at: DateTime<Utc>,
    /// A request's reason.
    pub reason: Option<String>,
}

/// A SAML credential authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationSnapshot {
    /// `credential_id`.
    pub credential_id: u64,
    /// The org's login.
    pub org: String,
    /// The credential owner's login.
    pub login: String,
    /// As listed, e.g. `personal access token`.
    pub credential_type: String,
    /// The PAT's token id, for a PAT.
    pub token_id: Option<u64>,
}

/// An installation token: no secret, only its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallationTokenSnapshot {
    /// The installation it acts for.
    pub installation_id: u64,
    /// When it stops working (one hour after it was made).
    pub expires_at: DateTime<Utc>,
    /// SHA-256 of the secret, lower-case hex.
    pub digest: String,
}

/// Everything the emulator holds, without any secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Every PAT (revoked ones included).
    pub pats: Vec<PatSnapshot>,
    /// Every grant, in id order.
    pub grants: Vec<GrantSnapshot>,
    /// Every pending request, in id order.
    pub requests: Vec<GrantSnapshot>,
    /// Every SAML authorization, in id order.
    pub authorizations: Vec<AuthorizationSnapshot>,
    /// Every installation token made (expired ones included).
    pub installation_tokens: Vec<InstallationTokenSnapshot>,
    /// Jobs a 202 queued that have not run yet.
    pub pending_jobs: usize,
}

impl Snapshot {
    /// The grants in `org` (case-insensitive).
    pub fn grants_in(&self, org: &str) -> Vec<&GrantSnapshot> {
        self.grants.iter().filter(|g| g.org.eq_ignore_ascii_case(org)).collect()
    }

    /// The SAML authorizations in `org` (case-insensitive).
    pub fn authorizations_in(&self, org: &str) -> Vec<&AuthorizationSnapshot> {
        self.authorizations.iter().filter(|a| a.org.eq_ignore_ascii_case(org)).collect()
    }
}

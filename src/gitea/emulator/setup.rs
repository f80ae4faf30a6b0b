//! The public set-up and inspection types: the flavour, seeds for users and tokens, and
//! snapshots of what the emulator holds (never a secret, a password or a one-time code).

use chrono::{DateTime, Utc};

use crate::secret::PatSecret;

/// Which forge the emulator plays. Forgejo is a hard fork of Gitea with the same token API;
/// the differences modelled are those of §3.10.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// Gitea: the one-time code comes in `X-Gitea-OTP`; a create body's `repositories` is
    /// ignored (Go's JSON decoding drops unknown fields); `GET /version` answers a plain Gitea
    /// version and `/api/forgejo/v1/version` does not exist.
    Gitea,
    /// Forgejo: the one-time code comes in `X-Forgejo-OTP` only (the sheet leaves open whether
    /// Gitea's header is also accepted; the emulator does not accept it, so a client must send
    /// the right one); repository-specific tokens (`"repositories":[{"owner","name"}]` in the
    /// create body, answered as `repositories`); `GET /version` answers `…+gitea-…` and
    /// `GET /api/forgejo/v1/version` exists.
    Forgejo,
}

impl Flavor {
    /// The header a two-factor account's one-time code travels in, lower-case:
    /// `x-gitea-otp` or `x-forgejo-otp`.
    pub fn otp_header(self) -> &'static str {
        match self {
            Self::Gitea => super::facts::GITEA_OTP_HEADER,
            Self::Forgejo => super::facts::FORGEJO_OTP_HEADER,
        }
    }
}

/// A user of the emulated instance, from [`Emulator::add_user`](super::Emulator::add_user) or
/// [`Emulator::add_admin`](super::Emulator::add_admin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatedUser {
    /// The integer user id.
    pub id: u64,
    /// The login name (the `{username}` of the token routes).
    pub username: String,
}

/// A token to put into the emulator directly (no request, no validation: names need not be
/// unique and scopes are kept as given), the state a test starts from.
#[derive(Debug, Clone)]
pub struct SeedToken {
    pub(crate) name: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) created_at: Option<DateTime<Utc>>,
    pub(crate) last_used_at: Option<DateTime<Utc>>,
    pub(crate) secret: Option<PatSecret>,
}

impl SeedToken {
    /// A token called `name` with `scopes`, created now, with a fresh 40-hex secret.
    pub fn new(name: &str, scopes: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            created_at: None,
            last_used_at: None,
            secret: None,
        }
    }

    /// Created at `at` instead of now.
    pub fn created_at(mut self, at: DateTime<Utc>) -> Self {
        self.created_at = Some(at);
        self
    }

    /// Last used at `at` (default: its creation time, as Gitea's `updated_unix`).
    pub fn last_used_at(mut self, at: DateTime<Utc>) -> Self {
        self.last_used_at = Some(at);
        self
    }

    /// This secret instead of a freshly minted one (40 lowercase hex characters, not in use).
    pub fn secret(mut self, secret: PatSecret) -> Self {
        self.secret = Some(secret);
        self
    }
}

/// A seeded token: its id and its secret.
#[derive(Debug, Clone)]
pub struct SeededToken {
    /// The integer token id.
    pub id: u64,
    /// The 40-hex secret (what the service calls `sha1`).
    pub secret: PatSecret,
    /// The owner.
    pub user_id: u64,
}

/// One token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenSnapshot {
    /// Its id.
    pub id: u64,
    /// Its owner.
    pub user_id: u64,
    /// Its name.
    pub name: String,
    /// Its scopes, normalized as the service stores them.
    pub scopes: Vec<String>,
    /// The last eight characters of its secret, as every list shows them.
    pub token_last_eight: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last authenticated a request (its creation time until then).
    pub last_used_at: DateTime<Utc>,
    /// Forgejo: the ids of the repositories it is restricted to (empty: not restricted).
    pub repositories: Vec<u64>,
}

/// One user, without password or one-time code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserSnapshot {
    /// Its id.
    pub id: u64,
    /// Its login name.
    pub username: String,
    /// A site administrator.
    pub admin: bool,
    /// Two-factor authentication is on (Basic logins need the one-time code header).
    pub two_factor: bool,
    /// It has a local password (an SSO-only account has none and cannot use the token API).
    pub has_password: bool,
}

/// One repository (Forgejo's repository-specific tokens name them).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RepositorySnapshot {
    /// Its id.
    pub id: u64,
    /// Its owner's login.
    pub owner: String,
    /// Its name.
    pub name: String,
}

/// Everything the emulator holds, without any secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snapshot {
    /// Users, by id.
    pub users: Vec<UserSnapshot>,
    /// Tokens, by id.
    pub tokens: Vec<TokenSnapshot>,
    /// Repositories, by id.
    pub repositories: Vec<RepositorySnapshot>,
}

impl Snapshot {
    /// The token with id `id`.
    pub fn token(&self, id: u64) -> Option<&TokenSnapshot> {
        self.tokens.iter().find(|t| t.id == id)
    }

    /// The tokens of user `user_id`, by id.
    pub fn tokens_of(&self, user_id: u64) -> Vec<&TokenSnapshot> {
        self.tokens.iter().filter(|t| t.user_id == user_id).collect()
    }
}

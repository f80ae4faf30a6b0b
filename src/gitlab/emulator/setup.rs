//! The public set-up and inspection types: seeds for users and tokens, and snapshots of what the
//! emulator holds (never a secret).

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::secret::PatSecret;

/// A user of the emulated instance, from [`Emulator::add_user`](super::Emulator::add_user) or
/// [`Emulator::add_admin`](super::Emulator::add_admin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatedUser {
    /// The integer user id.
    pub id: u64,
    /// The username (`Sudo` and `user_id` filters accept it too).
    pub username: String,
}

/// Whether a project or group access token belongs to a project or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    /// `/projects/:id/access_tokens`.
    Project,
    /// `/groups/:id/access_tokens`.
    Group,
}

/// A token to put into the emulator directly (no validation, no request): the state a test
/// starts from.
#[derive(Debug, Clone)]
pub struct SeedToken {
    pub(crate) name: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) expires_at: Option<NaiveDate>,
    pub(crate) expires_at_set: bool,
    pub(crate) created_at: Option<DateTime<Utc>>,
    pub(crate) last_used_at: Option<DateTime<Utc>>,
    pub(crate) revoked: bool,
    pub(crate) previous_id: Option<u64>,
    pub(crate) secret: Option<PatSecret>,
    pub(crate) access_level: u8,
}

impl SeedToken {
    /// A token called `name` with `scopes`, created now, expiring in 30 days, active.
    pub fn new(name: &str, scopes: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            description: None,
            expires_at: None,
            expires_at_set: false,
            created_at: None,
            last_used_at: None,
            revoked: false,
            previous_id: None,
            secret: None,
            access_level: 40,
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: &str) -> Self {
        self.description = Some(description.to_owned());
        self
    }

    /// Expires at 00:00 UTC on `date` (`None`: never).
    pub fn expires_at(mut self, date: Option<NaiveDate>) -> Self {
        self.expires_at = date;
        self.expires_at_set = true;
        self
    }

    /// Created at `at` instead of now.
    pub fn created_at(mut self, at: DateTime<Utc>) -> Self {
        self.created_at = Some(at);
        self
    }

    /// Last used at `at`.
    pub fn last_used_at(mut self, at: DateTime<Utc>) -> Self {
        self.last_used_at = Some(at);
        self
    }

    /// Already revoked.
    pub fn revoked(mut self) -> Self {
        self.revoked = true;
        self
    }

    /// Rotated from token `id` (a family link, as a rotate makes it).
    pub fn rotated_from(mut self, id: u64) -> Self {
        self.previous_id = Some(id);
        self
    }

    /// This secret instead of a freshly minted one (it must start with `glpat-`).
    pub fn secret(mut self, secret: PatSecret) -> Self {
        self.secret = Some(secret);
        self
    }

    /// For a project or group access token: its bot's access level (default 40, Maintainer).
    pub fn access_level(mut self, level: u8) -> Self {
        self.access_level = level;
        self
    }
}

/// A seeded token: its id and its secret.
#[derive(Debug, Clone)]
pub struct SeededToken {
    /// The integer token id.
    pub id: u64,
    /// The `glpat-…` secret.
    pub secret: PatSecret,
    /// The owner (for a project or group access token: its bot user).
    pub user_id: u64,
}

/// An optional rate limiter (off by default, as on self-managed, §2.9): at most `limit`
/// requests per user (anonymous callers share one budget) in each fixed window of `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u32,
    /// The window (whole seconds; at least one).
    pub period: Duration,
}

/// One token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenSnapshot {
    /// Its id.
    pub id: u64,
    /// Its owner (a bot user for project and group access tokens).
    pub user_id: u64,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Its scopes.
    pub scopes: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used (moves at most every ten minutes).
    pub last_used_at: Option<DateTime<Utc>>,
    /// The date it expires on, at 00:00 UTC.
    pub expires_at: Option<NaiveDate>,
    /// Revoked (by revoke, rotate or family revocation).
    pub revoked: bool,
    /// Neither revoked nor expired, on the emulator's clock.
    pub active: bool,
    /// The token it was rotated from.
    pub previous_id: Option<u64>,
    /// The token it was rotated into.
    pub rotated_to: Option<u64>,
    /// For a project or group access token: which project or group.
    pub resource: Option<(ResourceKind, u64)>,
    /// For a project or group access token: its access level.
    pub access_level: Option<u8>,
}

/// One user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserSnapshot {
    /// Its id.
    pub id: u64,
    /// Its username.
    pub username: String,
    /// An instance administrator.
    pub admin: bool,
    /// A project or group bot user.
    pub bot: bool,
    /// Blocked ([`Emulator::set_blocked`](super::Emulator::set_blocked)).
    pub blocked: bool,
}

/// One project or group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResourceSnapshot {
    /// Project or group.
    pub kind: ResourceKind,
    /// Its id.
    pub id: u64,
    /// Its full path.
    pub path: String,
    /// Members: (user id, access level).
    pub members: Vec<(u64, u8)>,
}

/// Everything the emulator holds, without any secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snapshot {
    /// Users, by id.
    pub users: Vec<UserSnapshot>,
    /// Projects and groups.
    pub resources: Vec<ResourceSnapshot>,
    /// Tokens, by id.
    pub tokens: Vec<TokenSnapshot>,
}

impl Snapshot {
    /// The token with id `id`.
    pub fn token(&self, id: u64) -> Option<&TokenSnapshot> {
        self.tokens.iter().find(|t| t.id == id)
    }
}

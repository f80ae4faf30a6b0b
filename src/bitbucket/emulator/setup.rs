//! The public set-up and inspection types: users, seeds, policies and snapshots of what the
//! emulator holds (never a secret).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::secret::PatSecret;

/// A user of the emulated instance, from [`Emulator::add_user`](super::Emulator::add_user) or
/// [`Emulator::add_admin`](super::Emulator::add_admin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatedUser {
    /// The numeric user id.
    pub id: u64,
    /// The user slug (also the login name).
    pub slug: String,
}

/// A token to put into the emulator directly (no validation, no request): the state a test
/// starts from.
#[derive(Debug, Clone)]
pub struct SeedToken {
    pub(crate) name: String,
    pub(crate) permissions: Vec<String>,
    pub(crate) expiry_days: Option<u32>,
    pub(crate) created: Option<DateTime<Utc>>,
    pub(crate) last_authenticated: Option<DateTime<Utc>>,
    pub(crate) id: Option<String>,
    pub(crate) secret: Option<PatSecret>,
}

impl SeedToken {
    /// A token called `name` with `permissions`, created now, never expiring.
    pub fn new(name: &str, permissions: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            expiry_days: None,
            created: None,
            last_authenticated: None,
            id: None,
            secret: None,
        }
    }

    /// Expires `days` days after its creation.
    pub fn expiry_days(mut self, days: u32) -> Self {
        self.expiry_days = Some(days);
        self
    }

    /// Created at `at` instead of now.
    pub fn created(mut self, at: DateTime<Utc>) -> Self {
        self.created = Some(at);
        self
    }

    /// Last authenticated at `at`.
    pub fn last_authenticated(mut self, at: DateTime<Utc>) -> Self {
        self.last_authenticated = Some(at);
        self
    }

    /// This id (12 digits; a leading zero is allowed, e.g. `"075905477751"`) instead of a random
    /// one.
    pub fn id(mut self, id: &str) -> Self {
        self.id = Some(id.to_owned());
        self
    }

    /// This secret instead of a freshly minted one.
    pub fn secret(mut self, secret: PatSecret) -> Self {
        self.secret = Some(secret);
        self
    }
}

/// A seeded token: its id and its secret.
#[derive(Debug, Clone)]
pub struct SeededToken {
    /// The 12-digit id.
    pub id: String,
    /// The secret.
    pub secret: PatSecret,
}

/// The administrator's expiry settings (Administration → HTTP access tokens, §5.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExpiryPolicy {
    /// Every new token must carry `expiryDays`.
    pub required: bool,
    /// The most `expiryDays` a new token may ask for.
    pub max_days: Option<u32>,
}

/// The optional rate limiter (§5.7): a token bucket per user of `capacity` requests, refilled
/// with `refill_per_second` (defaults on the real product: 60 and 5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// The bucket size.
    pub capacity: u32,
    /// Requests added back per second.
    pub refill_per_second: f64,
    /// The `Retry-After` sent with a 429 (headers are unverified for DC; the emulator sends it).
    pub retry_after: Duration,
}

/// One token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenSnapshot {
    /// Its id.
    pub id: String,
    /// Its owner: a user's slug, `projects/KEY` or `projects/KEY/repos/SLUG`.
    pub owner: String,
    /// Its name.
    pub name: String,
    /// Its permissions, as stored.
    pub permissions: Vec<String>,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// `expiryDays`.
    pub expiry_days: Option<u32>,
    /// When it last authenticated.
    pub last_authenticated: Option<DateTime<Utc>>,
    /// Expired on the emulator's clock.
    pub expired: bool,
}

/// One user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserSnapshot {
    /// Its id.
    pub id: u64,
    /// Its slug.
    pub slug: String,
    /// A system administrator.
    pub admin: bool,
}

/// Everything the emulator holds, without any secret or password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snapshot {
    /// Users, by slug.
    pub users: Vec<UserSnapshot>,
    /// Tokens, in creation order.
    pub tokens: Vec<TokenSnapshot>,
}

impl Snapshot {
    /// The token with id `id`.
    pub fn token(&self, id: &str) -> Option<&TokenSnapshot> {
        self.tokens.iter().find(|t| t.id == id)
    }

    /// The tokens of the user `slug`.
    pub fn tokens_of<'a>(&'a self, slug: &'a str) -> impl Iterator<Item = &'a TokenSnapshot> + 'a {
        self.tokens.iter().filter(move |t| t.owner == slug)
    }
}

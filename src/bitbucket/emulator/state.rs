//! The model: users with a digest of their password, tokens (only a SHA-256 digest of each
//! secret is kept), the administrator's settings and the rate limiter's buckets.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};

use super::setup::{ExpiryPolicy, RateLimit, TokenSnapshot};
use crate::testing::emulator_kit::listing::{ListingCache, Ordered};

/// SHA-256 of a secret or password.
pub(crate) type Digest32 = [u8; 32];

/// Hashes a secret; the emulator keeps only this.
pub(crate) fn digest(secret: &str) -> Digest32 {
    Sha256::digest(secret.as_bytes()).into()
}

#[derive(Debug, Clone)]
pub(crate) struct UserEntry {
    pub(crate) id: u64,
    pub(crate) slug: String,
    pub(crate) password: Digest32,
    pub(crate) admin: bool,
    /// `displayName`.
    pub(crate) display_name: String,
    /// `emailAddress`.
    pub(crate) email: String,
    /// SSH keys, in the order added.
    pub(crate) ssh_keys: Vec<KeyEntry>,
    /// GPG keys, in the order added.
    pub(crate) gpg_keys: Vec<KeyEntry>,
}

/// An SSH or GPG key (GPG keys use no label and no last authentication).
#[derive(Debug, Clone)]
pub(crate) struct KeyEntry {
    pub(crate) id: u64,
    pub(crate) label: String,
    /// The public key text, answered as given.
    pub(crate) text: String,
    pub(crate) fingerprint: String,
    pub(crate) created: DateTime<Utc>,
    pub(crate) last_authenticated: Option<DateTime<Utc>>,
}

/// Whose a token is (§5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Owner {
    User(String),
    Project(String),
    Repository(String, String),
}

impl fmt::Display for Owner {
    /// A user's slug; `projects/KEY`; `projects/KEY/repos/SLUG`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(slug) => f.write_str(slug),
            Self::Project(key) => write!(f, "projects/{key}"),
            Self::Repository(key, slug) => write!(f, "projects/{key}/repos/{slug}"),
        }
    }
}

/// A project: its administrators and its repositories with theirs.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProjectEntry {
    pub(crate) admins: BTreeSet<String>,
    pub(crate) repos: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenEntry {
    pub(crate) id: String,
    /// Creation order.
    pub(crate) seq: u64,
    pub(crate) owner: Owner,
    pub(crate) name: String,
    pub(crate) permissions: Vec<String>,
    pub(crate) created: DateTime<Utc>,
    pub(crate) expiry_days: Option<u32>,
    pub(crate) last_authenticated: Option<DateTime<Utc>>,
    pub(crate) secret: Digest32,
}

impl TokenEntry {
    /// Expired from `created` + `expiryDays` days on.
    pub(crate) fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expiry_days.is_some_and(|d| now >= self.created + TimeDelta::days(i64::from(d)))
    }
}

/// One user's token bucket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bucket {
    pub(crate) level: f64,
    pub(crate) at: DateTime<Utc>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) users: BTreeMap<String, UserEntry>,
    /// Private: tokens are added and deleted through [`State::insert`] and [`State::remove`],
    /// which keep `secrets` and drop the kept listings; [`State::token_mut`] changes neither a
    /// token's owner nor its creation order.
    tokens: BTreeMap<String, TokenEntry>,
    /// Secret digest → token id.
    secrets: HashMap<Digest32, String>,
    /// The token listings being paged through (`tokens.rs`); no time in them.
    listings: ListingCache<String, ()>,
    pub(crate) projects: BTreeMap<String, ProjectEntry>,
    pub(crate) expiry: ExpiryPolicy,
    pub(crate) max_limit: usize,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) buckets: HashMap<String, Bucket>,
    last_user: u64,
    pub(crate) last_key: u64,
    last_seq: u64,
}

impl Default for State {
    fn default() -> Self {
        Self {
            users: BTreeMap::new(),
            tokens: BTreeMap::new(),
            secrets: HashMap::new(),
            listings: ListingCache::default(),
            projects: BTreeMap::new(),
            expiry: ExpiryPolicy::default(),
            max_limit: super::facts::DEFAULT_MAX_LIMIT,
            rate_limit: None,
            buckets: HashMap::new(),
            last_user: 0,
            last_key: 0,
            last_seq: 0,
        }
    }
}

/// `t` to the millisecond, as Bitbucket keeps times (epoch milliseconds).
pub(crate) fn to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// A new random 12-digit id (one in ten starts with a zero).
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).expect("the OS has no randomness");
    format!("{:012}", u64::from_le_bytes(bytes) % 1_000_000_000_000)
}

/// A new secret: `BBDC-` and 39 random characters, 44 in all (the prefix is unverified, §5.3;
/// clients must treat the value as opaque).
pub(crate) fn mint_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bytes = [0u8; 39];
    getrandom::getrandom(&mut bytes).expect("the OS has no randomness");
    let random: String = bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 63)])).collect();
    format!("BBDC-{random}")
}

impl State {
    pub(crate) fn add_user(&mut self, slug: &str, password: &str, admin: bool) -> u64 {
        self.last_user += 1;
        let id = self.last_user;
        let entry = UserEntry {
            id,
            slug: slug.to_owned(),
            password: digest(password),
            admin,
            display_name: slug.to_owned(),
            email: format!("{slug}@bitbucket.example"),
            ssh_keys: Vec::new(),
            gpg_keys: Vec::new(),
        };
        self.users.insert(slug.to_owned(), entry);
        id
    }

    /// Whether `owner` exists (the user, project or repository).
    pub(crate) fn exists(&self, owner: &Owner) -> bool {
        match owner {
            Owner::User(slug) => self.users.contains_key(slug),
            Owner::Project(key) => self.projects.contains_key(key),
            Owner::Repository(key, slug) => self.projects.get(key).is_some_and(|p| p.repos.contains_key(slug)),
        }
    }

    /// Whether `user` administers `owner`'s tokens: a system administrator anyone's; a project
    /// administrator the project's and its repositories'; a repository administrator the
    /// repository's; a user their own.
    pub(crate) fn administers(&self, user: &str, owner: &Owner) -> bool {
        if self.users.get(user).is_some_and(|u| u.admin) {
            return true;
        }
        let project_admin = |key: &str| self.projects.get(key).is_some_and(|p| p.admins.contains(user));
        match owner {
            Owner::User(slug) => slug == user,
            Owner::Project(key) => project_admin(key),
            Owner::Repository(key, slug) => {
                project_admin(key)
                    || self.projects.get(key).and_then(|p| p.repos.get(slug)).is_some_and(|a| a.contains(user))
            }
        }
    }

    /// A fresh id no token has.
    pub(crate) fn fresh_id(&self) -> String {
        loop {
            let id = random_id();
            if !self.tokens.contains_key(&id) {
                return id;
            }
        }
    }

    /// Stores a token (its `seq` is allocated here).
    pub(crate) fn insert(&mut self, mut token: TokenEntry) -> String {
        self.last_seq += 1;
        token.seq = self.last_seq;
        let id = token.id.clone();
        self.listings.clear();
        self.secrets.insert(token.secret, id.clone());
        self.tokens.insert(id.clone(), token);
        id
    }

    /// Deletes token `id`; whether it existed.
    pub(crate) fn remove(&mut self, id: &str) -> bool {
        self.listings.clear();
        let removed = self.tokens.remove(id);
        if let Some(token) = &removed {
            self.secrets.remove(&token.secret);
        }
        removed.is_some()
    }

    /// Every token, by id.
    pub(crate) fn tokens(&self) -> &BTreeMap<String, TokenEntry> {
        &self.tokens
    }

    /// Token `id`, to change its name, permissions or last use (never its owner, `seq` or
    /// secret: the listings and the secret index rely on them).
    pub(crate) fn token_mut(&mut self, id: &str) -> Option<&mut TokenEntry> {
        self.tokens.get_mut(id)
    }

    /// The token a secret belongs to.
    pub(crate) fn token_by_secret(&self, secret: &str) -> Option<&TokenEntry> {
        self.secrets.get(&digest(secret)).and_then(|id| self.tokens.get(id))
    }

    /// `owner`'s tokens in creation order, rows `start..start + limit`, and how many there are
    /// in all. The order is built once and kept between pages until a token is added or
    /// deleted ([`ListingCache`]), so a page costs O(page).
    pub(crate) fn tokens_of(&mut self, owner: &Owner, start: usize, limit: usize) -> (Vec<&TokenEntry>, usize) {
        let tokens = &self.tokens;
        let ids = self.listings.get_or_build(format!("{owner:?}"), (), || {
            let mut mine: Vec<&TokenEntry> = tokens.values().filter(|t| t.owner == *owner).collect();
            mine.sort_by_key(|t| t.seq);
            Ordered::timeless(mine.into_iter().map(|t| t.id.clone()).collect())
        });
        let window = ids.iter().skip(start).take(limit).filter_map(|id| tokens.get(id)).collect();
        (window, ids.len())
    }

    pub(crate) fn snapshot(&self, token: &TokenEntry, now: DateTime<Utc>) -> TokenSnapshot {
        TokenSnapshot {
            id: token.id.clone(),
            owner: token.owner.to_string(),
            name: token.name.clone(),
            permissions: token.permissions.clone(),
            created: token.created,
            expiry_days: token.expiry_days,
            last_authenticated: token.last_authenticated,
            expired: token.is_expired(now),
        }
    }

    /// Takes one request from `key`'s bucket: `true` when allowed (or no limiter is set).
    pub(crate) fn take(&mut self, key: &str, now: DateTime<Utc>) -> bool {
        let Some(limit) = self.rate_limit else { return true };
        let capacity = f64::from(limit.capacity);
        let bucket = self.buckets.entry(key.to_owned()).or_insert(Bucket { level: capacity, at: now });
        let elapsed = (now - bucket.at).num_milliseconds().max(0) as f64 / 1000.0;
        bucket.level = (bucket.level + elapsed * limit.refill_per_second).min(capacity);
        bucket.at = now;
        if bucket.level >= 1.0 {
            bucket.level -= 1.0;
            true
        } else {
            false
        }
    }
}

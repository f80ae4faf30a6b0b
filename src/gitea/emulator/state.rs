//! The model: users (a salted digest of each password and one-time code), repositories, tokens
//! (only a SHA-256 digest of each secret, looked up by it) and the instance settings.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::testing::emulator_kit::listing::{ListingCache, Ordered};
use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};

use super::setup::{RepositorySnapshot, TokenSnapshot, UserSnapshot};

/// SHA-256 of a secret (with a salt for passwords and codes).
pub(crate) type Digest = [u8; 32];

/// The digest a token is looked up by; the emulator keeps only this.
pub(crate) fn token_digest(secret: &str) -> Digest {
    Sha256::digest(secret.as_bytes()).into()
}

/// A password or one-time code, kept only as a salted digest.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Salted {
    salt: [u8; 16],
    digest: Digest,
}

impl Salted {
    pub(crate) fn new(secret: &str) -> Self {
        let mut salt = [0u8; 16];
        getrandom::getrandom(&mut salt).expect("the OS has no randomness");
        Self { salt, digest: Self::hash(&salt, secret) }
    }

    fn hash(salt: &[u8; 16], secret: &str) -> Digest {
        let mut h = Sha256::new();
        h.update(salt);
        h.update(secret.as_bytes());
        h.finalize().into()
    }

    /// Whether `candidate` is the secret, compared without an early exit.
    pub(crate) fn matches(&self, candidate: &str) -> bool {
        let other = Self::hash(&self.salt, candidate);
        self.digest.iter().zip(other).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl fmt::Debug for Salted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Salted([digest])")
    }
}

#[derive(Debug, Clone)]
pub(crate) struct UserEntry {
    pub(crate) id: u64,
    pub(crate) username: String,
    pub(crate) admin: bool,
    /// `None`: no local password (an SSO-only account, §3.9).
    pub(crate) password: Option<Salted>,
    /// `Some`: two-factor is on and this is the code that is valid now.
    pub(crate) otp: Option<Salted>,
    pub(crate) created_at: DateTime<Utc>,
    /// `full_name`.
    pub(crate) full_name: String,
    /// The primary email.
    pub(crate) email: String,
    /// SSH keys, in the order added.
    pub(crate) ssh_keys: Vec<KeyEntry>,
    /// GPG keys, in the order added.
    pub(crate) gpg_keys: Vec<KeyEntry>,
}

/// An SSH or GPG key. For a GPG key `fingerprint` is its key id and `title` is unused.
#[derive(Debug, Clone)]
pub(crate) struct KeyEntry {
    pub(crate) id: u64,
    pub(crate) title: String,
    /// The public key text (or armored key), answered as given.
    pub(crate) key: String,
    pub(crate) fingerprint: String,
    pub(crate) created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenEntry {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) name: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) last_eight: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) last_used_at: DateTime<Utc>,
    /// Forgejo: repository ids the token is restricted to.
    pub(crate) repositories: Vec<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct RepoEntry {
    pub(crate) id: u64,
    pub(crate) owner: String,
    pub(crate) name: String,
}

/// The instance's settings.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// `[service] ENABLE_BASIC_AUTH` (default on, §3.2).
    pub(crate) basic_auth: bool,
    /// `?token=` / `?access_token=` (deprecated in 1.23 and can be disabled, §3.2; on by default).
    pub(crate) query_tokens: bool,
    /// `[api] DEFAULT_PAGING_NUM` (30, §3.5).
    pub(crate) default_page: usize,
    /// `[api] MAX_RESPONSE_ITEMS` (50, §3.5).
    pub(crate) max_page: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            basic_auth: true,
            query_tokens: true,
            default_page: super::facts::DEFAULT_PAGE_SIZE,
            max_page: super::facts::MAX_PAGE_SIZE,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) users: BTreeMap<u64, UserEntry>,
    /// Private: every token added or deleted goes through [`State::insert_token`] or
    /// [`State::delete_token`], which drop the kept listings.
    tokens: BTreeMap<u64, TokenEntry>,
    /// The token listings being paged through (`tokens.rs`); no time in them.
    listings: ListingCache<u64, ()>,
    /// Token digest → token id.
    pub(crate) secrets: HashMap<Digest, u64>,
    pub(crate) repos: BTreeMap<u64, RepoEntry>,
    pub(crate) settings: Settings,
    pub(crate) last_key: u64,
    last_user: u64,
    last_token: u64,
    last_repo: u64,
}

impl State {
    pub(crate) fn add_user(&mut self, username: &str, admin: bool, password: Option<&str>, now: DateTime<Utc>) -> u64 {
        self.last_user += 1;
        let id = self.last_user;
        let entry = UserEntry {
            id,
            username: username.to_owned(),
            admin,
            password: password.map(Salted::new),
            otp: None,
            created_at: now,
            full_name: String::new(),
            email: format!("{}@noreply.localhost", username.to_lowercase()),
            ssh_keys: Vec::new(),
            gpg_keys: Vec::new(),
        };
        self.users.insert(id, entry);
        id
    }

    /// A user by login name, case-insensitively as Gitea matches `lower_name`.
    pub(crate) fn find_user(&self, name: &str) -> Option<&UserEntry> {
        self.users.values().find(|u| u.username.eq_ignore_ascii_case(name))
    }

    pub(crate) fn add_repo(&mut self, owner: &str, name: &str) -> u64 {
        self.last_repo += 1;
        let id = self.last_repo;
        self.repos.insert(id, RepoEntry { id, owner: owner.to_owned(), name: name.to_owned() });
        id
    }

    /// A repository by owner and name, case-insensitively.
    pub(crate) fn find_repo(&self, owner: &str, name: &str) -> Option<u64> {
        self.repos
            .values()
            .find(|r| r.owner.eq_ignore_ascii_case(owner) && r.name.eq_ignore_ascii_case(name))
            .map(|r| r.id)
    }

    /// Stores a new token under the digest of `secret`; returns its id (allocated monotonically).
    pub(crate) fn insert_token(&mut self, mut entry: TokenEntry, secret: &str) -> u64 {
        self.last_token += 1;
        entry.id = self.last_token;
        entry.last_eight = last_eight(secret);
        let id = entry.id;
        self.listings.clear();
        self.tokens.insert(id, entry);
        self.secrets.insert(token_digest(secret), id);
        id
    }

    /// Every token, by id.
    pub(crate) fn tokens(&self) -> &BTreeMap<u64, TokenEntry> {
        &self.tokens
    }

    /// The ids of the listing named `query`: `build` orders the tokens once, and later pages of
    /// the same listing reuse that order until a token is added or deleted ([`ListingCache`]),
    /// so a page costs O(page).
    pub(crate) fn listing(
        &mut self,
        query: String,
        build: impl FnOnce(&BTreeMap<u64, TokenEntry>) -> Vec<u64>,
    ) -> &[u64] {
        let tokens = &self.tokens;
        self.listings.get_or_build(query, (), || Ordered::timeless(build(tokens)))
    }

    /// The token `secret` is, if any.
    pub(crate) fn token_by_secret(&self, secret: &str) -> Option<u64> {
        self.secrets.get(&token_digest(secret)).copied().filter(|id| self.tokens.contains_key(id))
    }

    /// Deletes token `id` (hard: it is gone, and its secret no longer authenticates).
    pub(crate) fn delete_token(&mut self, id: u64) -> bool {
        self.listings.clear();
        let removed = self.tokens.remove(&id).is_some();
        self.secrets.retain(|_, t| *t != id);
        removed
    }

    /// Deletes a user and every token of theirs (§3.11 #8).
    pub(crate) fn delete_user(&mut self, id: u64) -> bool {
        let doomed: Vec<u64> = self.tokens.values().filter(|t| t.user_id == id).map(|t| t.id).collect();
        for token in doomed {
            self.delete_token(token);
        }
        self.users.remove(&id).is_some()
    }

    /// Records a use of token `id`. (The listings keep their order: they neither filter nor sort
    /// on the last use.)
    pub(crate) fn touch(&mut self, id: u64, now: DateTime<Utc>) {
        if let Some(token) = self.tokens.get_mut(&id) {
            token.last_used_at = now;
        }
    }

    pub(crate) fn token_snapshot(token: &TokenEntry) -> TokenSnapshot {
        TokenSnapshot {
            id: token.id,
            user_id: token.user_id,
            name: token.name.clone(),
            scopes: token.scopes.clone(),
            token_last_eight: token.last_eight.clone(),
            created_at: token.created_at,
            last_used_at: token.last_used_at,
            repositories: token.repositories.clone(),
        }
    }

    pub(crate) fn user_snapshot(user: &UserEntry) -> UserSnapshot {
        UserSnapshot {
            id: user.id,
            username: user.username.clone(),
            admin: user.admin,
            two_factor: user.otp.is_some(),
            has_password: user.password.is_some(),
        }
    }

    pub(crate) fn repo_snapshot(repo: &RepoEntry) -> RepositorySnapshot {
        RepositorySnapshot { id: repo.id, owner: repo.owner.clone(), name: repo.name.clone() }
    }
}

/// The last eight characters of a secret (what lists show, §3.8).
pub(crate) fn last_eight(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars[chars.len().saturating_sub(8)..].iter().collect()
}

/// A fresh secret: 40 lowercase hex characters, the hex of 20 random bytes, no prefix (§3.8).
pub(crate) fn mint_secret() -> String {
    let mut bytes = [0u8; 20];
    getrandom::getrandom(&mut bytes).expect("the OS has no randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `s` has the shape of a token: 40 lowercase hex characters.
pub(crate) fn is_token_shaped(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

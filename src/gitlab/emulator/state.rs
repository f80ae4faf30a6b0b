//! The model: users, projects and groups with their members, tokens (only a SHA-256 digest of
//! each secret is kept) with their rotation families, and the instance settings.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use sha2::{Digest, Sha256};

use super::facts::LAST_USED_GRANULARITY_MINUTES;
use super::setup::{ResourceKind, TokenSnapshot};
use crate::testing::emulator_kit::listing::{ListingCache, Ordered};

/// SHA-256 of a secret.
pub(crate) type SecretHash = [u8; 32];

/// Hashes a secret; the emulator keeps only this.
pub(crate) fn hash_secret(secret: &str) -> SecretHash {
    Sha256::digest(secret.as_bytes()).into()
}

#[derive(Debug, Clone)]
pub(crate) struct UserEntry {
    pub(crate) id: u64,
    pub(crate) username: String,
    pub(crate) admin: bool,
    pub(crate) bot: bool,
    /// Blocked by an admin: none of the user's credentials authenticate.
    pub(crate) blocked: bool,
    /// The display name (`name`).
    pub(crate) name: String,
    /// The primary email (shown to administrators only).
    pub(crate) email: String,
    /// SSH keys, in the order added.
    pub(crate) ssh_keys: Vec<KeyEntry>,
    /// GPG keys, in the order added.
    pub(crate) gpg_keys: Vec<KeyEntry>,
}

/// An SSH or GPG key of a user (GPG keys use only `id`, `key` and `created_at`).
#[derive(Debug, Clone)]
pub(crate) struct KeyEntry {
    pub(crate) id: u64,
    pub(crate) title: String,
    /// The public key text, answered as the service does (it is public, but the client keeps
    /// none of it).
    pub(crate) key: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(crate) struct ResourceEntry {
    pub(crate) id: u64,
    pub(crate) path: String,
    /// user id → access level.
    pub(crate) members: BTreeMap<u64, u8>,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenEntry {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) last_used_at: Option<DateTime<Utc>>,
    pub(crate) expires_at: Option<NaiveDate>,
    pub(crate) revoked: bool,
    /// The token this one was rotated from.
    pub(crate) previous_id: Option<u64>,
    /// For project and group access tokens: whose.
    pub(crate) resource: Option<(ResourceKind, u64)>,
    pub(crate) access_level: Option<u8>,
}

impl TokenEntry {
    /// Expired from 00:00 UTC on its `expires_at` date (§2.7).
    pub(crate) fn is_expired(&self, today: NaiveDate) -> bool {
        self.expires_at.is_some_and(|d| d <= today)
    }

    /// Not revoked and not expired.
    pub(crate) fn is_active(&self, today: NaiveDate) -> bool {
        !self.revoked && !self.is_expired(today)
    }
}

/// What a presented secret is.
#[derive(Debug, Clone)]
pub(crate) enum Credential {
    /// A personal (or project/group bot) access token, by id.
    Pat(u64),
    /// An OAuth access token (not a PAT: the self endpoints refuse it).
    OAuth { user_id: u64, scopes: Vec<String> },
}

/// The instance's settings.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// `require_personal_access_token_expiry` (§2.11; on by default).
    pub(crate) expiry_required: bool,
    /// Admin Mode: admin actions also need the `admin_mode` scope (§2.5).
    pub(crate) admin_mode: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self { expiry_required: true, admin_mode: false }
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) users: BTreeMap<u64, UserEntry>,
    pub(crate) projects: BTreeMap<u64, ResourceEntry>,
    pub(crate) groups: BTreeMap<u64, ResourceEntry>,
    /// Private: every change goes through [`State::tokens_mut`] (or `touch`), which drops the
    /// kept listings.
    tokens: BTreeMap<u64, TokenEntry>,
    /// The token listings being paged through (`pats.rs`, `resources.rs`).
    listings: ListingCache<u64, NaiveDate>,
    pub(crate) secrets: HashMap<SecretHash, Credential>,
    pub(crate) settings: Settings,
    last_user: u64,
    pub(crate) last_key: u64,
    last_token: u64,
    last_project: u64,
    last_group: u64,
}

/// Why a rotate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RotateRefusal {
    /// The token was already revoked; its whole family is now revoked too (§2.12).
    AlreadyRevoked,
    /// The token has expired (§2.12: 401).
    Expired,
}

impl State {
    pub(crate) fn add_user(&mut self, username: &str, admin: bool, bot: bool) -> u64 {
        self.last_user += 1;
        let id = self.last_user;
        let entry = UserEntry {
            id,
            username: username.to_owned(),
            admin,
            bot,
            blocked: false,
            name: username.to_owned(),
            email: format!("{username}@emulator.test"),
            ssh_keys: Vec::new(),
            gpg_keys: Vec::new(),
        };
        self.users.insert(id, entry);
        id
    }

    pub(crate) fn add_resource(&mut self, kind: ResourceKind, path: &str) -> u64 {
        let (counter, map) = match kind {
            ResourceKind::Project => (&mut self.last_project, &mut self.projects),
            ResourceKind::Group => (&mut self.last_group, &mut self.groups),
        };
        *counter += 1;
        let id = *counter;
        map.insert(id, ResourceEntry { id, path: path.to_owned(), members: BTreeMap::new() });
        id
    }

    pub(crate) fn resources(&self, kind: ResourceKind) -> &BTreeMap<u64, ResourceEntry> {
        match kind {
            ResourceKind::Project => &self.projects,
            ResourceKind::Group => &self.groups,
        }
    }

    pub(crate) fn resources_mut(&mut self, kind: ResourceKind) -> &mut BTreeMap<u64, ResourceEntry> {
        match kind {
            ResourceKind::Project => &mut self.projects,
            ResourceKind::Group => &mut self.groups,
        }
    }

    /// A project or group by integer id or by its full path.
    pub(crate) fn find_resource(&self, kind: ResourceKind, key: &str) -> Option<u64> {
        let all = self.resources(kind);
        match key.parse::<u64>() {
            Ok(id) => all.contains_key(&id).then_some(id),
            Err(_) => all.values().find(|r| r.path == key).map(|r| r.id),
        }
    }

    /// A user by id or username.
    pub(crate) fn find_user(&self, key: &str) -> Option<u64> {
        match key.parse::<u64>() {
            Ok(id) => self.users.contains_key(&id).then_some(id),
            Err(_) => self.users.values().find(|u| u.username == key).map(|u| u.id),
        }
    }

    /// Every token, by id.
    pub(crate) fn tokens(&self) -> &BTreeMap<u64, TokenEntry> {
        &self.tokens
    }

    /// Every token, to change some: drops the kept listings.
    pub(crate) fn tokens_mut(&mut self) -> &mut BTreeMap<u64, TokenEntry> {
        self.listings.clear();
        &mut self.tokens
    }

    /// The ids of the listing named `query` (the caller's filters and order) on `today`, and
    /// every token: `build` filters and orders them once (or refuses the query), and later pages
    /// of the same listing reuse that order until a token changes or the date does
    /// ([`ListingCache`]), so a page costs O(page).
    pub(crate) fn listing<E>(
        &mut self,
        query: String,
        today: NaiveDate,
        build: impl FnOnce(&BTreeMap<u64, TokenEntry>) -> Result<Vec<u64>, E>,
    ) -> Result<(&[u64], &BTreeMap<u64, TokenEntry>), E> {
        let tokens = &self.tokens;
        let valid_until = today.succ_opt();
        let ids = self.listings.get_or_try_build(query, today, || Ok(Ordered { ids: build(tokens)?, valid_until }))?;
        Ok((ids, tokens))
    }

    /// Stores a new token under `hash`; returns its id (allocated monotonically).
    pub(crate) fn insert_token(&mut self, mut entry: TokenEntry, hash: SecretHash) -> u64 {
        self.last_token += 1;
        entry.id = self.last_token;
        let id = entry.id;
        self.tokens_mut().insert(id, entry);
        self.secrets.insert(hash, Credential::Pat(id));
        id
    }

    /// Records a use: `last_used_at` moves at most every ten minutes (§2.7).
    pub(crate) fn touch(&mut self, id: u64, now: DateTime<Utc>) {
        if let Some(token) = self.tokens.get_mut(&id) {
            let stale = token.last_used_at.is_none_or(|t| now - t >= TimeDelta::minutes(LAST_USED_GRANULARITY_MINUTES));
            if stale {
                token.last_used_at = Some(now);
                // `last_used_*` filters and the `last_used` order read it.
                self.listings.clear();
            }
        }
    }

    /// Every token of `id`'s rotation line: its ancestors through `previous_id`, and every token
    /// rotated from any of them. Ascending ids.
    pub(crate) fn family(&self, id: u64) -> Vec<u64> {
        let mut root = id;
        while let Some(prev) = self.tokens.get(&root).and_then(|t| t.previous_id) {
            if !self.tokens.contains_key(&prev) {
                break;
            }
            root = prev;
        }
        let mut members = vec![root];
        let mut i = 0;
        while i < members.len() {
            let parent = members[i];
            members.extend(self.tokens.values().filter(|t| t.previous_id == Some(parent)).map(|t| t.id));
            i += 1;
        }
        members.sort_unstable();
        members.dedup();
        members
    }

    /// Rotates token `id` (§2.12): revokes it and creates its successor with the same name,
    /// description, scopes, owner and resource, a new id and `previous_id = id`, expiring on
    /// `expires_at`. Rotating a revoked token revokes every token of its family instead.
    pub(crate) fn rotate(
        &mut self,
        id: u64,
        expires_at: Option<NaiveDate>,
        now: DateTime<Utc>,
        hash: SecretHash,
    ) -> Result<u64, RotateRefusal> {
        let old = self.tokens.get(&id).cloned().ok_or(RotateRefusal::Expired)?;
        if old.revoked {
            for member in self.family(id) {
                if let Some(t) = self.tokens_mut().get_mut(&member) {
                    t.revoked = true;
                }
            }
            return Err(RotateRefusal::AlreadyRevoked);
        }
        if old.is_expired(now.date_naive()) {
            return Err(RotateRefusal::Expired);
        }
        if let Some(t) = self.tokens_mut().get_mut(&id) {
            t.revoked = true;
        }
        let successor = TokenEntry {
            id: 0,
            created_at: now,
            last_used_at: None,
            expires_at,
            revoked: false,
            previous_id: Some(id),
            ..old
        };
        Ok(self.insert_token(successor, hash))
    }

    pub(crate) fn token_snapshot(&self, token: &TokenEntry, today: NaiveDate) -> TokenSnapshot {
        TokenSnapshot {
            id: token.id,
            user_id: token.user_id,
            name: token.name.clone(),
            description: token.description.clone(),
            scopes: token.scopes.clone(),
            created_at: token.created_at,
            last_used_at: token.last_used_at,
            expires_at: token.expires_at,
            revoked: token.revoked,
            active: token.is_active(today),
            previous_id: token.previous_id,
            rotated_to: self.tokens.values().find(|t| t.previous_id == Some(token.id)).map(|t| t.id),
            resource: token.resource,
            access_level: token.access_level,
        }
    }
}

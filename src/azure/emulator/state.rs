//! The emulator's in-memory model. Only hashes of secrets are kept.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::facts::global_pat_retirement;
use super::format::SecretHash;
use super::setup::TargetAccounts;
use super::setup::{
    OrgPolicies, Organization, RevocationRuleSnapshot, Snapshot, TenantPolicies, TokenSnapshot, UserSnapshot,
};
use crate::model::PatId;
use crate::testing::emulator_kit::listing::{ListingCache, Ordered};

/// Users per Graph listing page: the service pages by an opaque `X-MS-ContinuationToken`; its
/// page size is not documented (unverified; 500 is what community reports show).
pub(crate) const GRAPH_PAGE_SIZE: usize = 500;

/// The service's own ceiling on a token's lifespan (one year; DECOMP, the UI's maximum).
pub(crate) const SERVICE_MAX_LIFESPAN: TimeDelta = TimeDelta::days(365);

#[derive(Debug, Clone)]
pub(crate) struct UserEntry {
    pub(crate) id: Uuid,
    pub(crate) display_name: String,
    pub(crate) descriptor: String,
    pub(crate) admin_of: Vec<Uuid>,
    /// Graph `principalName` (the UPN).
    pub(crate) principal_name: String,
    /// Graph `mailAddress`.
    pub(crate) mail: Option<String>,
    /// Organizations the user is a member of (Graph lists them there).
    pub(crate) member_of: Vec<Uuid>,
}

impl UserEntry {
    pub(crate) fn is_member(&self, org: Uuid) -> bool {
        self.member_of.contains(&org) || self.admin_of.contains(&org)
    }
}

/// An SSH key as Token Admin lists it (`isPublic: true`); never used to authenticate here.
#[derive(Debug, Clone)]
pub(crate) struct SshKeyEntry {
    pub(crate) id: Uuid,
    pub(crate) owner: Uuid,
    pub(crate) org: Uuid,
    pub(crate) display_name: String,
    pub(crate) valid_from: DateTime<Utc>,
    pub(crate) valid_to: DateTime<Utc>,
}

/// Where a Graph user listing goes on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GraphCursor {
    pub(crate) org: Uuid,
    pub(crate) offset: usize,
}

/// Who a bearer token was issued to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerSubject {
    User(Uuid),
    /// An app-only (service principal / managed identity) token.
    App(Uuid),
}

#[derive(Debug, Clone)]
pub(crate) struct BearerEntry {
    pub(crate) subject: BearerSubject,
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(crate) struct PatEntry {
    pub(crate) id: Uuid,
    pub(crate) owner: Uuid,
    pub(crate) display_name: String,
    pub(crate) scope: String,
    pub(crate) valid_from: DateTime<Utc>,
    pub(crate) valid_to: DateTime<Utc>,
    /// `None` = global.
    pub(crate) targets: Option<Vec<Uuid>>,
    pub(crate) revoked: bool,
    pub(crate) legacy_format: bool,
}

impl PatEntry {
    pub(crate) fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.valid_to <= now
    }

    pub(crate) fn is_active(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && !self.is_expired(now)
    }

    /// Whether the token is visible from (usable in) `org`: global, or targets it.
    pub(crate) fn targets_org(&self, org: Uuid) -> bool {
        self.targets.as_ref().is_none_or(|t| t.contains(&org))
    }

    pub(crate) fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }

    fn snapshot(&self) -> TokenSnapshot {
        TokenSnapshot {
            id: PatId::new(self.id.to_string()),
            owner: self.owner,
            display_name: self.display_name.clone(),
            scope: self.scope.clone(),
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            targets: match &self.targets {
                None => TargetAccounts::AllOrganizations,
                Some(t) => TargetAccounts::Organizations(t.clone()),
            },
            revoked: self.revoked,
            legacy_format: self.legacy_format,
        }
    }
}

/// Where a Token Admin listing continues.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AdminCursor {
    pub(crate) org: Uuid,
    pub(crate) user: Uuid,
    pub(crate) offset: usize,
}

/// Counters behind the `X-RateLimit-*` headers.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateLimitState {
    pub(crate) headers_enabled: bool,
    pub(crate) used: u32,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) orgs: Vec<Organization>,
    pub(crate) users: Vec<UserEntry>,
    pub(crate) bearers: HashMap<SecretHash, BearerEntry>,
    /// Private: every change goes through [`State::pat_mut`], [`State::pats_mut`] or
    /// [`State::insert_pat`], which drop the kept listings.
    pats: Vec<PatEntry>,
    pat_index: HashMap<Uuid, usize>,
    /// The PAT and Token Admin listings being paged through (`pats/list.rs`, `token_admin.rs`).
    pub(crate) listings: ListingCache<Uuid, DateTime<Utc>>,
    pub(crate) secret_index: HashMap<SecretHash, Uuid>,
    pub(crate) tenant: TenantPolicies,
    pub(crate) org_policies: HashMap<Uuid, OrgPolicies>,
    pub(crate) rate_limit: RateLimitState,
    pub(crate) admin_cursors: HashMap<Uuid, AdminCursor>,
    pub(crate) ssh_keys: Vec<SshKeyEntry>,
    pub(crate) graph_cursors: HashMap<String, GraphCursor>,
    /// Users per Graph page (default [`GRAPH_PAGE_SIZE`]).
    pub(crate) graph_page_size: Option<usize>,
    pub(crate) revocation_rules: Vec<RevocationRuleSnapshot>,
    /// Whether the service-wide global-PAT retirement is ignored (to model the time before it).
    pub(crate) ignore_global_retirement: bool,
}

impl State {
    pub(crate) fn org_by_name(&self, name: &str) -> Option<&Organization> {
        self.orgs.iter().find(|o| o.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn user(&self, id: Uuid) -> Option<&UserEntry> {
        self.users.iter().find(|u| u.id == id)
    }

    pub(crate) fn user_by_descriptor(&self, descriptor: &str) -> Option<&UserEntry> {
        self.users.iter().find(|u| u.descriptor == descriptor)
    }

    pub(crate) fn pat(&self, id: Uuid) -> Option<&PatEntry> {
        self.pat_index.get(&id).map(|i| &self.pats[*i])
    }

    pub(crate) fn pat_mut(&mut self, id: Uuid) -> Option<&mut PatEntry> {
        self.listings.clear();
        self.pat_index.get(&id).map(|i| &mut self.pats[*i])
    }

    /// Every token, in creation order.
    pub(crate) fn pats(&self) -> &[PatEntry] {
        &self.pats
    }

    /// Every token, to change some.
    pub(crate) fn pats_mut(&mut self) -> &mut [PatEntry] {
        self.listings.clear();
        &mut self.pats
    }

    /// Rows `offset..offset + size` of the listing named `query` (the caller, organization,
    /// filter and order), and the listing's length. `build` filters and orders every token
    /// once; later pages of the same listing reuse its order while it stays right
    /// ([`ListingCache`]), so a page costs O(page).
    pub(crate) fn listing_window(
        &mut self,
        query: String,
        now: DateTime<Utc>,
        offset: usize,
        size: usize,
        build: impl FnOnce(&[PatEntry]) -> Ordered<Uuid, DateTime<Utc>>,
    ) -> (Vec<&PatEntry>, usize) {
        let pats = &self.pats;
        let ids = self.listings.get_or_build(query, now, || build(pats));
        let end = offset.saturating_add(size).min(ids.len());
        let window = ids.get(offset.min(end)..end).unwrap_or(&[]);
        let window = window.iter().filter_map(|id| self.pat_index.get(id).map(|i| &pats[*i])).collect();
        (window, ids.len())
    }

    pub(crate) fn insert_pat(&mut self, entry: PatEntry, secret_hash: SecretHash) {
        self.listings.clear();
        self.pat_index.insert(entry.id, self.pats.len());
        self.secret_index.insert(secret_hash, entry.id);
        self.pats.push(entry);
    }

    pub(crate) fn org_policies(&self, org: Uuid) -> OrgPolicies {
        self.org_policies.get(&org).cloned().unwrap_or_default()
    }

    /// Whether `user` may create tokens in `org` under its "restrict PAT creation" policy.
    pub(crate) fn may_create_in(&self, org: Uuid, user: Uuid) -> bool {
        let policy = self.org_policies(org);
        !policy.restrict_pat_creation || policy.allowed_users.contains(&user)
    }

    /// Whether the global-PAT retirement is in force at `now`: from 2026-12-01 on the
    /// emulator's clock, unless switched off.
    pub(crate) fn global_pats_retired(&self, now: DateTime<Utc>) -> bool {
        !self.ignore_global_retirement && now >= global_pat_retirement()
    }

    /// Whether the token with `id` authenticates a request to `org` at `now`. A global token
    /// stops working once global PATs are retired, or where the organization's "restrict PAT
    /// creation" policy does not allow its owner.
    pub(crate) fn pat_usable(&self, pat: &PatEntry, org: Uuid, now: DateTime<Utc>) -> bool {
        let global_blocked =
            pat.targets.is_none() && (self.global_pats_retired(now) || !self.may_create_in(org, pat.owner));
        !pat.revoked && pat.valid_from <= now && !pat.is_expired(now) && pat.targets_org(org) && !global_blocked
    }

    pub(crate) fn snapshot(&self, now: DateTime<Utc>) -> Snapshot {
        Snapshot {
            now,
            organizations: self.orgs.clone(),
            users: self
                .users
                .iter()
                .map(|u| UserSnapshot {
                    id: u.id,
                    display_name: u.display_name.clone(),
                    descriptor: u.descriptor.clone(),
                    admin_of: u.admin_of.clone(),
                })
                .collect(),
            tokens: self.pats.iter().map(PatEntry::snapshot).collect(),
            tenant_policies: self.tenant.clone(),
            revocation_rules: self.revocation_rules.clone(),
        }
    }

    pub(crate) fn token_snapshot(&self, id: Uuid) -> Option<TokenSnapshot> {
        self.pat(id).map(PatEntry::snapshot)
    }
}

//! Public set-up and inspection types: organizations, users, seeded tokens, policies, snapshots.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::model::PatId;
use crate::secret::{BearerToken, PatSecret};

/// An organization known to the emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// The name used in URLs (`/{name}/_apis/…`); matched case-insensitively.
    pub name: String,
    /// The organization's id, as it appears in `targetAccounts`.
    pub id: Uuid,
}

/// A user the emulator knows, with the Entra-style bearer token it issued to them.
///
/// `Debug` redacts the token. The token is an emulator test credential: it works only against
/// the emulator that issued it.
#[derive(Debug, Clone)]
pub struct EmulatedUser {
    /// The user's id (the `userId` Token Admin reports).
    pub id: Uuid,
    /// The user's display name.
    pub display_name: String,
    /// The Token Admin subject descriptor, `aad.<base64 of the id>`.
    pub descriptor: String,
    /// A bearer token for this user that never expires. Mint more (including expiring ones) with
    /// [`Emulator::issue_user_token`](super::Emulator::issue_user_token).
    pub bearer: BearerToken,
}

impl EmulatedUser {
    /// A credential that sends this user's bearer token, for
    /// [`AzureDevOpsClient::builder`](crate::azure::AzureDevOpsClient::builder).
    pub fn credential(&self) -> crate::auth::StaticCredential {
        crate::auth::StaticCredential::from(self.bearer.clone())
    }
}

/// A PAT to put into the emulator directly, bypassing the API (for expired, revoked, legacy or
/// otherwise unusual tokens).
///
/// ```
/// use chrono::{TimeDelta, Utc};
/// use patkit::azure::emulator::SeedPat;
/// let seed = SeedPat::new("old build token", "vso.build")
///     .valid_to(Utc::now() - TimeDelta::days(1))
///     .revoked(true);
/// assert!(seed.is_revoked());
/// ```
#[derive(Debug, Clone)]
pub struct SeedPat {
    pub(crate) display_name: String,
    pub(crate) scope: String,
    pub(crate) valid_from: Option<DateTime<Utc>>,
    pub(crate) valid_to: Option<DateTime<Utc>>,
    pub(crate) targets: Option<TargetAccounts>,
    pub(crate) revoked: bool,
    pub(crate) secret: Option<PatSecret>,
}

impl SeedPat {
    /// A token named `display_name` with the space-separated `scope` string, stored verbatim
    /// (it is not validated, so tests can seed what the service holds from older days).
    /// Defaults: valid from now for one year, bound to the organization it is seeded in, not
    /// revoked, with a freshly minted 84-character secret.
    pub fn new(display_name: impl Into<String>, scope: impl Into<String>) -> Self {
        Self {
            display_name: display_name.into(),
            scope: scope.into(),
            valid_from: None,
            valid_to: None,
            targets: None,
            revoked: false,
            secret: None,
        }
    }

    /// When the token was created (default: now).
    pub fn valid_from(mut self, at: DateTime<Utc>) -> Self {
        self.valid_from = Some(at);
        self
    }

    /// When the token expires (default: `valid_from` + 1 year). May be in the past.
    pub fn valid_to(mut self, at: DateTime<Utc>) -> Self {
        self.valid_to = Some(at);
        self
    }

    /// Make it a global token (`targetAccounts: null`).
    pub fn global(mut self) -> Self {
        self.targets = Some(TargetAccounts::AllOrganizations);
        self
    }

    /// Which organizations it targets (by [`Organization::id`]); ids of no organization are
    /// kept and match none.
    pub fn targets(mut self, targets: TargetAccounts) -> Self {
        self.targets = Some(targets);
        self
    }

    /// Seed it already revoked.
    pub fn revoked(mut self, revoked: bool) -> Self {
        self.revoked = revoked;
        self
    }

    /// Whether it will be seeded revoked.
    pub fn is_revoked(&self) -> bool {
        self.revoked
    }

    /// Use this secret instead of minting one, e.g. a legacy 52-character value. The emulator
    /// keeps only its SHA-256 hash.
    pub fn secret(mut self, secret: PatSecret) -> Self {
        self.secret = Some(secret);
        self
    }
}

/// A seeded token: its id and its secret (the only time the emulator hands the secret out).
#[derive(Debug)]
pub struct SeededPat {
    /// The token's `authorizationId`.
    pub id: PatId,
    /// The token's value.
    pub secret: PatSecret,
}

/// Tenant-wide PAT policies (Microsoft Entra tenant level, set by an Azure DevOps Administrator).
///
/// Every policy applies to new tokens and to updates that renew or change a token; existing
/// non-compliant tokens keep working until they expire (§9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantPolicies {
    /// "Enforce maximum PAT lifespan". A longer request is clamped (api-version 7.2 behaviour):
    /// create to now + max, update to creation + max. `None`: only the service's own one-year
    /// ceiling applies.
    pub max_lifespan: Option<TimeDelta>,
    /// Reject over-long requests with `patLifespanPolicyViolation` instead of clamping (the
    /// behaviour before 7.2).
    pub reject_over_lifespan: bool,
    /// "Restrict creation of global PATs": `allOrgs: true` fails with `globalPatPolicyViolation`.
    pub restrict_global_pats: bool,
    /// "Restrict creation of full-scoped PATs": `app_token` fails with
    /// `fullScopePatPolicyViolation`.
    pub restrict_full_scope_pats: bool,
    /// Block creating (and regenerating) global tokens now, whatever the date: `allOrgs: true`
    /// fails with `globalPATCreationBlocked`. The service-wide retirement itself applies by the
    /// clock from 2026-12-01 regardless of this flag (see
    /// [`Emulator::set_global_pat_retirement`](super::Emulator::set_global_pat_retirement)).
    pub global_pat_creation_blocked: bool,
    /// Refuse to extend an expired token (`expiredPatCannotBeExtended`, added in 7.2). On by
    /// default: the fact sheet marks the service's behaviour unverified, and a client that copes
    /// with the refusal works either way.
    pub block_extending_expired: bool,
}

impl Default for TenantPolicies {
    fn default() -> Self {
        Self {
            max_lifespan: None,
            reject_over_lifespan: false,
            restrict_global_pats: false,
            restrict_full_scope_pats: false,
            global_pat_creation_blocked: false,
            block_extending_expired: true,
        }
    }
}

/// Organization-level PAT policies (set by a Project Collection Administrator).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgPolicies {
    /// "Restrict personal access token creation": only `allowed_users` may create tokens here
    /// (others get `disablePatCreationPolicyViolation`), and global tokens of users not on the
    /// list stop working in this organization.
    pub restrict_pat_creation: bool,
    /// The allow-list for `restrict_pat_creation`.
    pub allowed_users: Vec<Uuid>,
}

/// Everything the emulator holds, without any secret.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The time of the emulator's clock when the snapshot was taken.
    pub now: DateTime<Utc>,
    /// Organizations, in the order they were added.
    pub organizations: Vec<Organization>,
    /// Users, in the order they were added.
    pub users: Vec<UserSnapshot>,
    /// Every token, in creation order, including revoked and expired ones.
    pub tokens: Vec<TokenSnapshot>,
    /// The tenant policies.
    pub tenant_policies: TenantPolicies,
    /// Revocation rules created through Token Admin.
    pub revocation_rules: Vec<RevocationRuleSnapshot>,
}

impl Snapshot {
    /// The token with `id`, if any.
    pub fn token(&self, id: &PatId) -> Option<&TokenSnapshot> {
        self.tokens.iter().find(|t| &t.id == id)
    }

    /// The tokens `owner` owns.
    pub fn tokens_of(&self, owner: Uuid) -> impl Iterator<Item = &TokenSnapshot> {
        self.tokens.iter().filter(move |t| t.owner == owner)
    }
}

/// A user as seen in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSnapshot {
    /// The user's id.
    pub id: Uuid,
    /// The user's display name.
    pub display_name: String,
    /// The Token Admin subject descriptor.
    pub descriptor: String,
    /// Organizations where the user is an administrator.
    pub admin_of: Vec<Uuid>,
}

/// A token as seen in a [`Snapshot`]: all its metadata, never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSnapshot {
    /// The `authorizationId`.
    pub id: PatId,
    /// The owning user's id.
    pub owner: Uuid,
    /// Display name.
    pub display_name: String,
    /// The scope string, verbatim.
    pub scope: String,
    /// Creation time.
    pub valid_from: DateTime<Utc>,
    /// Expiry.
    pub valid_to: DateTime<Utc>,
    /// Where it works.
    pub targets: TargetAccounts,
    /// Whether it was revoked (by its owner, Token Admin or a revocation rule).
    pub revoked: bool,
    /// Whether its secret has the legacy 52-character format.
    pub legacy_format: bool,
}

impl TokenSnapshot {
    /// Whether it has expired at `now` (`valid_to <= now`, the same rule the emulator's
    /// `expired` filter uses).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.valid_to <= now
    }

    /// Whether it is usable at `now`: neither revoked nor expired.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && !self.is_expired(now)
    }
}

/// A revocation rule as seen in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationRuleSnapshot {
    /// The organization it was created in.
    pub organization: Uuid,
    /// The space-delimited scopes it matches (any of them).
    pub scopes: String,
    /// The cut-off: tokens created before it were revoked.
    pub created_before: DateTime<Utc>,
}

/// Which organizations a token works in, as the emulator keeps it (the service's
/// `targetAccounts`: `null` for a global token, else organization ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetAccounts {
    /// A global token (`allOrgs: true`, `targetAccounts: null`), valid in every organization of
    /// its owner. Retired by the service from 2026-12-01.
    AllOrganizations,
    /// Bound to these organizations.
    Organizations(Vec<Uuid>),
}

impl TargetAccounts {
    /// Whether it is a global token.
    pub fn is_global(&self) -> bool {
        matches!(self, Self::AllOrganizations)
    }

    /// Whether it works in organization `org`.
    pub fn includes(&self, org: Uuid) -> bool {
        match self {
            Self::AllOrganizations => true,
            Self::Organizations(ids) => ids.contains(&org),
        }
    }
}

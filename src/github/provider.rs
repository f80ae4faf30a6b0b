//! The neutral seams: [`PatProvider`] and [`PatAdmin`] for [`GitHubClient`] — what an
//! organization can govern of the fine-grained PATs that reach it.
//!
//! - **What a token is here**: a fine-grained PAT **grant** (its access to the organization).
//!   `PatMetadata::id` is the **grant id** (what revoking takes; the token's own id is in the
//!   extras as `token_id`); `display_name` the token's name; `scopes` its permissions as
//!   `kind:name:level` (`repository:contents:write`); `valid_from` when the organization
//!   granted access (`access_granted_at`: GitHub does not tell when the token was created);
//!   `valid_to` the token's expiry (`token_expires_at`). Extras: `owner` (login), `token_id`,
//!   `last_used_at` (RFC 3339, absent if never used), `repository_selection`.
//!   So the [`Scan`](crate::lifecycle::Scan) finds expired and expiring grants and, with
//!   [`Scan::max_age`](crate::lifecycle::Scan::max_age), grants older than a limit.
//! - Capabilities: `list_own` (the listing is the **organization's** grants, every owner's),
//!   `revoke` (the grant: the token loses the organization, not its life; the grant is gone
//!   from the listing, so `revoke_deletes`), `check` (`GET /user` with the token),
//!   `admin_list_user` (a login's grants) and `revoke_many` (bulk, waited for). No create, get,
//!   update or rotation: GitHub has no API for them, and they answer [`Error::Unsupported`](crate::Error::Unsupported)
//!   without a request.

use async_trait::async_trait;
use chrono::SecondsFormat;

use super::{GitHubClient, Grant, GrantQuery};
use crate::admin::{PatAdmin, UserId, UserPat};
use crate::capabilities::{Capabilities, ExpiryGranularity};
use crate::error::Result;
use crate::extras::Extras;
use crate::model::{ContinuationToken, ListQuery, Page, PatId, PatMetadata, StatusFilter};
use crate::provider::PatProvider;
use crate::scope::{Scope, Scopes};
use crate::secret::PatSecret;

/// The [`provider_name`](PatProvider::provider_name) of GitHub: `"github"`.
pub const PROVIDER_NAME: &str = "github";

/// The extras keys of a grant's [`PatMetadata`].
pub mod extras {
    /// The token owner's login.
    pub const OWNER: &str = "owner";
    /// The token's own id (not the grant's).
    pub const TOKEN_ID: &str = "token_id";
    /// When the token was last used (RFC 3339); absent if never.
    pub const LAST_USED_AT: &str = "last_used_at";
    /// `none`, `all` or `subset`.
    pub const REPOSITORY_SELECTION: &str = "repository_selection";
}

impl Grant {
    /// This grant as neutral metadata (see the [module docs](crate::github) for the mapping).
    pub fn to_metadata(&self) -> PatMetadata {
        let scopes: Scopes = self.permissions.as_scopes().into_iter().filter_map(|s| Scope::new(s).ok()).collect();
        let mut extras = Extras::new()
            .with(extras::OWNER, self.owner.login.clone())
            .with(extras::TOKEN_ID, self.token_id.to_string())
            .with(extras::REPOSITORY_SELECTION, self.repository_selection.clone());
        if let Some(at) = self.token_last_used_at {
            extras.insert(extras::LAST_USED_AT, at.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
        PatMetadata {
            id: PatId::new(self.id.to_string()),
            display_name: self.token_name.clone(),
            scopes,
            valid_from: self.access_granted_at,
            valid_to: self.token_expires_at,
            extras,
        }
    }

    /// How long the token has gone unused at `now`: since its last use, or, never used (or not
    /// recorded), since the organization granted it access. For audits of unused tokens
    /// ([`GitHubClient::idle_grants`]); zero for a use in the future (clock skew).
    pub fn idle_for(&self, now: chrono::DateTime<chrono::Utc>) -> std::time::Duration {
        let since = self.token_last_used_at.unwrap_or(self.access_granted_at);
        (now - since).to_std().unwrap_or_default()
    }

    /// Whether the token still works at `now` (GitHub says it has not expired, nor has its
    /// expiry passed).
    pub fn is_active(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        !self.token_expired && self.token_expires_at.is_none_or(|t| t > now)
    }
}

#[async_trait]
impl PatProvider for GitHubClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    fn organization(&self) -> &str {
        self.org()
    }

    /// List (the organization's grants) and check. No `revoke`: what an organization can revoke
    /// is a grant — the token's access to it — while the token itself keeps authenticating
    /// everywhere else, which is not what [`PatProvider::revoke_pat`] promises (the token stops
    /// working). Revoke grants with [`revoke_grant`](GitHubClient::revoke_grant), the
    /// [`PatAdmin`] seam or [`GitHubOffboarding`](super::GitHubOffboarding), which say so.
    fn capabilities(&self) -> Capabilities {
        Capabilities { list_own: true, check: true, expiry: ExpiryGranularity::DateTime, ..Capabilities::NONE }
    }

    fn bulk_concurrency(&self) -> Option<usize> {
        self.inner.core.bulk_concurrency()
    }

    /// One page of the organization's grants. `Active`: the token has not expired; `Expired`:
    /// it has; `Revoked`: nothing (a revoked grant is gone); `All`: every grant. The sort is
    /// GitHub's (`created_at`, in the asked direction); a page may come back short or empty
    /// with a continuation.
    async fn list_pats(&self, query: &ListQuery, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        if query.filter == StatusFilter::Revoked {
            return Ok(Page { items: Vec::new(), continuation: None });
        }
        let mut grants = GrantQuery::new().sort_by_created_at().ascending(query.ascending);
        if let Some(n) = query.page_size {
            grants = grants.per_page(n);
        }
        let page = self.grants(&grants, continuation).await?;
        let now = self.now();
        let keep = |g: &Grant| match query.filter {
            StatusFilter::Active => g.is_active(now),
            StatusFilter::Expired => !g.is_active(now),
            _ => true,
        };
        Ok(Page {
            items: page.items.iter().filter(|g| keep(g)).map(Grant::to_metadata).collect(),
            continuation: page.continuation,
        })
    }

    /// Whether GitHub accepts the token (`GET /user` with it).
    async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        Ok(self.check_token(secret).await?.works)
    }
}

/// An organization's view of a login's fine-grained PATs: their grants (`UserId` = the login).
/// Revoking cuts the tokens' access to the organization; the tokens themselves stay alive
/// (GitHub cannot revoke a user's token), which [`GitHubOffboarding`](super::GitHubOffboarding)
/// reports.
#[async_trait]
impl PatAdmin for GitHubClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            admin_list_user: true,
            revoke_many: true,
            revoke_deletes: true,
            expiry: ExpiryGranularity::DateTime,
            ..Capabilities::NONE
        }
    }

    fn bulk_concurrency(&self) -> Option<usize> {
        self.inner.core.bulk_concurrency()
    }

    /// [`MAX_IDS`](super::MAX_IDS): GitHub's bulk revocation takes 100 grants.
    fn max_revocations_per_request(&self) -> usize {
        super::MAX_IDS
    }

    /// One page of the grants of `user`'s tokens in the organization (`owner[]` filter), an
    /// expired token's with `active: Some(false)`.
    async fn list_user_pats(&self, user: &UserId, continuation: Option<ContinuationToken>) -> Result<Page<UserPat>> {
        let page = self.grants(&GrantQuery::new().owner(user.as_str()), continuation).await?;
        let now = self.now();
        let items =
            page.items.iter().map(|g| UserPat { metadata: g.to_metadata(), active: Some(g.is_active(now)) }).collect();
        Ok(Page { items, continuation: page.continuation })
    }

    /// Revokes the grants `ids` (grant ids) with one bulk call per 100, and **waits** until the
    /// listing no longer shows them (GitHub completes bulk calls later; see
    /// [`Pending::wait`](super::Pending::wait)), so a listing right after shows none.
    async fn revoke_many(&self, ids: &[PatId]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        for batch in ids.chunks(super::MAX_IDS) {
            self.revoke_grants(batch).await?.wait().await?;
        }
        Ok(())
    }
}

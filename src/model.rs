//! Provider-neutral token metadata: ids, targets, metadata, created tokens, pages.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::scope::Scopes;
use crate::secret::PatSecret;

/// A token's id at its provider (Azure DevOps: the `authorizationId` GUID).
///
/// Opaque on purpose: other providers use integers, and nothing above the provider layer needs to
/// know. Ids are not secret.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PatId(String);

impl PatId {
    /// Wraps an id as the provider spells it.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as the provider spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<uuid::Uuid> for PatId {
    fn from(id: uuid::Uuid) -> Self {
        Self(id.to_string())
    }
}

/// Which organizations a token works in.
///
/// When Azure DevOps retires global PATs: 2026-12-01T00:00:00Z (fact sheet §9, BLOG-GPAT). From
/// then on the service refuses to create or regenerate a global token
/// (`globalPATCreationBlocked`) and every existing global token stops authenticating.
///
/// ```
/// assert_eq!(patkit::GLOBAL_PAT_RETIREMENT.to_rfc3339(), "2026-12-01T00:00:00+00:00");
/// ```
pub const GLOBAL_PAT_RETIREMENT: DateTime<Utc> = match DateTime::from_timestamp(1_796_083_200, 0) {
    Some(t) => t,
    None => panic!("2026-12-01T00:00:00Z is a valid timestamp"),
};

/// Azure DevOps sends `targetAccounts: null` for a *global* token (every organization the user can
/// reach) and a list of organization ids otherwise; the two are kept apart here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Targets {
    /// A global token (`targetAccounts: null`). Azure DevOps stops accepting global PATs on
    /// [`GLOBAL_PAT_RETIREMENT`] (2026-12-01).
    AllOrganizations,
    /// The token works only in these organizations (ids as the provider spells them).
    Organizations(Vec<String>),
}

impl Targets {
    /// Whether this is a global token.
    pub fn is_global(&self) -> bool {
        matches!(self, Self::AllOrganizations)
    }
}

/// What is known about a token without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatMetadata {
    /// The provider's id.
    pub id: PatId,
    /// The name shown in the provider's UI.
    pub display_name: String,
    /// What the token may do.
    pub scopes: Scopes,
    /// When it was created (or last regenerated).
    pub valid_from: DateTime<Utc>,
    /// When it stops working.
    pub valid_to: DateTime<Utc>,
    /// Where it works.
    pub targets: Targets,
}

impl PatMetadata {
    /// Whether the token has expired at `now` (`valid_to` is in the past or now).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.valid_to <= now
    }

    /// Whether the token is still valid at `now` but expires within `window`.
    pub fn expires_within(&self, now: DateTime<Utc>, window: Duration) -> bool {
        !self.is_expired(now) && self.valid_to - now <= chrono_delta(window)
    }

    /// Time left before expiry at `now` (zero once expired).
    pub fn remaining(&self, now: DateTime<Utc>) -> Duration {
        (self.valid_to - now).to_std().unwrap_or(Duration::ZERO)
    }
}

/// `Duration` → `TimeDelta`, saturating at chrono's limit.
pub(crate) fn chrono_delta(d: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX)
}

/// The result of creating a token: the only place a provider hands out the secret.
///
/// Store `secret` before doing anything else with it; it cannot be fetched again.
#[derive(Debug)]
pub struct CreatedPat {
    /// The new token's metadata.
    pub metadata: PatMetadata,
    /// The token's value. Shown once.
    pub secret: PatSecret,
}

/// An opaque position in a listing, to fetch the next page or resume later.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContinuationToken(String);

impl ContinuationToken {
    /// Wraps a token as the provider sent it.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token as the provider sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One page of a listing.
///
/// ```
/// use patkit::Page;
/// let page = Page { items: vec![1, 2, 3], continuation: None };
/// assert!(page.is_last());
/// assert_eq!(page.into_iter().sum::<i32>(), 6);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub continuation: Option<ContinuationToken>,
}

impl<T> Page<T> {
    /// Whether this is the last page.
    pub fn is_last(&self) -> bool {
        self.continuation.is_none()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Which tokens a listing returns.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Neither revoked nor expired (the service's default).
    #[default]
    Active,
    /// Revoked tokens.
    Revoked,
    /// Expired (and not revoked) tokens.
    Expired,
    /// Everything.
    All,
}

/// How a listing is sorted.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// By display name (the service's default).
    #[default]
    DisplayName,
    /// By date.
    DisplayDate,
    /// By status.
    Status,
}

/// Filters and sorting of a listing. The same query must be sent with every page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Which tokens.
    pub filter: StatusFilter,
    /// Sort key.
    pub sort: SortBy,
    /// Ascending (`true`, the default) or descending.
    pub ascending: bool,
    /// Page size; `None` uses the provider's default (Azure DevOps: 20). Azure DevOps allows at
    /// most 100.
    pub page_size: Option<u32>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self { filter: StatusFilter::Active, sort: SortBy::DisplayName, ascending: true, page_size: None }
    }
}

/// What a new token should look like (provider-neutral).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatSpec {
    /// Display name.
    pub display_name: String,
    /// Scopes.
    pub scopes: Scopes,
    /// Expiry; `None` lets the provider choose (Azure DevOps: one year, clamped by policy).
    pub valid_to: Option<DateTime<Utc>>,
    /// Ask for a global token. Azure DevOps retires global PATs on [`GLOBAL_PAT_RETIREMENT`]
    /// (2026-12-01): from then on it refuses such a request with `globalPATCreationBlocked`.
    pub all_organizations: bool,
}

/// Changes to an existing token; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatChanges {
    /// A new display name.
    pub display_name: Option<String>,
    /// New scopes.
    pub scopes: Option<Scopes>,
    /// A new expiry.
    pub valid_to: Option<DateTime<Utc>>,
    /// Make the token global (`true`) or bound to this organization (`false`).
    pub all_organizations: Option<bool>,
}

impl PatChanges {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.display_name.is_none()
            && self.scopes.is_none()
            && self.valid_to.is_none()
            && self.all_organizations.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn meta(valid_to: DateTime<Utc>) -> PatMetadata {
        PatMetadata {
            id: PatId::new("x"),
            display_name: "n".into(),
            scopes: Scopes::default(),
            valid_from: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            valid_to,
            targets: Targets::AllOrganizations,
        }
    }

    #[test]
    fn expiry_maths() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let day = Duration::from_secs(86_400);
        let m = meta(now + chrono::TimeDelta::hours(12));
        assert!(!m.is_expired(now));
        assert!(m.expires_within(now, day));
        assert!(!m.expires_within(now, Duration::from_secs(3600)));
        assert_eq!(m.remaining(now), Duration::from_secs(12 * 3600));
        let expired = meta(now);
        assert!(expired.is_expired(now));
        assert!(!expired.expires_within(now, day), "expired is not 'expiring'");
        assert_eq!(expired.remaining(now), Duration::ZERO);
        assert!(!meta(now).expires_within(now - chrono::TimeDelta::days(2), day));
    }
}

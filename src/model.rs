//! Provider-neutral token metadata: ids, metadata, created tokens, pages.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::extras::Extras;
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
    /// When it stops working; `None`: it never expires (Gitea, Forgejo; GitLab before 16.0).
    /// A provider that keeps expiry as a date reports the instant the token dies (GitLab:
    /// 00:00 UTC of its `expires_at`), see [`ExpiryGranularity`](crate::ExpiryGranularity).
    pub valid_to: Option<DateTime<Utc>>,
    /// Provider-specific attributes (Azure DevOps: which organizations it works in).
    pub extras: Extras,
}

impl PatMetadata {
    /// Whether the token has expired at `now` (`valid_to` is in the past or now). A token that
    /// never expires never has.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.valid_to.is_some_and(|t| t <= now)
    }

    /// Whether the token is still valid at `now` but expires within `window`.
    pub fn expires_within(&self, now: DateTime<Utc>, window: Duration) -> bool {
        !self.is_expired(now) && self.valid_to.is_some_and(|t| t - now <= chrono_delta(window))
    }

    /// Time left before expiry at `now` (zero once expired); `None` for a token that never
    /// expires.
    pub fn remaining(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.valid_to.map(|t| (t - now).to_std().unwrap_or(Duration::ZERO))
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
    /// Expiry; `None` lets the provider choose (Azure DevOps: one year, clamped by policy; a
    /// provider whose tokens never expire: never). A provider that keeps dates rounds up to the
    /// next midnight UTC, never down.
    pub valid_to: Option<DateTime<Utc>>,
    /// Provider-specific attributes, spelt as the provider documents them (Azure DevOps: ask
    /// for a global token with `patkit::azure::Targets`). Keys the
    /// provider does not know are refused before anything is sent.
    pub extras: Extras,
}

impl PatSpec {
    /// A spec with no expiry asked for (the provider's default) and no extras.
    ///
    /// ```
    /// let spec = patkit::PatSpec::new("ci", patkit::Scopes::parse("vso.code")?);
    /// assert_eq!(spec.valid_to, None);
    /// # Ok::<(), patkit::Error>(())
    /// ```
    pub fn new(display_name: impl Into<String>, scopes: Scopes) -> Self {
        Self { display_name: display_name.into(), scopes, valid_to: None, extras: Extras::new() }
    }
}

/// Changes to an existing token; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatChanges {
    /// A new display name.
    pub display_name: Option<String>,
    /// New scopes.
    pub scopes: Option<Scopes>,
    /// A new expiry (only where [`Capabilities::update_expiry`](crate::Capabilities::update_expiry)).
    pub valid_to: Option<DateTime<Utc>>,
    /// Provider-specific attributes to change (Azure DevOps: make the token global or bound to
    /// the client's organization with `patkit::azure::Targets`); empty
    /// keeps them.
    pub extras: Extras,
}

impl PatChanges {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.display_name.is_none() && self.scopes.is_none() && self.valid_to.is_none() && self.extras.is_empty()
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
            valid_to: Some(valid_to),
            extras: Extras::new(),
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
        assert_eq!(m.remaining(now), Some(Duration::from_secs(12 * 3600)));
        let expired = meta(now);
        assert!(expired.is_expired(now));
        assert!(!expired.expires_within(now, day), "expired is not 'expiring'");
        assert_eq!(expired.remaining(now), Some(Duration::ZERO));
        assert!(!meta(now).expires_within(now - chrono::TimeDelta::days(2), day));
        let never = PatMetadata { valid_to: None, ..meta(now) };
        assert!(!never.is_expired(now + chrono::TimeDelta::days(36_500)));
        assert!(!never.expires_within(now, Duration::MAX));
        assert_eq!(never.remaining(now), None);
    }
}

//! The in-memory tokens of a [`FakeProvider`](super::FakeProvider) and the rules they follow.

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};

use crate::capabilities::{Capabilities, ExpiryGranularity};
use crate::error::{Error, Result};
use crate::extras::Extras;
use crate::model::{CreatedPat, ListQuery, Page, PatId, PatMetadata, SortBy, StatusFilter};
use crate::scope::Scopes;
use crate::secret::PatSecret;
use crate::testing::fake::profile::{FakeOp, Fault};

/// What the fake knows about one token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeToken {
    /// The token's metadata.
    pub metadata: PatMetadata,
    /// Whether it was revoked (by `revoke_pat` or by a rotation).
    pub revoked: bool,
    /// The token a server-side rotation replaced it with.
    pub replaced_by: Option<PatId>,
}

#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) token: FakeToken,
    pub(crate) secret: PatSecret,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) order: Vec<PatId>,
    pub(crate) entries: HashMap<PatId, Entry>,
    pub(crate) calls: HashMap<FakeOp, usize>,
    pub(crate) faults: HashMap<FakeOp, (Fault, usize)>,
    pub(crate) next_id: u64,
}

impl State {
    /// Counts a call of `op` and takes the fault it should suffer, if any.
    pub(crate) fn enter(&mut self, op: FakeOp) -> Option<Fault> {
        *self.calls.entry(op).or_default() += 1;
        let (fault, left) = self.faults.get_mut(&op)?;
        let fault = *fault;
        *left -= 1;
        if *left == 0 {
            self.faults.remove(&op);
        }
        Some(fault)
    }

    pub(crate) fn mint(
        &mut self,
        display_name: String,
        scopes: Scopes,
        valid_to: Option<DateTime<Utc>>,
        extras: Extras,
        now: DateTime<Utc>,
    ) -> CreatedPat {
        self.next_id += 1;
        // Leading zeros on purpose: ids are opaque strings and must round-trip exactly.
        let id = PatId::new(format!("{:06}", self.next_id));
        let secret = PatSecret::new(format!("fake-{}", crate::random::hex(16)));
        let metadata = PatMetadata { id: id.clone(), display_name, scopes, valid_from: now, valid_to, extras };
        let token = FakeToken { metadata: metadata.clone(), revoked: false, replaced_by: None };
        self.order.push(id.clone());
        self.entries.insert(id, Entry { token, secret: secret.clone() });
        CreatedPat { metadata, secret }
    }

    pub(crate) fn entry(&mut self, id: &PatId) -> Result<&mut Entry> {
        self.entries.get_mut(id).ok_or_else(|| Error::NotFound { id: Some(id.clone()) })
    }

    pub(crate) fn page(&self, query: &ListQuery, offset: usize, now: DateTime<Utc>) -> Page<PatMetadata> {
        let mut all: Vec<&FakeToken> = self
            .order
            .iter()
            .map(|id| &self.entries[id].token)
            .filter(|t| {
                let expired = t.metadata.is_expired(now);
                match query.filter {
                    StatusFilter::Active => !t.revoked && !expired,
                    StatusFilter::Revoked => t.revoked,
                    StatusFilter::Expired => !t.revoked && expired,
                    _ => true,
                }
            })
            .collect();
        match query.sort {
            SortBy::DisplayName => all.sort_by(|a, b| a.metadata.display_name.cmp(&b.metadata.display_name)),
            SortBy::DisplayDate => all.sort_by_key(|t| t.metadata.valid_from),
            _ => all.sort_by_key(|t| t.revoked),
        }
        if !query.ascending {
            all.reverse();
        }
        let size = query.page_size.map_or(20, |s| s.clamp(1, 100) as usize);
        let items: Vec<PatMetadata> = all.iter().skip(offset).take(size).map(|t| t.metadata.clone()).collect();
        let next = offset + items.len();
        let continuation = (next < all.len()).then(|| crate::model::ContinuationToken::new(next.to_string()));
        Page { items, continuation }
    }
}

/// The expiry a token gets for a requested one, under `capabilities`: the default (30 days)
/// when none is asked for, rounded up to the next 00:00 UTC for date granularity, the far
/// future for tokens that never expire.
pub(crate) fn expiry(
    capabilities: Capabilities,
    requested: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let requested = requested.unwrap_or(now + TimeDelta::days(30));
    match capabilities.expiry {
        ExpiryGranularity::Never => Ok(None),
        _ if requested <= now => Err(Error::invalid_input("valid_to", "must be in the future")),
        ExpiryGranularity::Date => {
            let midnight = requested.date_naive().and_time(NaiveTime::MIN).and_utc();
            Ok(Some(if midnight == requested { requested } else { midnight + TimeDelta::days(1) }))
        }
        _ => Ok(Some(requested)),
    }
}

/// Refuses a display name the provider would not take.
pub(crate) fn display_name(capabilities: Capabilities, name: &str) -> Result<()> {
    let chars = name.chars().count();
    if name.trim().is_empty() {
        return Err(Error::invalid_input("display_name", "must not be empty"));
    }
    match capabilities.name_max_len {
        Some(max) if chars > max => {
            Err(Error::invalid_input("display_name", format!("is {chars} characters long; at most {max} are allowed")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::testing::fake::FakeProfile;

    #[test]
    fn a_date_expiry_rounds_up_to_the_next_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        let caps = FakeProfile::ServerRotate.capabilities();
        let asked = Utc.with_ymd_and_hms(2026, 5, 3, 0, 0, 1).unwrap();
        assert_eq!(expiry(caps, Some(asked), now).unwrap(), Some(Utc.with_ymd_and_hms(2026, 5, 4, 0, 0, 0).unwrap()));
        let midnight = Utc.with_ymd_and_hms(2026, 5, 3, 0, 0, 0).unwrap();
        assert_eq!(expiry(caps, Some(midnight), now).unwrap(), Some(midnight));
        assert_eq!(expiry(FakeProfile::NoExpiry.capabilities(), Some(now), now).unwrap(), None);
        assert!(matches!(expiry(caps, Some(now), now), Err(Error::InvalidInput { field: "valid_to", .. })));
    }
}

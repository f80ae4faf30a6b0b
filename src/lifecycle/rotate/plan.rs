//! Deciding: is an entry due, how long does its replacement live, and the dry-run plan.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Rotator;
use crate::capabilities::ExpiryGranularity;
use crate::lifecycle::{DueReason, PlannedAction, PlannedEntry, PlannedRecovery};
use crate::lifecycle::{KeptReason, RotationMethod, SkipReason};
use crate::model::{PatMetadata, chrono_delta};
use crate::store::PatRecord;

const DAY: Duration = Duration::from_secs(86_400);

impl Rotator {
    /// Why `token` is due at `now`, or `None` if it is not.
    ///
    /// A token the provider retires ([`PatProvider::retirement`](crate::PatProvider::retirement))
    /// stops working then whatever its own expiry says, so its effective end is the earlier of
    /// the two: due once the retirement falls inside the window, and always after it.
    pub(super) fn due(&self, token: &PatMetadata, now: DateTime<Utc>) -> Option<DueReason> {
        let retires = self.provider.retirement(token).map(|r| r.at);
        if token.is_expired(now) {
            Some(DueReason::Expired)
        } else if retires.is_some_and(|at| now >= at) {
            Some(DueReason::Retired)
        } else if token.expires_within(now, self.options.window) {
            Some(DueReason::ExpiresWithinWindow)
        } else if retires.is_some_and(|at| at - now <= chrono_delta(self.options.window)) {
            Some(DueReason::Retiring)
        } else if self.options.max_age.is_some_and(|max| now - token.valid_from >= chrono_delta(max)) {
            Some(DueReason::TooOld)
        } else if self.options.force {
            Some(DueReason::Forced)
        } else {
            None
        }
    }

    /// The lifetime a replacement of `old` asks for: the option, else the old token's (365
    /// days for an old token that never expired), at least one day and at most 365.
    pub(super) fn lifetime_for(&self, old: &PatMetadata) -> Duration {
        self.options.lifetime.unwrap_or_else(|| match old.valid_to {
            Some(valid_to) => (valid_to - old.valid_from).to_std().unwrap_or(Duration::ZERO).clamp(DAY, 365 * DAY),
            None => 365 * DAY,
        })
    }

    /// The expiry a replacement of `old` asks for at `now`: `None` where the provider's tokens
    /// never expire (Gitea), else `now` plus [`lifetime_for`](Self::lifetime_for) (a provider that
    /// keeps dates rounds it up).
    pub(super) fn replacement_valid_to(&self, old: &PatMetadata, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.provider.capabilities().expiry {
            ExpiryGranularity::Never => None,
            _ => Some(now + chrono_delta(self.lifetime_for(old))),
        }
    }

    /// The plan for one entry; reads nothing but `record`.
    pub(super) fn plan_entry(&self, record: &PatRecord) -> PlannedEntry {
        let planned = |recovery, action| PlannedEntry { name: record.name.clone(), recovery, action };
        if !self.owns(record) {
            let reason = SkipReason::OtherProvider {
                provider: record.provider.clone(),
                organization: record.organization.clone(),
            };
            return planned(None, PlannedAction::Skip(reason));
        }
        let now = self.clock.now();
        let mut recovery =
            PlannedRecovery { abandoned_replacement: None, previous: None, interrupted_server_rotate: None };
        if let Some(intent) = &record.rotation {
            if now - intent.started_at < chrono_delta(self.options.lease) {
                let reason = SkipReason::InProgress { started_at: Some(intent.started_at) };
                return planned(None, PlannedAction::Skip(reason));
            }
            match &intent.server_rotate {
                Some(id) => recovery.interrupted_server_rotate = Some(id.clone()),
                None => recovery.abandoned_replacement = Some(intent.replacement_display_name.clone()),
            }
        }
        if let Some(previous) = &record.previous {
            // A retiring token stays (and the entry with it) until its hand-off succeeded and
            // its grace ended, as a run would find.
            if let Some(retiring) = record.retiring.as_ref().filter(|_| previous.id != record.metadata.id) {
                if retiring.handoff_pending && self.hooks.is_empty() {
                    let reason =
                        SkipReason::PreviousKept { id: previous.id.clone(), reason: KeptReason::HandOffPending };
                    return planned(None, PlannedAction::Skip(reason));
                }
                if retiring.until > now {
                    let reason = SkipReason::Retiring { id: previous.id.clone(), until: retiring.until };
                    return planned(None, PlannedAction::Skip(reason));
                }
            }
            recovery.previous = Some(previous.id.clone());
        }
        let any = recovery.abandoned_replacement.is_some()
            || recovery.previous.is_some()
            || recovery.interrupted_server_rotate.is_some();
        let recovery = any.then_some(recovery);
        let token = &record.metadata;
        let action = match (self.due(token, now), self.method()) {
            (Some(_), None) => {
                PlannedAction::Skip(SkipReason::CannotRotate { provider: self.provider.provider_name().to_owned() })
            }
            (Some(_), Some(RotationMethod::ServerSide)) if !self.options.grace.is_zero() => {
                PlannedAction::Skip(SkipReason::GraceImpossible)
            }
            (Some(_), Some(RotationMethod::ServerSide)) if token.is_expired(now) => {
                PlannedAction::Skip(SkipReason::ExpiredCannotRotate { valid_to: token.valid_to })
            }
            (Some(reason), Some(method)) => PlannedAction::Rotate {
                method,
                id: token.id.clone(),
                valid_to: token.valid_to,
                reason,
                new_valid_to: self.replacement_valid_to(token, now),
                // A replacement the provider refuses fails the rotation itself (InvalidInput). A
                // server-side rotate keeps the token's attributes: nothing to note.
                note: match method {
                    RotationMethod::CreateThenRevoke => self.provider.replacement_spec(token).ok().and_then(|r| r.note),
                    RotationMethod::ServerSide => None,
                },
            },
            (None, _) => PlannedAction::Skip(SkipReason::NotDue { valid_to: token.valid_to }),
        };
        planned(recovery, action)
    }
}

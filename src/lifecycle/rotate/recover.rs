//! Recovery: finishing or undoing a rotation that was interrupted (a crash, a lost answer).

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;

use super::Rotator;
use super::flow::{other_provider, revoke_ok};
use crate::error::Error;
use crate::lifecycle::hooks::HookFailure;
use crate::lifecycle::{EntryReport, Failure, KeptReason, Outcome, RecoveryAction, SkipReason, Step};
use crate::model::{ListQuery, PatId, PatMetadata, SortBy, StatusFilter, chrono_delta};
use crate::pagination::{self, DEFAULT_MAX_PAGES};
use crate::store::{Expected, RotationIntent, StoreErrorKind, StoredPat};

/// What recovering an entry came to.
#[allow(clippy::large_enum_variant)] // short-lived, moved once
pub(super) enum Recovery {
    /// Nothing left to recover; the entry as it now is.
    Clean(StoredPat),
    /// Another rotator or recoverer holds the entry (its intent is younger than the lease, or it
    /// wrote the entry while we were at it).
    Busy(Option<DateTime<Utc>>),
    /// The entry disappeared.
    Gone,
    /// A step failed; what is left is still in the store for the next try.
    Failed(Error),
    /// `previous` must not be revoked (see [`KeptReason`]); it stays in the store.
    Kept(PatId, KeptReason),
    /// A server-side rotate of this token was applied and its answer lost, and recovery cannot
    /// make a new replacement (see [`SkipReason::ReplacementSecretLost`]); the intent stays. The
    /// tokens that may be the lost replacement.
    Lost(PatId, Vec<PatId>),
    /// `previous` is retiring: its grace period ends at this time.
    Retiring(PatId, DateTime<Utc>),
    /// The hand-off of the stored token failed again; `previous` stays.
    HandOffFailed(PatId, Vec<HookFailure>),
}

impl Recovery {
    /// The entry, when recovery left it clean; else what to report for it.
    #[allow(clippy::result_large_err)] // taken apart at once by both callers
    pub(super) fn into_clean(self) -> Result<StoredPat, Outcome> {
        Err(match self {
            Self::Clean(entry) => return Ok(entry),
            Self::Busy(started_at) => Outcome::Skipped(SkipReason::InProgress { started_at }),
            Self::Gone => Outcome::Skipped(SkipReason::NotFound),
            Self::Kept(id, reason) => Outcome::Skipped(SkipReason::PreviousKept { id, reason }),
            Self::Lost(rotated, candidates) => {
                Outcome::Skipped(SkipReason::ReplacementSecretLost { rotated, candidates })
            }
            Self::Retiring(id, until) => Outcome::Skipped(SkipReason::Retiring { id, until }),
            Self::HandOffFailed(id, failures) => Outcome::Skipped(SkipReason::HandOffFailed { id, failures }),
            Self::Failed(error) => {
                Outcome::Failed(Failure { step: Step::Recover, error, undone: Vec::new(), left_for_recovery: true })
            }
        })
    }
}

/// What recovery does with a `previous`.
enum PreviousFate {
    /// Revoke it, then clear it.
    Revoke,
    /// Clear it without a revoke: it expired and the provider no longer shows it.
    Forget,
    /// Clear it without a revoke: the provider's revoke deletes, it shows the stored token but
    /// not this one, so this one is deleted (a revoke already went through).
    Deleted,
    /// Keep it, for this reason.
    Keep(KeptReason),
}

impl Rotator {
    /// Recovery of one entry by name, for the sweeps.
    pub(super) async fn recover_named(&self, name: &str, respect_lease: bool) -> EntryReport {
        let entry = match self.store.get(name).await {
            Ok(Some(entry)) => entry,
            Ok(None) => return EntryReport::new(name, Outcome::Skipped(SkipReason::NotFound)),
            Err(e) => {
                return EntryReport::new(
                    name,
                    Outcome::Failed(Failure {
                        step: Step::Read,
                        error: e.into(),
                        undone: Vec::new(),
                        left_for_recovery: true,
                    }),
                );
            }
        };
        if !self.owns(&entry.record) {
            return EntryReport::new(name, other_provider(&entry.record));
        }
        let mut recovered = Vec::new();
        // A sweep never runs hooks: it cannot know they are the ones the rotation meant.
        let outcome = match self.recover_entry(entry, respect_lease, false, &mut recovered).await.into_clean() {
            Ok(_) => Outcome::Recovered,
            Err(outcome) => outcome,
        };
        EntryReport { name: name.to_owned(), recovered, outcome }
    }

    /// Finishes or undoes what `entry` records:
    ///
    /// - `rotation: Some(intent)` (the old token is still stored): unless the intent is younger
    ///   than the lease (and `respect_lease`), *claim* the entry by rewriting it unchanged (a
    ///   new revision, so the rotator that wrote the intent, should it still be alive, can no
    ///   longer store its replacement), revoke every server token with the intent's unique
    ///   display name (their secrets are lost), then clear the intent. An intent of a
    ///   server-side rotate is resolved by reading instead (see `recover_server_rotate`).
    /// - `previous: Some(old)`, retiring with the hand-off pending: kept, unless `run_hooks`
    ///   (a rotation run) and this rotator has hooks: then the stored secret is tried, the hooks
    ///   run, and the hand-off is recorded before going on. Retiring with a grace period that
    ///   has not ended: left alone ([`Recovery::Retiring`]).
    /// - `previous: Some(old)`: unless the stored secret is refused or the provider does not
    ///   show `old` (then `previous` is kept), revoke `old`, then clear `previous` (and its
    ///   retiring mark). An `old` whose stored expiry has passed and that the provider no
    ///   longer shows cannot be valid: `previous` is cleared without a revoke.
    ///
    /// Each store write is a compare-and-swap; revokes come before the write that forgets what
    /// to revoke, so a crash anywhere leaves something the next recovery can finish.
    pub(super) async fn recover_entry(
        &self,
        mut current: StoredPat,
        respect_lease: bool,
        run_hooks: bool,
        actions: &mut Vec<RecoveryAction>,
    ) -> Recovery {
        if let Some(intent) = current.record.rotation.clone() {
            let now = self.clock.now();
            if respect_lease && now - intent.started_at < chrono_delta(self.options.lease) {
                return Recovery::Busy(Some(intent.started_at));
            }
            match self.store.compare_and_swap(current.clone(), Expected::Revision(current.record.revision)).await {
                Ok(revision) => current.record.revision = revision,
                Err(e) if e.kind() == StoreErrorKind::Conflict => return Recovery::Busy(Some(intent.started_at)),
                Err(e) => return Recovery::Failed(e.into()),
            }
            if let Some(rotating) = intent.server_rotate.clone() {
                match self.recover_server_rotate(current, &intent, &rotating, actions).await {
                    Recovery::Clean(entry) => current = entry,
                    other => return other,
                }
            } else {
                current = match self.undo_created(current, &intent, now, actions).await {
                    Ok(entry) => entry,
                    Err(other) => return other,
                };
            }
        }
        if let Some(previous) = current.record.previous.clone() {
            if let Some(retiring) = current.record.retiring.clone()
                && previous.id != current.record.metadata.id
            {
                if retiring.handoff_pending {
                    current = match self.retry_hand_off(current, &previous, run_hooks, actions).await {
                        Ok(entry) => entry,
                        Err(other) => return other,
                    };
                }
                if retiring.until > self.clock.now() {
                    return Recovery::Retiring(previous.id, retiring.until);
                }
            }
            if previous.id != current.record.metadata.id {
                match self.previous_fate(&current, &previous).await {
                    Ok(PreviousFate::Revoke) => {
                        if let Err(e) = revoke_ok(self.provider.revoke_pat(&previous.id).await) {
                            return Recovery::Failed(e);
                        }
                        actions.push(RecoveryAction::RevokedPrevious { id: previous.id.clone() });
                    }
                    Ok(PreviousFate::Forget) => {
                        actions.push(RecoveryAction::ForgotExpiredPrevious { id: previous.id.clone() });
                    }
                    Ok(PreviousFate::Deleted) => {
                        actions.push(RecoveryAction::ForgotDeletedPrevious { id: previous.id.clone() });
                    }
                    Ok(PreviousFate::Keep(reason)) => return Recovery::Kept(previous.id.clone(), reason),
                    Err(e) => return Recovery::Failed(e),
                }
            }
            let mut cleared = current.clone();
            cleared.record.previous = None;
            cleared.record.retiring = None;
            cleared.record.stored_at = self.clock.now();
            match self.store.compare_and_swap(cleared.clone(), Expected::Revision(current.record.revision)).await {
                Ok(revision) => {
                    current = cleared;
                    current.record.revision = revision;
                    actions.push(RecoveryAction::ClearedPrevious);
                }
                // Someone else finished it (the rotator itself, or another recovery): fine if
                // nothing is left; otherwise the entry is theirs now.
                Err(e) if e.kind() == StoreErrorKind::Conflict => {
                    return match self.store.get(&current.record.name).await {
                        Ok(Some(e)) if e.record.rotation.is_none() && e.record.previous.is_none() => Recovery::Clean(e),
                        Ok(Some(_)) => Recovery::Busy(None),
                        Ok(None) => Recovery::Gone,
                        Err(e) => Recovery::Failed(e.into()),
                    };
                }
                Err(e) => return Recovery::Failed(e.into()),
            }
        }
        Recovery::Clean(current)
    }

    /// The hand-off of `current`'s stored token is pending (a hook failed, or a run stopped
    /// before the hooks finished). Only a rotation run of a rotator with hooks hands it off
    /// again (never a recovery sweep: it cannot know these are the hooks the rotation meant);
    /// first the stored secret must work. The entry with the hand-off recorded, or what
    /// stopped it (`previous` kept).
    async fn retry_hand_off(
        &self,
        current: StoredPat,
        previous: &PatMetadata,
        run_hooks: bool,
        actions: &mut Vec<RecoveryAction>,
    ) -> Result<StoredPat, Recovery> {
        if !run_hooks || self.hooks.is_empty() {
            return Err(Recovery::Kept(previous.id.clone(), KeptReason::HandOffPending));
        }
        match self.provider.check_pat(&current.secret).await {
            Ok(true) => {}
            Ok(false) => return Err(Recovery::Kept(previous.id.clone(), KeptReason::StoredTokenRefused)),
            Err(e) => return Err(Recovery::Failed(e)),
        }
        let failures = self.hand_off(&current).await;
        if !failures.is_empty() {
            return Err(Recovery::HandOffFailed(previous.id.clone(), failures));
        }
        match self.record_handed_off(&current).await {
            Ok(entry) => {
                actions.push(RecoveryAction::HandedOff { id: entry.record.metadata.id.clone() });
                Ok(entry)
            }
            Err(e) if e.kind() == StoreErrorKind::Conflict => Err(Recovery::Busy(None)),
            Err(e) => Err(Recovery::Failed(e.into())),
        }
    }

    /// The intent of a create-then-revoke rotation, on a claimed entry: revokes every server
    /// token with the intent's unique display name (their secrets are lost), then clears the
    /// intent. The entry as it then is, or what stopped it.
    async fn undo_created(
        &self,
        current: StoredPat,
        intent: &RotationIntent,
        now: DateTime<Utc>,
        actions: &mut Vec<RecoveryAction>,
    ) -> Result<StoredPat, Recovery> {
        let keep = current.record.metadata.id.clone();
        if let Err(e) =
            self.revoke_replacements(&intent.replacement_display_name, None, Vec::new(), &keep, actions).await
        {
            return Err(Recovery::Failed(e));
        }
        let mut cleared = current.clone();
        cleared.record.rotation = None;
        cleared.record.stored_at = now;
        match self.store.compare_and_swap(cleared.clone(), Expected::Revision(current.record.revision)).await {
            Ok(revision) => {
                cleared.record.revision = revision;
                actions.push(RecoveryAction::ClearedIntent {
                    replacement_display_name: intent.replacement_display_name.clone(),
                });
                Ok(cleared)
            }
            Err(e) if e.kind() == StoreErrorKind::Conflict => Err(Recovery::Busy(None)),
            Err(e) => Err(Recovery::Failed(e.into())),
        }
    }

    /// What becomes of `previous`. It stays when the stored secret does not work (revoking
    /// could leave no working token) or when the provider does not show it (revoking would do
    /// nothing) — unless it is not shown *and* its stored expiry has passed: then it cannot be
    /// valid (the service drops expired tokens after a while) and is forgotten, else the entry
    /// would keep it forever. Where a revoke deletes ([`Capabilities::revoke_deletes`]), a
    /// `previous` not shown while the stored token (same owner: the rotation that recorded
    /// `previous` created it) is shown has been deleted, and is forgotten too.
    ///
    /// [`Capabilities::revoke_deletes`]: crate::Capabilities::revoke_deletes
    async fn previous_fate(&self, stored: &StoredPat, previous: &PatMetadata) -> Result<PreviousFate, Error> {
        let visible = self.shows(&previous.id).await?;
        if !visible && previous.is_expired(self.clock.now()) {
            return Ok(PreviousFate::Forget);
        }
        if !visible && self.provider.capabilities().revoke_deletes && self.shows(&stored.record.metadata.id).await? {
            return Ok(PreviousFate::Deleted);
        }
        if !self.provider.check_pat(&stored.secret).await? {
            return Ok(PreviousFate::Keep(KeptReason::StoredTokenRefused));
        }
        Ok(if visible { PreviousFate::Revoke } else { PreviousFate::Keep(KeptReason::PreviousNotVisible) })
    }

    /// Revokes `minted` (the id an uncertain create's answer gave), every token in `found` and
    /// every token the provider lists with exactly `display_name` (any status), except `keep`
    /// (the stored token).
    pub(super) async fn revoke_replacements(
        &self,
        display_name: &str,
        minted: Option<&PatId>,
        found: Vec<PatMetadata>,
        keep: &PatId,
        actions: &mut Vec<RecoveryAction>,
    ) -> Result<(), Error> {
        let mut done: Vec<PatId> = Vec::new();
        // The id an uncertain create's answer gave: revoked even if no listing shows it.
        if let Some(id) = minted.filter(|id| *id != keep) {
            revoke_ok(self.provider.revoke_pat(id).await)?;
            actions.push(RecoveryAction::RevokedReplacement { id: id.clone(), display_name: display_name.to_owned() });
            done.push(id.clone());
        }
        let listed = self.tokens_named(display_name).await?;
        for token in found.into_iter().chain(listed) {
            if &token.id == keep || done.contains(&token.id) || token.display_name != display_name {
                continue;
            }
            revoke_ok(self.provider.revoke_pat(&token.id).await)?;
            actions.push(RecoveryAction::RevokedReplacement {
                id: token.id.clone(),
                display_name: token.display_name.clone(),
            });
            done.push(token.id);
        }
        Ok(())
    }

    /// Every token of the provider with exactly this display name, whatever its status, on at
    /// most [`DEFAULT_MAX_PAGES`] pages of 100 ([`Error::ListingCut`] beyond, or when the
    /// provider repeats a continuation: the recovery fails and is left for the next run).
    async fn tokens_named(&self, display_name: &str) -> Result<Vec<PatMetadata>, Error> {
        let query =
            ListQuery { filter: StatusFilter::All, sort: SortBy::DisplayName, ascending: true, page_size: Some(100) };
        let (query, provider) = (&query, &self.provider);
        let listing = "rotation recovery";
        pagination::items(pagination::pages(listing, DEFAULT_MAX_PAGES, None, |continuation| async move {
            provider.list_pats(query, continuation).await
        }))
        .try_filter(|t| std::future::ready(t.display_name == display_name))
        .try_collect()
        .await
    }
}

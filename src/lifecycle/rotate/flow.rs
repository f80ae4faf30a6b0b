//! Steps 0–6 of the rotation protocol for one entry (see the module docs of
//! [`lifecycle`](crate::lifecycle)).

use super::Rotator;
use super::naming::replacement_name;
use super::verify::verify;
use crate::error::Error;
use crate::lifecycle::hooks::{self, HandOff, HookFailure};
use crate::lifecycle::{
    EntryReport, Failure, KeptReason, Outcome, RecoveryAction, Rotation, RotationMethod, SkipReason, Step,
};
use crate::model::{PatMetadata, PatSpec, chrono_delta};
use crate::store::{Expected, PatRecord, Retiring, RotationIntent, StoreError, StoreErrorKind, StoredPat};
use chrono::{DateTime, Utc};

/// How often the store step re-reads an entry whose write failed before giving up on knowing.
const SETTLE_ATTEMPTS: usize = 3;

/// What steps 5 and 6 came to.
#[derive(Default)]
struct Finished {
    /// The old token was kept, for this reason.
    kept: Option<KeptReason>,
    /// The old token stays valid until then (a grace period).
    retiring_until: Option<DateTime<Utc>>,
    /// The hooks that failed.
    handoff_failures: Vec<HookFailure>,
}

/// What a failed step-4 write came to, once the entry was read again.
#[allow(clippy::large_enum_variant)] // short-lived, moved once
enum Settled {
    /// The replacement is stored after all (the entry as it now is).
    Landed(StoredPat),
    /// It is not stored and never will be.
    NotStored { undone: Vec<RecoveryAction>, left_for_recovery: bool },
}

impl Rotator {
    /// Step 0 (read, recover), then the rotation proper.
    pub(super) async fn rotate_entry(&self, name: &str) -> EntryReport {
        let entry = match self.store.get(name).await {
            Ok(Some(entry)) => entry,
            Ok(None) => return EntryReport::new(name, Outcome::Skipped(SkipReason::NotFound)),
            Err(e) => return EntryReport::new(name, failure(Step::Read, e.into(), Vec::new(), false)),
        };
        if !self.owns(&entry.record) {
            return EntryReport::new(name, other_provider(&entry.record));
        }
        let mut recovered = Vec::new();
        let entry = if entry.record.rotation.is_some() || entry.record.previous.is_some() {
            match self.recover_entry(entry, true, true, &mut recovered).await.into_clean() {
                Ok(entry) => entry,
                Err(outcome) => return EntryReport { name: name.to_owned(), recovered, outcome },
            }
        } else {
            entry
        };
        let outcome = self.rotate_clean(entry).await;
        EntryReport { name: name.to_owned(), recovered, outcome }
    }

    /// Steps 1–6 for an entry without intent or `previous`.
    async fn rotate_clean(&self, entry: StoredPat) -> Outcome {
        let now = self.clock.now();
        let old = entry.record.metadata.clone();

        // Step 1: due? Then write the intent before anything is created.
        if self.due(&old, now).is_none() {
            return Outcome::Skipped(SkipReason::NotDue { valid_to: old.valid_to });
        }
        let Some(method) = self.method() else {
            return Outcome::Skipped(SkipReason::CannotRotate { provider: self.provider.provider_name().to_owned() });
        };
        if method == RotationMethod::ServerSide && !self.options.grace.is_zero() {
            // The server revokes the old token the moment it answers: no grace period can be
            // kept, and rotating anyway would break whoever still uses it.
            return Outcome::Skipped(SkipReason::GraceImpossible);
        }
        if method == RotationMethod::ServerSide && old.is_expired(now) {
            // The server refuses to rotate an expired token (GitLab even revokes the token's
            // whole line of replacements): only a new token can renew the entry.
            return Outcome::Skipped(SkipReason::ExpiredCannotRotate { valid_to: old.valid_to });
        }
        // What the replacement is created as (a server-side rotate keeps the token's attributes:
        // nothing to choose, nothing to refuse).
        let replacement = if method == RotationMethod::ServerSide {
            None
        } else {
            match self.provider.replacement_spec(&old) {
                Ok(replacement) => Some(replacement),
                Err(error) => return failure(Step::Create, error, Vec::new(), false),
            }
        };
        // The old token must be one this provider can see (the credential's own, in this
        // organization): otherwise revoking it later would "succeed" without effect and the
        // token would stay valid, forgotten. Nothing is written or created for such an entry.
        // Unless its stored expiry has passed: then it cannot authenticate whoever's it is, and
        // the service drops expired tokens after a while, so skipping would block the entry
        // forever. It is replaced; revoking an id the provider does not know is harmless.
        let old_gone = match self.shows(&old.id).await {
            Ok(true) => false,
            Ok(false) if old.is_expired(now) => true,
            Ok(false) => return Outcome::Skipped(SkipReason::NotVisible { id: old.id.clone() }),
            Err(e) => return failure(Step::Lookup, e, Vec::new(), false),
        };
        let Some(replacement) = replacement else {
            return self.rotate_server_side(entry).await;
        };
        let intent = RotationIntent {
            replacement_display_name: replacement_name(
                &old.display_name,
                now,
                self.provider.capabilities().name_max_len,
            ),
            started_at: now,
            server_rotate: None,
        };
        let mut pending = entry.clone();
        pending.record.rotation = Some(intent.clone());
        pending.record.stored_at = now;
        match self.store.compare_and_swap(pending.clone(), Expected::Revision(entry.record.revision)).await {
            Ok(revision) => pending.record.revision = revision,
            Err(e) if e.kind() == StoreErrorKind::Conflict => {
                return Outcome::Skipped(SkipReason::InProgress { started_at: None });
            }
            // Whether the intent landed is unknown; either way nothing was created yet, and an
            // intent left behind is cleared by recovery.
            Err(e) => return failure(Step::Intent, e.into(), Vec::new(), true),
        }

        // Step 2: create the replacement. Never retried.
        let spec = PatSpec {
            display_name: intent.replacement_display_name.clone(),
            valid_to: self.replacement_valid_to(&old, now),
            ..replacement.spec
        };
        let created = match self.provider.create_pat(spec).await {
            Ok(created) => created,
            Err(error) => {
                let mut undone = Vec::new();
                let mut left = false;
                if may_have_acted(&error) {
                    let (minted, found) = match &error {
                        Error::CreateOutcomeUnknown { id, found, .. } => (id.clone(), found.clone()),
                        _ => (None, Vec::new()),
                    };
                    left = self
                        .revoke_replacements(
                            &intent.replacement_display_name,
                            minted.as_ref(),
                            found,
                            &old.id,
                            &mut undone,
                        )
                        .await
                        .is_err();
                }
                if !left {
                    left = self.clear_intent(&pending, &mut undone).await.is_err();
                }
                return failure(Step::Create, error, undone, left);
            }
        };

        // Step 3: the replacement must work before it replaces anything.
        if let Err(error) = verify(&*self.provider, &created.secret, &self.options.verify).await {
            let mut undone = Vec::new();
            let mut left = self.revoke_replacement(&created.metadata, &mut undone).await.is_err();
            if !left {
                left = self.clear_intent(&pending, &mut undone).await.is_err();
            }
            return failure(Step::Verify, error, undone, left);
        }

        // Step 4: store it in place of the old one, keeping the old one as `previous`.
        let mut stored = StoredPat {
            record: PatRecord {
                name: entry.record.name.clone(),
                provider: entry.record.provider.clone(),
                organization: entry.record.organization.clone(),
                metadata: created.metadata.clone(),
                stored_at: self.clock.now(),
                revision: 0,
                rotation: None,
                previous: Some(old.clone()),
                // Written with the replacement, so a crash before the hand-off or during the
                // grace period leaves a record that recovery respects.
                retiring: self.retiring_mark(self.clock.now()),
            },
            secret: created.secret,
        };
        match self.store.compare_and_swap(stored.clone(), Expected::Revision(pending.record.revision)).await {
            Ok(revision) => stored.record.revision = revision,
            // A conflict or an uncertain outcome: what is stored decides, never the error alone
            // (a write whose answer was lost may have landed, and then ours is the stored token).
            Err(e) => match self.settle_store(&pending, &created.metadata).await {
                Settled::Landed(current) => stored.record = current.record,
                Settled::NotStored { undone, left_for_recovery } => {
                    return failure(Step::Store, e.into(), undone, left_for_recovery);
                }
            },
        }

        // Steps 5 and 6: hand the replacement off, revoke the old token (or leave it retiring),
        // then forget it.
        let (finished, cleanup_pending) = match self.finish(&stored, &old).await {
            Ok(finished) => (finished, None),
            Err(e) => (Finished::default(), Some(e)),
        };
        Outcome::Rotated(Rotation {
            old,
            new: created.metadata,
            cleanup_pending,
            note: replacement.note,
            kept_previous: finished.kept,
            old_gone,
            method: RotationMethod::CreateThenRevoke,
            verify_error: None,
            retiring_until: finished.retiring_until,
            handoff_failures: finished.handoff_failures,
        })
    }

    /// What step 4 records about the token it replaces: nothing (revoke it as soon as the
    /// checks allow) without grace period and hooks; else retiring until the grace ends, with
    /// the hand-off pending when there are hooks.
    fn retiring_mark(&self, stored_at: DateTime<Utc>) -> Option<Retiring> {
        if self.options.grace.is_zero() && self.hooks.is_empty() {
            return None;
        }
        Some(Retiring { until: stored_at + chrono_delta(self.options.grace), handoff_pending: !self.hooks.is_empty() })
    }

    /// Runs every hook on the stored token of `stored`; the failures.
    pub(super) async fn hand_off(&self, stored: &StoredPat) -> Vec<HookFailure> {
        let record = &stored.record;
        let now = self.clock.now();
        let mut hand_off =
            HandOff::new(&record.name, &record.provider, &record.organization, &record.metadata, &stored.secret);
        hand_off.previous = record.previous.as_ref();
        hand_off.retiring_until = record.retiring.as_ref().map(|r| r.until).filter(|until| *until > now);
        hooks::run_all(&self.hooks, &hand_off).await
    }

    /// Records in `stored` that its hand-off succeeded (compare-and-swap); the entry as written.
    /// A conflict is an error: someone else took the entry over, and the old token stays for
    /// them or for recovery.
    pub(super) async fn record_handed_off(&self, stored: &StoredPat) -> Result<StoredPat, StoreError> {
        let mut done = stored.clone();
        if let Some(retiring) = &mut done.record.retiring {
            retiring.handoff_pending = false;
        }
        done.record.revision =
            self.store.compare_and_swap(done.clone(), Expected::Revision(stored.record.revision)).await?;
        Ok(done)
    }

    /// Steps 5 and 6: hand the stored token off, revoke `old` (unless it is retiring), then
    /// clear `previous` in `stored`. Before anything, the stored secret is tried at the
    /// provider: if it does not work, `old` stays as `previous` (it may be the only working
    /// token). A failed hand-off keeps `old` too (its `retiring` mark says the hand-off is
    /// pending). Within a grace period `old` stays, retiring.
    async fn finish(&self, stored: &StoredPat, old: &PatMetadata) -> Result<Finished, Error> {
        // A recovery may already have finished this rotation (after a lost answer).
        if stored.record.previous.is_none() {
            return Ok(Finished::default());
        }
        let mut stored = stored.clone();
        if old.id != stored.record.metadata.id {
            if !self.provider.check_pat(&stored.secret).await? {
                return Ok(Finished { kept: Some(KeptReason::StoredTokenRefused), ..Finished::default() });
            }
            if stored.record.retiring.as_ref().is_some_and(|r| r.handoff_pending) {
                let handoff_failures = self.hand_off(&stored).await;
                if !handoff_failures.is_empty() {
                    return Ok(Finished {
                        kept: Some(KeptReason::HandOffFailed),
                        retiring_until: None,
                        handoff_failures,
                    });
                }
                stored = self.record_handed_off(&stored).await?;
            }
            if let Some(until) = stored.record.retiring.as_ref().map(|r| r.until).filter(|u| *u > self.clock.now()) {
                return Ok(Finished { retiring_until: Some(until), ..Finished::default() });
            }
            revoke_ok(self.provider.revoke_pat(&old.id).await)?;
        }
        let mut cleared = stored.clone();
        cleared.record.previous = None;
        cleared.record.retiring = None;
        match self.store.compare_and_swap(cleared, Expected::Revision(stored.record.revision)).await {
            // A conflict means someone else wrote the entry after us: a recovery that already
            // cleared `previous`, or a later rotation. Either way nothing is left to do here.
            Ok(_) => Ok(Finished::default()),
            Err(e) if e.kind() == StoreErrorKind::Conflict => Ok(Finished::default()),
            Err(e) => Err(e.into()),
        }
    }

    /// After the step-4 write failed (a conflict, or an outcome that is not known): reads the
    /// entry and decides. If it holds the replacement, the write landed. If it is still at the
    /// intent's revision, the write may yet land (a slow request): the entry is first rewritten
    /// unchanged, so it never can, then the replacement is revoked and the intent cleared. If
    /// someone else changed it, the write can no longer land and the replacement is revoked.
    async fn settle_store(&self, pending: &StoredPat, created: &PatMetadata) -> Settled {
        let name = &pending.record.name;
        let mut undone = Vec::new();
        for _ in 0..SETTLE_ATTEMPTS {
            let current = match self.store.get(name).await {
                Ok(current) => current,
                // Unknown: the intent (if the write did not land) or `previous` (if it did) is
                // in the store, and recovery does the right thing for either.
                Err(_) => break,
            };
            match current {
                Some(current) if current.record.metadata.id == created.id => return Settled::Landed(current),
                Some(current) if current.record.revision == pending.record.revision => {
                    match self.store.compare_and_swap(current, Expected::Revision(pending.record.revision)).await {
                        Ok(revision) => {
                            let mut fenced = pending.clone();
                            fenced.record.revision = revision;
                            let mut left = self.revoke_replacement(created, &mut undone).await.is_err();
                            if !left {
                                left = self.clear_intent(&fenced, &mut undone).await.is_err();
                            }
                            return Settled::NotStored { undone, left_for_recovery: left };
                        }
                        // Changed meanwhile, or not known: look again.
                        Err(_) => continue,
                    }
                }
                // Someone else (a recovery that took our intent for abandoned) changed the
                // entry, or removed it: ours must not survive.
                _ => {
                    let left = self.revoke_replacement(created, &mut undone).await.is_err();
                    return Settled::NotStored { undone, left_for_recovery: left };
                }
            }
        }
        Settled::NotStored { undone, left_for_recovery: true }
    }

    /// Removes the intent from `pending` (which still holds the old token).
    pub(super) async fn clear_intent(
        &self,
        pending: &StoredPat,
        undone: &mut Vec<RecoveryAction>,
    ) -> Result<(), StoreError> {
        let Some(intent) = &pending.record.rotation else { return Ok(()) };
        let mut cleared = pending.clone();
        cleared.record.rotation = None;
        cleared.record.stored_at = self.clock.now();
        match self.store.compare_and_swap(cleared, Expected::Revision(pending.record.revision)).await {
            Ok(_) => {
                undone.push(RecoveryAction::ClearedIntent {
                    replacement_display_name: intent.replacement_display_name.clone(),
                });
                Ok(())
            }
            // Someone else took the entry over (a recovery): the intent is theirs to clear. Or
            // our own clear landed and its answer was lost: then say so.
            Err(e) if e.kind() == StoreErrorKind::Conflict => {
                if let Ok(Some(now)) = self.store.get(&pending.record.name).await
                    && now.record.rotation.is_none()
                    && now.record.metadata.id == pending.record.metadata.id
                    && now.record.revision == pending.record.revision + 1
                {
                    undone.push(RecoveryAction::ClearedIntent {
                        replacement_display_name: intent.replacement_display_name.clone(),
                    });
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Revokes a replacement that is not (and will not be) stored.
    async fn revoke_replacement(&self, token: &PatMetadata, undone: &mut Vec<RecoveryAction>) -> Result<(), Error> {
        revoke_ok(self.provider.revoke_pat(&token.id).await)?;
        undone.push(RecoveryAction::RevokedReplacement {
            id: token.id.clone(),
            display_name: token.display_name.clone(),
        });
        Ok(())
    }
}

/// Revoking a token the provider no longer knows is as good as revoking it.
pub(super) fn revoke_ok(result: Result<(), Error>) -> Result<(), Error> {
    match result {
        Err(Error::NotFound { .. }) => Ok(()),
        other => other,
    }
}

/// Whether a failed create (or server-side rotate) may nevertheless have acted: minted a token
/// (so it must be looked for), or rotated one (so the answer must be found by reading).
/// Only refusals that come back before or instead of acting count as definite.
pub(super) fn may_have_acted(error: &Error) -> bool {
    match error {
        // A cut listing cannot come from a create itself; should a provider's create report one
        // (say, from a search of its own), the token is looked for.
        // A token created but not stored (from `mint_and_store`) did act: look for it.
        Error::CreateOutcomeUnknown { .. }
        | Error::Decode { .. }
        | Error::ListingCut { .. }
        | Error::NotStored { .. } => true,
        Error::Transport(t) => !t.is_before_send(),
        Error::Api { status, .. } => *status >= 500 || *status == 408,
        Error::AuthRequired { .. }
        | Error::Forbidden { .. }
        | Error::NotFound { .. }
        | Error::PolicyViolation { .. }
        | Error::Rejected { .. }
        | Error::RateLimited { .. }
        | Error::InvalidInput { .. }
        | Error::Credential { .. }
        | Error::Unsupported { .. }
        | Error::InsideAsyncRuntime { .. }
        | Error::Store(_) => false,
    }
}

pub(super) fn failure(step: Step, error: Error, undone: Vec<RecoveryAction>, left_for_recovery: bool) -> Outcome {
    Outcome::Failed(Failure { step, error, undone, left_for_recovery })
}

pub(super) fn other_provider(record: &PatRecord) -> Outcome {
    Outcome::Skipped(SkipReason::OtherProvider {
        provider: record.provider.clone(),
        organization: record.organization.clone(),
    })
}

//! Rotation where the provider can only rotate server-side ([`RotationMethod::ServerSide`]), and
//! the recovery of such a rotation: the server revokes the old token the moment it answers, so
//! the answer is stored before anything else, and a lost answer is resolved by reading, never by
//! sending the rotate again (see the [`lifecycle`](crate::lifecycle) module docs).

use chrono::TimeDelta;
use futures_util::TryStreamExt as _;

use super::Rotator;
use super::flow::{failure, may_have_acted};
use super::recover::Recovery;
use super::verify::verify;
use crate::error::Error;
use crate::lifecycle::{Outcome, RecoveryAction, Rotation, RotationMethod, SkipReason, Step};
use crate::model::{CreatedPat, ListQuery, PatId, PatMetadata, SortBy, StatusFilter};
use crate::pagination::{self, DEFAULT_MAX_PAGES};
use crate::store::{Expected, PatRecord, RotationIntent, StoreErrorKind, StoredPat};

/// How much earlier than the intent (by the rotator's clock) the server may stamp the
/// replacement it minted (by its own clock) and recovery still take it for that replacement.
const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);

/// How often storing a server-side replacement is tried after a failed write (each time after
/// reading the entry again) before the replacement is left to recovery.
const STORE_ATTEMPTS: usize = 3;

impl Rotator {
    /// How this rotator's provider replaces tokens: by creating whenever it can (the old token
    /// keeps working until its replacement is stored), else server-side; `None` when it can do
    /// neither.
    pub(super) fn method(&self) -> Option<RotationMethod> {
        let caps = self.provider.capabilities();
        if caps.create {
            Some(RotationMethod::CreateThenRevoke)
        } else if caps.rotate_server_side {
            Some(RotationMethod::ServerSide)
        } else {
            None
        }
    }

    /// Whether the provider shows the token `id` (any status): by [`get_pat`] where the
    /// provider has it, else by listing (a provider without `get`, e.g. Gitea).
    ///
    /// [`get_pat`]: crate::PatProvider::get_pat
    pub(super) async fn shows(&self, id: &PatId) -> Result<bool, Error> {
        let caps = self.provider.capabilities();
        if !caps.get && caps.list_own {
            return Ok(self.listed(StatusFilter::All).await?.iter().any(|t| t.id == *id));
        }
        match self.provider.get_pat(id).await {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every token of the provider with this status, on at most [`DEFAULT_MAX_PAGES`] pages of
    /// 100 ([`Error::ListingCut`] beyond).
    pub(super) async fn listed(&self, filter: StatusFilter) -> Result<Vec<PatMetadata>, Error> {
        let query = ListQuery { filter, sort: SortBy::DisplayName, ascending: true, page_size: Some(100) };
        let (query, provider) = (&query, &self.provider);
        pagination::items(pagination::pages("rotation", DEFAULT_MAX_PAGES, None, |continuation| async move {
            provider.list_pats(query, continuation).await
        }))
        .try_collect()
        .await
    }

    /// Steps 1–4 for [`RotationMethod::ServerSide`], from the intent on: write an intent that
    /// names the token being rotated, rotate it (never re-sent), store the answer at once (the
    /// old token is already revoked), then try the stored token out.
    pub(super) async fn rotate_server_side(&self, entry: StoredPat) -> Outcome {
        let now = self.clock.now();
        let old = entry.record.metadata.clone();
        let intent = RotationIntent {
            // A server-side rotate keeps the name: recovery finds the replacement by it.
            replacement_display_name: old.display_name.clone(),
            started_at: now,
            server_rotate: Some(old.id.clone()),
        };
        let mut pending = entry.clone();
        pending.record.rotation = Some(intent);
        pending.record.stored_at = now;
        match self.store.compare_and_swap(pending.clone(), Expected::Revision(entry.record.revision)).await {
            Ok(revision) => pending.record.revision = revision,
            Err(e) if e.kind() == StoreErrorKind::Conflict => {
                return Outcome::Skipped(SkipReason::InProgress { started_at: None });
            }
            Err(e) => return failure(Step::Intent, e.into(), Vec::new(), true),
        }

        let valid_to = self.replacement_valid_to(&old, now);
        let rotated = match self.provider.rotate_pat(&old.id, valid_to).await {
            Ok(rotated) => rotated,
            // Not applied: the old token still works; forget the intent.
            Err(error) if !may_have_acted(&error) => {
                let mut undone = Vec::new();
                let left = self.clear_intent(&pending, &mut undone).await.is_err();
                return failure(Step::Rotate, error, undone, left);
            }
            // Perhaps applied: the only copy of the new secret may be gone. Never re-sent (a
            // second rotate of a rotated token makes GitLab revoke the whole line); the intent
            // stays, and recovery reads what happened once the lease has passed (a request
            // still in flight could yet be applied).
            Err(error) => return failure(Step::Rotate, error, Vec::new(), true),
        };

        // Store it before anything else, verify included: the old token no longer works.
        let new = rotated.created.metadata.clone();
        let stored = match self.store_rotated(&pending, rotated.created, &old.id).await {
            Ok(stored) => stored,
            // Recovery rotates the unstored replacement again (it is active, named like the
            // old token, and newer than the intent).
            Err(error) => return failure(Step::Store, error, Vec::new(), true),
        };
        let verify_error = verify(&*self.provider, &stored.secret, &self.options.verify).await.err();
        // The hand-off comes after the store here (the old token is already gone, nothing to
        // keep): failures are reported only, and a crash before it means it never runs.
        let handoff_failures = if verify_error.is_none() { self.hand_off(&stored).await } else { Vec::new() };
        Outcome::Rotated(Rotation {
            old,
            new,
            cleanup_pending: None,
            note: None,
            kept_previous: None,
            old_gone: false,
            method: RotationMethod::ServerSide,
            verify_error,
            retiring_until: None,
            handoff_failures,
        })
    }

    /// Stores `created`, the answer of a server-side rotate of `rotated`, in place of the
    /// entry `pending` (which carries the intent for that rotate). A failed write is followed
    /// by a read: the replacement may have landed; if the entry still records the same rotate
    /// (a recovery only claimed it, rewriting it unchanged), the write is tried again on the
    /// new revision — the replacement is the only working token, so it must win over a
    /// recovery that has not acted yet. If the entry records anything else, the write is given
    /// up: the error is returned and recovery takes over.
    pub(super) async fn store_rotated(
        &self,
        pending: &StoredPat,
        created: CreatedPat,
        rotated: &PatId,
    ) -> Result<StoredPat, Error> {
        let mut stored = StoredPat {
            record: PatRecord {
                name: pending.record.name.clone(),
                provider: pending.record.provider.clone(),
                organization: pending.record.organization.clone(),
                metadata: created.metadata,
                stored_at: self.clock.now(),
                revision: 0,
                rotation: None,
                // The server revoked the old token already: nothing to revoke later.
                previous: None,
                retiring: None,
            },
            secret: created.secret,
        };
        let mut expected = pending.record.revision;
        let mut attempts = 1;
        loop {
            let error = match self.store.compare_and_swap(stored.clone(), Expected::Revision(expected)).await {
                Ok(revision) => {
                    stored.record.revision = revision;
                    return Ok(stored);
                }
                Err(e) => e,
            };
            match self.store.get(&pending.record.name).await {
                // The write landed after all (its answer was lost).
                Ok(Some(current)) if current.record.metadata.id == stored.record.metadata.id => return Ok(current),
                // Only claimed by a recovery that has not acted yet: write again on top of it.
                Ok(Some(current))
                    if attempts < STORE_ATTEMPTS
                        && current.record.metadata.id == pending.record.metadata.id
                        && current.record.rotation.as_ref().and_then(|i| i.server_rotate.as_ref()) == Some(rotated) =>
                {
                    expected = current.record.revision;
                    attempts += 1;
                }
                _ => return Err(error.into()),
            }
        }
    }

    /// Recovery of an entry (already claimed) whose intent records a server-side rotate of
    /// `rotating`. Reads what happened and never re-sends a rotate the server may have applied:
    ///
    /// - the stored token still works: the rotate was not applied; the intent is cleared (and
    ///   `rotating`, if recovery was rotating an unstored replacement, is revoked with any
    ///   newer token of the name: their secrets are lost);
    /// - with [self-rotation](super::RotationOptions::self_rotation) nothing else can be done:
    ///   [`Recovery::Lost`];
    /// - `rotating` is still active: it was not rotated; if it is not the stored token (an
    ///   unstored replacement recovery meant to rotate), it is rotated now;
    /// - else exactly one active token with the name, newer than the intent, is the unstored
    ///   replacement: it is rotated once more, the intent naming it first, and the answer
    ///   stored ([`RecoveryAction::RotatedOrphan`]); none or several: [`Recovery::Lost`].
    pub(super) async fn recover_server_rotate(
        &self,
        current: StoredPat,
        intent: &RotationIntent,
        rotating: &PatId,
        actions: &mut Vec<RecoveryAction>,
    ) -> Recovery {
        let stored_id = current.record.metadata.id.clone();
        let stored_works = match self.provider.check_pat(&current.secret).await {
            Ok(works) => works,
            Err(e) => return Recovery::Failed(e),
        };
        if stored_works {
            if *rotating != stored_id {
                let mut unstored = vec![rotating.clone()];
                match self.newer_named(intent, &stored_id).await {
                    Ok(newer) => unstored.extend(newer.into_iter().filter(|id| id != rotating)),
                    Err(e) => return Recovery::Failed(e),
                }
                for id in unstored {
                    if let Err(e) = super::flow::revoke_ok(self.provider.revoke_pat(&id).await) {
                        return Recovery::Failed(e);
                    }
                    let display_name = intent.replacement_display_name.clone();
                    actions.push(RecoveryAction::RevokedReplacement { id, display_name });
                }
            }
            return self.clear_claimed_intent(current, intent, actions).await;
        }
        if self.options.self_rotation {
            return Recovery::Lost(rotating.clone(), Vec::new());
        }
        let active = match self.listed(StatusFilter::Active).await {
            Ok(active) => active,
            Err(e) => return Recovery::Failed(e),
        };
        let named = |t: &&PatMetadata| t.display_name == intent.replacement_display_name;
        let orphan = if active.iter().filter(named).any(|t| t.id == *rotating) {
            if *rotating == stored_id {
                // The server shows the stored token active (the check may have been wrong):
                // the rotate was not applied.
                return self.clear_claimed_intent(current, intent, actions).await;
            }
            rotating.clone()
        } else {
            let since = intent.started_at - CLOCK_SKEW;
            let candidates: Vec<PatId> = active
                .iter()
                .filter(named)
                .filter(|t| t.valid_from >= since && t.id != stored_id && t.id != *rotating)
                .map(|t| t.id.clone())
                .collect();
            match <[PatId; 1]>::try_from(candidates) {
                Ok([orphan]) => orphan,
                Err(candidates) => return Recovery::Lost(rotating.clone(), candidates),
            }
        };
        self.rotate_orphan(current, intent, orphan, actions).await
    }

    /// Rotates `orphan` (an active replacement whose secret is lost) once: the intent names it
    /// first, so a crash during this is recovered the same way; the answer is stored.
    async fn rotate_orphan(
        &self,
        current: StoredPat,
        intent: &RotationIntent,
        orphan: PatId,
        actions: &mut Vec<RecoveryAction>,
    ) -> Recovery {
        let now = self.clock.now();
        let mut pending = current.clone();
        pending.record.rotation = Some(RotationIntent {
            replacement_display_name: intent.replacement_display_name.clone(),
            started_at: now,
            server_rotate: Some(orphan.clone()),
        });
        pending.record.stored_at = now;
        match self.store.compare_and_swap(pending.clone(), Expected::Revision(current.record.revision)).await {
            Ok(revision) => pending.record.revision = revision,
            Err(e) if e.kind() == StoreErrorKind::Conflict => return Recovery::Busy(None),
            Err(e) => return Recovery::Failed(e.into()),
        }
        let valid_to = self.replacement_valid_to(&current.record.metadata, now);
        let rotated = match self.provider.rotate_pat(&orphan, valid_to).await {
            Ok(rotated) => rotated,
            // The intent names the orphan: the next recovery reads whether this was applied.
            Err(e) => return Recovery::Failed(e),
        };
        let new = rotated.created.metadata.id.clone();
        match self.store_rotated(&pending, rotated.created, &orphan).await {
            Ok(stored) => {
                actions.push(RecoveryAction::RotatedOrphan { orphan, new });
                Recovery::Clean(stored)
            }
            Err(e) => Recovery::Failed(e),
        }
    }

    /// Active tokens named like the intent's replacement, newer than the intent, other than
    /// `stored`.
    async fn newer_named(&self, intent: &RotationIntent, stored: &PatId) -> Result<Vec<PatId>, Error> {
        let since = intent.started_at - CLOCK_SKEW;
        Ok(self
            .listed(StatusFilter::Active)
            .await?
            .into_iter()
            .filter(|t| t.display_name == intent.replacement_display_name && t.valid_from >= since && t.id != *stored)
            .map(|t| t.id)
            .collect())
    }

    /// Clears the intent of a claimed entry that keeps its token.
    async fn clear_claimed_intent(
        &self,
        current: StoredPat,
        intent: &RotationIntent,
        actions: &mut Vec<RecoveryAction>,
    ) -> Recovery {
        let mut cleared = current.clone();
        cleared.record.rotation = None;
        cleared.record.stored_at = self.clock.now();
        match self.store.compare_and_swap(cleared.clone(), Expected::Revision(current.record.revision)).await {
            Ok(revision) => {
                cleared.record.revision = revision;
                actions.push(RecoveryAction::ClearedIntent {
                    replacement_display_name: intent.replacement_display_name.clone(),
                });
                Recovery::Clean(cleared)
            }
            Err(e) if e.kind() == StoreErrorKind::Conflict => Recovery::Busy(None),
            Err(e) => Recovery::Failed(e.into()),
        }
    }
}

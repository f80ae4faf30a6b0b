//! Lifecycle flows built on the provider-neutral layer: expiry [scan](Scan), crash-safe
//! [rotation](Rotator) and [offboarding](Offboarding).
//!
//! Scan and rotation use only [`PatProvider`] and [`TokenStore`], so every provider gets them.
//! Offboarding needs Azure DevOps Token Admin (only it can list another user's tokens). Every
//! flow reads "now" from an injected [`Clock`](crate::Clock), and none ever prints or logs a
//! secret: reports carry metadata only.
//!
//! # Rotation per capability
//!
//! How a token is replaced depends on the provider's [`Capabilities`]
//! ([`RotationMethod`], shown per entry by [`Rotator::plan`]):
//!
//! - [`create`](crate::Capabilities::create) (Azure DevOps, Gitea, Bitbucket): **create-then-revoke**,
//!   the protocol below. Chosen whenever the provider can create, even if it can also rotate:
//!   the old token keeps working until its replacement is stored.
//! - only [`rotate_server_side`](crate::Capabilities::rotate_server_side) (GitLab without admin
//!   rights): **server-side rotate**, [below](#server-side-rotation).
//! - neither (GitHub, whose fine-grained tokens only a person can make): a due entry is skipped
//!   with [`SkipReason::CannotRotate`] before anything is written or sent.
//!
//! # The rotation protocol
//!
//! **Invariant: at every instant at least one working token is in the store, and every token
//! the flow creates is either stored or revoked** (once the flow, or a recovery after a crash,
//! has finished). For an entry `name`:
//!
//! 0. Read the entry (revision `r`). If it carries `rotation` or `previous`, recover it first
//!    (below). A `previous` still retiring (its grace period not over, or its hand-off pending)
//!    stays, and so does the entry: it is skipped ([`SkipReason::Retiring`],
//!    [`SkipReason::PreviousKept`]), never rotated over a token that is still to be revoked.
//! 1. If it is not due (expired, or expiring within the [window](RotationOptions::window),
//!    unless [forced](RotationOptions::force)), skip it. Read the old token through the
//!    provider ([`PatProvider::get_pat`]): if the provider does not show it (another user's,
//!    another organization's, an unknown id), skip it ([`SkipReason::NotVisible`]): revoking it
//!    later would have no effect and leave it valid but forgotten. (Not when its stored expiry
//!    has passed: then it cannot authenticate, the service may have dropped it, and it is
//!    replaced with nothing to revoke, [`Rotation::old_gone`].) Otherwise write the *intent*:
//!    compare-and-swap the entry, expecting `r`, with `rotation = Some(RotationIntent {
//!    replacement_display_name, started_at: now, server_rotate: None })`. The display name is unique
//!    (`<old name>~r<UTC time>-<8 random hex digits>`, at most 256 characters), so a
//!    replacement whose answer was lost can be found on the server later. A conflict means
//!    another rotator is at it: skipped, [`SkipReason::InProgress`]. An intent younger than the
//!    [lease](RotationOptions::lease) also means that; an older one is taken as abandoned and
//!    recovered.
//! 2. Create the replacement from the provider's
//!    [`replacement_spec`](crate::PatProvider::replacement_spec) of the old token (same scopes
//!    and provider extras, with what the provider changes on the way recorded in
//!    [`Rotation::note`] — Azure DevOps binds the replacement of a *global* token to its
//!    organization, since global PATs retire on 2026-12-01), expiry now +
//!    [lifetime](RotationOptions::lifetime), or none where the provider's tokens never expire
//!    (the report carries the expiry the service returned). The create is **never retried**. A definite refusal: clear the intent,
//!    report the failure. An uncertain outcome ([`Error::CreateOutcomeUnknown`], a transport
//!    failure after sending, a 5xx, an undecodable answer): revoke every token the error found
//!    *and* every token the provider lists with the unique name, then clear the intent.
//! 3. Verify the replacement works ([`PatProvider::check_pat`], a few
//!    [tries](VerifyOptions) with backoff). If it does not: revoke it, clear the intent; the
//!    old token stays.
//! 4. Store the replacement: compare-and-swap, expecting the intent's revision, with
//!    `metadata = new, secret = new, previous = Some(old metadata), rotation = None` and, with a
//!    [grace period](RotationOptions::grace) or [hooks](Rotator::hook), `retiring =
//!    Some(Retiring { until: now + grace, handoff_pending: <any hooks> })` in the same write. If it
//!    fails (a conflict or any other error), the error alone never decides: a write whose
//!    answer was lost may have landed. Re-read: if the store holds the replacement, go on; if it
//!    is still at the intent's revision, rewrite it unchanged first (so the write can never land
//!    later), then revoke the replacement and clear the intent; if someone else changed it,
//!    revoke the replacement; if it cannot be read, leave everything to recovery (the intent or
//!    `previous`, whichever is there, says what to do).
//! 5. Try the stored secret at the provider ([`PatProvider::check_pat`]); if it is refused, keep
//!    the old token as `previous` and report it ([`Rotation::kept_previous`]). Then, with hooks,
//!    hand the stored token off ([`RotationHook`]); if one fails, keep the old token (its
//!    `handoff_pending` stays set) and report it ([`Rotation::handoff_failures`]); else record
//!    the hand-off (compare-and-swap `handoff_pending = false`). Within a grace period stop
//!    here: the old token stays valid, retiring ([`Rotation::retiring_until`]). Otherwise revoke
//!    the old token (idempotent; "not found" counts as revoked).
//! 6. Clear `previous` and `retiring` (compare-and-swap; a conflict is harmless: someone else
//!    finished it).
//!
//! **Recovery** of an entry ([`recover`], [`Rotator::recover`], and implicitly step 0):
//!
//! - `rotation: Some(intent)`, the old token still stored: first *claim* the entry by rewriting
//!   it unchanged with compare-and-swap (a new revision, so the rotator that wrote the intent,
//!   should it still be alive, fails at step 4 and revokes its own replacement). Then list the
//!   server's tokens (all statuses) named exactly `intent.replacement_display_name` and revoke
//!   every one of them (not stored, so their secrets are lost), then clear the intent.
//! - `previous: Some(old)` retiring with `handoff_pending`: kept
//!   ([`KeptReason::HandOffPending`]) by recovery sweeps and by rotators without hooks; a
//!   rotation run of a rotator with hooks tries the stored secret, hands it off again
//!   ([`RecoveryAction::HandedOff`]; [`SkipReason::HandOffFailed`] if a hook fails again) and
//!   records that. Then, while `retiring.until` has not passed, `old` stays
//!   ([`SkipReason::Retiring`]).
//! - `previous: Some(old)` (no longer retiring): check that the stored secret works and that the provider shows
//!   `old` ([`PatProvider::get_pat`]); if either fails, keep `previous` and report it
//!   ([`SkipReason::PreviousKept`]). Otherwise revoke `old.id`, then clear `previous`. An `old`
//!   the provider does not show whose stored expiry has passed cannot be valid: `previous` is
//!   cleared without a revoke ([`RecoveryAction::ForgotExpiredPrevious`]); so is one a
//!   provider whose revoke deletes no longer shows while it shows the stored token
//!   ([`RecoveryAction::ForgotDeletedPrevious`]).
//!
//! Why it holds: the store only ever changes by compare-and-swap, so at most one writer wins
//! each revision. The stored token is replaced only by one that was just verified (step 4
//! after step 3), and the old token is revoked only after the replacement is durably stored
//! (step 5 after step 4). Every token the flow creates carries a unique name recorded in the
//! store *before* the create is sent (step 1 before step 2), and that record is removed only
//! after the token is stored (step 4 clears it in the same write) or revoked (each cleanup
//! revokes first, then writes). So a crash at any point leaves either nothing to do, an intent
//! (recovery revokes by name), or a `previous` (recovery revokes it). The claim makes recovery
//! safe against a rotator that is merely slow rather than dead. The one thing a store cannot
//! tell is a live rotator whose *create* is still in flight after the lease expired; set the
//! lease above your transport's timeout.
//!
//! Tested by `tests/lifecycle/crash.rs`: the rotation future is dropped at every step (and at
//! random ones, with random extra faults, over a thousand seeded runs against the emulator and
//! the file store, and a thousand against `testing::FakeProvider` in each capability profile), and
//! the invariant is checked at the crash point and after recovery.
//!
//! **Rotators on many machines** need nothing but a store whose compare-and-swap holds across
//! processes (the Vault store's check-and-set, the file store's lock): any number of them may
//! run [`Rotator::rotate_all`] over the same entries at once. Each entry is rotated by the one
//! whose intent write wins; the others skip it ([`SkipReason::InProgress`], or
//! [`SkipReason::NotDue`] once it is replaced), and one that reads an entry between its
//! replacement and the revoke finishes that revoke as recovery, harmlessly twice. Tested by
//! `tests/vault_rotation_processes.rs`: four processes, 500 due entries, one OpenBao mount.
//!
//! # Grace period and hand-off
//!
//! Revoking the old token right after the new one is stored breaks every service that read the
//! old one at start-up. Two things close that gap, both recorded in the entry
//! ([`PatRecord::retiring`](crate::PatRecord::retiring), written with the replacement in step 4,
//! so a crash anywhere later leaves a record that every run respects):
//!
//! - A **grace period** ([`RotationOptions::grace`], [`Rotator::grace`]): the old token is not
//!   revoked by the rotation but stays valid until `stored + grace`. The first rotation or
//!   recovery run after that revokes it, with the same checks as any revoke of a replaced token
//!   (the stored token must work, the provider must show the old one). Until then a scan
//!   reports it ([`FindingKind::ReplacedNotRevoked`], not needing attention), and the entry is
//!   not rotated again. Nothing revokes it early: a run is needed after the grace (schedule one;
//!   a scan flags it as overdue until then).
//! - **Hand-off hooks** ([`RotationHook`]; [`CommandHook`] passes the secret on standard input,
//!   [`WebhookHook`] posts metadata only): run after the replacement is stored and verified,
//!   before the old token is revoked or left retiring. A hook that fails (or a run that stops
//!   during the hand-off) keeps the old token, whatever the grace says, until a hand-off
//!   succeeds. Recovery never re-runs a hook on its own: a recovery sweep cannot know which
//!   hooks the rotation meant, so it keeps the old token and says why
//!   ([`KeptReason::HandOffPending`]); the next rotation run of a rotator that has hooks hands
//!   the stored token off again (hooks must therefore be idempotent). A person who has handed
//!   the token off by hand clears `handoff_pending` in the entry.
//!
//! A server-side rotate cannot keep the old token (the server revokes it when it answers): with
//! a grace period such a provider's due entries are skipped before anything is written or sent
//! ([`SkipReason::GraceImpossible`]); its hooks run after the store once the stored token was
//! tried out successfully (a replacement that does not work is not handed off), and their failures are only
//! reported ([`Rotation::handoff_failures`]): there is nothing left to keep, and a crash before
//! they ran means they never run.
//!
//! Tested by `tests/lifecycle/grace.rs` (every backend) and `tests/lifecycle/crash.rs` (crash
//! points after the retiring mark and around the later revoke; seeded runs with a random grace).
//!
//! # Server-side rotation
//!
//! One call ([`PatProvider::rotate_pat`]) mints the replacement and **revokes the old token at
//! the server the moment it answers**; the answer is the only copy of the new secret. So the
//! invariant above cannot hold inside one window: between that answer and the store write, the
//! store holds a revoked token. Ordering cannot close the window; this is what closes it:
//!
//! 1. Due and visible, as above; an expired token is skipped
//!    ([`SkipReason::ExpiredCannotRotate`]: servers refuse to rotate it). The intent is written
//!    with `server_rotate: Some(old id)` and the old display name (the replacement keeps it).
//! 2. Rotate, **never re-sent**: a second rotate of a rotated token makes GitLab revoke the
//!    whole line of replacements. A definite refusal clears the intent. An uncertain outcome (a
//!    timeout, a 5xx, an undecodable answer) leaves the intent for recovery
//!    ([`Step::Rotate`], `left_for_recovery`): a request still in flight could yet be applied,
//!    so the answer is read only once the [lease](RotationOptions::lease) has passed.
//! 3. **Store the answer at once**, before anything else (no verify first: there is nothing to
//!    fall back to), with no `previous` (the server revoked it). A failed write is followed by a
//!    read; if a recovery merely claimed the entry, the write is made again on the new revision.
//! 4. Try the stored token out; a refusal is reported ([`Rotation::verify_error`]), it stays.
//!
//! **Recovery** of an intent with `server_rotate: Some(id)` claims the entry, then *reads*:
//!
//! - the stored token still works: the rotate was not applied; the intent is cleared;
//! - `id` is still active (an unstored replacement whose rotate was not applied): it is
//!   rotated now;
//! - else the one active token with the same name created after the intent (5 minutes of
//!   clock skew allowed) is the replacement whose secret was lost. It is **rotated once more**
//!   with the provider's credential and the answer stored ([`RecoveryAction::RotatedOrphan`]);
//!   the intent names that orphan *before* the rotate is sent, so a crash or a lost answer
//!   during recovery is recovered the same way. None or several such tokens: nothing is sent,
//!   the intent stays, [`SkipReason::ReplacementSecretLost`] lists them.
//!
//! That needs a **management credential** separate from the token being rotated. When the
//! rotated token *is* the provider's credential (a job rotating its own token), set
//! [`RotationOptions::self_rotation`]: then, once the rotate was applied and its answer lost,
//! nothing can authenticate any more, and recovery reports
//! [`SkipReason::ReplacementSecretLost`] without sending anything. The Rotator cannot find this
//! out by itself (a provider does not say which token its credential is).
//!
//! **Remaining risk**, stated plainly: with self-rotation, a crash or a lost answer between the
//! server applying the rotate and the store write (one request's answer time plus one store
//! write) leaves no working token; a person must issue a new one. With a management
//! credential, the lost replacement is replaced after the lease; until then the stored token
//! does not work. Recovery identifies the lost replacement by name and creation time: a token
//! of the same name made by someone else in that window, when the real replacement is gone,
//! would be taken for it. The rotator's and the server's clocks must agree within 5 minutes.
//!
//! [`PatProvider`]: crate::PatProvider
//! [`FindingKind::ReplacedNotRevoked`]: FindingKind::ReplacedNotRevoked
//! [`PatProvider::rotate_pat`]: crate::PatProvider::rotate_pat
//! [`Capabilities`]: crate::Capabilities
//! [`PatProvider::check_pat`]: crate::PatProvider::check_pat
//! [`PatProvider::get_pat`]: crate::PatProvider::get_pat
//! [`TokenStore`]: crate::TokenStore
//! [`Error::CreateOutcomeUnknown`]: crate::Error::CreateOutcomeUnknown

mod hooks;
mod mint;
mod offboard;
mod offboard_by_name;
mod plan;
mod report;
mod report_json;
mod rotate;
mod scan;
mod skip;

pub use hooks::{CommandHook, HandOff, HookError, HookFailure, RotationHook, WebhookHook};
pub use mint::mint_and_store;
pub use offboard::{OffboardReport, Offboarding, RuleSummary};
pub use offboard_by_name::{OffboardByName, OffboardByNameReport, OrganizationReport, OrganizationStatus};
pub use plan::{DueReason, PlannedAction, PlannedEntry, PlannedRecovery, RotationPlan};
pub use report::{EntryReport, Failure, Outcome, RecoveryAction, Rotation, RotationMethod, RotationReport, Step};
pub use rotate::{RotationOptions, Rotator, VerifyOptions};
pub use scan::{Finding, FindingKind, FnSink, Scan, ScanReport, ScanSink, View, sink_fn};
pub use skip::{KeptReason, SkipReason};

use std::sync::Arc;

use crate::error::Result;
use crate::provider::PatProvider;
use crate::store::TokenStore;

/// Finishes or undoes every interrupted rotation of `provider`'s entries in `store`, whatever
/// the age of their intents: revokes replacements that were created but never stored, and
/// tokens that were replaced but not yet revoked. Entries with nothing to recover are not in the
/// report.
///
/// Ignoring the lease is right when no rotator can be running (at the start of the one process
/// that rotates, after a crash). Where other rotators may run, use [`Rotator::recover`], which
/// leaves intents younger than the lease alone. Even so a live rotator is not harmed: recovery
/// claims the entry first, so that rotator cannot store its replacement and revokes it.
///
/// Records written here are stamped with the system clock; for another clock use
/// [`Rotator::recover_ignoring_lease`]. Recovering a [server-side rotate](#server-side-rotation)
/// compares the server's creation times with the intents' times, so that clock must agree with
/// the server's within 5 minutes.
pub async fn recover(store: Arc<dyn TokenStore>, provider: Arc<dyn PatProvider>) -> Result<RotationReport> {
    Rotator::from_arcs(provider, store).recover_ignoring_lease().await
}

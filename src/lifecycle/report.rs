//! What the rotation flows report: one [`EntryReport`] per stored entry (a dry run's
//! [`RotationPlan`](super::RotationPlan) is in `plan.rs`). Nothing here ever holds a secret:
//! tokens appear as [`PatMetadata`] (id, name, scopes, validity).

use std::fmt;

use super::skip::{KeptReason, SkipReason};
use crate::error::Error;
use crate::model::{PatId, PatMetadata};

/// Everything one run of [`Rotator::rotate_all`](super::Rotator::rotate_all),
/// [`Rotator::rotate_names`](super::Rotator::rotate_names) or a recovery did, one entry report
/// per entry, in name order.
///
/// Serializes (`serde::Serialize`) to the versioned JSON shape of
/// `schemas/rotation-report.v1.json` in the repository (`"format": "patkit.rotation-report"`,
/// `"version": 1`, a `summary` of counts, then one object per entry with a snake_case
/// `outcome.kind`; an [`EntryReport`] serializes to one such entry). It holds no secret.
#[derive(Debug, Default)]
pub struct RotationReport {
    /// One report per entry.
    pub entries: Vec<EntryReport>,
}

impl RotationReport {
    /// Entries that were rotated.
    pub fn rotated(&self) -> impl Iterator<Item = &EntryReport> {
        self.entries.iter().filter(|e| matches!(e.outcome, Outcome::Rotated(_)))
    }

    /// Entries that failed.
    pub fn failed(&self) -> impl Iterator<Item = &EntryReport> {
        self.entries.iter().filter(|e| matches!(e.outcome, Outcome::Failed(_)))
    }

    /// Entries that were skipped.
    pub fn skipped(&self) -> impl Iterator<Item = &EntryReport> {
        self.entries.iter().filter(|e| matches!(e.outcome, Outcome::Skipped(_)))
    }

    /// The report of entry `name`, if it is in this report.
    pub fn entry(&self, name: &str) -> Option<&EntryReport> {
        self.entries.iter().find(|e| e.name == name)
    }
}

impl fmt::Display for RotationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for entry in &self.entries {
            writeln!(f, "{entry}")?;
        }
        let count = |p: fn(&Outcome) -> bool| self.entries.iter().filter(|e| p(&e.outcome)).count();
        write!(
            f,
            "{} rotated, {} skipped, {} failed, {} recovered",
            count(|o| matches!(o, Outcome::Rotated(_))),
            count(|o| matches!(o, Outcome::Skipped(_))),
            count(|o| matches!(o, Outcome::Failed(_))),
            self.entries.iter().filter(|e| !e.recovered.is_empty()).count(),
        )
    }
}

/// What happened to one stored entry.
#[derive(Debug)]
pub struct EntryReport {
    /// The entry's name in the store.
    pub name: String,
    /// What recovery undid or finished before anything else (an interrupted rotation found in
    /// the store), in order.
    pub recovered: Vec<RecoveryAction>,
    /// The result.
    pub outcome: Outcome,
}

impl EntryReport {
    pub(crate) fn new(name: &str, outcome: Outcome) -> Self {
        Self { name: name.to_owned(), recovered: Vec::new(), outcome }
    }
}

impl fmt::Display for EntryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.outcome)?;
        for action in &self.recovered {
            write!(f, "\n    recovered: {action}")?;
        }
        Ok(())
    }
}

/// The result for one entry.
// One per entry, moved once: boxing the big variant would only make matching clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// A replacement was created, verified and stored.
    Rotated(Rotation),
    /// Nothing was rotated, for this reason.
    Skipped(SkipReason),
    /// The rotation failed; the old token is still stored (see [`Failure`]).
    Failed(Failure),
    /// Recovery only (a recovery sweep): an interrupted rotation was finished or undone, see
    /// [`EntryReport::recovered`].
    Recovered,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rotated(r) => {
                write!(
                    f,
                    "rotated {} (expires {}) -> {} (expires {})",
                    r.old.id,
                    expiry_text(r.old.valid_to),
                    r.new.id,
                    expiry_text(r.new.valid_to)
                )?;
                if let Some(note) = &r.note {
                    write!(f, "; {note}")?;
                }
                if let Some(e) = &r.cleanup_pending {
                    write!(f, "; the old token is left for recovery: {e}")?;
                }
                if r.old_gone {
                    f.write_str("; the old token had expired and the provider no longer shows it, nothing to revoke")?;
                }
                if let Some(reason) = &r.kept_previous {
                    write!(f, "; the old token {} is kept: {reason}", r.old.id)?;
                }
                if r.method == RotationMethod::ServerSide {
                    f.write_str(" (server-side rotate)")?;
                }
                if let Some(e) = &r.verify_error {
                    write!(f, "; the stored replacement was refused when tried out: {e}")?;
                }
                if let Some(until) = r.retiring_until {
                    write!(
                        f,
                        "; the old token {} stays valid until {} (grace period), then a later run revokes it",
                        r.old.id,
                        until.format("%Y-%m-%d %H:%M:%S UTC")
                    )?;
                }
                for failure in &r.handoff_failures {
                    write!(f, "; {failure}")?;
                }
                Ok(())
            }
            Self::Skipped(reason) => write!(f, "skipped: {reason}"),
            Self::Failed(failure) => write!(f, "{failure}"),
            Self::Recovered => f.write_str("recovered"),
        }
    }
}

/// A finished rotation.
#[derive(Debug)]
pub struct Rotation {
    /// The token that was replaced.
    pub old: PatMetadata,
    /// The token now stored.
    pub new: PatMetadata,
    /// Set when the replacement is stored but revoking the old token or clearing
    /// [`PatRecord::previous`](crate::PatRecord::previous) failed: the old token is recorded as
    /// `previous` and the next run (or [`recover`](super::recover)) revokes it.
    pub cleanup_pending: Option<Error>,
    /// What the provider changed about the replacement and why
    /// ([`Replacement::note`](crate::Replacement::note)), e.g. Azure DevOps: "the global token
    /// was replaced by one for fabrikam" (global PATs retire on 2026-12-01).
    pub note: Option<String>,
    /// Set when the old token was deliberately *not* revoked (it stays recorded as
    /// [`PatRecord::previous`](crate::PatRecord::previous)), and why. Needs a person: recovery
    /// keeps it too until the reason is gone.
    pub kept_previous: Option<KeptReason>,
    /// Set when the old token had expired and the provider no longer showed it (Azure DevOps
    /// drops expired tokens after a while): it cannot authenticate, so there was nothing to
    /// revoke and the entry was renewed all the same.
    pub old_gone: bool,
    /// How the replacement was made.
    pub method: RotationMethod,
    /// Set when a [server-side](RotationMethod::ServerSide) replacement, stored at once (the
    /// server had already revoked the old token), was then refused when tried out: there is
    /// nothing to fall back to, so it stays stored and this says why it may not work.
    pub verify_error: Option<Error>,
    /// Set when the old token was left valid for a [grace period](super::RotationOptions::grace):
    /// it is recorded as retiring ([`PatRecord::retiring`](crate::PatRecord::retiring)) and the
    /// first rotation or recovery run after this time revokes it.
    pub retiring_until: Option<chrono::DateTime<chrono::Utc>>,
    /// The [hand-off hooks](super::RotationHook) that failed. When there are any (with
    /// [create-then-revoke](RotationMethod::CreateThenRevoke)), the old token is kept
    /// ([`kept_previous`](Self::kept_previous) is [`KeptReason::HandOffFailed`]) and the next
    /// rotation run of a rotator with hooks hands the stored token off again. After a
    /// [server-side](RotationMethod::ServerSide) rotate there is no old token to keep: the
    /// failures are only reported, and the hooks are not run again.
    pub handoff_failures: Vec<super::HookFailure>,
}

/// How a token is replaced, chosen from the provider's
/// [`capabilities`](crate::PatProvider::capabilities).
///
/// ```
/// # #[cfg(feature = "testing")] {
/// use std::sync::Arc;
/// use patkit::lifecycle::{Outcome, PlannedAction, RotationMethod, Rotator};
/// use patkit::store::InMemoryTokenStore;
/// use patkit::testing::{FAKE_ORGANIZATION, FAKE_PROVIDER_NAME, FakeProfile, FakeProvider};
/// use patkit::{PatRecord, Scopes, StoredPat, TokenStore};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// // A GitLab-like provider: no create, only a server-side rotate.
/// let gitlab_like = FakeProvider::new(FakeProfile::ServerRotate);
/// let seeded = gitlab_like.seed("ci", Scopes::default(), Some(chrono::Utc::now() + chrono::TimeDelta::days(2)));
/// let store = Arc::new(InMemoryTokenStore::new());
/// let record = PatRecord::new("ci", FAKE_PROVIDER_NAME, FAKE_ORGANIZATION, seeded.metadata.clone(), chrono::Utc::now());
/// store.put(StoredPat { record, secret: seeded.secret }).await?;
///
/// let rotator = Rotator::new(gitlab_like.clone(), store.clone());
/// let plan = rotator.plan().await?;
/// assert!(matches!(plan.entries[0].action, PlannedAction::Rotate { method: RotationMethod::ServerSide, .. }));
/// let report = rotator.rotate("ci").await;
/// let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
/// assert_eq!(rotation.method, RotationMethod::ServerSide);
/// // The server revoked the old token; the store holds the new one.
/// assert!(gitlab_like.token(&seeded.metadata.id).unwrap().revoked);
/// assert_eq!(store.get("ci").await?.unwrap().record.metadata.id, rotation.new.id);
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RotationMethod {
    /// [`create`](crate::Capabilities::create): create a replacement, verify it, store it, then
    /// revoke the old token. Chosen whenever the provider can create, even if it can also
    /// rotate server-side: the old token keeps working until its replacement is stored.
    CreateThenRevoke,
    /// [`rotate_server_side`](crate::Capabilities::rotate_server_side) only (GitLab): one call
    /// mints the replacement and revokes the old token at the server; the answer is stored at
    /// once, before anything else. See the [`lifecycle`](crate::lifecycle) module docs for the
    /// crash window this leaves and how recovery closes it.
    ServerSide,
}

impl fmt::Display for RotationMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CreateThenRevoke => "create, then revoke the old token",
            Self::ServerSide => "server-side rotate",
        })
    }
}

/// The step of the rotation protocol where something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// Reading the entry.
    Read,
    /// Reading the stored token through the provider (before anything is written).
    Lookup,
    /// Finishing or undoing an interrupted rotation found in the entry.
    Recover,
    /// Writing the rotation intent.
    Intent,
    /// Creating the replacement.
    Create,
    /// Rotating the token at the server ([`RotationMethod::ServerSide`]).
    Rotate,
    /// Checking that the replacement works.
    Verify,
    /// Storing the replacement.
    Store,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Read => "read",
            Self::Lookup => "lookup",
            Self::Recover => "recover",
            Self::Intent => "intent",
            Self::Create => "create",
            Self::Rotate => "rotate",
            Self::Verify => "verify",
            Self::Store => "store",
        })
    }
}

/// A failed rotation. The old token is still stored and working (unless it already was not).
#[derive(Debug)]
pub struct Failure {
    /// Where it failed.
    pub step: Step,
    /// Why.
    pub error: Error,
    /// What was undone (e.g. the replacement revoked).
    pub undone: Vec<RecoveryAction>,
    /// Whether cleaning up failed too, so the intent (or `previous`) was left in the store for
    /// the next run or [`recover`](super::recover) to finish.
    pub left_for_recovery: bool,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failed at {}: {}", self.step, self.error)?;
        for action in &self.undone {
            write!(f, "; {action}")?;
        }
        if self.left_for_recovery {
            f.write_str("; left for recovery")?;
        }
        Ok(())
    }
}

/// One thing recovery (or a failed rotation cleaning up after itself) did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecoveryAction {
    /// A replacement that was created but never stored (its secret is lost) was revoked.
    RevokedReplacement {
        /// Its id.
        id: PatId,
        /// Its (unique) display name.
        display_name: String,
    },
    /// The rotation intent was removed from the entry.
    ClearedIntent {
        /// The replacement display name the intent carried.
        replacement_display_name: String,
    },
    /// The token a finished rotation replaced was revoked.
    RevokedPrevious {
        /// Its id.
        id: PatId,
    },
    /// The token a finished rotation replaced had expired and the provider no longer shows it:
    /// it cannot authenticate, so it was forgotten without a revoke.
    ForgotExpiredPrevious {
        /// Its id.
        id: PatId,
    },
    /// The token a finished rotation replaced is no longer shown by a provider whose revoke
    /// deletes (the revoke went through before an interruption), while the stored token is: it
    /// was forgotten without another revoke.
    ForgotDeletedPrevious {
        /// Its id.
        id: PatId,
    },
    /// [`PatRecord::previous`](crate::PatRecord::previous) was cleared.
    ClearedPrevious,
    /// The stored token, whose hand-off had failed or been interrupted, was handed off to the
    /// rotator's [hooks](super::RotationHook) again, and this time they all succeeded.
    HandedOff {
        /// The stored token's id.
        id: PatId,
    },
    /// A server-side rotate was interrupted after the server applied it (its answer, with the
    /// replacement's secret, was lost): that replacement (`orphan`) was rotated once more with
    /// the provider's own credential and the result (`new`) stored. The server revoked the
    /// orphan.
    RotatedOrphan {
        /// The replacement whose secret was lost.
        orphan: PatId,
        /// The token now stored.
        new: PatId,
    },
}

impl fmt::Display for RecoveryAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RevokedReplacement { id, display_name } => {
                write!(f, "revoked unstored replacement {id} ({display_name})")
            }
            Self::ClearedIntent { replacement_display_name } => {
                write!(f, "cleared the intent for {replacement_display_name}")
            }
            Self::RevokedPrevious { id } => write!(f, "revoked the replaced token {id}"),
            Self::ForgotExpiredPrevious { id } => {
                write!(f, "forgot the replaced token {id}: it had expired and the provider no longer shows it")
            }
            Self::ForgotDeletedPrevious { id } => {
                write!(f, "forgot the replaced token {id}: the provider deleted it on revoke and no longer shows it")
            }
            Self::ClearedPrevious => f.write_str("cleared `previous`"),
            Self::HandedOff { id } => write!(f, "handed {id} off to the hooks again"),
            Self::RotatedOrphan { orphan, new } => {
                write!(f, "rotated {orphan} (an unstored server-side replacement) again and stored {new}")
            }
        }
    }
}

/// `YYYY-MM-DD HH:MM UTC`, or `never` for a token without expiry.
pub(crate) fn expiry_text(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(|| "never".to_owned(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

//! Why an entry was not rotated ([`SkipReason`]) and why a replaced token was kept
//! ([`KeptReason`]). No secrets: tokens appear by id.

use std::fmt;

use chrono::{DateTime, Utc};

use super::hooks::HookFailure;
use super::report::expiry_text;
use crate::model::PatId;

/// Why a replaced token (`previous`) was kept instead of revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeptReason {
    /// The stored secret does not authenticate at the provider: revoking the token it replaced
    /// could leave no working token at all.
    StoredTokenRefused,
    /// The provider does not show the replaced token (another user's, another organization's,
    /// an unknown id): revoking it would have no effect, so it would stay valid but forgotten.
    PreviousNotVisible,
    /// A [hand-off hook](super::RotationHook) failed: whoever uses the token may still hold
    /// the replaced one. The next rotation run of a rotator with hooks hands the stored token
    /// off again.
    HandOffFailed,
    /// The hand-off of the stored token has not succeeded yet (a hook failed, or a run stopped
    /// before the hooks finished) and this run has no hooks to retry it with (a recovery
    /// sweep, or a rotator without hooks). A rotation run of a rotator with hooks retries it.
    HandOffPending,
}

impl fmt::Display for KeptReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StoredTokenRefused => "the stored token does not authenticate, so the one it replaced stays",
            Self::PreviousNotVisible => {
                "the provider does not show it (not this credential's, or another organization's)"
            }
            Self::HandOffFailed => "a hand-off hook failed, so whoever uses the token may still hold it",
            Self::HandOffPending => {
                "the hand-off of its replacement has not succeeded yet; a rotation run with hooks retries it"
            }
        })
    }
}

/// Why an entry was not rotated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// The token does not expire within the window (and the rotation was not forced).
    NotDue {
        /// When the stored token expires (`None`: never).
        valid_to: Option<DateTime<Utc>>,
    },
    /// Another rotator is working on the entry: its intent is younger than the lease, or it
    /// changed the entry between our read and our write.
    InProgress {
        /// When the other rotation started, when known.
        started_at: Option<DateTime<Utc>>,
    },
    /// The entry belongs to another provider or organization than the rotator's.
    OtherProvider {
        /// The entry's provider.
        provider: String,
        /// The entry's organization.
        organization: String,
    },
    /// There is no entry of that name.
    NotFound,
    /// The provider does not show the stored token (it belongs to another user or
    /// organization, or its id is unknown) and its stored expiry has not passed: it could not be
    /// revoked after a rotation, so nothing was written or created.
    NotVisible {
        /// The stored token's id.
        id: PatId,
    },
    /// Recovery found a replaced token (`previous`) it must not revoke, and kept it; the entry
    /// is left as it is until a person looks at it.
    PreviousKept {
        /// The replaced token's id.
        id: PatId,
        /// Why it was kept.
        reason: KeptReason,
    },
    /// The token is due but the provider can neither create tokens nor rotate them
    /// server-side ([`Capabilities`](crate::Capabilities)): nothing was written or sent.
    CannotRotate {
        /// The provider's name.
        provider: String,
    },
    /// The token has expired and the provider can only rotate tokens server-side, which a
    /// server refuses for an expired token (GitLab even revokes the token's line of
    /// replacements): only a new token, issued by a person, can renew the entry. Nothing was
    /// written or sent.
    ExpiredCannotRotate {
        /// When the stored token expired.
        valid_to: Option<DateTime<Utc>>,
    },
    /// A server-side rotate of `rotated` was applied at the server but its answer (the only
    /// copy of the replacement's secret) was lost, and recovery cannot make a new one: the
    /// rotator rotates its own credential ([`RotationOptions::self_rotation`]), so nothing can
    /// authenticate any more, or not exactly one token looks like the replacement. The intent
    /// stays in the entry (each run reports this again) until a person issues a new token and
    /// stores it.
    ///
    /// [`RotationOptions::self_rotation`]: super::RotationOptions::self_rotation
    ReplacementSecretLost {
        /// The token whose rotation was interrupted (revoked by the server).
        rotated: PatId,
        /// The tokens that may be its replacement (same name, created after the intent, still
        /// active), when they could be listed; revoke them once a new token is stored.
        candidates: Vec<PatId>,
    },
    /// The token a rotation replaced is retiring: it stays valid until its
    /// [grace period](super::RotationOptions::grace) ends, and the entry is not rotated again
    /// until the first run after that has revoked it.
    Retiring {
        /// The replaced token's id.
        id: PatId,
        /// When its grace period ends.
        until: DateTime<Utc>,
    },
    /// The stored token's hand-off to the rotator's [hooks](super::RotationHook) was tried
    /// again and failed again: the token it replaced is kept.
    HandOffFailed {
        /// The replaced token's id.
        id: PatId,
        /// The hooks that failed.
        failures: Vec<HookFailure>,
    },
    /// The rotator has a [grace period](super::RotationOptions::grace) but the provider can
    /// only rotate [server-side](super::RotationMethod::ServerSide), which revokes the old token
    /// at once: nothing was written or sent. Rotate such entries with a rotator without grace.
    GraceImpossible,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotDue { valid_to } => write!(f, "not due (expires {})", expiry_text(*valid_to)),
            Self::InProgress { started_at: Some(t) } => {
                write!(f, "another rotation is in progress (started {})", t.format("%Y-%m-%d %H:%M:%S UTC"))
            }
            Self::InProgress { started_at: None } => f.write_str("another rotation is in progress"),
            Self::OtherProvider { provider, organization } => {
                write!(f, "belongs to {provider}/{organization}, not this provider")
            }
            Self::NotFound => f.write_str("no such entry"),
            Self::NotVisible { id } => {
                write!(
                    f,
                    "the provider does not show the stored token {id} (not this credential's, or another organization's)"
                )
            }
            Self::PreviousKept { id, reason } => write!(f, "the replaced token {id} is kept: {reason}"),
            Self::CannotRotate { provider } => {
                write!(f, "{provider} can neither create tokens nor rotate them server-side")
            }
            Self::ExpiredCannotRotate { valid_to } => write!(
                f,
                "expired {} and the provider can only rotate, not create: a person must issue a new token",
                expiry_text(*valid_to)
            ),
            Self::ReplacementSecretLost { rotated, candidates } => {
                write!(f, "the server-side rotate of {rotated} was applied but its answer was lost; needs a person")?;
                if !candidates.is_empty() {
                    let ids: Vec<&str> = candidates.iter().map(PatId::as_str).collect();
                    write!(f, " (possible replacements: {})", ids.join(", "))?;
                }
                Ok(())
            }
            Self::Retiring { id, until } => write!(
                f,
                "the replaced token {id} is retiring: it stays valid until {} (grace period)",
                until.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            Self::HandOffFailed { id, failures } => {
                write!(f, "the replaced token {id} is kept: the hand-off failed again")?;
                for failure in failures {
                    write!(f, "; {failure}")?;
                }
                Ok(())
            }
            Self::GraceImpossible => f.write_str(
                "a grace period is set but the provider can only rotate server-side, which revokes the old token at once",
            ),
        }
    }
}

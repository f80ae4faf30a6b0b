//! What a dry run ([`Rotator::plan`](super::Rotator::plan)) says it would do: one
//! [`PlannedEntry`] per stored entry. Like the reports, it holds no secret.

use std::fmt;

use chrono::{DateTime, Utc};

use super::report::expiry_text;
use super::{RotationMethod, SkipReason};
use crate::model::PatId;

/// What a rotation would do, from [`Rotator::plan`](super::Rotator::plan). Making it changed
/// nothing: no store write, no request that changes state.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotationPlan {
    /// One planned action per entry, in name order.
    pub entries: Vec<PlannedEntry>,
}

impl fmt::Display for RotationPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for entry in &self.entries {
            writeln!(f, "{entry}")?;
        }
        let rotations = self.entries.iter().filter(|e| matches!(e.action, PlannedAction::Rotate { .. })).count();
        write!(f, "{rotations} of {} entries would be rotated", self.entries.len())
    }
}

/// The plan for one entry.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEntry {
    /// The entry's name.
    pub name: String,
    /// An interrupted rotation that would be finished or undone first.
    pub recovery: Option<PlannedRecovery>,
    /// What would happen then.
    pub action: PlannedAction,
}

impl fmt::Display for PlannedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.name)?;
        if let Some(r) = &self.recovery {
            write!(f, "{r}, then ")?;
        }
        write!(f, "{}", self.action)
    }
}

/// Recovery a run would do first.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRecovery {
    /// An abandoned intent: tokens with this display name would be revoked and the intent cleared.
    pub abandoned_replacement: Option<String>,
    /// A replaced token that would be revoked.
    pub previous: Option<PatId>,
    /// An abandoned server-side rotate of this token: recovery would find out whether the
    /// server applied it and, if so, rotate its unstored replacement again and store the
    /// result (see [`RecoveryAction::RotatedOrphan`](super::RecoveryAction::RotatedOrphan)).
    pub interrupted_server_rotate: Option<PatId>,
}

impl fmt::Display for PlannedRecovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(name) = &self.abandoned_replacement {
            parts.push(format!("undo the abandoned rotation to {name}"));
        }
        if let Some(id) = &self.previous {
            parts.push(format!("revoke the replaced token {id}"));
        }
        if let Some(id) = &self.interrupted_server_rotate {
            parts.push(format!("resolve the interrupted server-side rotate of {id}"));
        }
        f.write_str(&parts.join(" and "))
    }
}

/// What would happen to an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlannedAction {
    /// It would be rotated.
    Rotate {
        /// The stored token's id.
        id: PatId,
        /// When it expires (`None`: never).
        valid_to: Option<DateTime<Utc>>,
        /// Why it is due.
        reason: DueReason,
        /// The expiry the replacement would ask for (the provider may clamp or round it);
        /// `None` for a provider whose tokens never expire.
        new_valid_to: Option<DateTime<Utc>>,
        /// What the provider would change about the replacement
        /// ([`Replacement::note`](crate::Replacement::note)).
        note: Option<String>,
        /// How it would be replaced.
        method: RotationMethod,
    },
    /// It would be skipped.
    Skip(SkipReason),
}

impl fmt::Display for PlannedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rotate { id, valid_to, reason, new_valid_to, note, method } => {
                write!(
                    f,
                    "rotate {id} ({reason}, expires {}) by {method}; the replacement would expire {}",
                    expiry_text(*valid_to),
                    expiry_text(*new_valid_to)
                )?;
                if let Some(note) = note {
                    write!(f, "; {note}")?;
                }
                Ok(())
            }
            Self::Skip(reason) => write!(f, "skip: {reason}"),
        }
    }
}

/// Why an entry is due for rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DueReason {
    /// It has expired.
    Expired,
    /// It expires within the window.
    ExpiresWithinWindow,
    /// The provider has retired it ([`PatProvider::retirement`](crate::PatProvider::retirement),
    /// e.g. an Azure DevOps global PAT from 2026-12-01): it no longer authenticates, whatever
    /// its own expiry says.
    Retired,
    /// The provider retires it within the window, before its own expiry.
    Retiring,
    /// It was made longer ago than the rotator's
    /// [`max_age`](crate::lifecycle::RotationOptions::max_age) (the way tokens that never expire
    /// are rotated).
    TooOld,
    /// The rotation is forced.
    Forced,
}

impl fmt::Display for DueReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Expired => "expired",
            Self::ExpiresWithinWindow => "expires within the window",
            Self::Retired => "retired by the provider",
            Self::Retiring => "retired by the provider within the window",
            Self::TooOld => "older than the maximum age",
            Self::Forced => "forced",
        })
    }
}

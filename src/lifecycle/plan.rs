//! What a dry run ([`Rotator::plan`](super::Rotator::plan)) says it would do: one
//! [`PlannedEntry`] per stored entry. Like the reports, it holds no secret.

use std::fmt;

use chrono::{DateTime, Utc};

use super::{RotationMethod, SkipReason};
use crate::model::PatId;

/// What a rotation would do, from [`Rotator::plan`](super::Rotator::plan). Making it changed
/// nothing: no store write, no request that changes state.
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
        /// When it expires.
        valid_to: DateTime<Utc>,
        /// Why it is due.
        reason: DueReason,
        /// The expiry the replacement would ask for (the provider may clamp it).
        new_valid_to: DateTime<Utc>,
        /// Set when the stored token is global and its replacement would be bound to these
        /// organizations (see [`GlobalReplacement`](super::GlobalReplacement)).
        narrowed_to_organizations: Option<Vec<String>>,
        /// How it would be replaced.
        method: RotationMethod,
    },
    /// It would be skipped.
    Skip(SkipReason),
}

impl fmt::Display for PlannedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rotate { id, valid_to, reason, new_valid_to, narrowed_to_organizations, method } => {
                write!(
                    f,
                    "rotate {id} ({reason}, expires {}) by {method}; the replacement would expire {}",
                    valid_to.format("%Y-%m-%d %H:%M UTC"),
                    new_valid_to.format("%Y-%m-%d %H:%M UTC")
                )?;
                if let Some(orgs) = narrowed_to_organizations {
                    write!(f, " and be bound to {} instead of every organization", orgs.join(", "))?;
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
    /// It is a global token and Azure DevOps has retired global tokens
    /// ([`GLOBAL_PAT_RETIREMENT`](crate::GLOBAL_PAT_RETIREMENT)): it no longer authenticates,
    /// whatever its own expiry says.
    GlobalRetired,
    /// It is a global token and the retirement of global tokens
    /// ([`GLOBAL_PAT_RETIREMENT`](crate::GLOBAL_PAT_RETIREMENT)) falls within the window, before
    /// its own expiry.
    GlobalRetiring,
    /// The rotation is forced.
    Forced,
}

impl fmt::Display for DueReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Expired => "expired",
            Self::ExpiresWithinWindow => "expires within the window",
            Self::GlobalRetired => "global token, retired by Azure DevOps",
            Self::GlobalRetiring => "global token, retired by Azure DevOps within the window",
            Self::Forced => "forced",
        })
    }
}

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::lifecycle::report::expiry_text;
use crate::model::PatMetadata;

/// One thing a scan found about one token. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was found.
    pub kind: FindingKind,
    /// Which view it comes from.
    pub view: View,
    /// The store entry, for findings about a stored token.
    pub entry: Option<String>,
    /// The token: the server's metadata where the server knows it, else the store's.
    pub token: PatMetadata,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.entry {
            Some(entry) => write!(f, "{entry} ({}, {}): ", self.token.display_name, self.token.id)?,
            None => write!(f, "{} ({}): ", self.token.display_name, self.token.id)?,
        }
        write!(f, "{} [{}]", self.kind, self.view)
    }
}

/// What a scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FindingKind {
    /// The token has expired.
    Expired {
        /// When.
        valid_to: DateTime<Utc>,
    },
    /// The token expires within the window.
    ExpiringSoon {
        /// When.
        valid_to: DateTime<Utc>,
        /// How long it has left.
        remaining: Duration,
    },
    /// The token is valid beyond the window.
    Fine {
        /// When it expires (`None`: never).
        valid_to: Option<DateTime<Utc>>,
    },
    /// The token never expires (Gitea, Forgejo; GitLab without the expiry requirement): nothing
    /// will end it but a revoke. Not in itself a problem; with a
    /// [`max_age`](super::Scan::max_age) set, a token older than that also gets a
    /// [`Stale`](Self::Stale) finding.
    NoExpiry {
        /// How long ago it was made.
        age: Duration,
    },
    /// The token is older than the scan's [`max_age`](super::Scan::max_age), whatever its expiry:
    /// rotate it (a rotator with the same [`max_age`](crate::lifecycle::RotationOptions::max_age)
    /// does).
    Stale {
        /// How long ago it was made.
        age: Duration,
        /// The most the scan allows.
        max_age: Duration,
    },
    /// Stored, but the server says it was revoked.
    StoredButRevoked,
    /// Stored, but the server does not know it (deleted, or another user's or organization's).
    StoredButMissing,
    /// An active token on the server that is not stored (made by hand, or lost by a store).
    NotStored,
    /// The store and the server disagree on the expiry (e.g. extended in the web UI).
    ExpiryDiffers {
        /// The stored expiry (`None`: never).
        stored: Option<DateTime<Utc>>,
        /// The server's expiry (`None`: never).
        server: Option<DateTime<Utc>>,
    },
    /// A token the provider has retired ([`PatProvider::retirement`](crate::PatProvider::retirement),
    /// e.g. an Azure DevOps global PAT from 2026-12-01): it no longer authenticates, however far
    /// off its own expiry is. Rotation treats it as due
    /// ([`DueReason::Retired`](crate::lifecycle::DueReason::Retired)). Only scans with a
    /// provider know the provider's rules.
    Retired {
        /// Since when.
        since: DateTime<Utc>,
        /// The provider's reason.
        reason: Cow<'static, str>,
    },
    /// A token that still works but that the provider retires on `on`, before its own expiry.
    /// Rotation treats it as due once that date falls within its window
    /// ([`DueReason::Retiring`](crate::lifecycle::DueReason::Retiring)).
    Retiring {
        /// When it stops working.
        on: DateTime<Utc>,
        /// The provider's reason.
        reason: Cow<'static, str>,
    },
    /// A token a rotation replaced and has not revoked yet
    /// ([`PatRecord::previous`](crate::PatRecord::previous)): it still works. Within a
    /// [grace period](crate::lifecycle::RotationOptions::grace) that is intended; once the
    /// grace has ended (or without one), or while the hand-off to the rotation's hooks is
    /// pending, the next rotation or recovery run is due to revoke it, so it needs attention
    /// until then.
    ReplacedNotRevoked {
        /// When its grace period ends (`None`: none, it is to be revoked at once).
        until: Option<DateTime<Utc>>,
        /// The hand-off of its replacement has not succeeded: it is kept until it does.
        handoff_pending: bool,
        /// Its grace period has ended (or it has none): a run is due to revoke it.
        overdue: bool,
    },
}

impl FindingKind {
    /// Whether someone should look at it: everything but [`Fine`](Self::Fine),
    /// [`NoExpiry`](Self::NoExpiry) and a replaced token within its grace period.
    pub fn needs_attention(&self) -> bool {
        match self {
            Self::Fine { .. } | Self::NoExpiry { .. } => false,
            Self::ReplacedNotRevoked { handoff_pending, overdue, .. } => *handoff_pending || *overdue,
            _ => true,
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = |t: &DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        match self {
            Self::Expired { valid_to } => write!(f, "expired {}", day(valid_to)),
            Self::ExpiringSoon { valid_to, remaining } => {
                write!(f, "expires {} (in {:.1} days)", day(valid_to), remaining.as_secs_f64() / 86_400.0)
            }
            Self::Fine { valid_to: Some(valid_to) } => write!(f, "fine until {}", day(valid_to)),
            Self::Fine { valid_to: None } => f.write_str("fine, never expires"),
            Self::NoExpiry { age } => write!(f, "never expires (made {:.0} days ago)", age.as_secs_f64() / 86_400.0),
            Self::Stale { age, max_age } => write!(
                f,
                "made {:.0} days ago, older than the {:.0}-day maximum: rotate it",
                age.as_secs_f64() / 86_400.0,
                max_age.as_secs_f64() / 86_400.0
            ),
            Self::StoredButRevoked => f.write_str("stored but revoked on the server"),
            Self::StoredButMissing => f.write_str("stored but missing on the server"),
            Self::NotStored => f.write_str("active on the server but not stored"),
            Self::ExpiryDiffers { stored, server } => {
                write!(f, "expiry differs: stored {}, server {}", expiry_text(*stored), expiry_text(*server))
            }
            Self::Retired { since, reason } => write!(f, "retired since {} ({reason}): replace it", day(since)),
            Self::Retiring { on, reason } => write!(f, "stops working {} ({reason}): replace it", day(on)),
            Self::ReplacedNotRevoked { until, handoff_pending, overdue } => {
                f.write_str("replaced, not revoked yet")?;
                match until {
                    Some(until) if !overdue => write!(f, " (grace period until {})", day(until))?,
                    Some(until) => write!(f, " (grace period ended {}; the next run revokes it)", day(until))?,
                    None => f.write_str(" (the next run revokes it)")?,
                }
                if *handoff_pending {
                    f.write_str("; kept until the hand-off of its replacement succeeds")?;
                }
                Ok(())
            }
        }
    }
}

/// Where a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum View {
    /// The server's listing alone.
    Server,
    /// The store alone.
    Store,
    /// The store's entry checked against the server.
    Reconciled,
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Server => "server",
            Self::Store => "store",
            Self::Reconciled => "reconciled",
        })
    }
}

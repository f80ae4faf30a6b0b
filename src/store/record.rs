use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{PatId, PatMetadata};
use crate::secret::PatSecret;

/// Everything a store keeps about an entry except the secret. Safe to log, list and serialize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatRecord {
    /// The key: a name the user chooses (e.g. `"ci/nuget-feed"`).
    pub name: String,
    /// Which provider issued the token (e.g. `"azure-devops"`).
    pub provider: String,
    /// The organization (Azure DevOps) or host the token belongs to.
    pub organization: String,
    /// The token's metadata at the provider.
    pub metadata: PatMetadata,
    /// When this entry was written (by the writer's clock).
    pub stored_at: DateTime<Utc>,
    /// Set by the store on every write; what compare-and-swap compares. Ignored on input.
    #[serde(default)]
    pub revision: u64,
    /// A rotation that was started and not finished (written before anything is created, so a
    /// later run can finish or undo it).
    #[serde(default)]
    pub rotation: Option<RotationIntent>,
    /// The token this one replaced, kept until it has been revoked.
    #[serde(default)]
    pub previous: Option<PatMetadata>,
    /// Why `previous` is not revoked yet: a grace period
    /// ([`RotationOptions::grace`](crate::lifecycle::RotationOptions::grace)) that has not
    /// ended, or a hand-off to the [hooks](crate::lifecycle::RotationHook) that has not
    /// succeeded. `None` with a `previous`: revoke it as soon as the checks allow.
    #[serde(default)]
    pub retiring: Option<Retiring>,
}

impl PatRecord {
    /// A record of a token that is not being rotated, at revision 0 (the store sets the real one).
    pub fn new(
        name: impl Into<String>,
        provider: impl Into<String>,
        organization: impl Into<String>,
        metadata: PatMetadata,
        stored_at: DateTime<Utc>,
    ) -> Self {
        Self {
            name: name.into(),
            provider: provider.into(),
            organization: organization.into(),
            metadata,
            stored_at,
            revision: 0,
            rotation: None,
            previous: None,
            retiring: None,
        }
    }
}

/// A rotation in progress, recorded in the store before the replacement is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationIntent {
    /// The unique display name the replacement is created with, so an interrupted rotation can
    /// find it on the server.
    pub replacement_display_name: String,
    /// When the rotation started.
    pub started_at: DateTime<Utc>,
    /// Set when the replacement is made by a server-side rotate
    /// ([`PatProvider::rotate_pat`](crate::PatProvider::rotate_pat)) of this token, which the
    /// server revokes the moment it answers: recovery then reads whether the rotate was applied
    /// instead of looking for `replacement_display_name` to revoke (see the
    /// [`lifecycle`](crate::lifecycle) module docs). `None` for create-then-revoke.
    #[serde(default)]
    pub server_rotate: Option<PatId>,
}

/// The replaced token ([`PatRecord::previous`]) is retiring: it stays valid until `until`, and
/// past it only once the hand-off of the stored token has succeeded. See the
/// [`lifecycle`](crate::lifecycle) module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retiring {
    /// The end of the grace period: the first rotation or recovery run after it revokes
    /// `previous` (with the same checks as any revoke of a replaced token). The time the
    /// replacement was stored when there is no grace period.
    pub until: DateTime<Utc>,
    /// The [hand-off hooks](crate::lifecycle::RotationHook) have not all succeeded for the stored
    /// token (one failed, or the run stopped before they finished): `previous` is kept, whatever
    /// `until` says, until a [`Rotator`](crate::lifecycle::Rotator) run's hooks succeed.
    #[serde(default)]
    pub handoff_pending: bool,
}

/// A stored token: its record and its secret.
#[derive(Debug, Clone)]
pub struct StoredPat {
    /// Everything but the secret.
    pub record: PatRecord,
    /// The token value.
    pub secret: PatSecret,
}

impl StoredPat {
    /// The entry's name.
    pub fn name(&self) -> &str {
        &self.record.name
    }
}

//! A GitLab token as a listing or get shows it: the neutral metadata and GitLab's status fields.

use chrono::{DateTime, Utc};

use crate::admin::UserPat;
use crate::model::PatMetadata;

/// The [`Extras`](crate::Extras) key of a token's `description` (personal access tokens; kept by
/// a rotation, accepted by a create).
pub const EXTRA_DESCRIPTION: &str = "description";
/// The [`Extras`](crate::Extras) key of a project or group access token's `access_level`
/// (10 guest … 50 owner), as a decimal number.
pub const EXTRA_ACCESS_LEVEL: &str = "access_level";

/// One GitLab access token (personal, project or group) as GitLab reports it, without its secret.
///
/// `metadata.id` is GitLab's integer id in decimal; `metadata.valid_to` is 00:00 UTC of
/// `expires_at` (`None` when GitLab reports no expiry); `metadata.extras` holds
/// [`EXTRA_DESCRIPTION`] and [`EXTRA_ACCESS_LEVEL`] when present.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GitLabToken {
    /// The neutral metadata.
    pub metadata: PatMetadata,
    /// The owner's user id (for a project or group access token, its bot user).
    pub user_id: Option<u64>,
    /// Whether the token was revoked (revoked tokens stay listed).
    pub revoked: bool,
    /// Whether the token works: neither revoked nor expired.
    pub active: bool,
    /// When it was last used (GitLab updates this about every 10 minutes).
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<GitLabToken> for UserPat {
    fn from(token: GitLabToken) -> Self {
        UserPat { metadata: token.metadata, active: Some(token.active) }
    }
}

impl From<GitLabToken> for PatMetadata {
    fn from(token: GitLabToken) -> Self {
        token.metadata
    }
}

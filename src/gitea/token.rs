//! A Gitea token as a listing shows it: the neutral metadata and Gitea's own fields.

use chrono::{DateTime, Utc};

use crate::admin::UserPat;
use crate::model::PatMetadata;

/// One Gitea / Forgejo access token as the service reports it, without its secret.
///
/// `metadata.id` is Gitea's integer id in decimal; `metadata.valid_to` is always `None` (Gitea
/// tokens never expire); `metadata.valid_from` is `created_at` when the answer has one (newer
/// versions; the zero time counts as none), else the Unix epoch in a listing (an unknown age
/// counts as old: a scan with a maximum age flags it, offboarding with a cut-off revokes it) and
/// the client's clock in a create answer. `metadata.scopes` are as Gitea normalized them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GiteaToken {
    /// The neutral metadata.
    pub metadata: PatMetadata,
    /// The last eight characters of the secret (`token_last_eight`): not secret by Gitea's
    /// design, it tells which stored secret a listed token is.
    pub token_last_eight: Option<String>,
    /// `created_at`, when the answer had a real one.
    pub created_at: Option<DateTime<Utc>>,
    /// `last_used_at`, when the answer had a real one.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<GiteaToken> for UserPat {
    /// Every token Gitea lists works (a deleted token is gone, none expire): `active: Some(true)`.
    fn from(token: GiteaToken) -> Self {
        UserPat { metadata: token.metadata, active: Some(true) }
    }
}

impl From<GiteaToken> for PatMetadata {
    fn from(token: GiteaToken) -> Self {
        token.metadata
    }
}

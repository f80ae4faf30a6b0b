//! The provider-neutral administrator surface offboarding is built on: another user's tokens,
//! bulk revocation, revocation rules.

use std::fmt::{self, Debug};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::capabilities::Capabilities;
use crate::error::{Error, Result};
use crate::model::{ContinuationToken, Page, PatId, PatMetadata};
use crate::scope::Scopes;

/// A user as the provider's admin API addresses one. Opaque: Azure DevOps uses the Graph subject
/// descriptor (`aad.…`), GitLab a numeric user id, Gitea a username, Bitbucket a user slug.
/// Spelt exactly as the provider spells it; not secret.
///
/// ```
/// use patkit::UserId;
/// let user = UserId::from("aad.NzZjYTQ2");
/// assert_eq!(user.as_str(), "aad.NzZjYTQ2");
/// assert_eq!(user.to_string(), "aad.NzZjYTQ2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// Wraps a user id as the provider spells it.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as the provider spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for UserId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&str> for UserId {
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

impl From<&String> for UserId {
    fn from(id: &String) -> Self {
        Self(id.clone())
    }
}

impl From<&UserId> for UserId {
    fn from(id: &UserId) -> Self {
        id.clone()
    }
}

/// A token as an admin listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPat {
    /// The token's metadata.
    pub metadata: PatMetadata,
    /// Whether the provider says the token still works: `Some(false)` for revoked or expired
    /// tokens the listing still shows, `None` when the provider does not say.
    pub active: Option<bool>,
}

/// An administrator's access to other users' tokens (Azure DevOps Token Admin; GitLab and
/// Gitea admin APIs fit the same shape). Offboarding only uses this trait.
///
/// # Contract
///
/// - [`capabilities`](Self::capabilities) sets `admin_list_user`, `revoke_many` and
///   `revocation_rules` for what works; the other flags are not about this trait.
/// - An operation whose flag is off answers [`Error::Unsupported`] and sends nothing.
/// - Listing a user who has no tokens (or is unknown) gives an empty page, not an error.
#[async_trait]
pub trait PatAdmin: Send + Sync + Debug {
    /// The provider's name, as [`PatProvider::provider_name`](crate::PatProvider::provider_name).
    fn provider_name(&self) -> &str;

    /// What this admin access can do.
    fn capabilities(&self) -> Capabilities;

    /// How many operations a bulk flow (offboarding several users) should keep going at once
    /// when its caller set no concurrency. A client with adaptive pacing answers its pacer's
    /// ceiling, and the pacer then decides how many requests actually go at a time. Default:
    /// `None` (the flow's own default).
    fn bulk_concurrency(&self) -> Option<usize> {
        None
    }

    /// Most ids one [`revoke_many`](Self::revoke_many) request carries; larger sets are sent in
    /// batches of this size. Default 1.
    fn max_revocations_per_request(&self) -> usize {
        1
    }

    /// One page of `user`'s tokens (SSH keys and other non-PAT credentials excluded); pass the
    /// previous page's continuation for the next.
    async fn list_user_pats(&self, user: &UserId, continuation: Option<ContinuationToken>) -> Result<Page<UserPat>>;

    /// Revokes these tokens (of any user), in batches of
    /// [`max_revocations_per_request`](Self::max_revocations_per_request). On an error, earlier
    /// batches stay revoked.
    async fn revoke_many(&self, ids: &[PatId]) -> Result<()>;

    /// Creates a revocation rule: every credential in the organization, of any user, issued
    /// before `created_before` (default: now, at the service) that has any of `scopes` is
    /// revoked. Default: [`Error::Unsupported`].
    async fn create_revocation_rule(&self, scopes: &Scopes, created_before: Option<DateTime<Utc>>) -> Result<()> {
        let _ = (scopes, created_before);
        Err(Error::unsupported(self.provider_name(), "create_revocation_rule"))
    }
}

macro_rules! forward_pat_admin {
    ($wrapper:ty) => {
        #[deny(clippy::missing_trait_methods)]
        #[async_trait]
        impl<T: PatAdmin + ?Sized> PatAdmin for $wrapper {
            fn provider_name(&self) -> &str {
                (**self).provider_name()
            }

            fn capabilities(&self) -> Capabilities {
                (**self).capabilities()
            }

            fn bulk_concurrency(&self) -> Option<usize> {
                (**self).bulk_concurrency()
            }

            fn max_revocations_per_request(&self) -> usize {
                (**self).max_revocations_per_request()
            }

            async fn list_user_pats(
                &self,
                user: &UserId,
                continuation: Option<ContinuationToken>,
            ) -> Result<Page<UserPat>> {
                (**self).list_user_pats(user, continuation).await
            }

            async fn revoke_many(&self, ids: &[PatId]) -> Result<()> {
                (**self).revoke_many(ids).await
            }

            async fn create_revocation_rule(
                &self,
                scopes: &Scopes,
                created_before: Option<DateTime<Utc>>,
            ) -> Result<()> {
                (**self).create_revocation_rule(scopes, created_before).await
            }
        }
    };
}

forward_pat_admin!(Arc<T>);
forward_pat_admin!(Box<T>);

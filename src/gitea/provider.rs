//! The neutral seams: [`PatProvider`] and [`PatAdmin`] for [`GiteaClient`].
//!
//! - Capabilities: create, list (own), revoke (a hard delete), check; expiry
//!   [`ExpiryGranularity::Never`]; display names up to [`NAME_MAX_CHARS`]. No get, update or
//!   server-side rotate: Gitea has none (they answer [`Error::Unsupported`], sending nothing).
//! - `create_pat` ignores `valid_to` (Gitea tokens never expire) and refuses extras (a Gitea
//!   create takes none).
//! - `list_pats` lists the owner's tokens, newest first (Gitea cannot sort). Every listed token
//!   works, so [`StatusFilter::Revoked`] and [`StatusFilter::Expired`] answer an empty page
//!   without a request. `page_size` is the `limit`, taken as a wish: above
//!   [`MAX_LIMIT`](super::MAX_LIMIT) (the lifecycle flows ask for 100) the maximum is sent; 0
//!   is refused.
//! - `revoke_pat` deletes by id. An unknown id (Gitea: 404; also any id that is no positive
//!   integer, without a request) is [`Error::NotFound`]: a token deleted twice is `NotFound` the
//!   second time, which rotation and offboarding count as done.
//! - `check_pat` reads `GET /user` with the token itself.
//! - `replacement_spec` keeps the scopes (checked against the vocabulary up front, so a rotation
//!   of a token with scopes patkit cannot send fails before anything is created). The rotator
//!   names the replacement uniquely, which Gitea's per-user unique names need.

use async_trait::async_trait;

use super::{GiteaClient, NAME_MAX_CHARS, NewToken, scopes};
use crate::admin::{PatAdmin, UserId, UserPat};
use crate::capabilities::{Capabilities, ExpiryGranularity};
use crate::error::{Error, Result};
use crate::model::{ContinuationToken, CreatedPat, ListQuery, Page, PatId, PatMetadata, PatSpec, StatusFilter};
use crate::provider::{PatProvider, Replacement};
use crate::secret::PatSecret;

/// The [`provider_name`](PatProvider::provider_name) of Gitea and Forgejo alike: `"gitea"`
/// (one name for both flavours, so stored records do not depend on the configured flavour).
pub const PROVIDER_NAME: &str = "gitea";

#[async_trait]
impl PatProvider for GiteaClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    fn organization(&self) -> &str {
        self.host()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            create: true,
            list_own: true,
            revoke: true,
            revoke_deletes: true,
            check: true,
            expiry: ExpiryGranularity::Never,
            name_max_len: Some(NAME_MAX_CHARS),
            ..Capabilities::NONE
        }
    }

    fn bulk_concurrency(&self) -> Option<usize> {
        self.inner.core.bulk_concurrency()
    }

    fn replacement_spec(&self, old: &PatMetadata) -> Result<Replacement> {
        scopes::check(&old.scopes)?;
        Ok(Replacement { spec: PatSpec::new(old.display_name.clone(), old.scopes.clone()), note: None })
    }

    async fn create_pat(&self, spec: PatSpec) -> Result<CreatedPat> {
        if let Some((key, _)) = spec.extras.iter().next() {
            return Err(Error::invalid_input(
                "extras",
                format!("a Gitea token takes no extras (`{}`)", crate::quote::cap(key.to_owned())),
            ));
        }
        self.create(&NewToken::new(spec.display_name, spec.scopes)).await
    }

    async fn list_pats(&self, query: &ListQuery, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        let mut list = self.list();
        if let Some(n) = query.page_size {
            // A wish: the flows ask for 100 (Azure's and GitLab's maximum); Gitea's is 50.
            list = list.limit(n.min(super::MAX_LIMIT));
        }
        if let Some(c) = continuation {
            list = list.continuation(c);
        }
        if matches!(query.filter, StatusFilter::Revoked | StatusFilter::Expired) {
            // Still refuse bad input the same way.
            super::pagination::limit(query.page_size.map(|n| n.min(super::MAX_LIMIT)))?;
            return Ok(Page { items: Vec::new(), continuation: None });
        }
        let page = list.send().await?;
        Ok(Page { items: page.items.into_iter().map(|t| t.metadata).collect(), continuation: page.continuation })
    }

    async fn revoke_pat(&self, id: &PatId) -> Result<()> {
        self.delete(id).await
    }

    async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        self.check(secret).await
    }
}

/// A site administrator's access: any user's tokens by user name (`GET /users/{username}/tokens`
/// with the administrator's password login, Gitea's `reqSelfOrAdmin`), deleted one by one.
///
/// A delete needs the owner's name in its path, and [`revoke_many`](PatAdmin::revoke_many) gets
/// ids only: the client remembers whose each token is from its
/// [`list_user_pats`](PatAdmin::list_user_pats) answers (what offboarding does: list, then
/// revoke). An id no listing of this client (or its clones) has shown is refused with
/// [`Error::InvalidInput`] before anything is deleted; [`GiteaClient::delete_user_token`] takes
/// the user explicitly.
#[async_trait]
impl PatAdmin for GiteaClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            admin_list_user: true,
            revoke_many: true,
            revoke_deletes: true,
            expiry: ExpiryGranularity::Never,
            ..Capabilities::NONE
        }
    }

    fn bulk_concurrency(&self) -> Option<usize> {
        self.inner.core.bulk_concurrency()
    }

    /// `GET /users/{user}/tokens?page=…&limit=50`; every token is `active: Some(true)` (Gitea
    /// keeps no revoked or expired ones). An unknown user (404) is an empty page.
    async fn list_user_pats(&self, user: &UserId, continuation: Option<ContinuationToken>) -> Result<Page<UserPat>> {
        let mut list = self.list_user(user).limit(super::MAX_LIMIT);
        if let Some(c) = continuation {
            list = list.continuation(c);
        }
        match list.send().await {
            Ok(page) => {
                self.remember_owner(page.items.iter().map(|t| t.metadata.id.clone()), user.as_str());
                Ok(Page { items: page.items.into_iter().map(UserPat::from).collect(), continuation: page.continuation })
            }
            Err(Error::Api { status: 404, .. }) => Ok(Page { items: Vec::new(), continuation: None }),
            Err(e) => Err(e),
        }
    }

    /// Deletes each token in turn (Gitea has no bulk delete), as its owner's. A token already
    /// gone (404) counts as deleted; the first other error stops the loop (earlier tokens stay
    /// deleted).
    async fn revoke_many(&self, ids: &[PatId]) -> Result<()> {
        let mut owned = Vec::with_capacity(ids.len());
        for id in ids {
            let owner = self.owner_of(id).ok_or_else(|| {
                Error::invalid_input(
                    "ids",
                    format!(
                        "token {} was not in a list_user_pats answer of this client, so its owner is unknown; list \
                         the user's tokens first or use GiteaClient::delete_user_token",
                        crate::quote::cap(id.to_string())
                    ),
                )
            })?;
            owned.push((owner, id));
        }
        for (owner, id) in owned {
            match self.delete_as(&owner, id).await {
                Ok(()) | Err(Error::NotFound { .. }) => self.forget_owner(id),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

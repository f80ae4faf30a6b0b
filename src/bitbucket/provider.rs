//! The neutral seams: [`PatProvider`] and [`PatAdmin`] for [`BitbucketClient`].
//!
//! - The provider manages the tokens of [`BitbucketClient::owner`]: the caller's own, or (built
//!   with [`for_project`](BitbucketClient::for_project) or
//!   [`for_repository`](BitbucketClient::for_repository)) a project's or repository's, whose
//!   `organization()` is `HOST/projects/KEY[/repos/SLUG]` so the flows keep their entries apart.
//! - Capabilities: create (not on a [`for_user`](BitbucketClient::for_user) client), get,
//!   list (own), update (name and permissions only: `update_expiry` is off, expiry is fixed at
//!   creation), revoke (a hard delete), check; expiry by [`ExpiryGranularity::Days`]. No
//!   server-side rotation: the rotation flows create the replacement, then delete the old token.
//! - `create_pat` turns `valid_to` into `expiryDays` rounding **up** ([`expiry_days`]), so the
//!   token never dies before the asked instant (it may live up to a day longer); `None` sends no
//!   `expiryDays` (the token never expires, unless an administrator requires expiry: then
//!   Bitbucket's 400 is [`Error::PolicyViolation`]). Extras are refused (Bitbucket has none).
//! - `update_pat` with a `valid_to` answers [`Error::Unsupported`] before sending: Bitbucket
//!   cannot change a token's expiry; rotate instead.
//! - `list_pats` reads `start`/`limit` pages, following `nextPageStart`. Bitbucket has no status
//!   filter or sort, so the filter is applied to each page here (`Active`: not expired;
//!   `Expired`: expired; `Revoked`: nothing, deleted tokens are gone; `All`: everything) and the
//!   sort is Bitbucket's own; a page may come back short or empty with a continuation.
//! - `revoke_pat` of an unknown or already deleted id is [`Error::NotFound`] (Bitbucket's 404;
//!   the rotation and offboarding flows count it as done).
//! - `replacement_spec` keeps the permissions (checked, so a token that holds permissions a
//!   create would refuse fails the rotation before anything is created); the rotator keeps the
//!   name stem and the lifetime, which `create_pat` turns back into days.

use async_trait::async_trait;

use super::token::user_pat;
use super::{BitbucketClient, NewToken, TokenChanges, expiry_days, permissions};
use crate::admin::{PatAdmin, UserId, UserPat};
use crate::capabilities::{Capabilities, ExpiryGranularity};
use crate::error::{Error, Result};
use crate::model::{
    ContinuationToken, CreatedPat, ListQuery, Page, PatChanges, PatId, PatMetadata, PatSpec, StatusFilter,
};
use crate::provider::{PatProvider, Replacement};
use crate::secret::PatSecret;

/// The [`provider_name`](PatProvider::provider_name) of Bitbucket Data Center: `"bitbucket"`.
pub const PROVIDER_NAME: &str = "bitbucket";

fn no_extras(extras: &crate::extras::Extras) -> Result<()> {
    if extras.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid_input("extras", "Bitbucket tokens have no provider-specific attributes"))
    }
}

#[async_trait]
impl PatProvider for BitbucketClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    fn organization(&self) -> &str {
        self.organization_name()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            create: self.may_create(),
            get: true,
            list_own: true,
            update: true,
            update_expiry: false,
            revoke: true,
            revoke_deletes: true,
            check: true,
            expiry: ExpiryGranularity::Days,
            name_max_len: Some(super::MAX_NAME_CHARS),
            ..Capabilities::NONE
        }
    }

    fn bulk_concurrency(&self) -> Option<usize> {
        self.inner.core.bulk_concurrency()
    }

    fn replacement_spec(&self, old: &PatMetadata) -> Result<Replacement> {
        permissions::check_for(self.owner(), &old.scopes)?;
        Ok(Replacement { spec: PatSpec::new(old.display_name.clone(), old.scopes.clone()), note: None })
    }

    async fn create_pat(&self, spec: PatSpec) -> Result<CreatedPat> {
        no_extras(&spec.extras)?;
        let mut new = NewToken::new(spec.display_name, spec.scopes);
        new.expiry_days = spec.valid_to.map(|t| expiry_days(t, self.now())).transpose()?;
        self.create(&new).await
    }

    async fn get_pat(&self, id: &PatId) -> Result<PatMetadata> {
        self.get(id).await.map(|t| t.metadata)
    }

    async fn list_pats(&self, query: &ListQuery, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        let mut list = self.list();
        if let Some(n) = query.page_size {
            list = list.limit(n);
        }
        if let Some(c) = continuation {
            list = list.start(c);
        }
        let page = list.send().await?;
        let now = self.now();
        let keep = |t: &super::BitbucketToken| match query.filter {
            StatusFilter::Active => !t.is_expired(now),
            StatusFilter::Expired => t.is_expired(now),
            StatusFilter::Revoked => false,
            _ => true,
        };
        let items = page.items.into_iter().filter(keep).map(|t| t.metadata).collect();
        Ok(Page { items, continuation: page.continuation })
    }

    async fn update_pat(&self, id: &PatId, changes: PatChanges) -> Result<PatMetadata> {
        if changes.valid_to.is_some() {
            return Err(Error::unsupported(PROVIDER_NAME, "update_pat of the expiry (fixed at creation)"));
        }
        no_extras(&changes.extras)?;
        let ours = TokenChanges { name: changes.display_name, permissions: changes.scopes };
        self.update(id, &ours).await.map(|t| t.metadata)
    }

    async fn revoke_pat(&self, id: &PatId) -> Result<()> {
        self.delete(id).await
    }

    async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        self.check(secret).await
    }
}

/// A system administrator's access: another user's tokens by slug (`UserId` = the user slug),
/// deleted one by one. Administrators cannot create tokens for others (fact sheet §5.2); there
/// are no revocation rules.
#[async_trait]
impl PatAdmin for BitbucketClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            admin_list_user: true,
            revoke_many: true,
            revoke_deletes: true,
            expiry: ExpiryGranularity::Days,
            ..Capabilities::NONE
        }
    }

    fn bulk_concurrency(&self) -> Option<usize> {
        self.inner.core.bulk_concurrency()
    }

    /// One page of `user`'s tokens (expired ones included, `active: Some(false)`). An unknown
    /// user (Bitbucket: 404) is an empty page; a caller who is no system administrator gets
    /// [`Error::Forbidden`]. The owner of every token listed is remembered for
    /// [`revoke_many`](PatAdmin::revoke_many).
    async fn list_user_pats(&self, user: &UserId, continuation: Option<ContinuationToken>) -> Result<Page<UserPat>> {
        let mut list = self.for_user(user.as_str())?.list().limit(100);
        if let Some(c) = continuation {
            list = list.start(c);
        }
        let page = match list.send().await {
            Ok(page) => page,
            Err(Error::Api { status: 404, .. }) => return Ok(Page { items: Vec::new(), continuation: None }),
            Err(e) => return Err(e),
        };
        let now = self.now();
        let mut owners = self.inner.owners.lock().unwrap_or_else(|e| e.into_inner());
        for token in &page.items {
            owners.insert(token.metadata.id.clone(), user.as_str().to_owned());
        }
        drop(owners);
        Ok(Page { items: page.items.into_iter().map(|t| user_pat(t, now)).collect(), continuation: page.continuation })
    }

    /// Deletes each token in turn (Bitbucket has no bulk delete) at its owner's path, as
    /// [`list_user_pats`](PatAdmin::list_user_pats) showed it. An id this client never listed is
    /// refused with [`Error::InvalidInput`] before anything is sent (Bitbucket's delete path
    /// names the owner). A token already gone counts as deleted; the first other error stops
    /// the loop (earlier tokens stay deleted).
    async fn revoke_many(&self, ids: &[PatId]) -> Result<()> {
        let owners: Vec<(PatId, String)> = {
            let known = self.inner.owners.lock().unwrap_or_else(|e| e.into_inner());
            ids.iter()
                .map(|id| {
                    known.get(id).map(|slug| (id.clone(), slug.clone())).ok_or_else(|| {
                        Error::invalid_input(
                            "ids",
                            format!("token {id} was not listed by this client (list_user_pats first: Bitbucket deletes by owner and id)"),
                        )
                    })
                })
                .collect::<Result<_>>()?
        };
        for (id, slug) in owners {
            match self.for_user(&slug)?.delete(&id).await {
                Ok(()) | Err(Error::NotFound { .. }) => {
                    self.inner.owners.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

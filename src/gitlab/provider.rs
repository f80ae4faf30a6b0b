//! The neutral seams: [`PatProvider`] and [`PatAdmin`] for [`GitLabClient`].
//!
//! - Capabilities: get, list (own), revoke, server-side rotate, check; expiry by
//!   [`ExpiryGranularity::Date`]; no update (GitLab has none). `create` only when the client was
//!   built with [`create_for_user`](super::GitLabClientBuilder::create_for_user) (an instance
//!   admin creating for that user); a user's own create is limited to two scopes, so it is not
//!   claimed.
//! - `list_pats` lists the caller's own tokens: it sends `user_id` = the caller's id (read once
//!   with `GET /user`), since an admin's unfiltered listing holds every token of the instance.
//!   Built with [`all_users(true)`](super::GitLabClientBuilder::all_users) it sends no `user_id`:
//!   with an admin credential, every user's tokens (an instance-wide scan).
//! - `rotate_pat` rotates by id and always sends `expires_at`: `valid_to` rounded up by
//!   [`ExpiryDate::covering`], or now + the client's
//!   [`rotation_lifetime`](super::GitLabClientBuilder::rotation_lifetime). Never re-sent.
//! - `revoke_pat` is idempotent for an already revoked token; an unknown id is `NotFound`.
//! - `check_pat` asks `GET /personal_access_tokens/self` with the secret (no `Sudo`).
//! - `replacement_spec`: GitLab's rotation keeps name, description and scopes; the spec says so
//!   (extras: `description` only). No retirement rule.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use http::Method;

use super::classify::check;
use super::request::RequestContext;
use super::token::EXTRA_DESCRIPTION;
use super::{ExpiryDate, GitLabClient, GitLabCredential, NewPat, TokenSort, TokenState, operations as op};
use crate::admin::{PatAdmin, UserId, UserPat};
use crate::auth::Credential as _;
use crate::capabilities::{Capabilities, ExpiryGranularity};
use crate::error::{Error, Result};
use crate::extras::Extras;
use crate::model::{ContinuationToken, CreatedPat, ListQuery, Page, PatId, PatMetadata, PatSpec, SortBy, StatusFilter};
use crate::provider::{PatProvider, Replacement, RotatedPat};
use crate::secret::PatSecret;

/// The [`provider_name`](PatProvider::provider_name) of GitLab: `"gitlab"`.
pub const PROVIDER_NAME: &str = "gitlab";

#[async_trait]
impl PatProvider for GitLabClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    fn organization(&self) -> &str {
        self.host()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            create: self.inner.create_for.is_some(),
            get: true,
            list_own: true,
            revoke: true,
            rotate_server_side: true,
            check: true,
            expiry: ExpiryGranularity::Date,
            ..Capabilities::NONE
        }
    }

    fn bulk_concurrency(&self) -> Option<usize> {
        self.inner.core.bulk_concurrency()
    }

    fn replacement_spec(&self, old: &PatMetadata) -> Result<Replacement> {
        let mut spec = PatSpec::new(old.display_name.clone(), old.scopes.clone());
        if let Some(description) = old.extras.get(EXTRA_DESCRIPTION) {
            spec.extras = Extras::new().with(EXTRA_DESCRIPTION, description);
        }
        Ok(Replacement { spec, note: None })
    }

    async fn create_pat(&self, spec: PatSpec) -> Result<CreatedPat> {
        let Some(user) = &self.inner.create_for else {
            return Err(Error::unsupported(PROVIDER_NAME, "create_pat"));
        };
        let mut new = NewPat::new(spec.display_name, spec.scopes);
        new.description = spec.extras.get(EXTRA_DESCRIPTION).map(str::to_owned);
        new.expires_at = spec.valid_to.map(|t| ExpiryDate::covering(t, self.now()));
        self.create_for_user(user, &new).await
    }

    async fn get_pat(&self, id: &PatId) -> Result<PatMetadata> {
        self.get(id).await.map(|t| t.metadata)
    }

    async fn list_pats(&self, query: &ListQuery, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        let mut list = self.list();
        if !self.inner.all_users {
            list = list.user_id(UserId::new(self.own_user_id().await?.to_string()));
        }
        list = match query.filter {
            StatusFilter::Active => list.state(TokenState::Active),
            StatusFilter::Revoked => list.revoked(true),
            StatusFilter::Expired => list.state(TokenState::Inactive).revoked(false),
            _ => list,
        };
        let sort = match (query.sort, query.ascending) {
            (SortBy::DisplayName, true) => Some(TokenSort::NameAsc),
            (SortBy::DisplayName, false) => Some(TokenSort::NameDesc),
            (SortBy::DisplayDate, true) => Some(TokenSort::ExpiresAsc),
            (SortBy::DisplayDate, false) => Some(TokenSort::ExpiresDesc),
            _ => None,
        };
        if let Some(sort) = sort {
            list = list.sort(sort);
        }
        if let Some(n) = query.page_size {
            list = list.per_page(n);
        }
        if let Some(c) = continuation {
            list = list.page(c);
        }
        let page = list.send().await?;
        Ok(Page { items: page.items.into_iter().map(|t| t.metadata).collect(), continuation: page.continuation })
    }

    async fn revoke_pat(&self, id: &PatId) -> Result<()> {
        self.revoke(id).await
    }

    async fn rotate_pat(&self, id: &PatId, valid_to: Option<DateTime<Utc>>) -> Result<RotatedPat> {
        let now = self.now();
        let wanted = valid_to.unwrap_or_else(|| now + crate::model::chrono_delta(self.inner.rotation_lifetime));
        // Rounded up to a date, then held within GitLab's one-year maximum (a year's lifetime
        // rounded up would otherwise be refused); still at least an hour ahead.
        self.rotate(id, ExpiryDate::covering(wanted, now).at_most_a_year(now)).await
    }

    async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        let credential = GitLabCredential::private_token(secret.expose_secret().to_owned()).credential().await?;
        // No `Sudo`: the token is asked about itself.
        let ctx = RequestContext { base_url: self.ctx().base_url.clone(), sudo: None };
        let request =
            ctx.build(Method::GET, ctx.url(&["personal_access_tokens", "self"]), op::PAT_GET_SELF, &credential, None)?;
        self.execute(request, |r, now| match r.status().as_u16() {
            401 => Ok(false),
            _ => check(r, op::PAT_GET_SELF, None, now).map(|()| true),
        })
        .await
    }
}

/// An instance administrator's access (self-managed, Dedicated): another user's tokens by
/// `user_id`, revoked one by one. No revocation rules.
#[async_trait]
impl PatAdmin for GitLabClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities { admin_list_user: true, revoke_many: true, expiry: ExpiryGranularity::Date, ..Capabilities::NONE }
    }

    fn bulk_concurrency(&self) -> Option<usize> {
        self.inner.core.bulk_concurrency()
    }

    /// `GET /personal_access_tokens?user_id=…&per_page=100`, revoked and expired tokens included
    /// (`active` says which work). An unknown user (GitLab: 404) is an empty page.
    async fn list_user_pats(&self, user: &UserId, continuation: Option<ContinuationToken>) -> Result<Page<UserPat>> {
        let mut list = self.list().user_id(user).per_page(super::MAX_PER_PAGE);
        if let Some(c) = continuation {
            list = list.page(c);
        }
        match list.send().await {
            Ok(page) => {
                Ok(Page { items: page.items.into_iter().map(UserPat::from).collect(), continuation: page.continuation })
            }
            Err(Error::Api { status: 404, .. }) => Ok(Page { items: Vec::new(), continuation: None }),
            Err(e) => Err(e),
        }
    }

    /// Revokes each token in turn (GitLab has no bulk revoke). A token that is already revoked
    /// or unknown counts as revoked; the first other error stops the loop (earlier tokens stay
    /// revoked).
    async fn revoke_many(&self, ids: &[PatId]) -> Result<()> {
        for id in ids {
            match self.revoke(id).await {
                Ok(()) | Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

//! [`PatProvider`] for [`ResourceTokens`]: the project or group access tokens of one resource,
//! as the lifecycle flows (scan, [`Rotator`](crate::lifecycle::Rotator)) see them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ResourceTokens;
use crate::capabilities::{Capabilities, ExpiryGranularity};
use crate::error::Result;
use crate::gitlab::{ExpiryDate, PROVIDER_NAME};
use crate::model::{ContinuationToken, ListQuery, Page, PatId, PatMetadata, StatusFilter};
use crate::provider::{PatProvider, Replacement, RotatedPat};
use crate::secret::PatSecret;

/// The access tokens of one project or group as a provider, so a
/// [`Rotator`](crate::lifecycle::Rotator) rotates the project and group access tokens stored for
/// CI and a [`Scan`](crate::lifecycle::Scan) reports them.
///
/// - [`provider_name`](PatProvider::provider_name) is [`PROVIDER_NAME`];
///   [`organization`](PatProvider::organization) names the host **and** the resource, e.g.
///   `gitlab.example.com/projects/42`, so stored entries of one resource are only ever handled
///   by a provider for that resource (entries match on provider and organization). The id is
///   written as given to [`Resource`](super::Resource): a project named by its path (`projects/ci/app`) and by its
///   number (`projects/42`) are two organizations, so keep to one spelling (the number is stable
///   across renames).
/// - Capabilities: get, list (the resource's tokens), revoke, server-side rotate, check
///   (`GET /personal_access_tokens/self` with the secret, which a project or group access token
///   answers as a personal one does); expiry by [`ExpiryGranularity::Date`]; no update.
/// - **No `create`, on purpose.** A project or group access token belongs to a bot user that
///   GitLab makes for it and that is the member of the project or group. A create mints a new
///   bot (a new user, a new membership, whatever was granted to the old bot lost); only the
///   server-side rotate keeps the bot user and its membership. A rotation therefore always goes
///   through [`rotate_pat`](PatProvider::rotate_pat).
/// - `rotate_pat` always sends `expires_at` (`valid_to` rounded up by
///   [`ExpiryDate::covering`], or now + the client's
///   [`rotation_lifetime`](crate::gitlab::GitLabClientBuilder::rotation_lifetime)), is refused
///   before sending when that leaves less than an hour, and is never re-sent.
/// - `list_pats` filters by [`StatusFilter`] on the token's `active`/`revoked` fields (GitLab's
///   resource listing holds revoked tokens too); sorting is GitLab's (by id).
/// - `revoke_pat` of an unknown id is `NotFound`.
#[async_trait]
impl PatProvider for ResourceTokens {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    fn organization(&self) -> &str {
        &self.organization
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
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
        self.client.inner.core.bulk_concurrency()
    }

    fn replacement_spec(&self, old: &PatMetadata) -> Result<Replacement> {
        // GitLab's rotation keeps name, description, scopes and access level.
        PatProvider::replacement_spec(&self.client, old)
    }

    async fn get_pat(&self, id: &PatId) -> Result<PatMetadata> {
        self.get(id).await.map(|t| t.metadata)
    }

    async fn list_pats(&self, query: &ListQuery, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        let page = self.list(query.page_size, continuation).await?;
        let keep = |active: bool, revoked: bool| match query.filter {
            StatusFilter::Active => active,
            StatusFilter::Revoked => revoked,
            StatusFilter::Expired => !active && !revoked,
            _ => true,
        };
        Ok(Page {
            items: page.items.into_iter().filter(|t| keep(t.active, t.revoked)).map(|t| t.metadata).collect(),
            continuation: page.continuation,
        })
    }

    async fn revoke_pat(&self, id: &PatId) -> Result<()> {
        self.revoke(id).await
    }

    async fn rotate_pat(&self, id: &PatId, valid_to: Option<DateTime<Utc>>) -> Result<RotatedPat> {
        let now = self.client.now();
        let wanted = valid_to.unwrap_or_else(|| now + crate::model::chrono_delta(self.client.inner.rotation_lifetime));
        self.rotate(id, ExpiryDate::covering(wanted, now).at_most_a_year(now)).await
    }

    async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        PatProvider::check_pat(&self.client, secret).await
    }
}

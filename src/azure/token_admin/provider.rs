//! Token Admin as the neutral [`PatAdmin`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::admin::{PatAdmin, UserId, UserPat};
use crate::azure::token_admin::MAX_REVOCATIONS_PER_REQUEST;
use crate::azure::{PROVIDER_NAME, TokenAdmin};
use crate::capabilities::Capabilities;
use crate::error::Result;
use crate::model::{ContinuationToken, Page, PatId};
use crate::scope::Scopes;

/// Token Admin lists by Graph subject descriptor ([`UserId`] holds it), pages of 100.
#[async_trait]
impl PatAdmin for TokenAdmin {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    /// Lists a user's tokens, revokes many at once (100 per request) and creates revocation
    /// rules.
    fn capabilities(&self) -> Capabilities {
        Capabilities { admin_list_user: true, revoke_many: true, revocation_rules: true, ..Capabilities::NONE }
    }

    fn bulk_concurrency(&self) -> Option<usize> {
        self.client.inner.core.bulk_concurrency()
    }

    fn max_revocations_per_request(&self) -> usize {
        MAX_REVOCATIONS_PER_REQUEST
    }

    /// PATs only: SSH keys (`isPublic`) are neither asked for nor passed on.
    async fn list_user_pats(&self, user: &UserId, continuation: Option<ContinuationToken>) -> Result<Page<UserPat>> {
        let page = self.list_pats(user.as_str()).page_size(100).page(continuation).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .filter(|t| !t.is_public)
                .map(|t| UserPat { metadata: t.metadata, active: t.is_valid })
                .collect(),
            continuation: page.continuation,
        })
    }

    async fn revoke_many(&self, ids: &[PatId]) -> Result<()> {
        self.revoke(ids).await
    }

    async fn create_revocation_rule(&self, scopes: &Scopes, created_before: Option<DateTime<Utc>>) -> Result<()> {
        TokenAdmin::create_revocation_rule(self, scopes, created_before).await
    }
}

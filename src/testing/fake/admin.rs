//! [`FakeAdmin`]: an administrator's view of a [`FakeProvider`]'s tokens, as a [`PatAdmin`].

use async_trait::async_trait;

use super::FakeProvider;
use crate::admin::{PatAdmin, UserId, UserPat};
use crate::capabilities::Capabilities;
use crate::error::{Error, Result};
use crate::model::{ContinuationToken, ListQuery, Page, PatId, StatusFilter};

/// The one user a [`FakeProvider`] holds tokens for, as its [`FakeAdmin`] addresses them.
pub const FAKE_USER: &str = "fake-user";

/// An administrator's access to a [`FakeProvider`] (GitLab-like: lists a user's tokens and
/// revokes them, revoked ones included in the listing; no revocation rules, so
/// [`create_revocation_rule`](PatAdmin::create_revocation_rule) answers
/// [`Error::Unsupported`]). Every token belongs to [`FAKE_USER`]; other users have none.
/// From [`FakeProvider::admin`]; shares the fake's tokens, faults and counts
/// ([`FakeOp::List`](super::FakeOp::List) and [`FakeOp::Revoke`](super::FakeOp::Revoke), one
/// per id).
#[derive(Debug, Clone)]
pub struct FakeAdmin {
    fake: FakeProvider,
    batch: usize,
}

impl FakeProvider {
    /// An administrator's view of these tokens, revoking up to `batch` ids per request (at
    /// least 1).
    pub fn admin(&self, batch: usize) -> FakeAdmin {
        FakeAdmin { fake: self.clone(), batch: batch.max(1) }
    }
}

#[async_trait]
impl PatAdmin for FakeAdmin {
    fn provider_name(&self) -> &str {
        super::FAKE_PROVIDER_NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities { admin_list_user: true, revoke_many: true, ..Capabilities::NONE }
    }

    fn max_revocations_per_request(&self) -> usize {
        self.batch
    }

    async fn list_user_pats(&self, user: &UserId, continuation: Option<ContinuationToken>) -> Result<Page<UserPat>> {
        let lose = self.fake.enter(super::FakeOp::List, true, "list_user_pats")?;
        if user.as_str() != FAKE_USER {
            return Ok(Page { items: Vec::new(), continuation: None });
        }
        let offset = match &continuation {
            None => 0,
            Some(c) => {
                c.as_str().parse().map_err(|_| Error::invalid_input("continuation", "not one this fake sent"))?
            }
        };
        let query = ListQuery { filter: StatusFilter::All, page_size: Some(100), ..ListQuery::default() };
        let now = self.fake.clock.now();
        let state = self.fake.lock();
        let page = state.page(&query, offset, now);
        let items = page
            .items
            .into_iter()
            .map(|metadata| {
                let revoked = state.entries[&metadata.id].token.revoked;
                UserPat { active: Some(!revoked && !metadata.is_expired(now)), metadata }
            })
            .collect();
        if lose {
            return Err(super::lost("list_user_pats"));
        }
        Ok(Page { items, continuation: page.continuation })
    }

    /// Unknown ids are [`Error::NotFound`] and stop the batch there (earlier ids stay revoked).
    async fn revoke_many(&self, ids: &[PatId]) -> Result<()> {
        for id in ids {
            let lose = self.fake.enter(super::FakeOp::Revoke, true, "revoke_many")?;
            self.fake.lock().entry(id)?.token.revoked = true;
            if lose {
                return Err(super::lost("revoke_many"));
            }
        }
        Ok(())
    }
}

//! [`Pending`]: a bulk call GitHub accepted (202) and completes later, and the wait for it.

use std::fmt;

use super::grants::GrantQuery;
use super::{ErrorCode, GitHubClient};
use crate::error::{Error, Result};

/// What a [`Pending`] waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PendingKind {
    /// Grants revoked in bulk: done when the grant listing no longer shows them.
    GrantRevocation,
    /// Requests approved or denied in bulk: done when the request listing no longer shows them.
    RequestReview,
}

/// A bulk revocation or review that GitHub accepted (**202**) and completes later.
///
/// [`remaining`](Self::remaining) lists once and tells which ids are still there;
/// [`wait`](Self::wait) lists every `interval` until none is (the client's
/// [`revoke_wait`](super::GitHubClientBuilder::revoke_wait) settings). Dropping it does not
/// cancel anything: GitHub completes the call either way.
#[derive(Clone)]
pub struct Pending {
    client: GitHubClient,
    kind: PendingKind,
    ids: Vec<u64>,
    /// The token ids of revoked grants, when the caller knows them: the check then lists only
    /// those tokens (`token_id[]`, 50 at a time) instead of the whole organization.
    token_ids: Vec<u64>,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("org", &self.client.org())
            .field("kind", &self.kind)
            .field("ids", &self.ids)
            .finish()
    }
}

impl Pending {
    pub(crate) fn new(client: GitHubClient, kind: PendingKind, ids: Vec<u64>) -> Self {
        Self { client, kind, ids, token_ids: Vec::new() }
    }

    /// Checks a grant revocation by listing only the grants of these tokens.
    pub(crate) fn with_token_ids(mut self, token_ids: Vec<u64>) -> Self {
        self.token_ids = token_ids;
        self
    }

    /// The ids the call was about (grant ids or request ids), each once.
    pub fn ids(&self) -> &[u64] {
        &self.ids
    }

    /// The ids the listing still shows (one full listing of the organization's grants or
    /// requests; for grants revoked by [`GitHubOffboarding`](super::GitHubOffboarding), only
    /// the grants of the tokens it revoked, by `token_id[]`).
    ///
    /// # Errors
    ///
    /// The listing's errors.
    pub async fn remaining(&self) -> Result<Vec<u64>> {
        let max_pages = crate::pagination::DEFAULT_MAX_PAGES;
        let listed: Vec<u64> = match self.kind {
            PendingKind::GrantRevocation if !self.token_ids.is_empty() => {
                let mut listed = Vec::new();
                for chunk in self.token_ids.chunks(super::MAX_TOKEN_IDS) {
                    let query = chunk.iter().fold(GrantQuery::new(), |q, id| q.token_id(*id));
                    listed.extend(self.client.all_grants(&query, max_pages).await?.into_iter().map(|g| g.id));
                }
                listed
            }
            PendingKind::GrantRevocation => {
                self.client.all_grants(&GrantQuery::new(), max_pages).await?.into_iter().map(|g| g.id).collect()
            }
            PendingKind::RequestReview => {
                self.client.all_requests(&GrantQuery::new(), max_pages).await?.into_iter().map(|r| r.id).collect()
            }
        };
        Ok(self.ids.iter().copied().filter(|id| listed.contains(id)).collect())
    }

    /// Waits until the listing shows none of the ids: verified done.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with status 202 and [`ErrorCode::StillPending`] when some are still
    /// listed after the timeout (GitHub may yet complete them: call again, or
    /// [`remaining`](Self::remaining)); a listing's error as it is.
    pub async fn wait(&self) -> Result<()> {
        let wait = self.client.revoke_wait();
        let deadline = tokio::time::Instant::now() + wait.timeout;
        loop {
            let left = self.remaining().await?;
            if left.is_empty() {
                return Ok(());
            }
            if tokio::time::Instant::now() + wait.interval > deadline {
                let what = match self.kind {
                    PendingKind::GrantRevocation => "revoked grant(s)",
                    PendingKind::RequestReview => "reviewed request(s)",
                };
                return Err(Error::Api {
                    status: 202,
                    code: Some(ErrorCode::StillPending.code()),
                    message: Some(format!(
                        "GitHub accepted the call, but after {}s the listing still shows {} of the {what}: {}",
                        wait.timeout.as_secs(),
                        left.len(),
                        left.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                    )),
                });
            }
            tokio::time::sleep(wait.interval).await;
        }
    }
}

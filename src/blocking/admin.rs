//! Any [`PatAdmin`], called without async.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;

use super::Runtime;
use crate::admin::{PatAdmin, UserId, UserPat};
use crate::capabilities::Capabilities;
use crate::error::Result;
use crate::model::{ContinuationToken, Page, PatId};
use crate::pagination;
use crate::scope::Scopes;

/// A [`PatAdmin`] (an administrator's access to other users' tokens, e.g. Azure DevOps Token
/// Admin or a GitLab administrator's client) whose operations block the calling thread. Each
/// method is the trait method of the same name, run on the wrapper's [`Runtime`]; each fails with
/// [`Error::InsideAsyncRuntime`](crate::Error::InsideAsyncRuntime) when called where a tokio
/// runtime is current. Cheap to clone.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use patkit::azure::AzureDevOpsClient;
/// use patkit::azure::emulator::{Emulator, SeedPat};
/// use patkit::UserId;
/// use patkit::blocking::{Admin, Runtime};
///
/// let emulator = Emulator::new();
/// emulator.add_organization("fabrikam");
/// let admin_user = emulator.add_user("Admin");
/// emulator.make_org_admin("fabrikam", admin_user.id);
/// let leaver = emulator.add_user("Leaver");
/// emulator.seed_pat("fabrikam", leaver.id, SeedPat::new("laptop", "vso.code"));
/// let client = AzureDevOpsClient::builder("fabrikam", admin_user.credential()).transport(emulator.clone()).build()?;
///
/// let admin = Admin::new(&Runtime::new()?, client.token_admin());
/// let user = UserId::from(&leaver.descriptor);
/// let tokens = admin.list_all_user_pats(&user, 10)?;
/// assert_eq!(tokens.len(), 1);
/// admin.revoke_many(&[tokens[0].metadata.id.clone()])?;
/// assert_eq!(admin.list_all_user_pats(&user, 10)?[0].active, Some(false));
/// # }
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub struct Admin<A: ?Sized> {
    runtime: Runtime,
    inner: Arc<A>,
}

impl<A: ?Sized> Clone for Admin<A> {
    fn clone(&self) -> Self {
        Self { runtime: self.runtime.clone(), inner: Arc::clone(&self.inner) }
    }
}

impl<A: PatAdmin + ?Sized> fmt::Debug for Admin<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Admin").field("runtime", &self.runtime).field("inner", &self.inner).finish()
    }
}

impl<A: PatAdmin> Admin<A> {
    /// Wraps `admin`; its calls run on `runtime` (a clone of it is kept).
    pub fn new(runtime: &Runtime, admin: A) -> Self {
        Self::from_arc(runtime, Arc::new(admin))
    }
}

impl<A: PatAdmin + ?Sized> Admin<A> {
    /// Wraps a shared admin, e.g. an `Arc<dyn PatAdmin>`.
    pub fn from_arc(runtime: &Runtime, admin: Arc<A>) -> Self {
        Self { runtime: runtime.clone(), inner: admin }
    }

    /// The async admin inside.
    pub fn get_ref(&self) -> &A {
        &self.inner
    }

    /// The async admin inside, shared: what [`lifecycle::Offboarding`](crate::lifecycle::Offboarding)
    /// takes.
    pub fn shared(&self) -> Arc<A> {
        Arc::clone(&self.inner)
    }

    /// The runtime the calls run on.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// [`PatAdmin::provider_name`].
    pub fn provider_name(&self) -> &str {
        self.inner.provider_name()
    }

    /// [`PatAdmin::capabilities`].
    pub fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    /// [`PatAdmin::max_revocations_per_request`].
    pub fn max_revocations_per_request(&self) -> usize {
        self.inner.max_revocations_per_request()
    }

    /// [`PatAdmin::list_user_pats`]: one page of `user`'s tokens.
    pub fn list_user_pats(&self, user: &UserId, continuation: Option<ContinuationToken>) -> Result<Page<UserPat>> {
        self.runtime.call("list_user_pats", self.inner.list_user_pats(user, continuation))
    }

    /// Every token of `user`, collected from at most `max_pages` pages. A listing that needs more
    /// pages, or whose service repeats a continuation, fails with
    /// [`Error::ListingCut`](crate::Error::ListingCut) rather than returning part of it;
    /// `max_pages` 0 is refused ([`Error::InvalidInput`](crate::Error::InvalidInput)) before
    /// anything is sent.
    pub fn list_all_user_pats(&self, user: &UserId, max_pages: usize) -> Result<Vec<UserPat>> {
        let listing =
            pagination::items(pagination::pages("user PAT list", max_pages, None, |continuation| async move {
                self.inner.list_user_pats(user, continuation).await
            }));
        self.runtime.call("list_all_user_pats", listing.try_collect())
    }

    /// [`PatAdmin::revoke_many`]: in batches; on an error, earlier batches stay revoked.
    pub fn revoke_many(&self, ids: &[PatId]) -> Result<()> {
        self.runtime.call("revoke_many", self.inner.revoke_many(ids))
    }

    /// [`PatAdmin::create_revocation_rule`]: revokes every credential in the organization, of
    /// any user, issued before `created_before` that has any of `scopes`.
    pub fn create_revocation_rule(&self, scopes: &Scopes, created_before: Option<DateTime<Utc>>) -> Result<()> {
        self.runtime.call("create_revocation_rule", self.inner.create_revocation_rule(scopes, created_before))
    }
}

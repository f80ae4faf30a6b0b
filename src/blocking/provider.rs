//! Any [`PatProvider`], called without async.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;

use super::Runtime;
use crate::capabilities::Capabilities;
use crate::error::Result;
use crate::model::{ContinuationToken, CreatedPat, ListQuery, Page, PatChanges, PatId, PatMetadata, PatSpec};
use crate::pagination;
use crate::provider::{PatProvider, Replacement, Retirement, RotatedPat};
use crate::secret::PatSecret;

/// A [`PatProvider`] (any provider's client, or `dyn PatProvider`) whose operations block the
/// calling thread instead of returning futures. Each method is the trait method of the same name,
/// with the same contract, run on the wrapper's [`Runtime`]; each fails with
/// [`Error::InsideAsyncRuntime`](crate::Error::InsideAsyncRuntime) when called where a tokio
/// runtime is current.
///
/// Cheap to clone (the provider is shared). For a provider client's own operations that the seam
/// does not have, run them with [`Runtime::block_on`] on [`get_ref`](Self::get_ref).
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use patkit::azure::AzureDevOpsClient;
/// use patkit::azure::emulator::Emulator;
/// use patkit::blocking::{Provider, Runtime};
/// use patkit::{ListQuery, PatSpec, Scopes, StatusFilter};
///
/// let emulator = Emulator::new();
/// emulator.add_organization("fabrikam");
/// let alice = emulator.add_user("Alice");
/// let client = AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build()?;
///
/// let runtime = Runtime::new()?;
/// let provider = Provider::new(&runtime, client);
/// let created = provider.create_pat(PatSpec::new("ci", Scopes::parse("vso.code")?))?;
/// assert_eq!(format!("{:?}", created.secret), "PatSecret([REDACTED])");
/// assert!(provider.check_pat(&created.secret)?);
///
/// let active = provider.list_all(ListQuery { filter: StatusFilter::Active, ..ListQuery::default() }, 10)?;
/// assert_eq!(active.len(), 1);
/// provider.revoke_pat(&created.metadata.id)?;
/// assert!(!provider.check_pat(&created.secret)?);
/// # }
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub struct Provider<P: ?Sized> {
    runtime: Runtime,
    inner: Arc<P>,
}

impl<P: ?Sized> Clone for Provider<P> {
    fn clone(&self) -> Self {
        Self { runtime: self.runtime.clone(), inner: Arc::clone(&self.inner) }
    }
}

impl<P: PatProvider + ?Sized> fmt::Debug for Provider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider").field("runtime", &self.runtime).field("inner", &self.inner).finish()
    }
}

impl<P: PatProvider> Provider<P> {
    /// Wraps `provider`; its calls run on `runtime` (a clone of it is kept).
    pub fn new(runtime: &Runtime, provider: P) -> Self {
        Self::from_arc(runtime, Arc::new(provider))
    }
}

impl<P: PatProvider + ?Sized> Provider<P> {
    /// Wraps a shared provider, e.g. an `Arc<dyn PatProvider>`.
    pub fn from_arc(runtime: &Runtime, provider: Arc<P>) -> Self {
        Self { runtime: runtime.clone(), inner: provider }
    }

    /// The async provider inside.
    pub fn get_ref(&self) -> &P {
        &self.inner
    }

    /// The async provider inside, shared: what the async flows take (e.g.
    /// `lifecycle::Rotator::new(provider.shared(), store.shared())`).
    pub fn shared(&self) -> Arc<P> {
        Arc::clone(&self.inner)
    }

    /// The runtime the calls run on.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// [`PatProvider::provider_name`].
    pub fn provider_name(&self) -> &str {
        self.inner.provider_name()
    }

    /// [`PatProvider::organization`].
    pub fn organization(&self) -> &str {
        self.inner.organization()
    }

    /// [`PatProvider::capabilities`].
    pub fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    /// [`PatProvider::retirement`].
    pub fn retirement(&self, token: &PatMetadata) -> Option<Retirement> {
        self.inner.retirement(token)
    }

    /// [`PatProvider::replacement_spec`].
    pub fn replacement_spec(&self, old: &PatMetadata) -> Result<Replacement> {
        self.inner.replacement_spec(old)
    }

    /// [`PatProvider::create_pat`]: the secret is returned once, and the create is never re-sent
    /// once it may have reached the service.
    pub fn create_pat(&self, spec: PatSpec) -> Result<CreatedPat> {
        self.runtime.call("create_pat", self.inner.create_pat(spec))
    }

    /// [`PatProvider::get_pat`].
    pub fn get_pat(&self, id: &PatId) -> Result<PatMetadata> {
        self.runtime.call("get_pat", self.inner.get_pat(id))
    }

    /// [`PatProvider::list_pats`]: one page; pass the previous page's continuation for the next.
    pub fn list_pats(&self, query: &ListQuery, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        self.runtime.call("list_pats", self.inner.list_pats(query, continuation))
    }

    /// Every token matching `query`, collected from at most `max_pages` pages (the query is
    /// re-sent with each page). A listing that needs more pages, or whose provider hands back a
    /// continuation it had already sent, fails with [`Error::ListingCut`](crate::Error::ListingCut)
    /// rather than returning part of it; `max_pages` 0 is refused
    /// ([`Error::InvalidInput`](crate::Error::InvalidInput)) before anything is sent.
    pub fn list_all(&self, query: ListQuery, max_pages: usize) -> Result<Vec<PatMetadata>> {
        let query = &query;
        let listing = pagination::items(pagination::pages("PAT list", max_pages, None, |continuation| async move {
            self.inner.list_pats(query, continuation).await
        }));
        self.runtime.call("list_all", listing.try_collect())
    }

    /// [`PatProvider::update_pat`].
    pub fn update_pat(&self, id: &PatId, changes: PatChanges) -> Result<PatMetadata> {
        self.runtime.call("update_pat", self.inner.update_pat(id, changes))
    }

    /// [`PatProvider::revoke_pat`].
    pub fn revoke_pat(&self, id: &PatId) -> Result<()> {
        self.runtime.call("revoke_pat", self.inner.revoke_pat(id))
    }

    /// [`PatProvider::rotate_pat`]: never re-sent once it may have reached the service; store the
    /// answer's secret before anything else (the old token is already revoked).
    pub fn rotate_pat(&self, id: &PatId, valid_to: Option<DateTime<Utc>>) -> Result<RotatedPat> {
        self.runtime.call("rotate_pat", self.inner.rotate_pat(id, valid_to))
    }

    /// [`PatProvider::check_pat`]: whether `secret` authenticates at the provider.
    pub fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        self.runtime.call("check_pat", self.inner.check_pat(secret))
    }
}

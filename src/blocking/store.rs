//! Any [`TokenStore`], called without async.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Runtime;
use crate::error::{Error, Result};
use crate::store::{Expected, PatRecord, StoredPat, TokenStore, TokenStoreExt as _};

/// A [`TokenStore`] (any store: memory, file, keyring, Vault, your own) whose operations block the
/// calling thread. Each method is the trait method of the same name, with the same contract (see
/// [`TokenStore`]: missing entries, revisions, compare-and-swap, concurrency), run on the
/// wrapper's [`Runtime`]. A store's failure comes back as [`Error::Store`] with the
/// [`StoreError`](crate::store::StoreError) inside (its kind tells a
/// [`Conflict`](crate::store::StoreErrorKind::Conflict) from the rest); a call made where a tokio
/// runtime is current fails with [`Error::InsideAsyncRuntime`]. Cheap to clone.
///
/// ```
/// use patkit::blocking::{Runtime, Store};
/// use patkit::store::{Expected, FileTokenStore};
/// # use patkit::{Extras, PatId, PatMetadata, PatRecord, PatSecret, Scopes, StoredPat};
/// # let metadata = PatMetadata {
/// #     id: PatId::new("1"), display_name: "ci".into(), scopes: Scopes::default(),
/// #     valid_from: chrono::Utc::now(), valid_to: None, extras: Extras::new(),
/// # };
///
/// let runtime = Runtime::new()?;
/// let dir = std::env::temp_dir().join(format!("patkit-blocking-doc-{}", std::process::id()));
/// let store = Store::open(&runtime, FileTokenStore::open(&dir))?;
/// let entry = StoredPat {
///     record: PatRecord::new("ci", "azure-devops", "fabrikam", metadata, chrono::Utc::now()),
///     secret: PatSecret::new("the-token-value".into()),
/// };
/// let revision = store.compare_and_swap(entry.clone(), Expected::Absent)?;
/// let read = store.get("ci")?.expect("just written");
/// assert_eq!((read.record.revision, read.secret.expose_secret()), (revision, "the-token-value"));
/// assert!(store.remove("ci")?);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub struct Store<S: ?Sized> {
    runtime: Runtime,
    inner: Arc<S>,
}

impl<S: ?Sized> Clone for Store<S> {
    fn clone(&self) -> Self {
        Self { runtime: self.runtime.clone(), inner: Arc::clone(&self.inner) }
    }
}

impl<S: TokenStore + ?Sized> fmt::Debug for Store<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("runtime", &self.runtime).field("inner", &self.inner).finish()
    }
}

impl<S: TokenStore> Store<S> {
    /// Wraps `store`; its calls run on `runtime` (a clone of it is kept).
    pub fn new(runtime: &Runtime, store: S) -> Self {
        Self::from_arc(runtime, Arc::new(store))
    }

    /// Opens a store whose constructor is async (e.g.
    /// [`FileTokenStore::open`](crate::store::FileTokenStore::open)) on `runtime` and wraps it.
    ///
    /// # Errors
    ///
    /// What the constructor fails with, or [`Error::InsideAsyncRuntime`].
    pub fn open<E>(runtime: &Runtime, opening: impl Future<Output = Result<S, E>>) -> Result<Self>
    where
        Error: From<E>,
    {
        Ok(Self::new(runtime, runtime.call("open", opening)?))
    }
}

impl<S: TokenStore + ?Sized> Store<S> {
    /// Wraps a shared store, e.g. an `Arc<dyn TokenStore>`.
    pub fn from_arc(runtime: &Runtime, store: Arc<S>) -> Self {
        Self { runtime: runtime.clone(), inner: store }
    }

    /// The async store inside.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The async store inside, shared: what the async flows take (e.g.
    /// `lifecycle::Rotator::new(provider.shared(), store.shared())`).
    pub fn shared(&self) -> Arc<S> {
        Arc::clone(&self.inner)
    }

    /// The runtime the calls run on.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// [`TokenStore::get`]: `Ok(None)` for a missing entry.
    pub fn get(&self, name: &str) -> Result<Option<StoredPat>> {
        self.runtime.call("get", self.inner.get(name))
    }

    /// [`TokenStore::put`]: inserts or replaces unconditionally; returns the revision written.
    pub fn put(&self, entry: StoredPat) -> Result<u64> {
        self.runtime.call("put", self.inner.put(entry))
    }

    /// [`TokenStore::compare_and_swap`]: writes only if the entry is as `expected`, else
    /// [`Error::Store`] of kind [`Conflict`](crate::store::StoreErrorKind::Conflict).
    pub fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64> {
        self.runtime.call("compare_and_swap", self.inner.compare_and_swap(entry, expected))
    }

    /// [`TokenStore::remove`]: whether there was an entry; idempotent.
    pub fn remove(&self, name: &str) -> Result<bool> {
        self.runtime.call("remove", self.inner.remove(name))
    }

    /// [`TokenStore::list`]: every record, without secrets, sorted by name.
    pub fn list(&self) -> Result<Vec<PatRecord>> {
        self.runtime.call("list", self.inner.list())
    }

    /// [`TokenStoreExt::expiring_within`](crate::TokenStoreExt::expiring_within).
    pub fn expiring_within(&self, now: DateTime<Utc>, window: Duration) -> Result<Vec<PatRecord>> {
        self.runtime.call("expiring_within", self.inner.expiring_within(now, window))
    }

    /// [`TokenStoreExt::expired`](crate::TokenStoreExt::expired).
    pub fn expired(&self, now: DateTime<Utc>) -> Result<Vec<PatRecord>> {
        self.runtime.call("expired", self.inner.expired(now))
    }
}

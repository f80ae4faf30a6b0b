//! Where tokens live: the [`TokenStore`] contract and the stores patkit ships.
//!
//! A stored entry keeps the secret *and* what is needed to manage it (provider, organization,
//! the token's id, name, scopes, validity), so a scan can tell what is about to expire and a
//! rotation knows which server-side token to revoke.

mod error;
mod record;
#[cfg(feature = "vault")]
mod vault;

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use error::{StoreError, StoreErrorKind};
pub use record::{PatRecord, RotationIntent, StoredPat};
#[cfg(feature = "vault")]
pub use vault::{VaultToken, VaultTokenStore, VaultTokenStoreBuilder};

/// What a [`TokenStore::compare_and_swap`] expects to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    /// No entry under the name.
    Absent,
    /// An entry whose [`PatRecord::revision`] is this one: nobody wrote it since it was read.
    Revision(u64),
}

/// A place that keeps tokens. Implement this for your own backend and run
/// `patkit::testing::conformance::run_all` (feature `testing`) against it.
///
/// Entries are keyed by [`PatRecord::name`], a name the user chooses (e.g. `"ci/nuget-feed"`).
/// Every write sets a new [`PatRecord::revision`] (strictly greater than the one it replaces; the
/// value passed in is ignored), which is what [`TokenStore::compare_and_swap`] compares.
///
/// All methods may be called concurrently from many tasks; each call is atomic with respect to
/// the others (no torn entries, no lost updates through `compare_and_swap`).
///
/// Durability: when a write method returns `Ok`, the entry survives a crash of the process (and,
/// for persistent stores, of the machine). A write that returns an error or is interrupted leaves
/// either the old or the new entry, never a mix and never nothing.
#[async_trait]
pub trait TokenStore: Send + Sync + Debug {
    /// The entry named `name`, or `Ok(None)` if there is none (a missing entry is not an error).
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError>;

    /// Inserts `entry`, or replaces the entry of the same name unconditionally. Returns the
    /// revision written.
    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError>;

    /// Writes `entry` only if the current state under its name is `expected`; otherwise fails
    /// with [`StoreErrorKind::Conflict`] and changes nothing. Returns the revision written.
    ///
    /// This is how two rotators avoid clobbering each other: read, decide, then
    /// `compare_and_swap(new, Expected::Revision(read.revision))`.
    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError>;

    /// Removes the entry named `name`. Returns `true` if there was one. Idempotent: removing a
    /// missing entry returns `Ok(false)`.
    async fn remove(&self, name: &str) -> Result<bool, StoreError>;

    /// Every entry's record, without secrets, in name order.
    async fn list(&self) -> Result<Vec<PatRecord>, StoreError>;
}

#[deny(clippy::missing_trait_methods)]
#[async_trait]
impl<T: TokenStore + ?Sized> TokenStore for Arc<T> {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        (**self).get(name).await
    }
    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        (**self).put(entry).await
    }
    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        (**self).compare_and_swap(entry, expected).await
    }
    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        (**self).remove(name).await
    }
    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        (**self).list().await
    }
}

#[deny(clippy::missing_trait_methods)]
#[async_trait]
impl<T: TokenStore + ?Sized> TokenStore for Box<T> {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        (**self).get(name).await
    }
    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        (**self).put(entry).await
    }
    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        (**self).compare_and_swap(entry, expected).await
    }
    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        (**self).remove(name).await
    }
    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        (**self).list().await
    }
}

/// Conveniences over any [`TokenStore`]. Implemented for every store; do not implement this
/// yourself.
#[async_trait]
pub trait TokenStoreExt: TokenStore {
    /// Records of entries that are still valid at `now` but expire within `window`.
    async fn expiring_within(&self, now: DateTime<Utc>, window: Duration) -> Result<Vec<PatRecord>, StoreError> {
        Ok(self.list().await?.into_iter().filter(|r| r.metadata.expires_within(now, window)).collect())
    }

    /// Records of entries that have expired at `now`.
    async fn expired(&self, now: DateTime<Utc>) -> Result<Vec<PatRecord>, StoreError> {
        Ok(self.list().await?.into_iter().filter(|r| r.metadata.is_expired(now)).collect())
    }
}

impl<T: TokenStore + ?Sized> TokenStoreExt for T {}

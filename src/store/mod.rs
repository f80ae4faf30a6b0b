//! Where tokens live: the [`TokenStore`] contract and the stores patkit ships.
//!
//! A stored entry keeps the secret *and* what is needed to manage it (provider, organization,
//! the token's id, name, scopes, validity), so a scan can tell what is about to expire and a
//! rotation knows which server-side token to revoke.

mod default_dir;
mod error;
pub mod file;
#[cfg(feature = "keyring")]
mod keyring;
#[cfg(any(unix, feature = "keyring"))]
mod lock_wait;
mod memory;
#[cfg(any(unix, feature = "keyring", feature = "vault"))]
mod persisted;
mod record;
#[cfg(feature = "vault")]
mod vault;

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use default_dir::{default_dir, default_dir_with};
pub use error::{StoreError, StoreErrorKind};
#[cfg(feature = "encryption")]
pub use file::FileStoreKey;
pub use file::FileTokenStore;
#[cfg(feature = "keyring")]
pub use keyring::KeyringTokenStore;
pub use memory::InMemoryTokenStore;
pub use record::{PatRecord, Retiring, RotationIntent, StoredPat};
#[cfg(feature = "vault")]
pub use vault::{VaultAuth, VaultConfig, VaultSecretId, VaultToken, VaultTokenStore, VaultTokenStoreBuilder};

/// What a [`TokenStore::compare_and_swap`] expects to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    /// No entry under the name.
    Absent,
    /// An entry whose [`PatRecord::revision`] is this one: nobody wrote it since it was read.
    Revision(u64),
}

impl Expected {
    /// Whether an entry whose current revision is `current` (`None`: no entry) is in this state.
    /// Every store decides its compare-and-swap with this.
    ///
    /// ```
    /// use patkit::store::Expected;
    /// assert!(Expected::Absent.matches(None));
    /// assert!(Expected::Revision(3).matches(Some(3)));
    /// assert!(!Expected::Revision(3).matches(Some(4)));
    /// assert!(!Expected::Absent.matches(Some(1)));
    /// ```
    pub fn matches(self, current: Option<u64>) -> bool {
        match (self, current) {
            (Self::Absent, None) => true,
            (Self::Revision(want), Some(have)) => want == have,
            _ => false,
        }
    }
}

/// A place that keeps tokens. Implement this for your own backend and run
/// `patkit::testing::conformance::run_all` (feature `testing`) against it.
///
/// # Keys
///
/// Entries are keyed by [`PatRecord::name`], a name the user chooses (e.g. `"ci/nuget-feed"`). Any
/// non-empty UTF-8 string is a name, including slashes, spaces and non-ASCII characters; names are
/// compared byte for byte (no case folding, no Unicode normalization). A store that cannot
/// represent a name (empty, or too long for its backend) refuses it with
/// [`StoreErrorKind::Other`] and changes nothing.
///
/// # Revisions
///
/// Every successful write (`put` or `compare_and_swap`) sets a new [`PatRecord::revision`] and
/// returns it; the value passed in is ignored. A revision is never reused for a name: it is
/// strictly greater than every revision the store has given that name before, *including before a
/// [`remove`](TokenStore::remove)*, so a compare-and-swap holding a revision read before a
/// remove-and-recreate fails instead of clobbering the new entry. `get` and `list` report the
/// revision of the last write. Revisions are not comparable between names.
///
/// # Concurrency
///
/// All methods may be called concurrently from many tasks (and, for stores that say so, from many
/// processes). Each call is atomic with respect to the others: a reader sees an entry either as it
/// was before a write or as it is after, never a mix; two `compare_and_swap` calls with the same
/// expectation never both succeed; a `put` never loses another `put` of a *different* name. Two
/// unconditional `put`s of the same name race: the one applied last wins. Use
/// `compare_and_swap` whenever a write depends on what was read.
///
/// # Durability and crashes
///
/// When a write method returns `Ok`, the change survives a crash of the process (and, for
/// persistent stores, of the machine). A write that returns an error, or is interrupted by a crash,
/// leaves the entry either as it was before or as it would be after, never a mix and never gone.
/// Damaged data is reported as [`StoreErrorKind::Corrupt`]; a store never drops, skips or
/// silently replaces a damaged entry (only an explicit `remove` deletes it).
///
/// # Secrets
///
/// No [`StoreError`], no `Debug` output of the store, and nothing returned by
/// [`list`](TokenStore::list) contains a secret.
#[async_trait]
pub trait TokenStore: Send + Sync + Debug {
    /// The entry named `name`, with its secret and the revision of its last write.
    ///
    /// A missing entry is `Ok(None)`, not an error (also right after a `remove`). A damaged entry
    /// is [`StoreErrorKind::Corrupt`], never `Ok(None)`.
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError>;

    /// Inserts `entry`, or replaces the entry of the same name unconditionally (every field,
    /// including the secret; nothing of the old entry is kept). Returns the revision written.
    ///
    /// A store refuses to replace an entry it finds damaged ([`StoreErrorKind::Corrupt`]);
    /// `remove` it first.
    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError>;

    /// Writes `entry` only if the current state under its name is `expected`:
    /// [`Expected::Absent`] matches no entry (never written, or removed);
    /// [`Expected::Revision`] matches an entry whose last write had exactly that revision.
    /// Otherwise fails with [`StoreErrorKind::Conflict`] and changes nothing. Returns the revision
    /// written.
    ///
    /// The check and the write are one atomic step: of several concurrent calls with the same
    /// expectation, at most one succeeds. This is how two rotators avoid clobbering each other:
    /// read, decide, then `compare_and_swap(new, Expected::Revision(read.revision))`, and on
    /// `Conflict` read again and decide again.
    ///
    /// Across processes this holds only as far as the store makes it hold; rotation relies on it.
    /// The file store locks the store directory; the Vault store uses the server's check-and-set;
    /// the keyring store (whose backend has no compare-and-set) locks a file beside the keyring
    /// that every patkit process of the user takes, and cannot stop a program that writes the
    /// same items without patkit (`KeyringTokenStore`, feature
    /// `keyring`). The in-memory store lives in one process.
    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError>;

    /// Removes the entry named `name`, unconditionally. Returns `true` if there was one.
    /// Idempotent: removing a missing entry returns `Ok(false)`. A damaged entry can be removed
    /// (that is how one recovers from [`StoreErrorKind::Corrupt`]).
    async fn remove(&self, name: &str) -> Result<bool, StoreError>;

    /// Every entry's record, without secrets, sorted by name (byte order, as `String`'s `Ord`).
    ///
    /// Reflects every write that completed before the call started; writes running concurrently
    /// may or may not be reflected, each entry as a whole. A damaged entry fails the whole call
    /// with [`StoreErrorKind::Corrupt`] rather than being left out.
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

//! [`FileTokenStore`]: tokens in a private directory, for one user on one machine (Unix).
//!
//! # Platforms
//!
//! The store exists on Unix (Linux, macOS, the BSDs), where the file mode and owner checks below
//! keep other users out. **On Windows (and every other non-Unix platform) it refuses**: every
//! `open` fails with [`StoreErrorKind::Insecure`] before touching the disk, saying why and what
//! to use instead. Keeping other users out on Windows takes an owner-only ACL on the directory
//! and every file, which patkit cannot set or check without calling the Windows security API
//! through `unsafe` code, and the crate forbids `unsafe`; an unchecked directory under
//! `%APPDATA%` usually inherits an owner-only ACL, but "usually" is not what this store
//! promises. On Windows keep tokens in
//! [`KeyringTokenStore`](crate::store) (the Credential Manager, feature `keyring`) or
//! [`VaultTokenStore`](crate::store) (feature `vault`).
//!
//! # On-disk format (layout version 1, entry files version 2)
//!
//! ```text
//! <store>/                      directory, mode 0700
//!   patkit-store.json           marker: what this directory is and how it is sealed (0600)
//!   lock                        empty; the advisory lock writers hold (0600)
//!   revision-floor              highest revision ever removed; absent until the first remove (0600)
//!   entries/                    directory, mode 0700
//!     <escaped-name>.pat        one file per entry (0600)
//!     .tmp-<random>             a writer's new version, only while it holds the lock
//! ```
//!
//! **`patkit-store.json`** (JSON): `format` = `"patkit-file-store"`, `version` = `1`, `sealing` =
//! `"none"` or `"xchacha20poly1305"`, and for a sealed store `key_check`: base64 of
//! `nonce ‖ ciphertext ‖ tag` of a fixed plaintext, so opening with a wrong key fails at once.
//! Written once, when an empty directory becomes a store.
//!
//! **`revision-floor`** (JSON): `{"revision_floor": N}`. A new entry's first revision is
//! `N + 1`, so a name removed and written again never gets a revision it had before.
//!
//! **Entry file names**: the entry name's UTF-8 bytes, with `a`–`z`, `0`–`9`, `-`, `_` kept and
//! every other byte written `%xx` (lower-case hex), then `.pat`: `ci/nuget-feed` →
//! `ci%2fnuget-feed.pat`. One path component, distinct on case-insensitive file systems, never
//! starting with `.`. At most 240 bytes before `.pat`, so names are limited to 240 bytes of
//! `[a-z0-9_-]` (80 bytes in the worst case). Entry names are visible in file names even when
//! the store is encrypted (names are not secrets; see [`crate::store::PatRecord`]).
//!
//! **Entry files** (binary, integers little-endian):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `PATKIT-E` |
//! | 8 | 1 | entry file version: `2` (written), `1` (patkit 0.1, still read) |
//! | 9 | 1 | sealing: `0` none, `1` XChaCha20-Poly1305 |
//! | 10 | 8 | revision (`u64`), equal to the one in the body |
//! | 18 | 4 | `L`, the length of the sealed body (`u32`) |
//! | 22 | `L` | sealed body |
//! | 22 + `L` | 4 | CRC-32 (IEEE) of bytes `0 .. 22 + L` |
//!
//! The body is the entry document (below) with its `revision`, equal to the header's. With
//! sealing `0` the sealed body *is* that JSON (the file's 0600 mode is its only protection). With sealing `1`
//! it is a random 24-byte nonce followed by the XChaCha20-Poly1305 ciphertext and 16-byte tag of
//! the JSON, with the 22 header bytes and the entry file name as associated data, so a body
//! cannot be moved to another name or given another revision. A file whose length disagrees
//! with `L`, whose CRC does not match, whose tag does not verify, whose JSON is invalid or of an entry
//! format this build does not know, or whose record names another entry is **corrupt**: reads report [`StoreErrorKind::Corrupt`] and
//! nothing is replaced or dropped (`put` refuses to overwrite it, `list` fails); `remove`
//! deletes it.
//!
//! # The entry document (entry format 4)
//!
//! Every patkit store keeps an entry as the same versioned JSON document, owned by patkit
//! rather than derived from the public types, so a change to [`PatRecord`]
//! does not change what is on disk: the file store as the body above, the
//! keyring store (`KeyringTokenStore`) as the item's secret, the
//! Vault store (`VaultTokenStore`) as the KV v2 `data` (without `revision`: the KV
//! version is the revision; a removed entry is `{"format": "patkit.entry", "version": 4,
//! "removed": true}`).
//!
//! ```text
//! {"format": "patkit.entry", "version": 4, "revision": 7, "secret": "<token>",
//!  "record": {"name": "ci/feed", "provider": "azure-devops", "organization": "contoso",
//!             "stored_at": "<RFC 3339>",
//!             "token": {"id": "…", "display_name": "…", "scopes": ["vso.code", "…"],
//!                       "valid_from": "<RFC 3339>", "valid_to": "<RFC 3339>" | null,
//!                       "extras": {"targets": "*", …}},
//!             "rotation": {"replacement_display_name": "…", "started_at": "<RFC 3339>"},
//!             "previous": {…same fields as "token"…},
//!             "retiring": {"until": "<RFC 3339>", "handoff_pending": true}}}
//! ```
//!
//! `rotation`, `previous` and `retiring` are left out when there is none (`handoff_pending` when
//! false). Entry files of version 1 (patkit
//! 0.1) hold `{"record": {…}, "secret": "<token>"}` in entry format 1 instead: the 0.1
//! `PatRecord` (`metadata` for `token`, `scopes` one space-separated string, `targets`
//! `"all_organizations"` or `{"organizations": […]}`, `revision` inside the record); keyring
//! items and Vault entries of format 1 say `"format": "patkit.v1"` and have no `version`. Format 2
//! (0.2 development builds) is format 3 with a required `valid_to` and Azure's `targets`, and
//! format 3 is format 4 without `retiring`. All four are read; a rewritten entry is stored in
//! format 4. A document of another format, or
//! of a newer version, reads as [`StoreErrorKind::Corrupt`] with a message naming the version,
//! and is left as it is (`put` refuses to replace it; `remove` deletes it). Messages name JSON
//! paths and versions, never stored values.
//!
//! # Atomicity, locking, durability
//!
//! - **Writes** (`put`, `compare_and_swap`, `remove`) take an exclusive advisory lock on `lock`
//!   ([`std::fs::File::try_lock`], `flock` on Unix) plus an in-process mutex, so processes and
//!   threads sharing the directory write one at a time, and a compare-and-swap decides on the
//!   state it replaces. A writer waits for the lock at most
//!   [`FileTokenStore::lock_timeout`] (default
//!   [`FileTokenStore::DEFAULT_LOCK_TIMEOUT`], 10 s; opening waits as long): a lock held longer
//!   (a stopped or hung process) fails the call with [`StoreErrorKind::Unavailable`] naming the
//!   lock file, instead of hanging. A write reads the current entry file (one file, whatever the store size),
//!   writes the new version to `entries/.tmp-<random>` (mode 0600), `fsync`s it, `rename`s it over
//!   `<escaped-name>.pat`, and `fsync`s `entries/`. The cost of a write does not depend on how
//!   many entries the store holds.
//! - **Removes** raise `revision-floor` (same temp-file + rename + fsync dance, in `<store>/`) and
//!   then unlink the entry file and `fsync` `entries/`.
//! - **Reads** (`get`, `list`) take no lock: `rename` replaces a file atomically, so a reader sees
//!   the old version or the new one. `list` reads the directory and then each file.
//! - **After a crash** (process killed, or machine down) each entry file is its old or its new
//!   version, because it only ever changes by `rename`/`unlink`. Leftover `.tmp-*` files are
//!   deleted the next time a store is opened (under the lock, so no live writer owns them).
//!
//! # Permissions, ownership, links
//!
//! The directories are created 0700 and the files 0600. Opening checks the store directory,
//! `entries/`, the marker and the lock file, and every read checks the file it opened: anything
//! the group or others can access, and anything that belongs to another user than the one
//! running the process (its effective user id, learned from the owner of a probe file it
//! creates in the store directory), is refused with [`StoreErrorKind::Insecure`] and a message
//! saying which path and how to fix it. Nothing is `chmod`ed or `chown`ed silently.
//!
//! Inside the store nothing is reached through a symbolic link: files are opened with
//! `O_NOFOLLOW` (and `O_NONBLOCK`, so a FIFO cannot stall a read), a link or special file where
//! an entry, the marker, the lock or `revision-floor` should be is refused as
//! [`StoreErrorKind::Insecure`], `entries/` must be a real directory, temporary files are created
//! with `O_EXCL` (which never follows a link), and a link named like a leftover temporary file
//! is removed itself, never what it points at. The store's own path may go through links; the
//! directory it leads to is checked. This matters most for root using a store under a
//! directory other users can write to.

#[cfg(unix)]
mod format;
#[cfg(unix)]
mod fsio;
#[cfg(feature = "encryption")]
mod key;
#[cfg(unix)]
mod layout;
#[cfg(unix)]
mod lock;
#[cfg(unix)]
mod name;
#[cfg(unix)]
mod ops;
#[cfg(unix)]
mod seal;
#[cfg(not(unix))]
mod unsupported;

#[cfg(unix)]
use std::fmt;
#[cfg(unix)]
use std::path::{Path, PathBuf};
#[cfg(unix)]
use std::sync::Arc;
#[cfg(unix)]
use std::time::Duration;

#[cfg(unix)]
use async_trait::async_trait;

#[cfg(feature = "encryption")]
pub use key::FileStoreKey;
#[cfg(unix)]
use ops::Inner;
#[cfg(unix)]
use seal::Sealing;
#[cfg(not(unix))]
pub use unsupported::FileTokenStore;

#[cfg(unix)]
use super::{Expected, PatRecord, StoreError, StoreErrorKind, StoredPat, TokenStore};

/// A [`TokenStore`] in a private directory: one file per entry, atomic and durable writes, safe
/// to share between processes of the same user, optionally encrypted at rest.
///
/// For one user on one machine (a developer laptop, a headless server without a keyring). The
/// on-disk format, the locking and the crash guarantees are in the [module docs](crate::store::file).
///
/// The file IO runs on Tokio's blocking thread pool, so the store needs a Tokio runtime. A write
/// whose future is dropped may still complete (it is atomic either way). Clones share the
/// directory handle and lock.
///
/// ```
/// use patkit::store::{FileTokenStore, TokenStore};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), patkit::store::StoreError> {
/// # let dir = std::env::temp_dir().join(format!("patkit-doc-{}", std::process::id()));
/// let store = FileTokenStore::open(&dir).await?; // created 0700 if missing
/// assert!(store.list().await?.is_empty());
/// assert!(store.get("ci/nuget-feed").await?.is_none());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok(())
/// # }
/// ```
#[cfg(unix)]
#[derive(Clone)]
pub struct FileTokenStore {
    inner: Arc<Inner>,
    lock_timeout: Duration,
}

#[cfg(unix)]
impl FileTokenStore {
    /// Opens the unencrypted store in directory `path`, creating it (and missing parent
    /// directories) if `path` does not exist or is an empty directory.
    ///
    /// Fails with [`StoreErrorKind::Insecure`] if the directory or its files are accessible by
    /// the group or others, belong to another user, or are symbolic links (see the
    /// [module docs](crate::store::file)), [`StoreErrorKind::Unavailable`] if another process
    /// holds the store lock for [`DEFAULT_LOCK_TIMEOUT`](Self::DEFAULT_LOCK_TIMEOUT),
    /// [`StoreErrorKind::Corrupt`] if its marker is damaged, and
    /// [`StoreErrorKind::Other`] if `path` is a non-empty directory that is not a store, or an
    /// encrypted store.
    pub async fn open(path: impl Into<PathBuf>) -> Result<Self, StoreError> {
        Self::open_with(path.into(), Sealing::Plain).await
    }

    /// Opens the store in directory `path` encrypted with `key` (XChaCha20-Poly1305), creating
    /// it if `path` does not exist or is an empty directory. Feature `encryption`.
    ///
    /// Fails like [`open`](Self::open), and with [`StoreErrorKind::Corrupt`] if `key` is not the
    /// key the store was created with, and [`StoreErrorKind::Other`] if the store is not
    /// encrypted.
    #[cfg(feature = "encryption")]
    pub async fn open_encrypted(path: impl Into<PathBuf>, key: FileStoreKey) -> Result<Self, StoreError> {
        Self::open_with(path.into(), Sealing::with_key(&key)).await
    }

    async fn open_with(path: PathBuf, sealing: Sealing) -> Result<Self, StoreError> {
        let lock_timeout = Self::DEFAULT_LOCK_TIMEOUT;
        let inner = blocking(move || layout::open(path, sealing, lock_timeout)).await?;
        Ok(Self { inner: Arc::new(inner), lock_timeout })
    }

    /// How long a write waits for the store lock unless told otherwise
    /// ([`with_lock_timeout`](Self::with_lock_timeout)): 10 seconds. Opening a store waits this
    /// long too. A writer holds the lock for one read, one write and two `fsync`s, so only a
    /// stuck or stopped process holds it anywhere near this long.
    pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

    /// Sets how long `put`, `compare_and_swap` and `remove` wait for the store lock (held by a
    /// writer in another process, or another thread of this one) before failing with
    /// [`StoreErrorKind::Unavailable`] and a message naming the lock file. Reads take no lock.
    /// Applies to this handle and clones made from it afterwards.
    ///
    /// ```
    /// use std::time::Duration;
    /// use patkit::store::FileTokenStore;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), patkit::store::StoreError> {
    /// # let dir = std::env::temp_dir().join(format!("patkit-doc-lock-{}", std::process::id()));
    /// let store = FileTokenStore::open(&dir).await?.with_lock_timeout(Duration::from_secs(2));
    /// assert_eq!(store.lock_timeout(), Duration::from_secs(2));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// How long writes wait for the store lock (see [`with_lock_timeout`](Self::with_lock_timeout)).
    pub fn lock_timeout(&self) -> Duration {
        self.lock_timeout
    }

    /// The store's directory.
    pub fn path(&self) -> &Path {
        &self.inner.root
    }

    /// Whether entries are encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.inner.sealing.id() != seal::PLAIN
    }

    async fn run<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Inner) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = Arc::clone(&self.inner);
        blocking(move || op(&inner)).await
    }
}

/// Runs `op` on Tokio's blocking pool.
#[cfg(unix)]
async fn blocking<T: Send + 'static>(
    op: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    // The panic message is not passed on: it is ours, but an error must never risk a secret.
    tokio::task::spawn_blocking(op)
        .await
        .unwrap_or_else(|_| Err(StoreError::new(StoreErrorKind::Other, "a file store operation panicked")))
}

#[cfg(unix)]
impl fmt::Debug for FileTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileTokenStore")
            .field("path", &self.inner.root)
            .field("sealing", &self.inner.sealing)
            .field("lock_timeout", &self.lock_timeout)
            .finish()
    }
}

#[cfg(unix)]
#[async_trait]
impl TokenStore for FileTokenStore {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        let name = name.to_owned();
        self.run(move |inner| inner.get(&name)).await
    }

    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        let timeout = self.lock_timeout;
        self.run(move |inner| inner.write(entry, None, timeout)).await
    }

    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        let timeout = self.lock_timeout;
        self.run(move |inner| inner.write(entry, Some(expected), timeout)).await
    }

    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_owned();
        let timeout = self.lock_timeout;
        self.run(move |inner| inner.remove(&name, timeout)).await
    }

    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        self.run(|inner| inner.list()).await
    }
}

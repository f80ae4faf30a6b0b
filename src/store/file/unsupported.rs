//! [`FileTokenStore`] where patkit cannot keep other users out of a directory (every non-Unix
//! platform, Windows among them): the same API, and every `open` refuses.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;

#[cfg(feature = "encryption")]
use super::FileStoreKey;
use crate::store::{Expected, PatRecord, StoreError, StoreErrorKind, StoredPat, TokenStore};

/// A [`TokenStore`] in a private directory; on this platform it cannot be opened (see the
/// [module docs](crate::store::file#platforms)): [`open`](Self::open) fails with
/// [`StoreErrorKind::Insecure`], so no value of this type ever exists here.
#[derive(Clone)]
pub struct FileTokenStore {
    never: Never,
}

/// No value: a `FileTokenStore` cannot be built on this platform.
#[derive(Clone, Copy)]
enum Never {}

/// The refusal every `open` answers with, naming `path` and what to use instead.
fn refusal(path: &Path) -> StoreError {
    StoreError::new(
        StoreErrorKind::Insecure,
        format!(
            "refusing to open a file token store at {}: on {} patkit cannot restrict a directory to its \
             owner (that needs an owner-only ACL, set through the Windows security API, which this crate \
             does not call), so other accounts might read the tokens; use the OS keyring \
             (KeyringTokenStore, the Credential Manager) or a Vault store instead",
            path.display(),
            std::env::consts::OS
        ),
    )
}

impl FileTokenStore {
    /// Refuses: fails with [`StoreErrorKind::Insecure`] and creates nothing.
    pub async fn open(path: impl Into<PathBuf>) -> Result<Self, StoreError> {
        Err(refusal(&path.into()))
    }

    /// Refuses like [`open`](Self::open). Feature `encryption`.
    #[cfg(feature = "encryption")]
    pub async fn open_encrypted(path: impl Into<PathBuf>, key: FileStoreKey) -> Result<Self, StoreError> {
        drop(key);
        Err(refusal(&path.into()))
    }

    /// How long a write would wait for the store lock by default: 10 seconds (as on Unix).
    pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

    /// As on Unix; unreachable, as no store is ever opened here.
    #[must_use]
    pub fn with_lock_timeout(self, _timeout: Duration) -> Self {
        match self.never {}
    }

    /// As on Unix; unreachable, as no store is ever opened here.
    pub fn lock_timeout(&self) -> Duration {
        match self.never {}
    }

    /// As on Unix; unreachable, as no store is ever opened here.
    pub fn path(&self) -> &Path {
        match self.never {}
    }

    /// As on Unix; unreachable, as no store is ever opened here.
    pub fn is_encrypted(&self) -> bool {
        match self.never {}
    }
}

impl fmt::Debug for FileTokenStore {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.never {}
    }
}

#[async_trait]
impl TokenStore for FileTokenStore {
    async fn get(&self, _name: &str) -> Result<Option<StoredPat>, StoreError> {
        match self.never {}
    }

    async fn put(&self, _entry: StoredPat) -> Result<u64, StoreError> {
        match self.never {}
    }

    async fn compare_and_swap(&self, _entry: StoredPat, _expected: Expected) -> Result<u64, StoreError> {
        match self.never {}
    }

    async fn remove(&self, _name: &str) -> Result<bool, StoreError> {
        match self.never {}
    }

    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        match self.never {}
    }
}

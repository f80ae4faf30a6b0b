//! [`KeyringTokenStore`]: entries in the operating system's keyring (feature `keyring`).

mod backend;
mod envelope;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

use super::{Expected, PatRecord, StoreError, StoreErrorKind, StoredPat, TokenStore};
use backend::Backend;

/// A [`TokenStore`] in the operating system's keyring, through the keyring-core crates: the
/// Secret Service (gnome-keyring, KWallet, KeePassXC) on Linux and FreeBSD. Other platforms are
/// not wired up yet: there [`KeyringTokenStore::new`] fails with
/// [`StoreErrorKind::Unavailable`].
///
/// It never falls back to an in-memory or file substitute: without a running, reachable
/// keyring, [`new`](KeyringTokenStore::new) fails with [`StoreErrorKind::Unavailable`] and a
/// message that says what is missing.
///
/// # Layout
///
/// Each entry is one keyring item with the attributes `service` = the store's service name and
/// `username` = the entry's name, labelled `<service>: <name>`. The item's secret holds the token
/// *and* its record as one JSON document
/// (`{"format": "patkit.v1", "revision": n, "secret": "…", "record": {…}}`), so every write is one
/// platform call and a crash leaves the old entry or the new one, never a token paired with
/// another token's metadata. Metadata is therefore encrypted like the secret; `list` decrypts
/// each item and drops the secret at once. The service name belongs to this store: every item
/// with that `service` attribute is taken as an entry (a foreign one is reported as
/// [`StoreErrorKind::Corrupt`]).
///
/// # Concurrency and revisions
///
/// Writes (`put`, `compare_and_swap`, `remove`) to one service name are serialized within the
/// process (across every `KeyringTokenStore` of that name), so compare-and-swap is atomic among
/// the process's tasks. **Across processes it is not**: the Secret Service has no
/// compare-and-set, so two processes that compare-and-swap the same entry at the same moment can
/// both succeed, the later write winning. Use one process per keyring service name for
/// rotation, or the Vault or file store when several processes rotate the same entries.
///
/// A revision is `max(previous + 1, microseconds since the Unix epoch)` (and above every
/// revision this process issued for the service), so it also grows across a remove and
/// re-create, unless the system clock is set back between the two.
///
/// # Runtime
///
/// The keyring API is blocking; each call runs on tokio's blocking pool
/// (`tokio::task::spawn_blocking`), so the store must be used inside a tokio runtime.
///
/// ```no_run
/// # async fn demo() -> Result<(), patkit::store::StoreError> {
/// use patkit::store::{KeyringTokenStore, TokenStore};
///
/// let store = KeyringTokenStore::new("patkit")?; // fails loudly without a keyring
/// for record in store.list().await? {
///     println!("{} expires {}", record.name, record.metadata.valid_to);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct KeyringTokenStore {
    backend: Arc<Backend>,
    writes: Arc<tokio::sync::Mutex<u64>>,
}

/// One write lock (and the highest revision issued) per service name, shared by every store of
/// that name in the process.
fn write_lock(service: &str) -> Arc<tokio::sync::Mutex<u64>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<u64>>>>> = OnceLock::new();
    let mut locks = LOCKS.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    locks.entry(service.to_owned()).or_default().clone()
}

impl KeyringTokenStore {
    /// Connects to the platform keyring and keeps entries under `service` (e.g. `"patkit"`, or
    /// your application's name). Blocks briefly while connecting.
    ///
    /// Fails with [`StoreErrorKind::Unavailable`] when there is no keyring to talk to (no D-Bus
    /// session bus, no Secret Service on it, or a platform patkit has no backend for), and with
    /// [`StoreErrorKind::Other`] for an empty service name.
    pub fn new(service: impl Into<String>) -> Result<Self, StoreError> {
        let service = service.into();
        if service.is_empty() {
            return Err(StoreError::new(StoreErrorKind::Other, "the keyring service name must not be empty"));
        }
        let writes = write_lock(&service);
        let backend = Backend::connect(service)?;
        Ok(Self { backend: Arc::new(backend), writes })
    }

    /// The service name entries are kept under.
    pub fn service(&self) -> &str {
        self.backend.service()
    }

    /// Runs blocking keyring calls on tokio's blocking pool.
    async fn blocking<T, F>(&self, call: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Backend) -> Result<T, StoreError> + Send + 'static,
    {
        let backend = self.backend.clone();
        tokio::task::spawn_blocking(move || call(&backend))
            .await
            .map_err(|e| StoreError::new(StoreErrorKind::Other, "a keyring call did not complete").with_source(e))?
    }

    async fn read(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        check_name(name)?;
        let name = name.to_owned();
        self.blocking(move |backend| backend.read(&name)).await
    }

    /// Writes `entry` with the next revision; the caller holds the write lock (`issued`).
    async fn write(&self, entry: StoredPat, current: Option<u64>, issued: &mut u64) -> Result<u64, StoreError> {
        let revision = next_revision(current, *issued, now_micros());
        let bytes = envelope::encode(&entry, revision)?;
        let name = entry.record.name.clone();
        self.blocking(move |backend| backend.write(&name, &bytes)).await?;
        *issued = revision;
        Ok(revision)
    }
}

fn check_name(name: &str) -> Result<(), StoreError> {
    if name.is_empty() {
        return Err(StoreError::new(StoreErrorKind::Other, "an entry name must not be empty"));
    }
    Ok(())
}

fn now_micros() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX)).unwrap_or(0)
}

/// The revision of a write over an entry at `current` (`None`: absent), when this process has
/// issued up to `issued` and the clock reads `now`.
fn next_revision(current: Option<u64>, issued: u64, now: u64) -> u64 {
    let after = current.unwrap_or(0).max(issued);
    after.saturating_add(1).max(now)
}

impl fmt::Debug for KeyringTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringTokenStore")
            .field("service", &self.backend.service())
            .field("backend", &self.backend.vendor())
            .finish()
    }
}

#[async_trait]
impl TokenStore for KeyringTokenStore {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        self.read(name).await
    }

    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        let mut issued = self.writes.lock().await;
        // Reading first also refuses to overwrite a damaged entry (it reads as Corrupt).
        let current = self.read(entry.name()).await?.map(|e| e.record.revision);
        self.write(entry, current, &mut issued).await
    }

    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        let mut issued = self.writes.lock().await;
        let current = self.read(entry.name()).await?.map(|e| e.record.revision);
        if !expected.matches(current) {
            return Err(StoreError::new(
                StoreErrorKind::Conflict,
                format!("entry '{}' is not at the expected state ({expected:?})", entry.name()),
            ));
        }
        self.write(entry, current, &mut issued).await
    }

    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        check_name(name)?;
        let _issued = self.writes.lock().await;
        let name = name.to_owned();
        self.blocking(move |backend| backend.delete(&name)).await
    }

    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        let mut records = self.blocking(|backend| backend.list()).await?;
        records.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_grow_past_the_current_one_what_was_issued_and_the_clock() {
        assert_eq!(next_revision(None, 0, 1_000), 1_000);
        assert_eq!(next_revision(Some(5_000), 0, 1_000), 5_001);
        // After a remove (current None), what this process issued still counts.
        assert_eq!(next_revision(None, 7_000, 1_000), 7_001);
    }

    #[test]
    fn one_lock_per_service_name() {
        assert!(Arc::ptr_eq(&write_lock("patkit-test-a"), &write_lock("patkit-test-a")));
        assert!(!Arc::ptr_eq(&write_lock("patkit-test-a"), &write_lock("patkit-test-b")));
    }
}

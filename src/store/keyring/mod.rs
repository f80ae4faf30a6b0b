//! [`KeyringTokenStore`]: entries in the operating system's keyring (feature `keyring`).

mod backend;
mod envelope;
mod platform;
mod process_lock;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

use super::{Expected, PatRecord, StoreError, StoreErrorKind, StoredPat, TokenStore};
use backend::Backend;

/// A [`TokenStore`] in the operating system's keyring, through the keyring-core crates, with the
/// same API on every OS:
///
/// | OS | Keyring | Where an entry lives |
/// |---|---|---|
/// | Linux, FreeBSD | the Secret Service (gnome-keyring, KWallet, KeePassXC) over D-Bus | an item with the attributes `service` = the store's service name and `username` = the entry's name, labelled `<service>: <name>` |
/// | macOS | the user's login Keychain | a generic password with service = the service name and account = the entry's name |
/// | Windows | the Credential Manager (enterprise persistence: it roams with the profile) | a generic credential with the target name `<service>/<name>`, each part escaped (below) |
///
/// On other platforms [`KeyringTokenStore::new`] fails with [`StoreErrorKind::Unavailable`].
///
/// It never falls back to an in-memory or file substitute: without a running, reachable
/// keyring, [`new`](KeyringTokenStore::new) fails with [`StoreErrorKind::Unavailable`] and a
/// message that says what is missing.
///
/// # Layout
///
/// Each entry is one keyring item. The item's secret holds the token *and* its record as one
/// JSON document, the entry document all patkit stores share
/// (`{"format": "patkit.entry", "version": 4, "revision": n, "secret": "…", "record": {…}}`, its
/// fields described in the [file store's docs](crate::store::file#the-entry-document-entry-format-2);
/// items patkit 0.1 wrote, `{"format": "patkit.v1", …}`, are still read), so every write is one
/// platform call and a crash leaves the old entry or the new one, never a token paired with
/// another token's metadata. Metadata is therefore encrypted like the secret; `list` decrypts
/// each item and drops the secret at once. The service name belongs to this store: every item
/// of that service (on Windows: every target starting with the escaped service and `/`) is taken
/// as an entry (a foreign one is reported as [`StoreErrorKind::Corrupt`]).
///
/// Windows compares target names without regard to case, and patkit compares entry names byte
/// for byte, so on Windows the service and the name are written with `a`–`z`, `0`–`9`, `-`, `_`,
/// `.` kept and every other byte as `%xx` (`CI/feed` of service `patkit` is the target
/// `patkit/%43%49%2ffeed`): `CI/feed` and `ci/feed` stay two entries.
///
/// # Size limits
///
/// The Windows Credential Manager holds at most 2560 bytes per credential
/// (`CRED_MAX_CREDENTIAL_BLOB_SIZE`). An entry document is about 400 bytes for a typical Azure
/// DevOps token and about 900 bytes with a rotation in progress and the previous token's
/// metadata, so entries fit with room to spare; one that does not (a very long display name,
/// scope list or extras) is refused before anything is written, with
/// [`StoreErrorKind::Other`] and a message giving its size and the limit. patkit does not split
/// an entry over several credentials: that would make a write several platform calls, and a
/// crash between them could pair a token with another token's metadata. The Secret Service and
/// the Keychain have no limit an entry comes near.
///
/// # Concurrency and revisions
///
/// No platform keyring has a compare-and-set: a compare-and-swap is a read, a check and a write,
/// three calls another process can interleave with. So writes (`put`, `compare_and_swap`,
/// `remove`) take two locks around those calls: a mutex shared by every `KeyringTokenStore` of
/// the service name in the process, and an exclusive advisory lock (`flock`) on a lock file
/// beside the keyring, `keyring-<service>.lock` in `$XDG_RUNTIME_DIR/patkit` (else
/// `$XDG_CACHE_HOME/patkit`, else `~/.cache/patkit`; on macOS `~/Library/Caches/patkit`, on
/// Windows `%LOCALAPPDATA%\patkit`; see
/// [`with_lock_dir`](KeyringTokenStore::with_lock_dir)). Every patkit process of the user that
/// writes the service name through the same lock directory therefore decides and writes one at
/// a time, and compare-and-swap is atomic among them: two processes rotating the same entries
/// cannot both win (the loser gets [`StoreErrorKind::Conflict`]), which is what rotation's
/// "nothing lost" rests on.
///
/// **Out of reach**: a program that writes the same keyring items without patkit (or a patkit
/// process pointed at another lock directory) does not take the lock, and can still interleave
/// with a compare-and-swap. Rotate one service name only through patkit with the default lock
/// directory (or the same [`with_lock_dir`](KeyringTokenStore::with_lock_dir) everywhere).
///
/// A revision is `max(previous + 1, microseconds since the Unix epoch)` (and above every
/// revision this process issued for the service), so it also grows across a remove and
/// re-create, unless the system clock is set back between the two.
///
/// # Runtime and timeouts
///
/// The keyring API is blocking; each call runs on tokio's blocking pool
/// (`tokio::task::spawn_blocking`), so the store must be used inside a tokio runtime.
///
/// Nothing waits forever: connecting, each read and each write is bounded by the store's
/// timeout ([`DEFAULT_TIMEOUT`](KeyringTokenStore::DEFAULT_TIMEOUT), 60 s, or
/// [`new_with_timeout`](KeyringTokenStore::new_with_timeout)). A write waits at most that long
/// for the locks and then at most that long for the keyring. A keyring that does not
/// answer (hung, or showing an unlock prompt nobody answers, which the keyring crates would
/// otherwise wait a year for) makes the call fail with [`StoreErrorKind::Unavailable`]. The
/// blocked call itself cannot be cancelled: it stays on a blocking-pool thread, still holding
/// the write locks, until the service answers or the process exits, so a write that timed out
/// may still complete (re-read before deciding again), and later writes time out too rather
/// than run beside it.
///
/// ```no_run
/// # async fn demo() -> Result<(), patkit::store::StoreError> {
/// use patkit::store::{KeyringTokenStore, TokenStore};
///
/// let store = KeyringTokenStore::new("patkit")?; // fails loudly without a keyring
/// for record in store.list().await? {
///     println!("{} expires {:?}", record.name, record.metadata.valid_to);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct KeyringTokenStore {
    backend: Arc<Backend>,
    writes: Arc<tokio::sync::Mutex<u64>>,
    timeout: Duration,
    lock_file: Option<PathBuf>,
}

/// One write lock (and the highest revision issued) per service name, shared by every store of
/// that name in the process.
fn write_lock(service: &str) -> Arc<tokio::sync::Mutex<u64>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<u64>>>>> = OnceLock::new();
    let mut locks = LOCKS.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    locks.entry(service.to_owned()).or_default().clone()
}

impl KeyringTokenStore {
    /// How long connecting, a read, or each half of a write (waiting for the locks, then the
    /// keyring calls) may take unless told otherwise: 60 seconds, time for a person to answer an
    /// unlock prompt.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

    /// Connects to the platform keyring and keeps entries under `service` (e.g. `"patkit"`, or
    /// your application's name). Blocks while connecting, at most
    /// [`DEFAULT_TIMEOUT`](Self::DEFAULT_TIMEOUT).
    ///
    /// Fails with [`StoreErrorKind::Unavailable`] when there is no keyring to talk to (no D-Bus
    /// session bus, no Secret Service on it or one that does not answer, a Keychain or Credential
    /// Manager that cannot be opened, or a platform patkit
    /// has no backend for), and with [`StoreErrorKind::Other`] for an empty service name.
    pub fn new(service: impl Into<String>) -> Result<Self, StoreError> {
        Self::new_with_timeout(service, Self::DEFAULT_TIMEOUT)
    }

    /// Like [`new`](Self::new), with `timeout` bounding connecting and every later call of this
    /// store (see [Runtime and timeouts](Self#runtime-and-timeouts)).
    pub fn new_with_timeout(service: impl Into<String>, timeout: Duration) -> Result<Self, StoreError> {
        let service = service.into();
        if service.is_empty() {
            return Err(StoreError::new(StoreErrorKind::Other, "the keyring service name must not be empty"));
        }
        let writes = write_lock(&service);
        let lock_file = process_lock::default_dir().map(|dir| process_lock::file_in(&dir, &service));
        let backend = connect_within(service, timeout)?;
        Ok(Self { backend: Arc::new(backend), writes, timeout, lock_file })
    }

    /// Keeps the cross-process lock file in `dir` instead of the default directory (see
    /// [Concurrency and revisions](Self#concurrency-and-revisions)); created 0700 on the first
    /// write if missing. Every process writing this service name must use the same directory.
    #[must_use]
    pub fn with_lock_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.lock_file = Some(process_lock::file_in(dir.as_ref(), self.backend.service()));
        self
    }

    /// The service name entries are kept under.
    pub fn service(&self) -> &str {
        self.backend.service()
    }

    /// The bound on connecting and on each call (see [`new_with_timeout`](Self::new_with_timeout)).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The cross-process lock file writes take, `None` when no directory for it is known (then
    /// writes fail with [`StoreErrorKind::Other`] until [`with_lock_dir`](Self::with_lock_dir)
    /// names one).
    pub fn lock_file(&self) -> Option<&Path> {
        self.lock_file.as_deref()
    }

    /// Runs blocking keyring calls on tokio's blocking pool, for at most `bound`.
    async fn blocking<T, F>(&self, doing: &str, bound: Duration, call: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Backend) -> Result<T, StoreError> + Send + 'static,
    {
        let backend = self.backend.clone();
        let task = tokio::task::spawn_blocking(move || call(&backend));
        match tokio::time::timeout(bound, task).await {
            Ok(joined) => joined.map_err(|e| {
                StoreError::new(StoreErrorKind::Other, "a keyring call did not complete").with_source(e)
            })?,
            Err(_) => Err(StoreError::new(
                StoreErrorKind::Unavailable,
                format!(
                    "keyring {doing} for service '{}' did not finish within {bound:?}: the keyring is not \
                     answering (hung, or waiting on an unlock prompt nobody answers); a write may still \
                     complete, so re-read before deciding again",
                    self.backend.service()
                ),
            )),
        }
    }

    async fn read(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        check_name(name)?;
        let name = name.to_owned();
        self.blocking("read", self.timeout, move |backend| backend.read(&name)).await
    }

    /// Runs `op` holding this service's in-process write lock and its cross-process lock file
    /// (each waited for at most the timeout), then bounds `op`'s keyring calls by the timeout.
    /// If the bound passes, the locks stay held until `op` really ends (they move with it).
    async fn locked_write<T, F>(&self, doing: &str, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Backend, &mut u64) -> Result<T, StoreError> + Send + 'static,
    {
        let mut issued = tokio::time::timeout(self.timeout, self.writes.clone().lock_owned()).await.map_err(|_| {
            StoreError::new(
                StoreErrorKind::Unavailable,
                format!(
                    "timed out after {:?} waiting for another write to keyring service '{}' in this process \
                     (an earlier keyring call is still not answered)",
                    self.timeout,
                    self.backend.service()
                ),
            )
        })?;
        let (lock_file, timeout) = (self.lock_file.clone(), self.timeout);
        self.blocking(doing, timeout.saturating_mul(2), move |backend| {
            let _held = process_lock::acquire(lock_file.as_deref(), timeout)?;
            op(backend, &mut issued)
        })
        .await
    }
}

/// Connects on a thread of its own, waiting at most `timeout` (the keyring crates block while
/// connecting and cannot be interrupted; a connection that answers late is dropped).
fn connect_within(service: String, timeout: Duration) -> Result<Backend, StoreError> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("patkit-keyring-connect".to_owned())
        .spawn(move || {
            let _ = sender.send(Backend::connect(service));
        })
        .map_err(|e| {
            StoreError::new(StoreErrorKind::Other, "cannot start a thread to connect to the keyring").with_source(e)
        })?;
    match receiver.recv_timeout(timeout) {
        Ok(connected) => connected,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(StoreError::new(
            StoreErrorKind::Unavailable,
            format!(
                "no keyring: {} did not answer within {timeout:?} while connecting (is it hung, \
                 or waiting on an unlock prompt?)",
                platform::NAMING.keyring
            ),
        )),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            Err(StoreError::new(StoreErrorKind::Other, "connecting to the keyring failed unexpectedly"))
        }
    }
}

/// Writes `entry` over an entry at `current` with the next revision; the caller holds the write
/// locks (`issued`: the highest revision this process issued for the service).
fn write_entry(backend: &Backend, entry: StoredPat, current: Option<u64>, issued: &mut u64) -> Result<u64, StoreError> {
    let revision = next_revision(current, *issued, now_micros());
    let bytes = envelope::encode(&entry, revision)?;
    backend.write(entry.name(), &bytes)?;
    *issued = revision;
    Ok(revision)
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
            .field("timeout", &self.timeout)
            .field("lock_file", &self.lock_file)
            .finish()
    }
}

#[async_trait]
impl TokenStore for KeyringTokenStore {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        self.read(name).await
    }

    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        check_name(entry.name())?;
        self.locked_write("write", move |backend, issued| {
            // Reading first also refuses to overwrite a damaged entry (it reads as Corrupt).
            let current = backend.read(entry.name())?.map(|e| e.record.revision);
            write_entry(backend, entry, current, issued)
        })
        .await
    }

    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        check_name(entry.name())?;
        self.locked_write("compare-and-swap", move |backend, issued| {
            let current = backend.read(entry.name())?.map(|e| e.record.revision);
            if !expected.matches(current) {
                return Err(StoreError::new(
                    StoreErrorKind::Conflict,
                    format!("entry '{}' is not at the expected state ({expected:?})", entry.name()),
                ));
            }
            write_entry(backend, entry, current, issued)
        })
        .await
    }

    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        check_name(name)?;
        let name = name.to_owned();
        self.locked_write("remove", move |backend, _| backend.delete(&name)).await
    }

    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        let mut records = self.blocking("list", self.timeout, |backend| backend.list()).await?;
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

//! The store lock: one writer at a time, across threads and processes, waited for at most a
//! bounded time.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use super::fsio::open_private;
use crate::store::StoreError;
use crate::store::lock_wait::{lock_within, timed_out};

/// What the lock is called in messages.
const WHAT: &str = "the file store lock";

/// An exclusive advisory lock on `<store>/lock` (`flock` through [`File::try_lock`]), plus a
/// mutex for the threads of this process (which share the one open file, so the advisory lock
/// alone would not keep them apart).
#[derive(Debug)]
pub(super) struct StoreLock {
    file: File,
    path: PathBuf,
    threads: Mutex<()>,
}

/// Held while a writer decides and writes; releases both locks when dropped.
pub(super) struct Held<'a> {
    lock: &'a StoreLock,
    _thread: MutexGuard<'a, ()>,
}

impl StoreLock {
    /// Opens (creating if needed, mode 0600, never through a link) the lock file, which must
    /// belong to `owner`.
    pub(super) fn open(path: &Path, owner: u32) -> Result<Self, StoreError> {
        Ok(Self { file: open_private(path, owner)?, path: path.to_owned(), threads: Mutex::new(()) })
    }

    /// Waits until this thread holds the store exclusively, at most `timeout` in all; a lock
    /// still held by another thread or process then is `Unavailable`
    /// , naming the lock file.
    pub(super) fn acquire(&self, timeout: Duration) -> Result<Held<'_>, StoreError> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(1);
        // Poisoning only means another writer panicked; the files are consistent regardless
        // (every change is one atomic rename or unlink).
        let thread = loop {
            match self.threads.try_lock() {
                Ok(guard) => break guard,
                Err(TryLockError::Poisoned(poisoned)) => break poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(timed_out(&self.path, WHAT, timeout));
            }
            std::thread::sleep(pause.min(timeout - waited));
            pause = (pause * 2).min(Duration::from_millis(50));
        };
        lock_within(&self.file, &self.path, WHAT, timeout.saturating_sub(start.elapsed()))?;
        Ok(Held { lock: self, _thread: thread })
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // Closing the file would release it too; an unlock error leaves it held until then.
        let _ = self.lock.file.unlock();
    }
}

//! The store lock: one writer at a time, across threads and processes.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use super::fsio::{io_error, open_private};
use crate::store::StoreError;

/// An exclusive advisory lock on `<store>/lock` (`flock` through [`File::lock`]), plus a mutex
/// for the threads of this process (which share the one open file, so the advisory lock alone
/// would not keep them apart).
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
    /// Opens (creating if needed, mode 0600) the lock file.
    pub(super) fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self { file: open_private(path)?, path: path.to_owned(), threads: Mutex::new(()) })
    }

    /// Blocks until this thread holds the store exclusively.
    pub(super) fn acquire(&self) -> Result<Held<'_>, StoreError> {
        // Poisoning only means another writer panicked; the files are consistent regardless
        // (every change is one atomic rename or unlink).
        let thread = self.threads.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.file.lock().map_err(|e| io_error("lock", &self.path, e))?;
        Ok(Held { lock: self, _thread: thread })
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // Closing the file would release it too; an unlock error leaves it held until then.
        let _ = self.lock.file.unlock();
    }
}

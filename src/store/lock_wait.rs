//! Waiting for an advisory file lock with a deadline, shared by the file store and the keyring
//! store's cross-process lock: a lock that is never released becomes a typed error, not a hang.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use super::{StoreError, StoreErrorKind};

/// Takes the exclusive advisory lock on `file` (`flock` through [`File::try_lock`]), retrying
/// until `timeout` has passed. A lock still held then is [`StoreErrorKind::Unavailable`], with a
/// message naming `path` and what `what` is.
pub(crate) fn lock_within(file: &File, path: &Path, what: &str, timeout: Duration) -> Result<(), StoreError> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => {
                return Err(StoreError::new(StoreErrorKind::Other, format!("cannot lock {what} {}", path.display()))
                    .with_source(e));
            }
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(timed_out(path, what, timeout));
        }
        std::thread::sleep(pause.min(timeout - waited));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// The error for a lock that stayed held for `timeout`.
pub(crate) fn timed_out(path: &Path, what: &str, timeout: Duration) -> StoreError {
    StoreError::new(
        StoreErrorKind::Unavailable,
        format!(
            "timed out after {timeout:?} waiting for {what} {}: another process or thread holds it \
             (if nothing should, find the holder with `fuser {}` or `lsof {}`)",
            path.display(),
            path.display(),
            path.display()
        ),
    )
}

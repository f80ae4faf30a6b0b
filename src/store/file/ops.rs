//! The store operations, blocking (run on Tokio's blocking pool by the async wrapper).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::fsio::{TEMP_PREFIX, io_error, read_private, remove_durably, replace_atomically};
use super::layout::FLOOR;
use super::lock::StoreLock;
use super::seal::Sealing;
use super::{format, name};
use crate::store::memory::conflict;
use crate::store::{Expected, PatRecord, StoreError, StoreErrorKind, StoredPat};

/// An open store directory.
#[derive(Debug)]
pub(super) struct Inner {
    pub(super) root: PathBuf,
    pub(super) entries: PathBuf,
    pub(super) lock: StoreLock,
    pub(super) sealing: Sealing,
    /// The user id every file and directory of the store must belong to.
    pub(super) owner: u32,
}

#[derive(Serialize, Deserialize)]
struct Floor {
    revision_floor: u64,
}

impl Inner {
    pub(super) fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        let file_name = name::file_name(name)?;
        self.read_entry(name, &file_name)
    }

    /// `put` (`expected` is `None`) or `compare_and_swap`: decides and writes under the lock,
    /// waiting at most `lock_timeout` for it.
    pub(super) fn write(
        &self,
        mut entry: StoredPat,
        expected: Option<Expected>,
        lock_timeout: Duration,
    ) -> Result<u64, StoreError> {
        let file_name = name::file_name(entry.name())?;
        let _held = self.lock.acquire(lock_timeout)?;
        let current = self.read_entry(entry.name(), &file_name)?.map(|e| e.record.revision);
        if let Some(expected) = expected
            && !expected.matches(current)
        {
            return Err(conflict(entry.name(), expected, current));
        }
        let base = match current {
            Some(revision) => revision,
            None => self.floor()?,
        };
        let revision = base.checked_add(1).ok_or_else(|| {
            StoreError::new(StoreErrorKind::Other, format!("entry {:?} has used up its revisions", entry.name()))
        })?;
        entry.record.revision = revision;
        let bytes = format::encode(&entry, &file_name, &self.sealing);
        replace_atomically(&self.entries, &file_name, &bytes)?;
        Ok(revision)
    }

    pub(super) fn remove(&self, name: &str, lock_timeout: Duration) -> Result<bool, StoreError> {
        let file_name = name::file_name(name)?;
        let path = self.entries.join(&file_name);
        let _held = self.lock.acquire(lock_timeout)?;
        let Some(bytes) = read_private(&path, self.owner)? else {
            return Ok(false);
        };
        // Raise the floor first: a crash after it and before the unlink leaves the entry in
        // place and the floor higher, which is harmless.
        let revision = match format::decode(&bytes, &file_name, name, &self.sealing) {
            Ok(entry) => entry.record.revision,
            // A damaged entry: trust its header if readable, else the clock (micro-seconds since
            // 1970, far above any revision a counter reaches).
            Err(_) => format::header_revision(&bytes).unwrap_or(0).max(now_micros()),
        };
        if revision > self.floor()? {
            let floor = serde_json::to_vec(&Floor { revision_floor: revision }).expect("the floor serializes");
            replace_atomically(&self.root, FLOOR, &floor)?;
        }
        remove_durably(&self.entries, &path)
    }

    pub(super) fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        let listing = fs::read_dir(&self.entries).map_err(|e| io_error("list", &self.entries, e))?;
        let mut records = Vec::new();
        for item in listing {
            let item = item.map_err(|e| io_error("list", &self.entries, e))?;
            let os_name = item.file_name();
            let Some(file_name) = os_name.to_str() else {
                return Err(unexpected_file(&item.path()));
            };
            if file_name.starts_with('.') {
                continue; // `.tmp-*` files of writers, and hidden files of other tools
            }
            let name = name::entry_name(file_name).ok_or_else(|| unexpected_file(&item.path()))?;
            if let Some(entry) = self.read_entry(&name, file_name)? {
                records.push(entry.record);
            } // else removed since the directory was read
        }
        records.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(records)
    }

    fn read_entry(&self, name: &str, file_name: &str) -> Result<Option<StoredPat>, StoreError> {
        let path = self.entries.join(file_name);
        let Some(bytes) = read_private(&path, self.owner)? else {
            return Ok(None);
        };
        format::decode(&bytes, file_name, name, &self.sealing).map(Some).map_err(|reason| {
            StoreError::new(
                StoreErrorKind::Corrupt,
                format!(
                    "entry {name:?} is damaged ({}): {reason}; it was left as it is, remove it to start over",
                    path.display()
                ),
            )
        })
    }

    /// The highest revision ever removed from this store (0 if none): new entries start above it.
    fn floor(&self) -> Result<u64, StoreError> {
        let path = self.root.join(FLOOR);
        match read_private(&path, self.owner)? {
            None => Ok(0),
            Some(bytes) => serde_json::from_slice::<Floor>(&bytes).map(|f| f.revision_floor).map_err(|e| {
                StoreError::new(StoreErrorKind::Corrupt, format!("{} is damaged", path.display())).with_source(e)
            }),
        }
    }
}

fn unexpected_file(path: &Path) -> StoreError {
    StoreError::new(
        StoreErrorKind::Corrupt,
        format!(
            "unexpected file {} in the store's entries directory (not an entry, not a `{TEMP_PREFIX}*` file)",
            path.display()
        ),
    )
}

fn now_micros() -> u64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since_epoch.as_micros()).unwrap_or(u64::MAX / 2)
}

//! Opening a store directory: creating it, checking it, the marker file and the key check.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::fsio::{
    TEMP_PREFIX, check_private_dir, create_private_dir, effective_uid, io_error, read_private, replace_atomically,
};
use super::lock::StoreLock;
use super::ops::Inner;
use super::seal::{self, Sealing};
use crate::base64;
use crate::store::{StoreError, StoreErrorKind};

/// The marker file: what kind of store this is and how it is sealed.
pub(super) const MARKER: &str = "patkit-store.json";
/// The lock file.
pub(super) const LOCK: &str = "lock";
/// The directory of entry files.
pub(super) const ENTRIES: &str = "entries";
/// The revision floor file.
pub(super) const FLOOR: &str = "revision-floor";

const FORMAT: &str = "patkit-file-store";
const LAYOUT_VERSION: u8 = 1;
const KEY_CHECK_PLAINTEXT: &[u8] = b"patkit-file-store key check";
const KEY_CHECK_AAD: &[u8] = b"patkit-file-store/key-check/v1";

#[derive(Serialize, Deserialize)]
struct Marker {
    format: String,
    version: u8,
    sealing: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_check: Option<String>,
}

/// Opens the store at `root`, creating it if the directory is missing or empty, waiting at most
/// `lock_timeout` for the store lock.
pub(super) fn open(root: PathBuf, sealing: Sealing, lock_timeout: Duration) -> Result<Inner, StoreError> {
    if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| io_error("create the directory", parent, e))?;
    }
    create_private_dir(&root)?;
    // Everything in the store must belong to the user running this process (a directory
    // prepared by another user, e.g. under a shared parent, could be read or swapped by it).
    let owner = effective_uid(&root)?;
    check_private_dir(&root, owner, true)?;
    let lock = StoreLock::open(&root.join(LOCK), owner)?;
    let entries = root.join(ENTRIES);
    {
        let _held = lock.acquire(lock_timeout)?;
        match read_private(&root.join(MARKER), owner)? {
            Some(bytes) => check_marker(&root, &bytes, &sealing)?,
            None => initialize(&root, &entries, &sealing)?,
        }
        check_private_dir(&entries, owner, false)?;
        super::fsio::remove_stale_temp_files(&root)?;
        super::fsio::remove_stale_temp_files(&entries)?;
    }
    Ok(Inner { root, entries, lock, sealing, owner })
}

/// Makes an empty directory a store: the entries directory first, the marker last (a store
/// without a marker is an unfinished one and is initialized again).
fn initialize(root: &Path, entries: &Path, sealing: &Sealing) -> Result<(), StoreError> {
    let listing = fs::read_dir(root).map_err(|e| io_error("list", root, e))?;
    for item in listing {
        let item = item.map_err(|e| io_error("list", root, e))?;
        let name = item.file_name();
        let name = name.to_string_lossy();
        let leftover = name == LOCK
            || name.starts_with(TEMP_PREFIX)
            || (name == ENTRIES && fs::read_dir(item.path()).map(|mut d| d.next().is_none()).unwrap_or(false));
        if !leftover {
            return Err(StoreError::new(
                StoreErrorKind::Other,
                format!(
                    "{} is not empty and is not a patkit file store (no {MARKER}); \
                     refusing to turn it into one",
                    root.display()
                ),
            ));
        }
    }
    create_private_dir(entries)?;
    let key_check = (sealing.id() != seal::PLAIN)
        .then(|| base64::encode(sealing.seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_AAD), base64::Alphabet::Standard));
    let marker =
        Marker { format: FORMAT.to_owned(), version: LAYOUT_VERSION, sealing: sealing.label().to_owned(), key_check };
    let bytes = serde_json::to_vec_pretty(&marker).expect("the marker serializes");
    replace_atomically(root, MARKER, &bytes)
}

/// Checks an existing store's marker against how it is being opened.
fn check_marker(root: &Path, bytes: &[u8], sealing: &Sealing) -> Result<(), StoreError> {
    let path = root.join(MARKER);
    let marker: Marker = serde_json::from_slice(bytes).map_err(|e| {
        StoreError::new(StoreErrorKind::Corrupt, format!("{} is damaged: not valid JSON", path.display()))
            .with_source(e)
    })?;
    if marker.format != FORMAT {
        return Err(StoreError::new(
            StoreErrorKind::Other,
            format!("{} is not a patkit file store (format {:?})", root.display(), marker.format),
        ));
    }
    if marker.version != LAYOUT_VERSION {
        return Err(StoreError::new(
            StoreErrorKind::Other,
            format!(
                "{} has store layout version {}; this build of patkit reads version {LAYOUT_VERSION}",
                root.display(),
                marker.version
            ),
        ));
    }
    if marker.sealing != sealing.label() {
        let hint = if sealing.id() == seal::PLAIN {
            "open it with its key (`FileTokenStore::open_encrypted`, feature `encryption`)"
        } else {
            "open it without a key (`FileTokenStore::open`)"
        };
        return Err(StoreError::new(
            StoreErrorKind::Other,
            format!("{} is sealed with `{}`; {hint}", root.display(), marker.sealing),
        ));
    }
    if sealing.id() != seal::PLAIN {
        let opened = marker
            .key_check
            .as_deref()
            .and_then(|check| base64::decode(check, base64::Alphabet::Standard))
            .and_then(|sealed| sealing.open(&sealed, KEY_CHECK_AAD).ok());
        if opened.as_deref().map(Vec::as_slice) != Some(KEY_CHECK_PLAINTEXT) {
            return Err(StoreError::new(
                StoreErrorKind::Corrupt,
                format!(
                    "the key does not open the store at {} (wrong key, or its key check in {MARKER} is damaged)",
                    root.display()
                ),
            ));
        }
    }
    Ok(())
}

//! File-system primitives: private files, atomic replacement, permission checks, IO errors.

use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::store::{StoreError, StoreErrorKind};

/// Mode of the store's directories.
pub(super) const DIR_MODE: u32 = 0o700;
/// Mode of the store's files.
pub(super) const FILE_MODE: u32 = 0o600;
/// Prefix of temporary files; entry files never start with a dot.
pub(super) const TEMP_PREFIX: &str = ".tmp-";

/// An IO error as a store error naming what was being done and where.
pub(super) fn io_error(doing: &str, path: &Path, error: io::Error) -> StoreError {
    let kind = match error.kind() {
        io::ErrorKind::PermissionDenied => StoreErrorKind::PermissionDenied,
        _ => StoreErrorKind::Other,
    };
    StoreError::new(kind, format!("cannot {doing} {}", path.display())).with_source(error)
}

/// Refuses a file or directory that the group or others can access.
pub(super) fn check_private(metadata: &Metadata, path: &Path) -> Result<(), StoreError> {
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        let (want, fix) = if metadata.is_dir() { ("0700", "chmod 700") } else { ("0600", "chmod 600") };
        return Err(StoreError::new(
            StoreErrorKind::Insecure,
            format!(
                "refusing to use {}: its permissions are {mode:04o}, so other users can reach the tokens; \
                 the file store needs {want} (fix with `{fix} {}`)",
                path.display(),
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Creates the directory `path` with mode 0700; an existing one is left as it is.
pub(super) fn create_private_dir(path: &Path) -> Result<(), StoreError> {
    match DirBuilder::new().mode(DIR_MODE).create(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_error("create the directory", path, e)),
    }
}

/// Checks that `path` is a directory only its owner can reach.
pub(super) fn check_private_dir(path: &Path) -> Result<(), StoreError> {
    let metadata = fs::metadata(path).map_err(|e| io_error("inspect", path, e))?;
    if !metadata.is_dir() {
        return Err(StoreError::new(StoreErrorKind::Other, format!("{} is not a directory", path.display())));
    }
    check_private(&metadata, path)
}

/// Opens (creating with mode 0600 if missing) a file for reading and writing, and checks it is
/// private.
pub(super) fn open_private(path: &Path) -> Result<File, StoreError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(path)
        .map_err(|e| io_error("open", path, e))?;
    check_private(&file.metadata().map_err(|e| io_error("inspect", path, e))?, path)?;
    Ok(file)
}

/// The contents of a private file, `None` if it does not exist. A file the group or others can
/// access is refused ([`StoreErrorKind::Insecure`]).
pub(super) fn read_private(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("open", path, e)),
    };
    let metadata = file.metadata().map_err(|e| io_error("inspect", path, e))?;
    check_private(&metadata, path)?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.read_to_end(&mut bytes).map_err(|e| io_error("read", path, e))?;
    Ok(Some(bytes))
}

/// Replaces `dir/file_name` with `bytes` atomically and durably: write a private temporary file
/// in the same directory, fsync it, rename it over the target, fsync the directory. A crash at
/// any point leaves the old file or the new one, plus at most a stray temporary file.
pub(super) fn replace_atomically(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let temp = dir.join(format!("{TEMP_PREFIX}{}", uuid::Uuid::new_v4().simple()));
    let target = dir.join(file_name);
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&temp)
            .map_err(|e| io_error("create", &temp, e))?;
        file.write_all(bytes).map_err(|e| io_error("write", &temp, e))?;
        file.sync_all().map_err(|e| io_error("flush to disk", &temp, e))?;
        fs::rename(&temp, &target).map_err(|e| io_error("move a new version into", &target, e))
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    sync_dir(dir)
}

/// Removes `path` durably; `false` if it did not exist.
pub(super) fn remove_durably(dir: &Path, path: &Path) -> Result<bool, StoreError> {
    match fs::remove_file(path) {
        Ok(()) => sync_dir(dir).map(|()| true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error("remove", path, e)),
    }
}

/// Flushes a directory's entries (creations, renames, removals) to disk.
pub(super) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error("flush to disk the directory", dir, e))
}

/// Deletes temporary files left in `dir` by writers that crashed. Call only while holding the
/// store lock: live temporary files exist only under it.
pub(super) fn remove_stale_temp_files(dir: &Path) -> Result<(), StoreError> {
    let entries = fs::read_dir(dir).map_err(|e| io_error("list", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error("list", dir, e))?;
        if entry.file_name().to_str().is_some_and(|n| n.starts_with(TEMP_PREFIX)) {
            let path = entry.path();
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error("remove the stale temporary file", &path, e)),
            }
        }
    }
    Ok(())
}
